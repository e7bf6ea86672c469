// `gpugrad/bench` from the installed package in Node: the MNIST loader (JSON from the `mnist`
// package, loaded with an import attribute) and a small run of the suite.
import { loadMnist, markdownReport, parseOptions, runSuite, validateResults } from 'gpugrad/bench';

const data = await loadMnist();
const results = await runSuite(parseOptions({ quick: '1', experiments: 'linear', width: '8', batch: '4' }));
console.log(JSON.stringify({
  train: data.train.count, test: data.test.count, problems: validateResults(results),
  hasTable: markdownReport(results).includes('|'),
}));
