// The benchmark page's entry: finds the WebGPU adapter (or says plainly that there is none and
// what to do), wires the form to the URL, and runs the suite module (bench/suite/run.ts, the
// same runner as the command line) with progress, Cancel and live results.
// document.body.dataset.state tells tests (and CSS) where the page is: loading, no-webgpu,
// ready, running, done, cancelled or failed (dataset.failure = 'device-lost' when the GPU went
// away); dataset.runs counts the runs started. The library is on `window.gpugrad` for the console.

import * as gpugrad from '../../src/index.ts';
import { DeviceLostError, adapterInfo, ready } from '../../src/index.ts';
import { Cancelled, type Progress } from '../suite/context.ts';
import type { SuiteOptions } from '../suite/options.ts';
import { runSuite } from '../suite/run.ts';
import { validateResults } from '../suite/schema.ts';
import { download } from './download.ts';
import { OptionsForm } from './form.ts';
import { LiveReport } from './report.ts';

type State = 'loading' | 'no-webgpu' | 'ready' | 'running' | 'done' | 'cancelled' | 'failed';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const runButton = $<HTMLButtonElement>('run');
const cancelButton = $<HTMLButtonElement>('cancel');
const jsonButton = $<HTMLButtonElement>('download-json');
const progressBar = $<HTMLProgressElement>('progress-bar');
const progressText = $('progress-text');

Object.assign(window, { gpugrad });

const form = new OptionsForm($<HTMLFormElement>('options'), $('fields'), $('form-error'));
const report = new LiveReport($('charts'), $('tables'));
let state: State = 'loading';
let controller: AbortController | null = null;
let runs = 0;

function setState(next: State): void {
  state = next;
  document.body.dataset.state = next;
  const running = next === 'running';
  runButton.disabled = running || next === 'loading' || next === 'no-webgpu' || document.body.dataset.form === 'invalid';
  cancelButton.disabled = !running;
  form.setDisabled(running);
}

const clock = (s: number) => (s >= 60 ? `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s` : `${Math.round(s)} s`);

function showProgress(p: Progress): void {
  progressBar.value = p.done;
  const left = p.remainingSeconds === null ? 'estimating time left' : `about ${clock(p.remainingSeconds)} left`;
  const parts = [`${Math.round(p.done * 100)}%`, p.label, `${clock(p.elapsedSeconds)} elapsed, ${left}`];
  progressText.replaceChildren(...parts.map((text, i) => Object.assign(document.createElement('span'), { textContent: text, className: `p${i}` })));
}

/**
 * Gives the browser a turn between records. setTimeout is enough while the tab is visible;
 * hidden tabs throttle timers to one per second or less, so there a message channel yields.
 */
