// A seeded fuzz of the public API's argument checks: every public op, creation function and
// initializer is called with one or two arguments replaced by a value of the wrong kind (a
// string for a tensor, NaN for a slope, 1.5 for an axis, a disposed tensor, ...). Every call
// must throw a gpugrad error (GpugradError or a subclass) before any GPU work, never a raw
// JavaScript error or a silent success, and the device must stay usable: after the fuzz a
// valid op still returns correct values. Bounded: a few thousand calls, no readbacks.

import { beforeAll, describe, expect, it } from 'vitest';
import * as G from '../src/index.ts';
import { makeRng, type Nd } from './reference/ndarray.ts';
import * as R0 from './reference/ops.ts';
import * as M from './reference/more-ops.ts';
import { expectClose, finiteDiffGrad, tol } from './reference/check.ts';
import { rand, toTensor } from './helpers.ts';

beforeAll(async () => { await G.ready({ verbose: false }); });

type Kind = 'tensor' | 'operand' | 'axis' | 'axes' | 'shape' | 'target' | 'number' | 'bound' | 'finite' | 'bool' | 'tensors' | 'data' |
  'indices' | 'starts' | 'int' | 'options' | 'unit' | 'params' | 'lrOptions';

const disposed = () => { const t = G.tensor([1, 2]); t.dispose(); return t; };
/** Values that are never valid for an argument of each kind. */
const BAD: Record<Kind, (() => unknown)[]> = {
  tensor: [() => undefined, () => null, () => 'abc', () => 3, () => [1, 2], () => ({}), disposed, () => () => 1],
  operand: [() => undefined, () => null, () => 'abc', () => [1, 2], () => ({}), disposed, () => true],
  axis: [() => 'abc', () => 1.5, () => 7, () => -9, () => NaN, () => null, () => ({})],
  axes: [() => 'abc', () => 1.5, () => 7, () => [0, 0], () => [9], () => ({})],
  shape: [() => 'abc', () => 3, () => [1.5, 2], () => [-1, 2], () => [NaN], () => ['a'], () => null, () => ({})],
  target: [() => 'abc', () => 3, () => [1.5, 2], () => [-2, 3], () => [-1, -1], () => [4, 4], () => null],
  bound: [() => 'abc', () => NaN, () => [1], () => ({})],
  data: [() => 'abc', () => [1, 'a'], () => [[1, 2], [3]], () => null, () => ({})],
  starts: [() => 'abc', () => [0.5], () => [99], () => [0, 0, 0], () => ({})],
  number: [() => 'abc', () => undefined, () => null, () => NaN, () => [1], () => ({})],
  finite: [() => 'abc', () => NaN, () => Infinity, () => -Infinity, () => [1], () => ({})],
  bool: [() => 'yes', () => 1, () => null, () => ({})],
  tensors: [() => 'abc', () => [], () => [1, 2], () => [disposed()], () => null, () => ({})],
  indices: [() => 'abc', () => [0.5], () => [99], () => [-1], () => null, () => ({})],
  int: [() => 'abc', () => 1.5, () => -3, () => NaN, () => null],
  options: [() => 'abc', () => 3, () => null],
  unit: [() => 'abc', () => -0.1, () => 1.5, () => NaN, () => null],
  params: [() => 'abc', () => [1, 2], () => [G.tensor([1])], () => null, () => 3],
  lrOptions: [() => ({ lr: Infinity }), () => ({ lr: -1 }), () => ({ lr: 'a' }), () => ({ lr: NaN }), () => 'abc', () => ({ lr: 0.1, weightDecay: -1 })],
};

