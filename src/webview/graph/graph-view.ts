/**
 * Lock graph drawn with cytoscape + dagre (layered layout: a lock sits above the locks taken
 * while holding it). Node size follows the number of acquisition sites, edge labels carry the
 * witness count; cycles, contention paths and series changes are classes styled from the theme.
 * Clicking a node or edge opens its witnesses in the details panel.
 */
import cytoscape from 'cytoscape';
import dagre from 'cytoscape-dagre';
import type { Finding, WitnessStep } from '../../engine/model';
import { append, button, clear, h, loc } from '../dom';
import type { Theme } from '../theme';
import type { GraphEdge, GraphModel, GraphNode } from './graph-model';

let dagreRegistered = false;

export interface GraphViewOptions {
  canvas: HTMLElement;
  details: HTMLElement;
  theme: Theme;
  onReveal(step: WitnessStep): void;
  /** Shown in the details panel when nothing is selected (above the findings). */
  summaryTitle: string;
  /** Extra lines for a series state (e.g. "after patch 2/2"). */
  describe?(el: GraphNode | GraphEdge): string | null;
}

/** cytoscape keeps one id space for nodes and edges; prefixes keep lock ids and edge keys apart. */
const nodeId = (id: string) => `n:${id}`;
const edgeId = (id: string) => `e:${id}`;

/**
 * cytoscape injects a one-rule <style> into <head> unless an element with this id exists. Under
 * our CSP that injection is blocked (and reported); the rule it carries is in styles.css.
 */
function preemptCytoscapeStylesheet(): void {
  const id = '__________cytoscape_stylesheet';
  if (document.getElementById(id)) return;
  const marker = document.createElement('meta');
  marker.id = id;
  document.head.append(marker);
}

/**
 * dagre's layered layout reads best but its crossing minimisation grows quickly: a dense graph of
 * 500 classes / 1500 edges takes more than 30 s. Past this size use cytoscape's breadth-first
 * layout (linear time, still layered by nesting depth).
 */
export const DAGRE_MAX_EDGES = 400;
export const DAGRE_MAX_NODES = 250;

function layoutFor(model: GraphModel): cytoscape.LayoutOptions {
  if (model.edges.length <= DAGRE_MAX_EDGES && model.nodes.length <= DAGRE_MAX_NODES) {
    return { name: 'dagre', rankDir: 'TB', nodeSep: 30, rankSep: 70, edgeSep: 20, padding: 24, animate: false, nodeDimensionsIncludeLabels: true } as cytoscape.LayoutOptions;
  }
  return { name: 'breadthfirst', directed: true, spacingFactor: 1.1, padding: 24, animate: false, avoidOverlap: true };
}

function nodeSize(sites: number): number {
  return Math.round(Math.min(84, 22 + 9 * Math.sqrt(Math.max(0, sites))));
}

function nodeClasses(n: GraphNode): string {
  return [
    n.inCycle && 'cycle',
    n.onContentionPath && 'contention',
    n.lock.contended && 'contended',
    n.status !== 'same' && n.status,
    n.synthetic && 'synthetic',
    n.lock.kind === 'rcu' || n.lock.lockType === 'rcu' || n.lock.lockType === 'srcu' ? 'rcu' : null,
    n.lock.kind === 'other' && 'other',
  ]
    .filter(Boolean)
    .join(' ');
}

function edgeClasses(e: GraphEdge): string {
  return [e.inCycle && 'cycle', e.onContentionPath && 'contention', e.edge.trylock && 'trylock', e.status !== 'same' && e.status]
    .filter(Boolean)
    .join(' ');
}