function yieldToUi(): Promise<void> {
  if (!document.hidden) return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

async function run(): Promise<void> {
  if (state === 'running' || state === 'loading' || state === 'no-webgpu') return;
  const options = form.validate();
  if (!options) {
    form.focusFirstError();
    setState(state);
    return;
  }
  setState('running'); // at once: a second click, or a test, sees the run started
  delete document.body.dataset.failure;
  showQuery(options);
  controller = new AbortController();
  document.body.dataset.runs = String(++runs);
  jsonButton.disabled = true;
  $('progress').hidden = false;
  $('results').hidden = false;
  progressBar.value = 0;
  progressText.textContent = 'Starting…';
  try {
    await ready({ verbose: false }); // a new device if the last one was lost (the report reads its adapter)
    report.reset(options);
    const results = await runSuite(options, {
      onProgress: showProgress,
      onRecord: (kind, record) => report.add(kind, record),
      signal: controller.signal,
      yieldToUi,
    });
    // What gets downloaded is what is checked: the JSON text, as the command line writes it.
    const problems = validateResults(JSON.parse(JSON.stringify(results)));
    if (problems.length) throw new Error(`the results do not match the schema: ${problems.join('; ')}`);
    await report.finish(results);
    progressBar.value = 1;
    progressText.textContent = `Finished in ${clock(results.durationSeconds)}.`;
    jsonButton.disabled = false;
    setState('done');
  } catch (error) {
    if (error instanceof Cancelled) {
      progressText.textContent = 'Cancelled. Results so far are shown below; Run starts again from the beginning.';
      setState('cancelled');
    } else if (error instanceof DeviceLostError) {
      // Not a bug of the page: the browser or the driver took the GPU away (a reset, a crash,
      // too long a kernel). What was measured stays on the page; Run asks for a new device.
      progressText.textContent = `The GPU device was lost during the run (${error.message}). ` +
        'The results measured before it are shown below; Run starts again on a new device.';
      document.body.dataset.failure = 'device-lost';
      setState('failed');
    } else {
      progressText.textContent = `The run failed: ${error instanceof Error ? error.message : String(error)}`;
      setState('failed');
      console.error(error);
    }
  } finally {
    controller = null;
  }
}

function showNoWebGpu(reason: string): void {
  const box = $('no-webgpu');
  const steps = [
    'Use a browser with WebGPU: Chrome or Edge 113 or later, Safari 26 or later, or Firefox 141 or later.',
    window.isSecureContext ? '' : 'Open the page over https:// or from localhost: WebGPU needs a secure context, and this page is not one.',
    'On Linux, Chrome may need WebGPU switched on at chrome://flags/#enable-unsafe-webgpu (without a GPU it then runs on the CPU through SwiftShader).',
    'Or run the same suite from the command line, with Node: <code>npm run bench -- --quick</code>.',
  ].filter(Boolean);
  box.innerHTML = '<strong>WebGPU is not available here, so the benchmark cannot run.</strong>' +
    `<p class="reason"></p><p>What to do:</p><ul>${steps.map((s) => `<li>${s}</li>`).join('')}</ul>`;
  box.querySelector('.reason')!.textContent = reason;
  box.hidden = false;
  $('adapter').textContent = 'Adapter: none (no WebGPU).';
  setState('no-webgpu');
}

async function findAdapter(): Promise<void> {
  if (!('gpu' in navigator) || !navigator.gpu) {
    showNoWebGpu('This browser does not offer WebGPU (navigator.gpu is missing).');
    return;
  }
  try {
    await ready({ verbose: false });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    showNoWebGpu(`This browser has WebGPU but gave the page no adapter: WebGPU may be switched off or the GPU blocklisted (chrome://gpu tells). ${message}`);
    return;
  }
  const info = adapterInfo();
  const name = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'unnamed adapter';
  const kind = info.isFallback ? 'CPU fallback: software rendering on the processor, so expect minutes rather than seconds' : 'GPU';
  $('adapter').textContent = `Adapter: ${name} (${kind}).`;
  $('adapter').dataset.kind = info.isFallback ? 'cpu' : 'gpu';
  setState('ready');
}

/** Puts the options into the address bar and the share link (a link reproduces the run). */
function showQuery(options: SuiteOptions): void {
  const query = `?${OptionsForm.query(options)}`;
  history.replaceState(null, '', query);
  $<HTMLAnchorElement>('share').href = query;
}

function syncUrl(): void {
  const options = form.validate();
  if (options) showQuery(options);
  setState(state);
}

form.loadQuery(location.search);
form.onChange = syncUrl;
const initial = form.validate();
$<HTMLAnchorElement>('share').href = initial ? `?${OptionsForm.query(initial)}` : location.search;
$('options').addEventListener('submit', (event) => {
  event.preventDefault();
  void run();
});
cancelButton.addEventListener('click', () => {
  controller?.abort();
  progressText.textContent = 'Cancelling after the current configuration…';
});
jsonButton.addEventListener('click', () => {
  const json = report.json();
  if (json) download('results.json', new Blob([json], { type: 'application/json' }));
});
void findAdapter();
