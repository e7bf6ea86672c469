// gpugrad in a real browser: headless Chromium (test/browser/harness.ts; WebGPU on SwiftShader
// without a GPU) loads test/browser/index.html from a Vite dev server, so the page imports the library
// straight from src/. The page and Node run the same MLP forward and backward
// (test/browser/mlp.ts); their gradients must agree with each other and with float64 central
// differences of the reference MLP (test/reference/ops.ts). Both also save a trained model and
// load it into a fresh one through a File (test/browser/save-load.ts). The page must log no errors.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { Page } from 'puppeteer';
import * as gg from '../src/index.ts';
import { collectErrors, launchChromium, ROOT, serve, type Chromium, type Served } from './browser/harness.ts';
import { PARAMS, runMlp, type MlpData, type MlpResult, type Param } from './browser/mlp.ts';
import { runInitTrain } from './browser/init-train.ts';
import { runEverydayOps, type OpsInput } from './browser/everyday-ops.ts';
import { runTrainingTools } from './browser/training-tools.ts';
import * as M from './reference/more-ops.ts';
import { runSaveLoad } from './browser/save-load.ts';
import * as R from './reference/ops.ts';
import { makeRng, nd, type Nd } from './reference/ndarray.ts';
import { expectClose, finiteDiffGrad, tol } from './reference/check.ts';
import { rand } from './helpers.ts';
import { parseFile } from './reference/safetensors.ts';

const PAGE_ROOT = resolve(ROOT, 'test/browser');

const dims = { batch: 6, inputs: 5, hidden: 8, outputs: 3 };
const shapes: Record<Param, number[]> = {
  x: [dims.batch, dims.inputs], w1: [dims.inputs, dims.hidden], b1: [dims.hidden],
  w2: [dims.hidden, dims.outputs], b2: [dims.outputs],
};

/** Fixed float32-rounded data; the seed is chosen so no ReLU input lies near its kink. */
function makeData(): MlpData {
  const rng = makeRng(7);
  const arrays = {
    x: rand(shapes.x, rng), w1: rand(shapes.w1, rng, { range: [-0.8, 0.8] }), b1: rand(shapes.b1, rng, { range: [-0.2, 0.2] }),
    w2: rand(shapes.w2, rng, { range: [-0.8, 0.8] }), b2: rand(shapes.b2, rng, { range: [-0.2, 0.2] }),
    target: rand([dims.batch, dims.outputs], rng, { range: [0, 1] }),
  };
  const plain = (x: Nd) => Array.from(x.data);
  return {
    dims, x: plain(arrays.x), w1: plain(arrays.w1), b1: plain(arrays.b1), w2: plain(arrays.w2), b2: plain(arrays.b2),
    target: plain(arrays.target),
  };
}

/** The float64 reference: the ReLU's input, and the loss as a function of [x, w1, b1, w2, b2]. */
function reference(data: MlpData) {
  const target = nd(data.target, [dims.batch, dims.outputs]);
  const preRelu = ([x, w1, b1, w2, b2]: Nd[]) => R.add(R.matmul(R.tanh(R.add(R.matmul(x, w1), b1)), w2), b2);
  const loss = (inputs: Nd[]) => {
    const [x, w1, b1, w2, b2] = inputs;
    const y = R.mlpForward(x, [{ w: w1, b: b1, act: 'tanh' }, { w: w2, b: b2, act: 'relu' }]);
    return R.mseLoss(y, target).data[0];
  };
  const inputs = PARAMS.map((p) => nd(data[p], shapes[p]));
  return { preRelu: preRelu(inputs), loss: loss(inputs), grads: finiteDiffGrad(loss, inputs) };
}

