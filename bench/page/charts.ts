// The page's charts: the suite's Vega-Lite specs (bench/suite/charts.ts, the same ones the
// command line renders to SVG), each drawn by a vega View with an SVG and a PNG download.
// A chart is redrawn into a fresh element that replaces the old one, so live updates do not
// flicker and the old view is finalized.

import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import type { ChartSpec } from '../suite/charts.ts';
import { download } from './download.ts';

const CAPTIONS: Record<string, string> = {
  'gradient-heatmap': 'Gradient norm by layer and configuration',
  'activation-std': 'Activation std per layer',
  training: 'Training curves',
  'step-time': 'Step time by depth',
  matmul: 'Matmul throughput',
  saxe: 'Deep linear nets learning a teacher (Saxe et al. 2013)',
  isometry: 'Jacobian spectra (Pennington et al. 2017)',
  glorot: 'Where the gradients die (Glorot and Bengio 2010)',
  'chaos-phase': 'Order-to-chaos phase diagram (Poole et al. 2016)',
  'chaos-correlation': 'Correlations and gradients by layer',
  trainability: 'Trainable depth (Schoenholz et al. 2017)',
  rescue: 'What rescues a deep net (batch norm, layer norm, residual connections)',
};

export class ChartPanel {
  private readonly views = new Map<string, View>();

  constructor(private readonly container: HTMLElement) {
    container.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-chart]');
      if (button) void this.save(button.dataset.chart!, button.dataset.format as 'svg' | 'png');
    });
  }

  /** Draws every chart in `specs` (in order) and removes the ones no longer there. */
  async update(specs: Record<string, ChartSpec>): Promise<void> {
    for (const [name, spec] of Object.entries(specs)) {
      const figure = this.figure(name);
      const target = document.createElement('div');
      target.className = 'chart';
      const view = new View(parse(compile(spec as never).spec), { renderer: 'svg', container: target, hover: true });
      await view.runAsync();
      figure.querySelector('.chart')!.replaceWith(target);
      this.views.get(name)?.finalize();
      this.views.set(name, view);
    }
    for (const name of [...this.views.keys()].filter((n) => !(n in specs))) this.remove(name);
  }

  clear(): void {
    for (const name of [...this.views.keys()]) this.remove(name);
    this.container.replaceChildren();
  }

  private remove(name: string): void {
    this.views.get(name)?.finalize();
    this.views.delete(name);
    this.container.querySelector(`#chart-${name}`)?.remove();
  }

  private figure(name: string): HTMLElement {
    const existing = this.container.querySelector<HTMLElement>(`#chart-${name}`);
    if (existing) return existing;
    const figure = document.createElement('figure');
    figure.id = `chart-${name}`;
    figure.innerHTML = `<figcaption><span>${CAPTIONS[name] ?? name}</span>` +
      `<button type="button" data-chart="${name}" data-format="svg">SVG</button>` +
      `<button type="button" data-chart="${name}" data-format="png">PNG</button></figcaption><div class="chart"></div>`;
    this.container.append(figure);
    return figure;
  }

  private async save(name: string, format: 'svg' | 'png'): Promise<void> {
    const view = this.views.get(name);
    if (!view) return;
    if (format === 'svg') download(`${name}.svg`, new Blob([await view.toSVG()], { type: 'image/svg+xml' }));
    else download(`${name}.png`, await view.toImageURL('png', 2));
  }
}