function styleFor(t: Theme): cytoscape.StylesheetJson {
  return [
    {
      selector: 'node',
      style: {
        'background-color': t.node,
        label: 'data(label)',
        width: 'data(size)',
        height: 'data(size)',
        color: t.fg,
        'font-family': t.font,
        'font-size': 11,
        'text-valign': 'bottom',
        'text-margin-y': 4,
        'text-wrap': 'ellipsis',
        'text-max-width': '220px',
        'text-background-color': t.bg,
        'text-background-opacity': 0.75,
        'text-background-padding': '1px',
        'border-width': 1,
        'border-color': t.border,
      },
    },
    { selector: 'node.rcu', style: { 'background-color': t.nodeRcu, shape: 'round-rectangle' } },
    { selector: 'node.other', style: { 'background-color': t.nodeOther } },
    { selector: 'node.synthetic', style: { 'border-style': 'dashed' } },
    { selector: 'node.contended', style: { 'border-width': 3, 'border-color': t.contention, 'border-style': 'double' } },
    { selector: 'node.contention', style: { 'border-width': 3, 'border-color': t.contention } },
    { selector: 'node.cycle', style: { 'border-width': 4, 'border-color': t.cycle } },
    { selector: 'node.added', style: { 'background-color': t.added } },
    { selector: 'node.removed', style: { 'background-color': t.removed, 'background-opacity': 0.35, 'border-style': 'dashed', 'border-color': t.removed } },
    {
      selector: 'edge',
      style: {
        width: 'data(width)',
        'line-color': t.muted,
        'target-arrow-color': t.muted,
        'target-arrow-shape': 'triangle',
        'curve-style': 'bezier',
        label: 'data(label)',
        'font-size': 10,
        'font-family': t.font,
        color: t.fg,
        'text-background-color': t.bg,
        'text-background-opacity': 0.85,
        'text-background-padding': '2px',
        'arrow-scale': 1.1,
      },
    },
    { selector: 'edge.trylock', style: { 'line-style': 'dotted', 'target-arrow-shape': 'triangle-tee' } },
    { selector: 'edge.contention', style: { 'line-color': t.contention, 'target-arrow-color': t.contention } },
    { selector: 'edge.cycle', style: { 'line-color': t.cycle, 'target-arrow-color': t.cycle } },
    { selector: 'edge.added', style: { 'line-color': t.added, 'target-arrow-color': t.added, color: t.added } },
    { selector: 'edge.removed', style: { 'line-color': t.removed, 'target-arrow-color': t.removed, 'line-style': 'dashed', opacity: 0.8, color: t.removed } },
    { selector: ':selected', style: { 'overlay-color': t.accent, 'overlay-opacity': 0.25, 'overlay-padding': 6 } },
    { selector: '.dim', style: { opacity: 0.25 } },
  ];
}

export class LockGraphView {
  cy: cytoscape.Core | null = null;
  /** Layout used for the current model (dagre, or breadthfirst for large graphs). */
  layoutName = '';
  private model: GraphModel = { nodes: [], edges: [], findings: [] };
  private selectedStep: HTMLElement | null = null;
  /** Lock whose neighbourhood alone is shown, and the full layout to go back to. */
  private focused: string | null = null;
  private savedPositions: Map<string, cytoscape.Position> | null = null;
  private isolatedHidden = false;

  constructor(private readonly opts: GraphViewOptions) {}

  setModel(model: GraphModel): void {
    this.model = model;
    if (!dagreRegistered) {
      cytoscape.use(dagre);
      dagreRegistered = true;
    }
    preemptCytoscapeStylesheet();
    const elements: cytoscape.ElementDefinition[] = [
      ...model.nodes.map((n) => ({
        group: 'nodes' as const,
        data: { id: nodeId(n.id), lockId: n.id, label: n.id, size: nodeSize(n.lock.sites) },
        classes: nodeClasses(n),
      })),
      ...model.edges.map((e) => ({
        group: 'edges' as const,
        data: {
          id: edgeId(e.id),
          edgeKey: e.id,
          source: nodeId(e.from),
          target: nodeId(e.to),
          label: `${e.edge.count}${e.edge.trylock ? ' try' : ''}`,
          width: Math.min(6, 1.2 + Math.log2(1 + e.edge.count)),
        },
        classes: edgeClasses(e),
      })),
    ];
    if (this.cy) this.cy.destroy();
    const layout = layoutFor(model);
    this.layoutName = layout.name;
    this.cy = cytoscape({
      container: this.opts.canvas,
      elements,
      style: styleFor(this.opts.theme),
      layout,
      minZoom: 0.02,
      maxZoom: 2,
      boxSelectionEnabled: false,
      selectionType: 'single',
    });
    this.cy.on('tap', 'node', (ev) => this.showNode(String(ev.target.data('lockId'))));
    this.cy.on('dbltap', 'node', (ev) => this.focusNeighbourhood(String(ev.target.data('lockId'))));
    this.focused = null;
    this.savedPositions = null;
    this.isolatedHidden = false;
    this.cy.on('tap', 'edge', (ev) => this.showEdge(String(ev.target.data('edgeKey'))));
    this.cy.on('tap', (ev) => {
      if (ev.target === this.cy) this.showSummary();
    });
    this.showSummary();
  }

  /** Lock classes that nest with nothing: many in a whole-tree analysis, and they drown the graph. */
  isolatedCount(): number {
    return this.cy ? this.cy.nodes().filter((n) => n.degree(false) === 0).length : 0;
  }

  setIsolatedVisible(visible: boolean): void {
    if (!this.cy) return;
    this.isolatedHidden = !visible;
    this.cy.nodes().filter((n) => n.degree(false) === 0).style('display', visible ? 'element' : 'none');
    this.cy.fit(this.cy.elements(':visible'), 24);
  }

  lockIds(): string[] {
    return this.model.nodes.map((n) => n.id);
  }

