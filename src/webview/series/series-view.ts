/**
 * Series diff: the lock graph "after patch k" with added / removed locks and edges coloured, next
 * to the per-patch list (one-line verdicts) and the changes accumulated up to k.
 */
import type { AnalysisResult, Finding, WitnessStep } from '../../engine/model';
import type { SeriesContentionPath, SeriesJson, SeriesRcuItem } from '../../protocol/webview-messages';
import { button, clear, h, loc } from '../dom';
import type { Theme } from '../theme';
import { buildSeriesGraph, summarisePatches } from '../graph/graph-model';
import { patchVerdict, plural } from './verdict';
import { LockGraphView } from '../graph/graph-view';

export interface SeriesViewOptions {
  root: HTMLElement;
  theme: Theme;
  onReveal(step: WitnessStep): void;
  onPatchSelected(k: number): void;
}

export class SeriesView {
  graph: LockGraphView | null = null;
  k = 0;
  private series: SeriesJson | null = null;
  private analysis: AnalysisResult | undefined;
  private canvas: HTMLElement | null = null;
  private patchList: HTMLElement | null = null;
  private changes: HTMLElement | null = null;
  private stateLabel: HTMLElement | null = null;

  constructor(private readonly opts: SeriesViewOptions) {}

  get patchCount(): number {
    return this.series?.patches.length ?? 0;
  }

  render(series: SeriesJson | undefined, analysis: AnalysisResult | undefined, k?: number): void {
    const root = this.opts.root;
    clear(root);
    this.series = series ?? null;
    this.analysis = analysis;
    if (!series) {
      this.graph = null;
      root.append(h('p', { class: 'empty' }, 'No patch series loaded. Run “LockLens: Analyze Patch Series…” or `locklens series --format html`.'));
      return;
    }
    const last = series.patches.length ? series.patches[series.patches.length - 1].index : 0;
    this.k = Math.max(0, Math.min(k ?? last, last));

    const head = series.series;
    const meta = [head.version != null && head.version !== '' ? `v${String(head.version).replace(/^v/i, '')}` : null, head.author || null, plural(series.patches.length, 'patch', 'patches')]
      .filter(Boolean)
      .join(' · ');
    this.patchList = h('ol', { class: 'patches', id: 'patch-list' });
    this.changes = h('div', { class: 'changes' });
    const side = h(
      'aside',
      { class: 'series-side' },
      h('h2', { class: 'series-subject' }, head.subject || '(untitled series)'),
      h('p', { class: 'muted series-meta' }, meta),
      series.partial ? h('p', { class: 'warn' }, 'Partial: patch-only mode (no base tree); only the hunks were analysed.') : null,
      !analysis ? h('p', { class: 'muted' }, 'No base analysis loaded: the graph shows only the locks and edges the series changes.') : null,
      h('h3', null, 'Show the lock graph after'),
      this.patchList,
      this.changes,
    );
    this.canvas = h('div', { class: 'graph-canvas', id: 'series-graph' });
    const details = h('aside', { class: 'details', id: 'series-details' });
    this.stateLabel = h('strong', { id: 'series-state' });
    const legend = h(
      'div',
      { class: 'legend' },
      this.stateLabel,
      h('span', { class: 'key key-added' }, 'added'),
      h('span', { class: 'key key-removed' }, 'removed'),
      h('span', { class: 'key key-cycle' }, 'cycle'),
      h('span', { class: 'key key-contention' }, 'contention path'),
      button('Fit', () => this.graph?.resize(), { class: 'small' }),
    );
    root.append(h('div', { class: 'series-layout' }, side, h('div', { class: 'graph-main' }, legend, this.canvas), details));
    this.graph = new LockGraphView({
      canvas: this.canvas,
      details,
      theme: this.opts.theme,
      onReveal: this.opts.onReveal,
      summaryTitle: 'Lock graph',
      describe: (el) => {
        if (el.status === 'same' || el.patch === undefined) return null;
        return `${el.status === 'added' ? 'Added' : 'Removed'} by patch ${el.patch}/${last}`;
      },
    });
    this.selectPatch(this.k, false);
  }

  setTheme(theme: Theme): void {
    this.opts.theme = theme;
    this.graph?.setTheme(theme);
  }

  resize(): void {
    this.graph?.resize();
  }

  selectPatch(k: number, notify = true): void {
    const series = this.series;
    if (!series || !this.graph || !this.patchList || !this.changes) return;
    const last = series.patches.length ? series.patches[series.patches.length - 1].index : 0;
    this.k = Math.max(0, Math.min(k, last));
    this.graph.setModel(buildSeriesGraph(this.analysis, series, this.k));
    if (this.stateLabel) this.stateLabel.textContent = this.k === 0 ? 'Base tree' : `After patch ${this.k}/${last}`;
    this.renderPatchList(series, last);
    this.renderChanges(series, last);
    if (notify) this.opts.onPatchSelected(this.k);
  }

