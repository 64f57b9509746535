/**
 * Entry of the LockLens webview bundle: one app, three views (lock graph, series diff, timing
 * charts). Reads the embedded JSON (`#locklens-data`, via textContent), the first view from
 * `#app[data-view]`, and talks to VS Code through the host bridge; without VS Code it runs as the
 * standalone report.
 */
import './styles.css';
import type { WitnessStep } from '../engine/model';
import { isWebviewView, type ToWebview, type WebviewData, type WebviewView } from '../protocol/webview-messages';
import { ChartsView } from './charts/charts-view';
import { normaliseData } from './data';
import { button, clear, h, loc } from './dom';
import { buildAnalysisGraph } from './graph/graph-model';
import { LockGraphView } from './graph/graph-view';
import { createHostBridge, type HostBridge } from './host-bridge';
import { SeriesView } from './series/series-view';
import { readTheme, watchTheme } from './theme';

interface PersistedState {
  view: WebviewView;
  patch: number;
}

const VIEW_LABELS: Record<WebviewView, string> = { graph: 'Lock graph', series: 'Series diff', charts: 'Timing' };

class App {
  private data: WebviewData = {};
  private notes: string[] = [];
  private view: WebviewView = 'graph';
  private readonly panes = new Map<WebviewView, HTMLElement>();
  private readonly tabs = new Map<WebviewView, HTMLButtonElement>();
  /** Views are rendered on first show: cytoscape cannot lay out inside a hidden container. */
  private readonly rendered = new Set<WebviewView>();
  private theme = readTheme();
  private graph: LockGraphView | null = null;
  private graphDetails: HTMLElement | null = null;
  private readonly series: SeriesView;
  private readonly charts: ChartsView;
  private readonly location = h('div', { class: 'location', id: 'location', role: 'status' });
  private readonly noteBox = h('div', { class: 'notes', id: 'notes' });
  private readonly titleEl = h('h1', { class: 'title' });

  constructor(
    private readonly root: HTMLElement,
    private readonly bridge: HostBridge,
    initialView: WebviewView,
  ) {
    this.view = initialView;
    const nav = h('nav', { class: 'tabs', role: 'tablist' });
    for (const v of ['graph', 'series', 'charts'] as const) {
      const tab = button(VIEW_LABELS[v], () => this.show(v), { class: 'tab', role: 'tab', id: `tab-${v}`, data: { view: v } });
      this.tabs.set(v, tab);
      nav.append(tab);
      this.panes.set(v, h('section', { class: `pane pane-${v}`, id: `pane-${v}`, role: 'tabpanel' }));
    }
    root.append(h('header', { class: 'top' }, this.titleEl, nav), this.noteBox, ...this.panes.values(), this.location);
    this.series = new SeriesView({
      root: this.panes.get('series')!,
      theme: this.theme,
      onReveal: (s) => this.reveal(s),
      onPatchSelected: (k) => {
        this.persist();
        this.bridge.post({ type: 'patchSelected', index: k });
      },
    });
    this.charts = new ChartsView(this.panes.get('charts')!, this.theme);
    watchTheme(() => this.retheme());
    window.addEventListener('resize', () => this.resizeCurrent());
  }

  setData(raw: unknown): void {
    const { data, notes } = normaliseData(raw);
    this.data = data;
    this.notes = notes;
    this.rendered.clear();
    const title = data.title || 'LockLens';
    this.titleEl.textContent = title;
    document.title = title;
    clear(this.noteBox);
    for (const n of notes) this.noteBox.append(h('p', { class: 'warn' }, n));
    for (const [v, tab] of this.tabs) tab.classList.toggle('no-data', !this.hasData(v));
    this.show(this.view, false);
  }

  private hasData(v: WebviewView): boolean {
    return v === 'graph' ? !!this.data.analysis : v === 'series' ? !!this.data.series : !!this.data.simulation;
  }

  show(view: WebviewView, notify = true): void {
    this.view = view;
    for (const [v, pane] of this.panes) pane.hidden = v !== view;
    for (const [v, tab] of this.tabs) {
      tab.classList.toggle('active', v === view);
      tab.setAttribute('aria-selected', String(v === view));
    }
    if (!this.rendered.has(view)) {
      this.rendered.add(view);
      this.guard(`rendering the ${VIEW_LABELS[view]} view`, () => this.renderView(view));
    } else this.resizeCurrent();
    if (notify) {
      this.persist();
      this.bridge.post({ type: 'viewChanged', view });
    }
  }

  private renderView(view: WebviewView): void {
    if (view === 'graph') this.renderGraph();
    else if (view === 'series') this.series.render(this.data.series, this.data.analysis, this.bridge.getState<PersistedState>().patch);
    else this.charts.render(this.data.simulation);
  }