const x = () => G.tensor([[1, 2, 3], [4, 5, 6]]);
const param = () => [G.zeros([2], { requiresGrad: true })];
/** Each public function with valid arguments (as makers) and the kind of each. */
const SIGNATURES: [string, (() => unknown)[], Kind[]][] = [
  ...['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual', 'pow']
    .map((name): [string, (() => unknown)[], Kind[]] => [name, [x, x], name === 'pow' ? ['tensor', 'operand'] : ['operand', 'operand']]),
  ...['neg', 'exp', 'log', 'sqrt', 'square', 'abs', 'sign', 'relu', 'tanh', 'sigmoid', 'gelu', 'softmax', 'logSoftmax']
    .map((name): [string, (() => unknown)[], Kind[]] => [name, [x], ['tensor']]),
  ['leakyRelu', [x, () => 0.1], ['tensor', 'finite']],
  ['clamp', [x, () => 0, () => 1], ['tensor', 'bound', 'bound']],
  ['where', [x, x, x], ['tensor', 'operand', 'operand']],
  ...['sum', 'max', 'min', 'mean', 'logSumExp'].map((name): [string, (() => unknown)[], Kind[]] => [name, [x, () => 0, () => false], ['tensor', 'axes', 'bool']]),
  ...['argmax', 'argmin'].map((name): [string, (() => unknown)[], Kind[]] => [name, [x, () => 1, () => true], ['tensor', 'axis', 'bool']]),
  ['variance', [x, () => 1, () => ({})], ['tensor', 'axes', 'options']],
  ['std', [x, () => 1, () => ({})], ['tensor', 'axes', 'options']],
  ['matmul', [x, () => G.tensor([[1], [2], [3]])], ['tensor', 'tensor']],
  ['reshape', [x, () => [3, 2]], ['tensor', 'target']],
  ['view', [x, () => [6]], ['tensor', 'target']],
  ['transpose', [x, () => [1, 0]], ['tensor', 'shape']],
  ['broadcastTo', [x, () => [2, 2, 3]], ['tensor', 'shape']],
  ['squeeze', [x, () => undefined], ['tensor', 'axis']],
  ['unsqueeze', [x, () => 0], ['tensor', 'axis']],
  ['flatten', [x, () => 0, () => 1], ['tensor', 'axis', 'axis']],
  ['slice', [x, () => [0, 1], () => [1, 2]], ['tensor', 'starts', 'starts']],
  ['concat', [() => [x(), x()], () => 0], ['tensors', 'axis']],
  ['stack', [() => [x(), x()], () => 0], ['tensors', 'axis']],
  ['split', [x, () => 1, () => 0], ['tensor', 'int', 'axis']],
  ['indexSelect', [x, () => [1, 0], () => 0], ['tensor', 'indices', 'axis']],
  ['oneHot', [() => [0, 2], () => 3], ['indices', 'int']],
  ['mseLoss', [x, x], ['tensor', 'tensor']],
  ['l1Loss', [x, x], ['tensor', 'tensor']],
  ['huberLoss', [x, x, () => ({ delta: 1 })], ['tensor', 'tensor', 'options']],
  ['binaryCrossEntropyWithLogits', [x, x], ['tensor', 'tensor']],
  ['softmaxCrossEntropy', [x, () => [0, 2]], ['tensor', 'indices']],
  ['tensor', [() => [1, 2, 3], () => [3]], ['data', 'target']],
  ['zeros', [() => [2, 2]], ['shape']],
  ['ones', [() => [2, 2]], ['shape']],
  ['full', [() => [2, 2], () => 3], ['shape', 'number']],
  ['arange', [() => 5], ['finite']],
  ...['normal', 'uniform', 'truncatedNormal', 'lecunNormal', 'xavierUniform', 'kaimingNormal', 'orthogonal', 'identity', 'varianceScaling']
    .map((name): [string, (() => unknown)[], Kind[]] => [`init.${name}`, [() => [3, 3], () => ({ seed: 1 })], ['shape', 'options']]),
  ['nn.Linear', [() => 2, () => 3], ['int', 'int']],
  ['nn.Dropout', [() => 0.5], ['unit']],
  ['nn.LayerNorm', [() => 4, () => ({})], ['int', 'options']],
  ['nn.BatchNorm1d', [() => 4, () => ({})], ['int', 'options']],
  ['nn.Embedding', [() => 4, () => 2], ['int', 'int']],
  ['optim.SGD', [param, () => ({ lr: 0.1 })], ['params', 'lrOptions']],
  ['optim.Adam', [param, () => ({ lr: 0.1 })], ['params', 'lrOptions']],
];

/** The public function of that name; `nn.X` and `optim.X` classes are called with `new`. */
function fn(name: string): (...args: unknown[]) => unknown {
  const [prefix, key] = name.includes('.') ? name.split('.') : ['', name];
  const space = prefix === 'init' ? G.init : prefix === 'nn' ? G.nn : prefix === 'optim' ? G.optim : G;
  const f = (space as unknown as Record<string, unknown>)[key];
  if (typeof f !== 'function') throw new Error(`no public function ${name}`);
  if (prefix === 'nn' || prefix === 'optim') return (...args) => new (f as new (...a: unknown[]) => unknown)(...args);
  return f as (...args: unknown[]) => unknown;
}