  setTheme(theme: Theme): void {
    this.opts.theme = theme;
    this.cy?.style(styleFor(theme));
  }

  /** Call after the container becomes visible or changes size. */
  resize(): void {
    if (!this.cy) return;
    this.cy.resize();
    this.cy.fit(undefined, 24);
  }

  focusLock(id: string): boolean {
    const n = this.cy?.getElementById(nodeId(id));
    if (!n || n.empty()) return false;
    if (this.focused && n.style('display') === 'none') this.showWholeGraph();
    this.showNode(id);
    this.cy!.animate({ center: { eles: n }, zoom: Math.max(this.cy!.zoom(), 1) }, { duration: 0 });
    return true;
  }

  private select(id: string | null): void {
    if (!this.cy) return;
    this.cy.elements().unselect().removeClass('dim');
    if (id) this.cy.getElementById(id).select();
  }

  showSummary(): void {
    this.select(null);
    const d = this.opts.details;
    clear(d);
    const cycles = this.model.edges.filter((e) => e.inCycle).length;
    const contention = this.model.edges.filter((e) => e.onContentionPath).length;
    d.append(
      h('h2', null, this.opts.summaryTitle),
      h(
        'p',
        { class: 'muted' },
        `${this.model.nodes.length} lock classes · ${this.model.edges.length} nesting edges` +
          (cycles ? ` · ${cycles} on cycles` : '') +
          (contention ? ` · ${contention} on contention paths` : ''),
      ),
      h('p', { class: 'hint' }, 'Click a lock or an edge to see its witnesses; click a step to open it.'),
    );
    this.renderFindings(this.model.findings, 'Findings');
  }

  private renderFindings(findings: Finding[], title: string): void {
    if (findings.length === 0) return;
    const list = h('ul', { class: 'findings' });
    for (const f of findings) {
      const item = h(
        'li',
        { class: 'finding' },
        button(`${f.rule}`, () => this.showFinding(f), { class: 'link finding-rule' }),
        h('span', { class: `badge sev-${f.severity}` }, f.severity),
        h('div', { class: 'finding-msg' }, f.message),
        h('div', { class: 'muted' }, `${f.function} · ${loc(f.file, f.line)}`),
      );
      list.append(item);
    }
    this.opts.details.append(h('h3', null, `${title} (${findings.length})`), list);
  }

  showFinding(f: Finding): void {
    if (this.cy) {
      this.cy.elements().unselect();
      const ids = new Set(f.locks.map(nodeId));
      this.cy.nodes().forEach((n) => {
        if (ids.has(n.id())) n.select();
      });
    }
    const d = this.opts.details;
    clear(d);
    d.append(
      this.backButton(),
      h('h2', null, f.rule),
      h('p', null, h('span', { class: `badge sev-${f.severity}` }, f.severity), ' ', f.message),
      h('p', { class: 'muted' }, `${f.function} · ${loc(f.file, f.line)}`),
      h('p', null, 'Locks: ', ...f.locks.flatMap((l, i) => [i ? ', ' : '', button(l, () => this.focusLock(l), { class: 'link' })])),
    );
    if (f.witness.length) d.append(h('h3', null, 'Witness'), this.witnessList(f.witness));
  }

  showNode(id: string): void {
    const n = this.model.nodes.find((x) => x.id === id);
    if (!n) return;
    this.select(nodeId(id));
    const d = this.opts.details;
    clear(d);
    const l = n.lock;
    const extra = this.opts.describe?.(n);
    append(
      d,
      this.backButton(),
      h('h2', { class: 'lock-title' }, l.id),
      h(
        'dl',
        { class: 'props' },
        h('dt', null, 'kind'),
        h('dd', null, l.kind + (l.struct ? ` (struct ${l.struct})` : '')),
        h('dt', null, 'type'),
        h('dd', null, l.lockType),
        h('dt', null, 'acquisition sites'),
        h('dd', null, String(l.sites)),
        l.contended && h('dt', null, 'contended'),
        l.contended && h('dd', null, 'yes'),
        n.inCycle && h('dt', null, 'cycle'),
        n.inCycle && h('dd', { class: 'cycle-text' }, 'on a lock-order cycle'),
      ),
      extra ? h('p', { class: `status status-${n.status}` }, extra) : null,
      this.focused === id
        ? button('Show the whole graph', () => this.showWholeGraph(), { class: 'small', id: 'show-whole' })
        : button('Show only its neighbours', () => this.focusNeighbourhood(id), { class: 'small', id: 'focus-lock', title: 'or double-click the lock' }),
    );
    const out = this.model.edges.filter((e) => e.from === id);
    const inc = this.model.edges.filter((e) => e.to === id);
    const edgeItem = (e: GraphEdge, other: string, arrow: string) =>
      h(
        'li',
        { class: `edge-item status-${e.status}` },
        button(`${arrow} ${other}`, () => this.showEdge(e.id), { class: 'link' }),
        h('span', { class: 'muted' }, ` ${e.edge.count} witness${e.edge.count === 1 ? '' : 'es'}${e.edge.trylock ? ', trylock' : ''}${e.status !== 'same' ? `, ${e.status}` : ''}`),
      );
    if (out.length) d.append(h('h3', null, `Taken while holding ${l.name || l.id} (${out.length})`), h('ul', { class: 'edges' }, ...out.map((e) => edgeItem(e, e.to, '→'))));
    if (inc.length) d.append(h('h3', null, `Held when ${l.name || l.id} is taken (${inc.length})`), h('ul', { class: 'edges' }, ...inc.map((e) => edgeItem(e, e.from, '←'))));
    if (!out.length && !inc.length) d.append(h('p', { class: 'muted' }, 'No nesting with other lock classes.'));
    this.renderFindings(this.model.findings.filter((f) => f.locks.includes(id)), 'Findings on this lock');
  }