  private renderPatchList(series: SeriesJson, last: number): void {
    const list = this.patchList!;
    clear(list);
    const summaries = new Map(summarisePatches(series).map((s) => [s.index, s]));
    const item = (k: number, title: string, verdict: string, error?: string, applied = true) => {
      const b = button(title, () => this.selectPatch(k), { class: 'patch-select', ariaSelected: k === this.k, data: { patch: String(k) } });
      list.append(
        h(
          'li',
          { class: `patch${k === this.k ? ' current' : ''}${applied ? '' : ' failed'}`, data: { patch: String(k) } },
          b,
          h('div', { class: 'verdict' }, verdict),
          error ? h('div', { class: 'error-text' }, `Does not apply: ${error}`) : null,
        ),
      );
    };
    item(0, 'Base tree (before the series)', this.analysis ? 'as analysed' : 'only what the series changes');
    for (const p of series.patches) {
      const s = summaries.get(p.index);
      const verdict = p.missing ? 'missing from the input' : p.applied ? (s ? patchVerdict(s) : '') : 'not applied';
      item(p.index, `${p.index}/${last} ${p.subject || '(no subject)'}`, verdict, p.error, p.applied && !p.missing);
    }
  }

  private renderChanges(series: SeriesJson, last: number): void {
    const box = this.changes!;
    clear(box);
    const k = this.k;
    const upTo = <T extends { patch?: number }>(xs: T[]) => xs.filter((x) => (x.patch ?? last) <= k);
    const tag = (p: number | undefined) => h('span', { class: 'patch-tag' }, `${p ?? last}/${last}`);
    const section = (title: string, cls: string, items: HTMLElement[]) => {
      if (items.length) box.append(h('h3', null, `${title} (${items.length})`), h('ul', { class: `change-list ${cls}` }, ...items));
    };
    box.append(h('h3', { class: 'state-title' }, k === 0 ? 'Base tree' : `Changes up to patch ${k}/${last}`));
    if (k === 0) return;
    const edgeItem = (e: { from: string; to: string; patch: number }, cls: string) =>
      h('li', { class: cls }, tag(e.patch), ' ', button(`${e.from} → ${e.to}`, () => this.graph?.showEdge(`${e.from}\u2192${e.to}`), { class: 'link' }));
    section('Edges added', 'added', upTo(series.edges.added).map((e) => edgeItem(e, 'added')));
    section('Edges removed', 'removed', upTo(series.edges.removed).map((e) => edgeItem(e, 'removed')));
    const lockItem = (l: { id: string; patch?: number }, cls: string) =>
      h('li', { class: cls }, tag(l.patch), ' ', button(l.id, () => this.graph?.focusLock(l.id), { class: 'link' }));
    section('Lock classes added', 'added', upTo(series.locks.added).map((l) => lockItem(l, 'added')));
    section('Lock classes removed', 'removed', upTo(series.locks.removed).map((l) => lockItem(l, 'removed')));
    const findingItem = (f: Finding & { patch?: number }, cls: string) =>
      h('li', { class: cls }, tag(f.patch), ' ', button(f.rule, () => this.graph?.showFinding(f), { class: 'link' }), ' ', h('span', null, f.message), h('div', { class: 'muted' }, loc(f.file, f.line)));
    section('Findings introduced', 'removed', upTo(series.findings.introduced).map((f) => findingItem(f, 'introduced')));
    section('Findings resolved', 'added', upTo(series.findings.resolved).map((f) => findingItem(f, 'resolved')));
    const located = (x: { file: string; line: number; function: string }, label: string) =>
      button(label, () => this.opts.onReveal({ file: x.file, line: x.line, function: x.function, note: label }), { class: 'link', title: loc(x.file, x.line) });
    const pathText = (p: SeriesContentionPath) => [p.contended, ...p.via, p.function].join(' ⇢ ');
    const c = series.contention;
    if (c) {
      section('Contention paths removed', 'added', upTo(c.removed).map((p) => h('li', { class: 'resolved' }, tag(p.patch), ' ', located(p, pathText(p)))));
      section('Contention paths added', 'removed', upTo(c.added).map((p) => h('li', { class: 'introduced' }, tag(p.patch), ' ', located(p, pathText(p)))));
    }
    const r = series.rcu;
    if (r) {
      const rcuItem = (x: SeriesRcuItem, sign: string) => h('li', null, tag(x.patch), ` ${sign} ${x.kind} `, located(x, x.what), h('div', { class: 'muted' }, [x.function, loc(x.file, x.line)].filter(Boolean).join(' · ')));
      section('RCU changes', 'entry', [...upTo(r.added).map((x) => rcuItem(x, '+')), ...upTo(r.removed).map((x) => rcuItem(x, '−'))]);
    }
    const fmt = (s: { must: string[]; may: string[] }) => (s.must.length ? s.must.join(', ') : s.may.length ? `maybe ${s.may.join(', ')}` : 'nothing');
    section(
      'Entry lock context changed',
      'entry',
      upTo(series.functions.entryChanged).map((c) => h('li', null, tag(c.patch), ' ', h('code', null, c.name), h('div', { class: 'muted' }, `${fmt(c.before)} → ${fmt(c.after)} · ${c.file}`))),
    );
  }
}
