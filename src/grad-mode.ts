// Whether ops record themselves for autograd right now. A module of its own because the op
// runner reads it and the autograd engine sets it, and neither should import the other.

let gradEnabled = true;

/** False inside noGrad(): ops then record nothing for autograd. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording: for optimizer updates, statistics and evaluation. */
export function noGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}
