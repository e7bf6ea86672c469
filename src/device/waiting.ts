// Waiting for the GPU in Node without taking a CPU core from it.
//
// Dawn's Node binding (the `webgpu` package) learns that GPU work has finished by calling
// wgpuInstanceProcessEvents from setImmediate, again and again, for as long as one of its
// promises is pending: a busy loop on the JavaScript thread. On a GPU that costs an idle core.
// On a CPU adapter (SwiftShader) the shaders run on the same cores as that loop, and it takes
// one of them: on 2 cores the depth-10 forward pass took 80 ms with the loop and 47 ms without.
// So while gpugrad waits on such an adapter, Dawn's polls run at full speed for the first
// millisecond (short waits keep their latency) and after that once per timer tick (about 1 ms).
//
// Dawn looks up the global setImmediate each time it schedules a poll, so the wait swaps it for
// one that defers Dawn's polls and passes every other callback through, and puts it back when
// the last wait ends. Dawn's poll is the only native function with a prototype (an API function
// made by N-API) that reaches setImmediate; JavaScript functions, bound functions and promise
// resolvers are told apart and never delayed.

/** How gpugrad waits for the GPU in Node: see ReadyOptions.waiting. */
export type WaitMode = 'auto' | 'spin' | 'yield';

/** Full-speed polling this long into a wait, in milliseconds. */
const FULL_SPEED_MS = 1;

const nodeTimers = typeof setImmediate === 'function' && typeof setTimeout === 'function';

let waits = 0;
let since = 0;
let original: typeof setImmediate | null = null;
let installed: typeof setImmediate | null = null;

/** Whether `mode` yields on this adapter: 'auto' yields on CPU adapters, where the loop competes with the shaders. */
export function yields(mode: WaitMode, isCpuAdapter: boolean): boolean {
  return nodeTimers && (mode === 'yield' || (mode === 'auto' && isCpuAdapter));
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
    if (isNapiFunction(callback) && performance.now() - since > FULL_SPEED_MS) return setTimeout(callback, 0, ...args);
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

const NATIVE = /^function\s*\w*\s*\(\)\s*\{\s*\[native code\]\s*\}$/;

function isNapiFunction(callback: unknown): boolean {
  return typeof callback === 'function' && Object.hasOwn(callback, 'prototype')
    && NATIVE.test(Function.prototype.toString.call(callback));
}
