// Waiting for the GPU in Node without taking a CPU core from it.
//
// Dawn's Node binding (the `webgpu` package) learns that GPU work has finished by calling
// wgpuInstanceProcessEvents from setImmediate, again and again, for as long as one of its
// promises is pending: a busy loop on the JavaScript thread. On a GPU that costs an idle core.
// On a CPU adapter (SwiftShader) the shaders run on the same cores as that loop, and it takes
// one of them: on 2 cores the depth-10 forward pass took 80 ms with the loop and 47 ms without.
// So while gpugrad waits on such an adapter, Dawn's polls run at full speed for the first few
// milliseconds (short waits keep their latency) and then further and further apart.
//
// Dawn looks up the global setImmediate each time it schedules a poll, so the wait swaps it for
// one that defers Dawn's polls and passes every other callback through, and puts it back when
// the last wait ends. Dawn's poll is the only native function with a prototype (an API function
// made by N-API) that reaches setImmediate; JavaScript functions, bound functions and promise
// resolvers are told apart and never delayed.

/** How gpugrad waits for the GPU in Node: see ReadyOptions.waiting. */
export const WAIT_MODES = ['auto', 'spin', 'yield'] as const;
export type WaitMode = (typeof WAIT_MODES)[number];

/**
 * For its first FULL_SPEED_MS a wait polls at full speed: short waits keep their latency (a
 * small training step took 20-40% longer when its wait slept from the first millisecond on;
 * waking a sleeping thread costs more than the sleep on this machine). After that each poll
 * waits 1/16 of the time waited so far (a wait ends at most about 6% late), in the kernel
 * (Atomics.wait) up to TIMER_MS, on a timer beyond.
 */
const FULL_SPEED_MS = 4;
const BACKOFF = 1 / 16;
const TIMER_MS = 1;

const nodeTimers = typeof setImmediate === 'function';

// Made on first use: pages that are not cross-origin isolated have no SharedArrayBuffer.
let sleeper: Int32Array | null = null;
let waits = 0;
let since = 0;
let original: typeof setImmediate | null = null;
let installed: typeof setImmediate | null = null;

/**
 * 'auto' yields only when the work waited for can use more than one core: SwiftShader runs each
 * workgroup on one thread. Where the dispatches since the last wait had fewer workgroups than
 * this on average (a width-64 MLP's step: 3.8, most of them one), the loop takes no core the
 * shaders could use, and yielding made that step 15% slower (21.6 against 18.3 ms, width 64,
 * depth 20; a thread that sleeps wakes late, and the work hops between threads); at width 128
 * (12.9 on average) yielding made the step 1.6x faster.
 */
export const PARALLEL_WORKGROUPS = 8;

/**
 * Whether a wait yields: always with 'yield'; with 'auto', on CPU adapters, where the loop
 * competes with the shaders, when the work waited for averaged `meanWorkgroups` per dispatch.
 */
export function yields(mode: WaitMode, isCpuAdapter: boolean, meanWorkgroups: number): boolean {
  return nodeTimers && (mode === 'yield' || (mode === 'auto' && isCpuAdapter && meanWorkgroups >= PARALLEL_WORKGROUPS));
}

/** Runs `start()` (which begins a WebGPU wait) and awaits it with Dawn's polls deferred. */
export async function yieldingWait<T>(start: () => Promise<T>): Promise<T> {
  if (waits++ === 0) install();
  try {
    return await start();
  } finally {
    if (--waits === 0) uninstall();
  }
}

function install(): void {
  since = performance.now();
  original = globalThis.setImmediate;
  const pass = original;
  const deferring = function (this: unknown, callback: (...args: unknown[]) => void, ...args: unknown[]) {
    const waited = isNapiFunction(callback) ? performance.now() - since : 0;
    if (waited * BACKOFF >= TIMER_MS) return setTimeout(callback, 0, ...args);
    if (waited >= FULL_SPEED_MS) callback = sleepThen(waited * BACKOFF, callback);
    return Reflect.apply(pass, this, [callback, ...args]) as ReturnType<typeof setImmediate>;
  };
  // util.promisify(setImmediate) reads a symbol on the function: keep it and its kin.
  for (const key of Reflect.ownKeys(pass)) {
    if (typeof key === 'symbol' || key === '__promisify__') {
      Object.defineProperty(deferring, key, Object.getOwnPropertyDescriptor(pass, key)!);
    }
  }
  installed = deferring as unknown as typeof setImmediate;
  globalThis.setImmediate = installed;
}

function uninstall(): void {
  // Whoever replaced it meanwhile (fake timers in a test) keeps their own.
  if (original && globalThis.setImmediate === installed) globalThis.setImmediate = original;
  original = installed = null;
}

/** The callback, after blocking this thread for `ms` (a sleep in the kernel, not a spin). */
function sleepThen(ms: number, callback: (...args: unknown[]) => void) {
  return (...args: unknown[]) => {
    Atomics.wait((sleeper ??= new Int32Array(new SharedArrayBuffer(4))), 0, 0, ms);
    callback(...args);
  };
}

const NATIVE = /^function\s*\w*\s*\(\)\s*\{\s*\[native code\]\s*\}$/;

function isNapiFunction(callback: unknown): boolean {
  return typeof callback === 'function' && Object.hasOwn(callback, 'prototype')
    && NATIVE.test(Function.prototype.toString.call(callback));
}
