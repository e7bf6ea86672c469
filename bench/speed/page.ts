// The benchmark page: the same run loop as in Node (run.ts), bundled by Vite with every
// library. browser.ts calls window.speedStart(options) through puppeteer, then waits for
// window.speedResult and reads it back with page.evaluate.

import simd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url';
import threadedSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url';
import plain from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url';
import { runnerConfig } from './libs/types.ts';
import { runSpeed, type Cell, type EnvResult, type LibStatus, type RunOptions } from './run.ts';

runnerConfig.tfjsWasmPaths = {
  'tfjs-backend-wasm.wasm': new URL(plain, location.href).href,
  'tfjs-backend-wasm-simd.wasm': new URL(simd, location.href).href,
  'tfjs-backend-wasm-threaded-simd.wasm': new URL(threadedSimd, location.href).href,
};
runnerConfig.tfjsGradients = () => import('@tensorflow/tfjs-core/dist/register_all_gradients');

/** What the driver passes: the run's options without the callback. */
export type PageOptions = Omit<RunOptions, 'onProgress' | 'onLib' | 'onCell'>;

declare global {
  interface Window {
    speedStart(options: PageOptions): void;
    speedResult?: { ok: true; result: EnvResult } | { ok: false; error: string };
    /** Exposed by the driver: each progress line, library status and finished cell. */
    speedProgress?(line: string): void;
    speedLib?(lib: LibStatus): void;
    speedCell?(cell: Cell): void;
  }
}

const log = document.getElementById('log')!;

window.speedStart = (options) => {
  runSpeed({
    ...options,
    onProgress: (line) => {
      log.textContent += line + '\n';
      void window.speedProgress?.(line);
    },
    onLib: (lib) => void window.speedLib?.(lib),
    onCell: (cell) => void window.speedCell?.(cell),
  }, 'browser', (w) => { throw new Error(`no float64 reference for ${w.id}: the driver computes them`); })
    .then((result) => { window.speedResult = { ok: true, result }; })
    .catch((e: unknown) => { window.speedResult = { ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) }; });
};