describe('headless Chromium', () => {
  let server: Served | undefined;
  let chromium: Chromium | undefined;
  let page: Page;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    await gg.ready({ verbose: false });
    // The page imports only our own sources: nothing to pre-bundle.
    server = await serve({ configFile: false, root: PAGE_ROOT, optimizeDeps: { noDiscovery: true, include: [] } });
    chromium = await launchChromium();
    page = await chromium.browser.newPage();
    pageErrors = await collectErrors(page);
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 }).catch((error: Error) => {
      throw new Error(`the test page did not load (${error.message}); page errors: ${pageErrors.join('; ') || 'none'}`);
    });
  });

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('MLP gradients in the page match Node and float64 finite differences', async () => {
    const data = makeData();
    const ref = reference(data);
    // The data must keep every ReLU input off its kink, and exercise both sides of it.
    const pre = Array.from(ref.preRelu.data);
    expect(Math.min(...pre.map(Math.abs)), 'distance of a ReLU input from 0').toBeGreaterThan(1e-3);
    expect(pre.some((v) => v < 0) && pre.some((v) => v > 0), 'ReLU inputs on both sides of 0').toBe(true);
    // ...and give every input a gradient worth comparing.
    PARAMS.forEach((p, i) => expect(Math.max(...ref.grads[i].data.map(Math.abs)), `largest |d loss/d ${p}|`).toBeGreaterThan(1e-3));

    const started = performance.now();
    const inPage = await page.evaluate((d) => window.gpugradTest.run(d), data);
    const pageMs = performance.now() - started;
    const inNode: MlpResult = await runMlp(gg, data);
    const diffs = PARAMS.flatMap((p) => inPage.grads[p].map((v, i) => Math.abs(v - inNode.grads[p][i])));
    console.log(`browser test: page ${pageMs.toFixed(0)} ms; page adapter ${JSON.stringify(inPage.adapter)}; ` +
      `node adapter ${inNode.adapter.description}; largest |page - node| gradient difference ${Math.max(...diffs)}`);

    expect(pageErrors).toEqual([]);
    expect(inPage.adapter.source).toBe('navigator.gpu');
    for (const { adapter } of [inPage, inNode]) {
      const named = `${adapter.vendor} ${adapter.architecture} ${adapter.device} ${adapter.description}`;
      const cpu = adapter.isFallback && /swiftshader|fallback/i.test(named);
      const real = !adapter.isFallback && adapter.vendor.trim() !== '';
      expect(cpu || real, `adapter: ${named} (isFallback ${adapter.isFallback})`).toBe(true);
    }

    // Page vs Node: the same kernels on the same kind of adapter. Relative 1e-5, plus an
    // absolute floor of 1e-5 times the largest gradient for entries that cancel to near 0.
    expectClose([inPage.loss], [inNode.loss], { atol: 0, rtol: 1e-5 }, 'loss, page vs node');
    for (const p of PARAMS) {
      const scale = Math.max(...inNode.grads[p].map(Math.abs));
      expectClose(inPage.grads[p], inNode.grads[p], { atol: 1e-5 * scale, rtol: 1e-5 }, `d loss/d ${p}, page vs node`);
    }

    // Both vs float64: reductions here are at most batch x outputs = 18 terms deep per
    // step; tol(64) covers the chain of them (~3e-5) and still fails a 1e-3 error.
    const t = tol(64);
    for (const [side, result] of [['page', inPage], ['node', inNode]] as const) {
      expectClose([result.loss], [ref.loss], t, `loss, ${side} vs float64`);
      PARAMS.forEach((p, i) => expectClose(result.grads[p], ref.grads[i].data, t, `d loss/d ${p}, ${side} vs float64`));
    }
    expect(pageErrors).toEqual([]);
  });

  it('initializers give identical bits in the page and in Node for the same seed; nn + Adam steps agree', async () => {
    const seed = 2 ** 32 + 12345; // above 32 bits, so both halves of Philox's key matter
    const inPage = await page.evaluate((s) => window.gpugradTest.initTrain(s), seed);
    const inNode = await runInitTrain(gg, seed);
    expect(Object.keys(inPage.bits)).toEqual(Object.keys(inNode.bits));
    for (const name of Object.keys(inNode.bits)) expect(inPage.bits[name], name).toEqual(inNode.bits[name]);
    // The same kernels on the same kind of adapter: training agrees to float32 rounding.
    expectClose(inPage.losses, inNode.losses, { atol: 0, rtol: 1e-5 }, 'losses, page vs node');
    expect(inNode.losses[2]).toBeLessThan(inNode.losses[0]);
    const asFloats = (bits: number[]) => new Float32Array(Uint32Array.from(bits).buffer);
    inNode.params.forEach((p, i) => expectClose(asFloats(inPage.params[i]), asFloats(p), { atol: 1e-6, rtol: 1e-5 }, `parameter ${i}`));
    expect(pageErrors).toEqual([]);
  });

  it('the everyday ops (indexing, joining, comparisons, reductions, losses) give the float64 values and gradients in the page and in Node', async () => {
    const rng = makeRng(11);
    const input: OpsInput = {
      x: Array.from(rand([3, 4], rng).data), y: Array.from(rand([3, 4], rng).data), idx: [3, 0, 2], z: Array.from(rand([2, 3, 4], rng).data),
    };
    const [x, y, z] = [nd(input.x, [3, 4]), nd(input.y, [3, 4]), nd(input.z, [2, 3, 4])];
    const sumOf = (f: (v: Nd) => Nd) => (vs: Nd[]) => f(vs[0]).data.reduce((s, v) => s + v, 0);
    const gt = M.greater(x, y);
    // (v - mean) / sqrt(var + 1e-5) over each row of 4: LayerNorm(4); BatchNorm1d is the same over columns.
    const layerNorm = (v: Nd) => {
      const mu = M.meanAxes(v, 1, true);
      return R.div(R.sub(v, mu), R.sqrt(R.add(M.variance(v, 1, 0, true), nd([1e-5], []))));
    };
    const quadMatmul = (v: Nd) => M.matmulBroadcast(v, M.matmulBroadcast(R.transpose(v), y));
    const quadLinear = (v: Nd) => M.linearLayer(v, M.matmulBroadcast(R.transpose(y), y), R.sum(y, 0), 'tanh');
    const refs: Record<string, { value: Nd; f?: (v: Nd) => Nd }> = {
      maximum: { value: M.maximum(x, y), f: (v) => M.maximum(v, y) },
      where: { value: M.where(gt, x, nd([0], [])), f: (v) => M.where(gt, v, nd([0], [])) },
      clamp: { value: M.clamp(x, -0.5, 0.5), f: (v) => M.clamp(v, -0.5, 0.5) },
      greaterEqual: { value: M.greaterEqual(x, y) },
      slice: { value: M.slice(x, [1, -3], [3]), f: (v) => M.slice(v, [1, -3], [3]) },
      concat: { value: M.concat([x, y], 1), f: (v) => M.concat([v, y], 1) },
      stack: { value: M.stack([x, y], 0), f: (v) => M.stack([v, y], 0) },
      gather: { value: M.gather(x, nd(input.idx, [3, 1]), 1), f: (v) => M.gather(v, nd(input.idx, [3, 1]), 1) },
      indexSelect: { value: M.indexSelect(x, [2, 0, 2], 0), f: (v) => M.indexSelect(v, [2, 0, 2], 0) },
      oneHot: { value: M.oneHot(input.idx, 4) },
      argmax: { value: M.argmax(x, 1) },
      min: { value: M.minAxes(z, [0, 2]) },
      variance: { value: M.variance(x, 1), f: (v) => M.variance(v, 1) },
      logSumExp: { value: M.logSumExp(x, -1), f: (v) => M.logSumExp(v, -1) },
      matmul: { value: M.matmulBroadcast(nd(input.z, [2, 1, 3, 4]), R.transpose(x)), f: (v) => M.matmulBroadcast(nd(input.z, [2, 1, 3, 4]), R.transpose(v)) },
      quadMatmul: { value: quadMatmul(x), f: quadMatmul },
      quadMatmulNT: { value: M.matmulBroadcast(x, R.transpose(y)), f: (v) => M.matmulBroadcast(v, R.transpose(y)) },
      quadLinear: { value: quadLinear(x), f: quadLinear },
      softmaxCrossEntropy: { value: M.crossEntropyIndices(x, input.idx), f: (v) => M.crossEntropyIndices(v, input.idx) },
      huberLoss: { value: M.huberLoss(x, y, 0.5), f: (v) => M.huberLoss(v, y, 0.5) },
      powTensor: { value: M.powTensor(R.abs(x), y), f: (v) => M.powTensor(R.abs(v), y) },
      flatten: { value: nd(input.z, [1, 2, 12]) },
      layerNorm: { value: layerNorm(x), f: layerNorm },
      batchNorm: { value: R.transpose(layerNorm(R.transpose(x))), f: (v) => R.transpose(layerNorm(R.transpose(v))) },
    };
    // Seeded layers whose values come from Philox bits: the page must give Node's values exactly.
    const seeded = ['embedding', 'dropout'];
    const inPage = await page.evaluate((i) => window.gpugradTest.everydayOps(i), input);
    const inNode = await runEverydayOps(gg, input);
    expect(Object.keys(inPage).sort()).toEqual([...Object.keys(refs), ...seeded].sort());
    const noSignedZero = (v: number[]) => v.map((u) => u + 0); // x·0 may be -0 on one adapter build and +0 on another
    for (const name of seeded) expect(noSignedZero(inPage[name].value), `${name}, page vs node`).toEqual(noSignedZero(inNode[name].value));
    expect(inNode.dropout.value.filter((v) => v === 0).length, 'dropout dropped some of the 12').toBeGreaterThan(0);
    for (const [name, ref] of Object.entries(refs)) {
      for (const [side, result] of [['page', inPage[name]], ['node', inNode[name]]] as const) {
        expectClose(result.value, ref.value.data, tol(16), `${name} value, ${side} vs float64`);
        if (!ref.f) {
          expect(result.grad, `${name} gives a constant: no gradient`).toBeUndefined();
          continue;
        }
        expectClose(result.grad!, finiteDiffGrad(sumOf(ref.f), [x])[0].data, tol(64), `${name} d sum/dx, ${side} vs float64`);
      }
    }
    expect(pageErrors).toEqual([]);
  });

  it('save() and load() in the page: a File of the saved bytes loads into a fresh model with bitwise-equal outputs', async () => {
    const inPage = await page.evaluate((s) => window.gpugradTest.saveLoad(s), 31);
    const inNode = await runSaveLoad(gg, 31, false);
    for (const [side, result] of [['page', inPage], ['node', inNode]] as const) {
      expect(result.loaded, `${side}: loaded outputs`).toEqual(result.trained);
      expect(result.trained.length).toBe(30);
    }
    const [pageFile, nodeFile] = [inPage.file, inNode.file].map((bytes) => parseFile(Uint8Array.from(bytes)));
    expect(pageFile.headerText).toBe(nodeFile.headerText);
    expect(Object.keys(pageFile.header)).toEqual(['__metadata__', '0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
    expect(pageFile.header.__metadata__).toEqual({ seed: '31' });
    // The same kernels on the same kind of adapter: the weights agree to float32 rounding.
    const floats = (file: typeof pageFile) => Array.from({ length: file.data.byteLength / 4 }, (_, i) => file.data.getFloat32(4 * i, true));
    expectClose(floats(pageFile), floats(nodeFile), { atol: 1e-6, rtol: 1e-5 }, 'saved weights, page vs node');
    expect(inPage.saveFileError).toBe("GpugradError: saveFile: needs Node's file system (Node 20.16 or later); in a browser use save() and load() on bytes");
    expect(pageErrors).toEqual([]);
  });

  it('clipGradNorm and StepLR give their closed forms in the page and in Node', async () => {
    const inPage = await page.evaluate(() => window.gpugradTest.trainingTools());
    const inNode = await runTrainingTools(gg);
    for (const [side, r] of [['page', inPage], ['node', inNode]] as const) {
      // ‖[3, 6, 6]‖ = 9; clipped to 1.5 it scales by 1.5 / (9 + 1e-6).
      expectClose([r.norm], [9], tol(3), `${side}: total norm`);
      expectClose(r.clipped, [3, 6, 6].map((g) => g * 1.5 / (9 + 1e-6)), tol(3), `${side}: clipped gradient`);
      expectClose(r.lrs, [0.8, 0.8, 0.4, 0.4, 0.2], tol(1), `${side}: StepLR(2, 0.5) from 0.8`);
    }
    expect(pageErrors).toEqual([]);
  });
});
