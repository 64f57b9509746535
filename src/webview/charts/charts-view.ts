/**
 * Timing charts of a simulation sweep (chart.js): completion time against the chosen parameter,
 * before vs after, one pair of lines per remaining parameter combination (e.g. per N) with
 * ±std error bars; the delta % per cell as grouped bars; and the table of cells.
 * Hover shows values, clicking a legend entry toggles a series.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LogarithmicScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
  type ChartDataset,
  type Plugin,
} from 'chart.js';
import type { SweepJson } from '../../protocol/webview-messages';
import { clear, h } from '../dom';
import type { Theme } from '../theme';
import { defaultXParam, formatPct, formatSeconds, paramNames, secondsTick, shapeSweep, type SweepShape } from './sweep-model';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, LinearScale, LogarithmicScale, CategoryScale, Legend, Tooltip, Title);

type XY = { x: number | string; y: number };

/** Standard deviations per dataset, aligned with its data points. */
const stdOf = new WeakMap<object, number[]>();

/** chart.js has no error bars; draw mean ± std whiskers over each visible point. */
const errorBars: Plugin<'line'> = {
  id: 'locklensErrorBars',
  afterDatasetsDraw(chart) {
    const ctx = chart.ctx;
    chart.data.datasets.forEach((ds, i) => {
      const std = stdOf.get(ds);
      if (!std || !chart.isDatasetVisible(i)) return;
      const meta = chart.getDatasetMeta(i);
      const y = chart.scales[meta.yAxisID ?? 'y'];
      ctx.save();
      const area = chart.chartArea;
      ctx.beginPath();
      ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
      ctx.clip();
      ctx.strokeStyle = String(ds.borderColor ?? '#888');
      ctx.lineWidth = 1.25;
      meta.data.forEach((pt, j) => {
        const d = ds.data[j] as XY | undefined;
        const s = std[j];
        if (!d || !s) return;
        const top = y.getPixelForValue(d.y + s);
        // On a log axis mean − std may be ≤ 0: draw the whisker down to the axis instead.
        const low = d.y - s;
        const bottom = low > 0 || y.type !== 'logarithmic' ? y.getPixelForValue(low) : chart.chartArea.bottom;
        const cx = pt.x;
        ctx.beginPath();
        ctx.moveTo(cx, top);
        ctx.lineTo(cx, bottom);
        ctx.moveTo(cx - 4, top);
        ctx.lineTo(cx + 4, top);
        ctx.moveTo(cx - 4, bottom);
        ctx.lineTo(cx + 4, bottom);
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};

export class ChartsView {
  timeChart: Chart<'line', XY[]> | null = null;
  deltaChart: Chart<'bar', (number | null)[]> | null = null;
  private xParam: string | null = null;
  private evenlySpaced = true;
  private logY = false;

  constructor(
    private readonly root: HTMLElement,
    private theme: Theme,
  ) {}

  setTheme(theme: Theme): void {
    this.theme = theme;
    if (this.sweep) this.render(this.sweep);
  }

  private sweep: SweepJson | null = null;

  render(sweep: SweepJson | undefined): void {
    this.destroyCharts();
    clear(this.root);
    this.sweep = sweep ?? null;
    if (!sweep || sweep.cells.length === 0) {
      this.root.append(h('p', { class: 'empty' }, 'No simulation results. Run “LockLens: Simulate Contention” or pass --simulation to the report.'));
      return;
    }
    const names = paramNames(sweep.cells);
    if (!this.xParam || !names.includes(this.xParam)) this.xParam = defaultXParam(sweep.cells);
    const xParam = this.xParam ?? names[0];
    const shape = shapeSweep(sweep.cells, xParam);

    const xSelect = h('select', { id: 'x-param', ariaLabel: 'x parameter' }, ...names.map((n) => h('option', { value: n }, n)));
    xSelect.value = xParam;
    xSelect.addEventListener('change', () => {
      this.xParam = xSelect.value;
      this.render(sweep);
    });
    const spacing = h('select', { id: 'x-spacing', ariaLabel: 'x spacing', disabled: !shape.numericX }, h('option', { value: 'even' }, 'evenly spaced'), h('option', { value: 'linear' }, 'linear'));
    spacing.value = this.evenlySpaced || !shape.numericX ? 'even' : 'linear';
    spacing.addEventListener('change', () => {
      this.evenlySpaced = spacing.value === 'even';
      this.render(sweep);
    });

    const yScale = h('select', { id: 'y-scale', ariaLabel: 'time axis scale' }, h('option', { value: 'linear' }, 'linear'), h('option', { value: 'log' }, 'logarithmic'));
    yScale.value = this.logY ? 'log' : 'linear';
    yScale.addEventListener('change', () => {
      this.logY = yScale.value === 'log';
      this.render(sweep);
    });
    const timeCanvas = h('canvas', { id: 'chart-time', ariaLabel: 'completion time chart' });
    const deltaCanvas = h('canvas', { id: 'chart-delta', ariaLabel: 'delta chart' });
    this.root.append(
      h('div', { class: 'toolbar' }, h('label', null, 'x axis ', xSelect), h('label', null, 'spacing ', spacing), h('label', null, 'time axis ', yScale), h(
          'span',
          { class: 'muted' },
          [sweep.scenario ? `scenario ${sweep.scenario}` : '', `${sweep.cells.length} cells`, sweep.reps ? `${sweep.reps} runs per cell` : '', `${shape.groups.length} series · click legend entries to toggle`]
            .filter(Boolean)
            .join(' · '),
        )),
      h('div', { class: 'chart-box' }, timeCanvas),
      h('div', { class: 'chart-box small' }, deltaCanvas),
      this.table(shape, names),
    );
    this.timeChart = this.makeTimeChart(timeCanvas, shape);
    this.deltaChart = this.makeDeltaChart(deltaCanvas, shape);
  }

  private colour(i: number): string {
    return this.theme.palette[i % this.theme.palette.length];
  }

  private common() {
    const t = this.theme;
    Chart.defaults.color = t.fg;
    Chart.defaults.borderColor = t.border;
    Chart.defaults.font.family = t.font;
    return { animation: false as const, responsive: true, maintainAspectRatio: false };
  }

  private makeTimeChart(canvas: HTMLCanvasElement, shape: SweepShape): Chart<'line', XY[]> {
    const even = this.evenlySpaced || !shape.numericX;
    const datasets: ChartDataset<'line', XY[]>[] = [];
    shape.groups.forEach((g, gi) => {
      const colour = this.colour(gi);
      for (const which of ['before', 'after'] as const) {
        const ds: ChartDataset<'line', XY[]> = {
          label: `${g.label} · ${which}`,
          data: g.points.map((p) => ({ x: even ? String(p.x) : p.x, y: p[which].mean })),
          borderColor: colour,
          backgroundColor: colour,
          borderDash: which === 'before' ? [6, 4] : [],
          pointStyle: which === 'before' ? 'rect' : 'circle',
          pointRadius: 3.5,
          borderWidth: 2,
        };
        stdOf.set(ds, g.points.map((p) => p[which].std));
        datasets.push(ds);
      }
    });
    const labels = shape.xValues.map(String);
    // Room for the whiskers: chart.js sizes the axis from the means only.
    const top = Math.max(...shape.groups.flatMap((g) => g.points.flatMap((p) => [p.before.mean + p.before.std, p.after.mean + p.after.std])));
    const tick = secondsTick(top);
    return new Chart<'line', XY[]>(canvas, {
      type: 'line',
      data: even ? { labels, datasets } : { datasets },
      plugins: [errorBars],
      options: {
        ...this.common(),
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: even ? { type: 'category', title: { display: true, text: shape.xParam } } : { type: 'linear', title: { display: true, text: shape.xParam } },
          y: this.logY
            ? { type: 'logarithmic', suggestedMax: top, title: { display: true, text: 'completion time (log)' }, ticks: { callback: (v) => tick(Number(v)) } }
            : { type: 'linear', beginAtZero: true, suggestedMax: top, title: { display: true, text: 'completion time' }, ticks: { callback: (v) => tick(Number(v)) } },
        },
        plugins: {
          legend: { labels: { usePointStyle: true } },
          title: { display: true, text: `Completion time vs ${shape.xParam} (mean ± std; dashed = before, solid = after)` },
          tooltip: {
            callbacks: {
              label: (ctx) => {
                const std = stdOf.get(ctx.dataset)?.[ctx.dataIndex] ?? 0;
                return `${ctx.dataset.label}: ${formatSeconds(ctx.parsed.y ?? 0)} ± ${formatSeconds(std)}`;
              },
            },
          },
        },
      },
    });
  }

  private makeDeltaChart(canvas: HTMLCanvasElement, shape: SweepShape): Chart<'bar', (number | null)[]> {
    const labels = shape.xValues.map(String);
    const datasets: ChartDataset<'bar', (number | null)[]>[] = shape.groups.map((g, gi) => ({
      label: g.label,
      // Aligned with labels; a group without a cell at some x gets null (no bar).
      data: shape.xValues.map((x) => g.points.find((p) => p.x === x)?.deltaPct ?? null),
      backgroundColor: this.colour(gi),
    }));
    return new Chart<'bar', (number | null)[]>(canvas, {
      type: 'bar',
      data: { labels, datasets },
      options: {
        ...this.common(),
        scales: {
          x: { title: { display: true, text: shape.xParam } },
          y: { title: { display: true, text: 'Δ after vs before' }, ticks: { callback: (v) => `${v} %` } },
        },
        plugins: {
          title: { display: true, text: 'Change in completion time (negative = faster after the series)' },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${formatPct(Number(ctx.parsed.y))}` } },
        },
      },
    });
  }

  private table(shape: SweepShape, names: string[]): HTMLElement {
    const head = h('tr', null, ...names.map((n) => h('th', null, n)), h('th', null, 'before'), h('th', null, 'after'), h('th', null, 'Δ'));
    const rows = shape.groups.flatMap((g) =>
      g.points.map((p) =>
        h(
          'tr',
          null,
          ...names.map((n) => h('td', { class: 'num' }, String(p.cell.params[n] ?? ''))),
          h('td', { class: 'num' }, `${formatSeconds(p.before.mean)} ± ${formatSeconds(p.before.std)}`),
          h('td', { class: 'num' }, `${formatSeconds(p.after.mean)} ± ${formatSeconds(p.after.std)}`),
          h('td', { class: `num ${p.deltaPct < 0 ? 'better' : p.deltaPct > 0 ? 'worse' : ''}` }, formatPct(p.deltaPct)),
        ),
      ),
    );
    return h('table', { class: 'cells', id: 'cells-table' }, h('thead', null, head), h('tbody', null, ...rows));
  }

  private destroyCharts(): void {
    this.timeChart?.destroy();
    this.deltaChart?.destroy();
    this.timeChart = this.deltaChart = null;
  }
}
