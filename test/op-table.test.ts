// The op table as the one place an op lives: every elementwise entry has its WGSL function,
// every public op is exported and (unless function-only) a Tensor method, internal op names
// never reach users' errors, and the README's "ops at a glance" table is the one the table
// generates. Runs on the CPU, except the error checks, which need tensors.

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as G from '../src/index.ts';
import { definesFunction } from '../src/device/shaders.ts';
import { wgslName } from '../src/ops/launch.ts';
import { withGlance } from '../scripts/ops-glance.ts';

beforeAll(async () => { await G.ready({ verbose: false }); });

const table = G.opTable;

describe('the op table', () => {
  it('every elementwise op has its WGSL function, named after the op', () => {
    const elementwise = Object.entries(table).filter(([, op]) => op.meta.family);
    expect(elementwise.length).toBeGreaterThan(30);
    for (const [name, op] of elementwise) {
      expect(definesFunction(op.meta.family!, wgslName(name)), `${wgslName(name)} in ${op.meta.family}.wgsl`).toBe(true);
    }
  });

  it('every public op is exported under its name, has a note, and is a Tensor method unless function-only', () => {
    const proto = G.Tensor.prototype as unknown as Record<string, unknown>;
    for (const [name, op] of Object.entries(G.publicOps as unknown as Record<string, G.Tensor & { meta: { note: string; method?: boolean } }>)) {
      expect((G as unknown as Record<string, unknown>)[name], `${name} exported`).toBe(op);
      expect(op.meta.note.length, `${name} has a note`).toBeGreaterThan(1);
      expect(typeof proto[name], `Tensor.prototype.${name}`).toBe(op.meta.method === false ? 'undefined' : 'function');
    }
    expect(typeof proto.var, 'x.var() is variance').toBe('function');
  });

  it('internal ops are in the table, not exported', () => {
    for (const name of ['addScalar', 'rsubScalar', 'reluGrad', 'powScalar', 'clampMin', 'indexAdd', 'slicePad']) {
      expect(table[name], name).toBeDefined();
      expect((G as unknown as Record<string, unknown>)[name], `${name} not exported`).toBeUndefined();
    }
  });

  it("the README's ops-at-a-glance table is the generated one (npm run docs:ops)", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toBe(withGlance(readme));
  });
});

describe('user-facing errors name the public op, never an internal one', () => {
  const dead = () => { const t = G.tensor([1, 2]); t.dispose(); return t; };
  const cases: [string, () => unknown, RegExp][] = [
    ['x + 3 on a disposed x', () => G.add(dead(), 3), /^add: /],
    ['3 - x', () => G.sub(3, dead()), /^sub: /],
    ['pow(x, 2)', () => G.pow(dead(), 2), /^pow: /],
    ['x.leakyRelu()', () => dead().leakyRelu(), /^leakyRelu: /],
    ['clamp', () => G.clamp(dead(), 0, 1), /^clamp: /],
    ["leakyRelu(x, 'abc')", () => G.leakyRelu(G.tensor([1]), 'abc' as never), /^leakyRelu: alpha must be a number, got a string "abc"$/],
    ['equal(x, "a")', () => G.equal(G.tensor([1]), 'a' as never), /^equal: b must be a Tensor or a number, got a string "a"$/],
    ['x.add("a")', () => G.tensor([1]).add('a' as never), /^add: b must be a Tensor or a number, got a string "a"$/],
    ['add(undefined, t)', () => G.add(undefined as never, G.tensor([1])), /^add: a must be a Tensor or a number, got undefined$/],
    ['mean([0, 1])', () => G.mean([0, 1] as never), /^mean: x must be a Tensor, got an array of length 2$/],
    ['matmul variant bogus', () => G.matmul(G.tensor([[1]]), G.tensor([[1]]), { variant: 'bogus' as never }), /^matmul: variant must be one of 'auto', 'naive', 'block', 'block_vec4', 'wide', 'quad', 'tiled', got a string "bogus"$/],
  ];
  for (const [label, call, message] of cases) {
    it(label, () => {
      let error: unknown;
      try { call(); } catch (e) { error = e; }
      expect(error, 'it throws').toBeInstanceOf(G.GpugradError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toMatch(/Scalar|Grad\b|op_|leaky_/);
    });
  }
});