describe('bad arguments get a gpugrad error, naming the function', () => {
  it('one and two bad arguments across the public API: every call throws a GpugradError, and the device stays usable', async () => {
    const rng = makeRng(2026);
    const pick = <T>(list: T[]) => list[Math.floor(rng() * list.length)];
    let calls = 0;
    const failures: string[] = [];
    const tryCall = (name: string, args: unknown[], what: string) => {
      calls++;
      const prefixes = [`${name}:`, `${name.replace(/^(init|nn|optim)\./, '')}`, 'gpugrad:'];
      G.tidy(() => {
        try {
          fn(name)(...args);
          failures.push(`${name}(${what}): accepted`);
        } catch (e) {
          const message = (e as Error).message;
          if (!(e instanceof G.GpugradError)) failures.push(`${name}(${what}): ${(e as Error).name}: ${message}`);
          else if (!prefixes.some((p) => message.startsWith(p))) failures.push(`${name}(${what}): the message does not name the function: ${message}`);
        }
      });
    };
    for (const [name, valid, kinds] of SIGNATURES) {
      kinds.forEach((kind, i) => BAD[kind].forEach((bad, b) => {
        const args = valid.map((make, j) => (j === i ? bad() : make()));
        tryCall(name, args, `argument ${i} bad #${b}`);
      }));
    }
    // Pairs: two bad arguments at once, drawn at random.
    for (let n = 0; n < 1500; n++) {
      const [name, valid, kinds] = pick(SIGNATURES);
      if (kinds.length < 2) continue;
      const i = Math.floor(rng() * kinds.length);
      const j = (i + 1 + Math.floor(rng() * (kinds.length - 1))) % kinds.length;
      const args = valid.map((make, k) => (k === i ? pick(BAD[kinds[i]])() : k === j ? pick(BAD[kinds[j]])() : make()));
      tryCall(name, args, `arguments ${i} and ${j} bad`);
    }
    console.log(`fuzz: ${calls} calls with bad arguments, ${failures.length} not answered by a gpugrad error`);
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(2000);
    expect(Array.from(await G.add(G.tensor([1, 2]), 1).data())).toEqual([2, 3]);
  });
});

describe('random valid calls match the float64 reference, values and gradients', () => {
  it('broadcasting binary ops and reductions over random shapes of rank 0 to 4', async () => {
    const rng = makeRng(77001);
    const R = { ...R0, ...M };
    const dim = () => 1 + Math.floor(rng() * 4);
    const binaries: [string, (a: G.Tensor, b: G.Tensor) => G.Tensor, (a: Nd, b: Nd) => Nd][] = [
      ['add', G.add, R.add], ['sub', G.sub, R.sub], ['mul', G.mul, R.mul], ['maximum', G.maximum, R.maximum], ['minimum', G.minimum, R.minimum],
    ];
    let checked = 0;
    for (let n = 0; n < 60; n++) {
      const rank = Math.floor(rng() * 5);
      const shape = Array.from({ length: rank }, dim);
      // b: a suffix of shape with some dimensions set to 1, so it broadcasts against a.
      const bShape = shape.slice(Math.floor(rng() * (rank + 1))).map((d) => (rng() < 0.3 ? 1 : d));
      const [name, gpu, ref] = binaries[n % binaries.length];
      const [a, b] = [rand(shape, rng), rand(bShape, rng)];
      const [ta, tb] = [toTensor(a, true), toTensor(b, true)];
      const axes = rank > 0 && rng() < 0.7 ? [...new Set(Array.from({ length: 1 + Math.floor(rng() * rank) }, () => Math.floor(rng() * rank)))] : undefined;
      const out = G.tidy(() => {
        const y = G.sum(gpu(ta, tb), axes);
        G.sum(y).backward();
        return y;
      });
      const f = (xs: Nd[]) => R.sumAxes(ref(xs[0], xs[1]), axes);
      const label = `${name} ${JSON.stringify(shape)} with ${JSON.stringify(bShape)}, sum over ${JSON.stringify(axes ?? 'all')}`;
      expectClose(await out.data(), f([a, b]).data, tol(64), label);
      const grads = finiteDiffGrad((xs) => f(xs).data.reduce((s, v) => s + v, 0), [a, b]);
      expectClose(await ta.grad!.data(), grads[0].data, tol(64), `${label}: d/da`);
      expectClose(await tb.grad!.data(), grads[1].data, tol(64), `${label}: d/db`);
      [ta, tb, out].forEach((t) => t.dispose());
      checked++;
    }
    expect(checked).toBe(60);
  });
});