  showEdge(key: string): void {
    const e = this.model.edges.find((x) => x.id === key);
    if (!e) return;
    this.select(edgeId(key));
    const d = this.opts.details;
    clear(d);
    const extra = this.opts.describe?.(e);
    append(
      d,
      this.backButton(),
      h('h2', { class: 'edge-title' }, button(e.from, () => this.showNode(e.from), { class: 'link' }), ' → ', button(e.to, () => this.showNode(e.to), { class: 'link' })),
      h(
        'p',
        { class: 'muted' },
        `${e.to} is taken while ${e.from} is held · ${e.edge.count} acquisition pair${e.edge.count === 1 ? '' : 's'}` +
          (e.edge.trylock ? ' · trylock (cannot deadlock by itself)' : '') +
          (e.inCycle ? ' · on a cycle' : '') +
          (e.onContentionPath ? ' · on a contention path' : ''),
      ),
      extra ? h('p', { class: `status status-${e.status}` }, extra) : null,
    );
    e.edge.witnesses.forEach((w, i) => {
      d.append(h('h3', null, `Witness ${i + 1}`), this.witnessList(w));
    });
    if (e.edge.witnesses.length < e.edge.count) {
      d.append(h('p', { class: 'muted' }, `${e.edge.count - e.edge.witnesses.length} more acquisition pairs not listed.`));
    }
  }

  /**
   * Shows only a lock class and the classes it nests with directly, laid out afresh: the way to
   * read one lock in a graph of hundreds. `showWholeGraph()` restores the full picture.
   */
  focusNeighbourhood(id: string): void {
    const cy = this.cy;
    const node = cy?.getElementById(nodeId(id));
    if (!cy || !node || node.empty()) return;
    if (!this.savedPositions) {
      this.savedPositions = new Map(cy.nodes().map((n) => [n.id(), { ...n.position() }]));
    }
    const keep = node.closedNeighborhood();
    cy.elements().style('display', 'element');
    cy.elements().not(keep).style('display', 'none');
    keep.layout({ name: 'dagre', rankDir: 'TB', nodeSep: 30, rankSep: 70, padding: 24, animate: false, nodeDimensionsIncludeLabels: true, fit: true } as cytoscape.LayoutOptions).run();
    this.focused = id;
    this.showNode(id);
  }

  showWholeGraph(): void {
    const cy = this.cy;
    if (!cy || !this.savedPositions) return;
    const saved = this.savedPositions;
    cy.nodes().forEach((n) => {
      const p = saved.get(n.id());
      if (p) n.position(p);
    });
    cy.elements().style('display', 'element');
    if (this.isolatedHidden) cy.nodes().filter((n) => n.degree(false) === 0).style('display', 'none');
    this.savedPositions = null;
    const id = this.focused;
    this.focused = null;
    cy.fit(undefined, 24);
    if (id) this.showNode(id);
  }

  private backButton(): HTMLElement {
    return button('← Overview', () => this.showSummary(), { class: 'link back' });
  }

  private witnessList(steps: WitnessStep[]): HTMLElement {
    const ol = h('ol', { class: 'witness' });
    for (const s of steps) {
      const b = button(`${s.function || '?'} — ${loc(s.file, s.line)}`, () => {
        this.selectedStep?.classList.remove('selected');
        b.classList.add('selected');
        this.selectedStep = b;
        this.opts.onReveal(s);
      }, { class: 'step', title: `Open ${loc(s.file, s.line)}` });
      ol.append(h('li', null, b, s.note ? h('div', { class: 'note' }, s.note) : null));
    }
    return ol;
  }
}
