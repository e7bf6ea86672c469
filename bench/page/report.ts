// Live results: the records of a running suite gathered into a partial results document, so
// the charts and tables (the same functions as the command line's report) fill in as the run
// goes. Redraws are throttled; the finished document replaces the partial one.

import { allCharts } from '../suite/charts.ts';
import type { SuiteOptions } from '../suite/options.ts';
import { emptyResults } from '../suite/run.ts';
import { PAPER_KEYS, type LinearRun, type MatmulRun, type SignalRun, type SpeedRun, type SuiteResults, type TrainingRun } from '../suite/schema.ts';
import { linearTable, signalTable, speedTables, trainingTable, verdictGrid } from '../suite/tables.ts';
import { paperSections } from '../suite/paper-tables.ts';
import { escape, markdownToHtml } from '../report-html.ts';
import { ChartPanel } from './charts.ts';

/** At most one redraw per this many milliseconds while records stream in. */
const REDRAW_MS = 1000;

export class LiveReport {
  private doc: SuiteResults | null = null;
  private finished = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private drawing: Promise<void> = Promise.resolve();
  private lastDraw = 0;
  private readonly charts: ChartPanel;

  constructor(chartsElement: HTMLElement, private readonly tables: HTMLElement) {
    this.charts = new ChartPanel(chartsElement);
  }

  /** Starts an empty document for a new run. */
  reset(options: SuiteOptions): void {
    this.cancelTimer();
    this.finished = false;
    this.doc = emptyResults(options);
    this.drawing = this.drawing.then(() => {
      this.charts.clear();
      this.tables.replaceChildren();
    });
  }

  /** One record from runSuite's onRecord hook. */
  add(kind: string, record: unknown): void {
    const doc = this.doc;
    if (!doc || this.finished) return;
    if (kind === 'signal') doc.signal.push(record as SignalRun);
    else if (kind === 'linear') doc.linear.push(record as LinearRun);
    else if (kind === 'training') {
      doc.training ??= { runs: [], heReproduced: 'not run', note: 'Training in progress.' };
      doc.training.runs.push(record as TrainingRun);
    } else if ((PAPER_KEYS as readonly string[]).includes(kind)) {
      // A paper experiment sends its whole section once, when it is done.
      (doc as unknown as Record<string, unknown>)[kind] = record;
    } else if (kind === 'speed' || kind === 'matmul') {
      doc.speed ??= { steps: [], msPerLayer: NaN, r2: NaN, matmul: [] };
      // The fit is left to the finished document: charts and tables fit the steps themselves.
      if (kind === 'speed') doc.speed.steps.push(record as SpeedRun);
      else doc.speed.matmul.push(record as MatmulRun);
    }
    this.schedule();
  }

  /** Shows the finished document; resolves once it is drawn. */
  async finish(results: SuiteResults): Promise<void> {
    this.cancelTimer();
    this.doc = results;
    this.finished = true;
    await this.draw();
  }

  /** results.json, written as the command line writes it. */
  json(): string | null {
    return this.finished && this.doc ? JSON.stringify(this.doc, null, 1) : null;
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const wait = Math.max(0, REDRAW_MS - (performance.now() - this.lastDraw));
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.draw();
    }, wait);
  }

  private cancelTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Draws the current document after any draw in progress (one at a time). */
  private draw(): Promise<void> {
    const doc = this.doc;
    this.drawing = this.drawing.then(async () => {
      if (!doc || doc !== this.doc) return;
      this.lastDraw = performance.now();
      await this.charts.update(allCharts(doc));
      this.tables.innerHTML = tablesHtml(doc, this.finished);
    });
    return this.drawing;
  }
}

/** The tables of the command line's report, verdicts first; the long per-run table folds away. */
function tablesHtml(r: SuiteResults, finished: boolean): string {
  const parts: string[] = [];
  if (r.signal.length) {
    parts.push('<h3>Signal propagation: verdicts</h3>', markdownToHtml(verdictGrid(r)));
    const notes = finished ? r.notes : [];
    parts.push(...notes.map((n) => `<p class="note">${escape(n)}</p>`));
    parts.push(`<details><summary>Signal propagation: every run (${r.signal.length})</summary>${markdownToHtml(signalTable(r))}</details>`);
  }
  if (r.linear.length) parts.push('<h3>Deep linear example (W = c·I)</h3>', markdownToHtml(linearTable(r)));
  if (r.training) parts.push('<h3>Training on MNIST</h3>', markdownToHtml(trainingTable(r)), `<p class="note">${escape(r.training.note)}</p>`);
  if (r.speed) parts.push('<h3>Speed</h3>', markdownToHtml(speedTables(r)));
  // Paper sections: heading, verdict sentence, table, as the command line's report.
  for (const part of paperSections(r)) {
    if (part.startsWith('## ')) parts.push(`<h3>${escape(part.slice(3))}</h3>`);
    else if (part.startsWith('|')) parts.push(markdownToHtml(part));
    else parts.push(`<p class="note">${escape(part)}</p>`);
  }
  if (finished && !r.signal.length) parts.push(...r.notes.map((n) => `<p class="note">${escape(n)}</p>`));
  return parts.join('\n');
}
