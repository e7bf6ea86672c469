// `npm run bench` (and `npx gpugrad-bench` from the installed package, through bin.ts): runs
// the suite on the default adapter with a progress bar and a time estimate, prints markdown
// tables, and writes results.json, one SVG per chart and report.html to the output folder.
// Bad options: one line on stderr and exit code 2. The SVGs need vega and vega-lite, which an
// installed package does not bring: without them the report says so in one line.

import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { allCharts, type ChartSpec } from './suite/charts.ts';
import type { Progress } from './suite/context.ts';
import { EXPERIMENTS, OptionError, parseOptions } from './suite/options.ts';
import { MNIST_MISSING, runSuite } from './suite/run.ts';
import { markdownReport } from './suite/tables.ts';
import { htmlReport } from './report-html.ts';

const USAGE = `usage: npm run bench -- [options]   (or, installed: npx gpugrad-bench [options])
  --quick                 the quick preset (about 3 minutes on a 2-core CPU adapter)
  --experiments LIST      of ${EXPERIMENTS.join(',')}
  --depths 5,10 --scales 0.5,1,2 --activations linear,tanh,relu   the signal sweep
  --width N --batch N --steps N --seed N --out DIR
  --isometryDepths 1,4,16 Jacobian spectra (isometry)     --saxeDepths 1,4,16 --teacherSteps N   (saxe)
  --glorotInits standard,normalized --glorotSnapshots 0,100 --glorotBins 40   tanh histograms (glorot)
  --weightVariances 1,2,4 --biasVariances 0,0.05   the sigma_w^2 x sigma_b^2 grid (chaos)
  --trainDepths 8,32 --trainWeightVariances 1,1.76,4 --trainSteps N   MNIST trainability grid
  --rescueDepth N --rescueWidth N --rescueBatch N --rescueSteps N --rescueLr 0.002
  --rescueInits lecun,normal --rescueVariants plain,batchnorm,layernorm,residual   deep ReLU nets rescued (rescue)`;

/** Splits argv into option strings: --name value, --name=value, and the bare flag --quick. */
function parseArgs(argv: string[]): { raw: Record<string, string>; out: string; help: boolean } {
  const raw: Record<string, string> = {};
  let out = 'bench-results';
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') { help = true; continue; }
    if (!arg.startsWith('--')) throw new OptionError(`unexpected argument '${arg}' (options start with --)`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const isFlag = name === 'quick' && inline === undefined;
    const value = isFlag ? '1' : inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new OptionError(`--${name} needs a value`);
    if (name === 'out') out = value;
    else raw[name] = value; // parseOptions names any unknown one
  }
  return { raw, out, help };
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function progressPrinter(): (p: Progress) => void {
  const isTty = process.stderr.isTTY;
  let lastPrinted = -1;
  return (p) => {
    const pct = Math.round(p.done * 100);
    const bar = '#'.repeat(Math.round(p.done * 30)).padEnd(30, '.');
    const eta = p.remainingSeconds === null ? 'estimating' : `~${clock(p.remainingSeconds)} left`;
    const line = `[${bar}] ${String(pct).padStart(3)}%  ${clock(p.elapsedSeconds)} elapsed, ${eta}  ${p.label}`;
    if (isTty) process.stderr.write(`\r${line.slice(0, (process.stderr.columns ?? 120) - 1).padEnd((process.stderr.columns ?? 120) - 1)}`);
    else if (pct >= lastPrinted + 5 || (pct === 100 && lastPrinted < 100)) {
      process.stderr.write(line + '\n');
      lastPrinted = pct;
    }
  };
}

/** vega and vega-lite, or null when they are not installed (an installed gpugrad does not bring them). */
async function chartLibraries() {
  try {
    // Through variables, so the bundled command line leaves both as imports of the user's copy.
    const [vega, vegaLite] = ['vega', 'vega-lite'];
    return { vega: await import(/* @vite-ignore */ vega), vegaLite: await import(/* @vite-ignore */ vegaLite) };
  } catch {
    return null;
  }
}

async function renderSvg(libs: NonNullable<Awaited<ReturnType<typeof chartLibraries>>>, spec: ChartSpec): Promise<string> {
  const view = new libs.vega.View(libs.vega.parse(libs.vegaLite.compile(spec as never).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  let options: ReturnType<typeof parseOptions>;
  try {
    args = parseArgs(argv);
    options = parseOptions(args.raw);
  } catch (e) {
    if (!(e instanceof OptionError)) throw e;
    process.stderr.write(`gpugrad bench: ${e.message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const results = await runSuite(options, { onProgress: progressPrinter() });
  process.stderr.write('\n');
  if (results.notes.includes(MNIST_MISSING)) process.stderr.write(`gpugrad bench: ${MNIST_MISSING}\n`);
  const markdown = markdownReport(results);
  process.stdout.write('\n' + markdown);
  const out = resolve(args.out);
  await mkdir(out, { recursive: true });
  await writeFile(resolve(out, 'results.json'), JSON.stringify(results, null, 1));
  const svgs: Record<string, string> = {};
  const libs = await chartLibraries();
  if (!libs) process.stderr.write('gpugrad bench: charts skipped: install vega and vega-lite for the SVG charts (npm i vega vega-lite)\n');
  for (const [name, spec] of libs ? Object.entries(allCharts(results)) : []) {
    svgs[name] = await renderSvg(libs!, spec);
    await writeFile(resolve(out, `${name}.svg`), svgs[name]);
  }
  await writeFile(resolve(out, 'report.md'), markdown);
  await writeFile(resolve(out, 'report.html'), htmlReport(markdown, svgs));
  process.stdout.write(`\nWrote ${out}/: results.json, report.html, report.md, ${Object.keys(svgs).map((n) => n + '.svg').join(', ')}\n`);
  return 0;
}
