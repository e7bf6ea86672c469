// The speed benchmark's options. parseSpeedOptions throws SpeedOptionError with one line for
// anything it does not accept; the command line prints it and exits with code 2.

import { LIBS, type LibId } from './libs/types.ts';

export class SpeedOptionError extends Error {}

export type Env = 'node' | 'browser';

export interface SpeedOptions {
  quick: boolean;
  envs: Env[];
  libs: LibId[];
  out: string;
  /** Timed runs per cell, after one warm-up (at least 5). */
  runs: number;
  /** Seconds one library may spend on one workload before it stops early (marked slow). */
  cellBudget: number;
  help: boolean;
}

export const USAGE = `usage: npm run bench:speed -- [options]
  --quick            matmul 256/512, depth 10 only, a 10 s cell budget (a few minutes)
  --env ENV          node, browser or both (default both)
  --libs LIST        of ${LIBS.join(',')} (default all)
  --out DIR          where speed.md, speed.json and speed.svg go (default bench-results/speed)
  --runs N           timed runs per workload and library, after one warm-up (default 5, at least 5)
  --budget SECONDS   per workload and library: past it a cell stops early and is marked slow (default 30, quick 10)`;

const VALUED = ['env', 'libs', 'out', 'runs', 'budget'];

export function parseSpeedOptions(argv: string[]): SpeedOptions {
  const raw: Record<string, string> = {};
  let quick = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') { help = true; continue; }
    if (arg === '--quick') { quick = true; continue; }
    if (!arg.startsWith('--')) throw new SpeedOptionError(`unexpected argument '${arg}' (options start with --)`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (name === 'quick') throw new SpeedOptionError('--quick takes no value');
    if (!VALUED.includes(name)) throw new SpeedOptionError(`unknown option --${name} (known: --quick, ${VALUED.map((v) => '--' + v).join(', ')})`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--')) || value === '') throw new SpeedOptionError(`--${name} needs a value`);
    if (name in raw) throw new SpeedOptionError(`--${name} given twice`);
    raw[name] = value;
  }
  const env = raw.env ?? 'both';
  if (!['node', 'browser', 'both'].includes(env)) throw new SpeedOptionError(`--env must be node, browser or both, got '${env}'`);
  const libs = raw.libs === undefined ? [...LIBS] : raw.libs.split(',').map((s) => s.trim());
  for (const lib of libs) if (!(LIBS as readonly string[]).includes(lib)) throw new SpeedOptionError(`--libs: unknown library '${lib}' (known: ${LIBS.join(', ')})`);
  if (new Set(libs).size !== libs.length) throw new SpeedOptionError(`--libs names a library twice: ${raw.libs}`);
  const runs = raw.runs === undefined ? 5 : Number(raw.runs);
  if (!Number.isInteger(runs) || runs < 5 || runs > 1000) throw new SpeedOptionError(`--runs must be an integer from 5 to 1000, got '${raw.runs}'`);
  const cellBudget = raw.budget === undefined ? (quick ? 10 : 30) : Number(raw.budget);
  if (!Number.isFinite(cellBudget) || cellBudget <= 0) throw new SpeedOptionError(`--budget must be a number of seconds above 0, got '${raw.budget}'`);
  return {
    quick, help, runs, cellBudget,
    envs: env === 'both' ? ['node', 'browser'] : [env as Env],
    // In table order, whatever order they were given in.
    libs: LIBS.filter((l) => libs.includes(l)),
    out: raw.out ?? 'bench-results/speed',
  };
}
