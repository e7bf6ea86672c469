// The speed benchmark's outputs: the results document (speed.json), a markdown table per
// environment (rows: workloads, columns: library/backend, each with its speed relative to
// gpugrad), and a Vega-Lite chart of those ratios that renders to SVG like the suite's charts.

import type { LibId } from './libs/types.ts';
import type { Cell, EnvResult } from './run.ts';

export interface SpeedResults {
  version: 1;
  date: string;
  quick: boolean;
  runs: number;
  cellBudget: number;
  host: { platform: string; cpus: number; node: string };
  libs: LibId[];
  workloads: string[];
  envs: EnvResult[];
  /** Environments that could not run at all (no browser, a build error), with the reason. */
  envErrors: { env: string; error: string }[];
  wallSeconds: number;
}

const ENV_NAMES: Record<EnvResult['env'], string> = { node: 'Node (Dawn)', browser: 'headless Chromium' };

/** Speed relative to gpugrad (above 1: faster than gpugrad), or null where either has no time. */
export function ratio(cell: Cell, gpugrad: Cell | undefined): number | null {
  if (!gpugrad?.medianMs || !cell.medianMs || cell.status === 'failed' || gpugrad.status === 'failed') return null;
  return gpugrad.medianMs / cell.medianMs;
}

const time = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toPrecision(3)} s` : `${ms.toPrecision(3)} ms`);

function cellText(c: Cell, g: Cell | undefined, notes: string[]): string {
  const note = (text: string) => {
    let i = notes.indexOf(text);
    if (i < 0) i = notes.push(text) - 1;
    return `[${i + 1}]`;
  };
  if (c.status === 'unavailable') return `n/a ${note(`${c.lib} did not load`)}`;
  if (c.status === 'failed') return `✗ ${note(`${c.lib}, ${c.workload}: ${c.reason}`)}`;
  if (c.medianMs === undefined) return `> ${time(c.warmupMs ?? 0)}, warm-up only ${note(`${c.lib}, ${c.workload}: slow: ${c.reason}`)}`;
  const value = c.workload.startsWith('matmul') ? `${c.gflops!.toPrecision(3)} GFLOP/s` : time(c.medianMs!);
  const r = c.lib === 'gpugrad' ? null : ratio(c, g);
  const slow = c.status === 'slow' ? ` ${note(`${c.lib}, ${c.workload}: slow: ${c.reason}`)}` : '';
  return `${value}${r === null ? '' : ` (${r >= 10 ? Math.round(r) : r.toPrecision(2)}×)`}${slow}`;
}

/** The markdown report: one table per environment, notes for failures and short cells. */
export function markdownReport(r: SpeedResults): string {
  const lines: string[] = [
    `## Speed: gpugrad and its peers${r.quick ? ' (quick)' : ''}`, '',
    `${r.date}; ${r.host.platform}, ${r.host.cpus} CPU cores, Node ${r.host.node}; wall time ${Math.round(r.wallSeconds)} s.`,
    `Each cell: the median of ${r.runs} timed runs after one warm-up, each ended by a readback; matmul in GFLOP/s, ` +
    'the MLP (width 256, batch 256, 256 inputs, 10 outputs, MSE loss, SGD) in time per training step or forward pass. ' +
    '(×): speed relative to gpugrad, above 1 is faster. Every result is checked against float64 (identical weights for all; ' +
    'initial loss within 0.1%, the loss falling over the timed steps; matmul rows) before it counts: ✗ marks a failed check.', '',
  ];
  for (const env of r.envs) {
    const notes: string[] = [];
    lines.push(`### ${ENV_NAMES[env.env]}`, '');
    for (const l of env.libs) lines.push(`- ${l.lib}: ${l.ok ? l.description : `did not load: ${l.description}`}`);
    if (env.userAgent) lines.push(`- user agent: ${env.userAgent}`);
    lines.push('');
    const hasDispatches = env.cells.some((c) => c.lib === 'gpugrad' && c.dispatches !== undefined);
    lines.push(`| workload | ${r.libs.join(' | ')}${hasDispatches ? ' | gpugrad dispatches per run |' : ' |'}`);
    lines.push(`|---|${r.libs.map(() => '---:').join('|')}|${hasDispatches ? '---:|' : ''}`);
    for (const w of r.workloads) {
      const cells = env.cells.filter((c) => c.workload === w);
      const g = cells.find((c) => c.lib === 'gpugrad');
      const row = r.libs.map((lib) => {
        const c = cells.find((x) => x.lib === lib);
        return c ? cellText(c, g, notes) : '';
      });
      lines.push(`| ${w} | ${row.join(' | ')} |${hasDispatches ? ` ${g?.dispatches ?? ''} |` : ''}`);
    }
    lines.push('');
    notes.forEach((n, i) => lines.push(`[${i + 1}] ${n.replace(/\|/g, '\\|')}  `));
    if (env.pageErrors?.length) lines.push(`The page logged ${env.pageErrors.length} error(s); the first: ${env.pageErrors[0].slice(0, 300).replace(/\|/g, '\\|')}`);
    lines.push('');
  }
  for (const e of r.envErrors) lines.push(`### ${e.env}: did not run`, '', e.error, '');
  return lines.join('\n');
}

/** Speed relative to gpugrad by workload, one bar per peer, a panel per environment (log scale). */
export function speedChart(r: SpeedResults): Record<string, unknown> | null {
  const values = r.envs.flatMap((env) => r.workloads.flatMap((w) => {
    const g = env.cells.find((c) => c.workload === w && c.lib === 'gpugrad');
    return env.cells.filter((c) => c.workload === w).map((c) => ({ env: ENV_NAMES[env.env], workload: w, lib: c.lib, ratio: ratio(c, g) }));
  })).filter((v) => v.ratio !== null);
  if (!values.length) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'speed relative to gpugrad (above 1: faster than gpugrad; missing bar: failed, not loaded, or no gpugrad time)',
    data: { values },
    facet: { row: { field: 'env', type: 'nominal', title: null } },
    spec: {
      width: 560, height: 200,
      layer: [
        {
          mark: { type: 'bar', tooltip: true },
          encoding: {
            x: { field: 'workload', type: 'nominal', sort: r.workloads, title: null, axis: { labelAngle: -30 } },
            xOffset: { field: 'lib', type: 'nominal', sort: r.libs },
            y: { field: 'ratio', type: 'quantitative', scale: { type: 'log' }, title: '× gpugrad' },
            color: { field: 'lib', type: 'nominal', sort: r.libs, title: 'library' },
          },
        },
        { mark: { type: 'rule', strokeDash: [4, 3], color: '#444' }, encoding: { y: { datum: 1 } } },
      ],
    },
  };
}