  private renderGraph(): void {
    const pane = this.panes.get('graph')!;
    clear(pane);
    const analysis = this.data.analysis;
    if (!analysis) {
      this.graph = null;
      pane.append(h('p', { class: 'empty' }, 'No analysis loaded. Run “LockLens: Analyze Workspace” or pass --analysis to the report.'));
      return;
    }
    const canvas = h('div', { class: 'graph-canvas', id: 'lock-graph' });
    this.graphDetails = h('aside', { class: 'details', id: 'graph-details' });
    const find = h('input', { id: 'lock-search', type: 'search', ariaLabel: 'find a lock class' });
    find.placeholder = 'find lock…';
    find.setAttribute('list', 'lock-ids');
    const ids = h('datalist', { id: 'lock-ids' });
    const isolated = h('input', { id: 'show-isolated', type: 'checkbox' });
    const isolatedLabel = h('label', { class: 'muted' }, isolated, ' ');
    const legend = h(
      'div',
      { class: 'legend' },
      h('span', { class: 'key key-cycle' }, 'cycle'),
      h('span', { class: 'key key-contention' }, 'contention path'),
      h('span', { class: 'key key-contended' }, 'contended lock'),
      h('span', { class: 'key key-trylock' }, 'trylock'),
      h('span', { class: 'muted' }, 'size = acquisition sites · edge label = witnesses'),
      isolatedLabel,
      find,
      ids,
      button('Fit', () => this.graph?.resize(), { class: 'small' }),
    );
    pane.append(h('div', { class: 'graph-layout' }, h('div', { class: 'graph-main' }, legend, canvas), this.graphDetails));
    const graph = new LockGraphView({ canvas, details: this.graphDetails, theme: this.theme, onReveal: (s) => this.reveal(s), summaryTitle: 'Lock graph' });
    this.graph = graph;
    graph.setModel(buildAnalysisGraph(analysis));
    for (const id of graph.lockIds()) ids.append(h('option', { value: id }));
    find.addEventListener('change', () => {
      if (find.value && !graph.focusLock(find.value)) find.setCustomValidity('no such lock class');
      else find.setCustomValidity('');
    });
    // Hide never-nested classes by default once they would clutter the picture.
    const lonely = graph.isolatedCount();
    isolatedLabel.append(`${lonely} unnested lock${lonely === 1 ? '' : 's'}`);
    isolatedLabel.hidden = lonely === 0;
    isolated.checked = lonely <= 20;
    if (!isolated.checked) graph.setIsolatedVisible(false);
    isolated.addEventListener('change', () => graph.setIsolatedVisible(isolated.checked));
  }

  private resizeCurrent(): void {
    if (this.view === 'graph') this.graph?.resize();
    else if (this.view === 'series') this.series.resize();
  }

  private retheme(): void {
    this.theme = readTheme();
    this.graph?.setTheme(this.theme);
    this.series.setTheme(this.theme);
    if (this.rendered.has('charts')) this.charts.setTheme(this.theme);
  }

  /** Open a witness step: in VS Code the host reveals the line; the report shows where it is. */
  private reveal(step: WitnessStep): void {
    if (this.bridge.mode === 'vscode') {
      if (step.file && step.line >= 1) this.bridge.post({ type: 'reveal', file: step.file, line: step.line });
      return;
    }
    clear(this.location);
    const where = loc(step.file, step.line);
    const root = this.data.sourceRoot;
    const target =
      root && step.file && !step.file.startsWith('/') && !step.file.split('/').includes('..')
        ? h('a', { href: `file://${encodeURI(`${root.replace(/\/+$/, '')}/${step.file}`)}`, title: 'Open the file (line not supported by file links)' }, where)
        : h('code', null, where);
    this.location.append(h('span', { class: 'muted' }, 'Location: '), target, step.function ? ` in ${step.function}` : '', step.note ? h('span', { class: 'muted' }, ` — ${step.note}`) : '');
    this.location.classList.add('visible');
  }

  handle(msg: ToWebview): void {
    switch (msg.type) {
      case 'setData':
        this.setData(msg.data);
        break;
      case 'showView':
        this.show(msg.view);
        break;
      case 'focusLock':
        this.show('graph');
        this.graph?.focusLock(msg.id);
        break;
      case 'selectPatch':
        this.show('series');
        this.series.selectPatch(msg.index);
        break;
    }
  }

  private persist(): void {
    this.bridge.setState<PersistedState>({ view: this.view, patch: this.series.k });
  }

  guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const message = `LockLens: error while ${what}: ${err instanceof Error ? err.message : String(err)}`;
      this.root.prepend(h('p', { class: 'error-text' }, message));
      this.bridge.post({ type: 'error', message });
    }
  }

  /** Read-only handles for tests and debugging (`window.__locklens`). */
  debugHandle() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const app = this;
    return {
      get view() {
        return app.view;
      },
      get graph() {
        return app.graph?.cy ?? null;
      },
      get graphLayout() {
        return app.graph?.layoutName ?? null;
      },
      get seriesGraph() {
        return app.series.graph?.cy ?? null;
      },
      get seriesPatch() {
        return app.series.k;
      },
      get charts() {
        return { time: app.charts.timeChart, delta: app.charts.deltaChart };
      },
      get notes() {
        return [...app.notes];
      },
      mode: app.bridge.mode,
    };
  }
}

function readEmbeddedData(): unknown {
  const el = document.getElementById('locklens-data');
  if (!el?.textContent) return {};
  try {
    return JSON.parse(el.textContent);
  } catch {
    return 'embedded data is not valid JSON';
  }
}

const rootEl = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
const bridge = createHostBridge();
const saved = bridge.getState<PersistedState>();
const firstView: WebviewView = isWebviewView(saved.view) ? saved.view : isWebviewView(rootEl.dataset.view) ? rootEl.dataset.view : 'graph';
const app = new App(rootEl, bridge, firstView);
app.guard('loading the data', () => app.setData(readEmbeddedData()));
bridge.onMessage((msg) => app.guard(`handling “${msg.type}”`, () => app.handle(msg)));
window.addEventListener('error', (ev) => bridge.post({ type: 'error', message: String(ev.message) }));
(window as unknown as { __locklens: unknown }).__locklens = app.debugHandle();
bridge.post({ type: 'ready', view: firstView });
