// What every experiment receives: the options, a way to report progress in cost units
// (roughly proportional to run time, so the time estimate is honest), and a cancel signal.

import type { SuiteOptions } from './options.ts';

/** Where a suite run stands, with an estimate of the time left. */
export interface Progress {
  /** what is running now, e.g. 'signal: relu / he / depth 30' */
  label: string;
  done: number;
  total: number;
  elapsedSeconds: number;
  /** null until enough work has finished to extrapolate */
  remainingSeconds: number | null;
}

/** Thrown by runSuite when its AbortSignal fires. */
export class Cancelled extends Error {
  override name = 'Cancelled';
  constructor() {
    super('the run was cancelled');
  }
}

export interface Context {
  options: SuiteOptions;
  /** Marks `cost` units done after `label`; throws Cancelled when the run was cancelled. */
  advance(label: string, cost: number): Promise<void>;
  /** Called with each statistics record as it arrives (live results). */
  emit(kind: string, record: unknown): void;
}

/** Cost of one forward+backward through `layers` square layers, in mega-multiply-adds. */
export const stepCost = (layers: number, width: number, batch: number) => (3 * layers * width * width * batch) / 1e6 + layers * 0.5;
