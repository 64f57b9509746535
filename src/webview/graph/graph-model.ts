/**
 * Pure model of the lock graph as drawn: which classes and nesting edges exist, which lie on a
 * cycle or a contention path, and (for a series) which were added or removed up to patch k.
 * No DOM and no cytoscape here, so it is unit-tested directly.
 */
import type { AnalysisResult, Finding, LockClass, LockEdge } from '../../engine/model';
import type { SeriesJson } from '../../protocol/webview-messages';

export type DiffStatus = 'same' | 'added' | 'removed';

export interface GraphNode {
  id: string;
  lock: LockClass;
  /** Lock class exists only because an edge names it (no LockClass entry in the data). */
  synthetic: boolean;
  inCycle: boolean;
  onContentionPath: boolean;
  status: DiffStatus;
  /** Patch that added/removed it (series only). */
  patch?: number;
}

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  edge: LockEdge;
  inCycle: boolean;
  onContentionPath: boolean;
  status: DiffStatus;
  patch?: number;
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Findings active in this state (base findings, or after patch k). */
  findings: Finding[];
}

/** Rules whose `locks` describe a contention path worth highlighting. */
const CONTENTION_RULES = new Set(['contention-transfer', 'rtnl-in-periodic-path']);

export function edgeKey(from: string, to: string): string {
  // U+2192 cannot be confused with characters of a C lock expression.
  return `${from}\u2192${to}`;
}

function syntheticLock(id: string): LockClass {
  return { id, kind: 'other', name: id, struct: null, lockType: 'unknown', sites: 0, contended: false };
}

/**
 * Node ids that lie on a potential deadlock cycle, and the edges between them. Trylock edges are
 * left out: a trylock never waits, so it cannot close a deadlock cycle (lockdep agrees).
 * A self-edge (recursive acquisition of one class) counts as a cycle.
 */
export function findCycles(nodeIds: string[], edges: Array<{ from: string; to: string; trylock: boolean }>): {
  nodes: Set<string>;
  edges: Set<string>;
} {
  const adj = new Map<string, string[]>();
  for (const id of nodeIds) adj.set(id, []);
  for (const e of edges) {
    if (e.trylock) continue;
    if (!adj.has(e.from)) adj.set(e.from, []);
    if (!adj.has(e.to)) adj.set(e.to, []);
    adj.get(e.from)!.push(e.to);
  }
  // Tarjan's SCC, iterative so a long chain cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const comp = new Map<string, number>();
  const compSize: number[] = [];
  let next = 0;
  for (const root of adj.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: root, i: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1];
      const succ = adj.get(top.v)!;
      if (top.i < succ.length) {
        const w = succ[top.i++];
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        const id = compSize.length;
        let size = 0;
        for (;;) {
          const w = stack.pop()!;
          onStack.delete(w);
          comp.set(w, id);
          size++;
          if (w === top.v) break;
        }
        compSize.push(size);
      }
    }
  }
  const nodes = new Set<string>();
  const cyc = new Set<string>();
  for (const e of edges) {
    if (e.trylock) continue;
    const c = comp.get(e.from);
    if (c === undefined || c !== comp.get(e.to)) continue;
    if (e.from === e.to || compSize[c] > 1) {
      cyc.add(edgeKey(e.from, e.to));
      nodes.add(e.from);
      nodes.add(e.to);
    }
  }
  return { nodes, edges: cyc };
}

/**
 * Lock ids and edges on contention paths: the locks of contention findings, plus explicit lock
 * chains (a series' contention paths, `contended ⇢ via…`). Consecutive locks of one chain mark
 * the edge between them in either direction.
 */
export function contentionMarks(findings: Finding[], chains: string[][] = []): { nodes: Set<string>; pairs: Set<string> } {
  const nodes = new Set<string>();
  const pairs = new Set<string>();
  const all = [...findings.filter((f) => CONTENTION_RULES.has(f.rule)).map((f) => f.locks), ...chains];
  for (const locks of all) {
    for (const l of locks) nodes.add(l);
    for (let i = 0; i + 1 < locks.length; i++) {
      pairs.add(edgeKey(locks[i], locks[i + 1]));
      pairs.add(edgeKey(locks[i + 1], locks[i]));
    }
  }
  return { nodes, pairs };
}

interface Draft {
  nodes: Map<string, GraphNode>;
  edges: Map<string, GraphEdge>;
}

function addNode(d: Draft, lock: LockClass, synthetic: boolean, status: DiffStatus = 'same', patch?: number): void {
  const prev = d.nodes.get(lock.id);
  if (prev && !prev.synthetic && synthetic) return;
  d.nodes.set(lock.id, { id: lock.id, lock, synthetic, inCycle: false, onContentionPath: false, status, ...(patch !== undefined ? { patch } : {}) });
}

function addEdge(d: Draft, e: LockEdge, status: DiffStatus = 'same', patch?: number): void {
  const id = edgeKey(e.from, e.to);
  d.edges.set(id, { id, from: e.from, to: e.to, edge: e, inCycle: false, onContentionPath: false, status, ...(patch !== undefined ? { patch } : {}) });
  for (const end of [e.from, e.to]) if (!d.nodes.has(end)) addNode(d, syntheticLock(end), true);
}

function finish(d: Draft, findings: Finding[], chains: string[][] = []): GraphModel {
  // Removed edges no longer exist: they neither close cycles nor carry contention.
  const live = [...d.edges.values()].filter((e) => e.status !== 'removed');
  const cycles = findCycles(
    [...d.nodes.keys()],
    live.map((e) => ({ from: e.from, to: e.to, trylock: e.edge.trylock })),
  );
  const cont = contentionMarks(findings, chains);
  for (const n of d.nodes.values()) {
    n.inCycle = cycles.nodes.has(n.id);
    n.onContentionPath = n.status !== 'removed' && cont.nodes.has(n.id);
  }
  for (const e of d.edges.values()) {
    e.inCycle = cycles.edges.has(e.id);
    e.onContentionPath = e.status !== 'removed' && cont.pairs.has(e.id);
  }
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return { nodes: [...d.nodes.values()].sort(byId), edges: [...d.edges.values()].sort(byId), findings };
}

export function buildAnalysisGraph(analysis: AnalysisResult): GraphModel {
  const d: Draft = { nodes: new Map(), edges: new Map() };
  for (const l of analysis.locks) addNode(d, l, false);
  for (const e of analysis.edges) addEdge(d, e);
  return finish(d, analysis.findings);
}

/** Fingerprint, or a location-based stand-in when the producer left it empty. */
function findingKey(f: Finding): string {
  return f.fingerprint || `${f.rule}|${f.function}|${f.locks.join(',')}|${f.file}:${f.line}`;
}

/** Findings active after patch k (0 = base). */
export function findingsAfterPatch(analysis: AnalysisResult | undefined, series: SeriesJson, k: number): Finding[] {
  const resolvedByK = new Set(series.findings.resolved.filter((f) => (f.patch ?? Infinity) <= k).map(findingKey));
  const out = new Map<string, Finding>();
  if (analysis) for (const f of analysis.findings) out.set(findingKey(f), f);
  else {
    // No base analysis: the base findings are the persisting ones plus those resolved later.
    for (const f of series.findings.persisting) out.set(findingKey(f), f);
    for (const f of series.findings.resolved) out.set(findingKey(f), f);
  }
  for (const key of resolvedByK) out.delete(key);
  for (const f of series.findings.introduced) if ((f.patch ?? Infinity) <= k) out.set(findingKey(f), f);
  return [...out.values()];
}

/**
 * The graph after patch k (0 = base tree). Added edges/locks up to k are `added`; removed ones
 * up to k stay visible as `removed`; changes of later patches are not yet applied. Without a base
 * analysis only the changed part of the graph (and the locks it touches) is known.
 */
export function buildSeriesGraph(analysis: AnalysisResult | undefined, series: SeriesJson, k: number): GraphModel {
  const d: Draft = { nodes: new Map(), edges: new Map() };
  if (analysis) {
    for (const l of analysis.locks) addNode(d, l, false);
    for (const e of analysis.edges) addEdge(d, e);
  }
  for (const l of series.locks.removed) {
    const p = l.patch;
    if (p !== undefined && p <= k) addNode(d, l, false, 'removed', p);
    else if (!d.nodes.has(l.id) || d.nodes.get(l.id)!.synthetic) addNode(d, l, false);
  }
  for (const l of series.locks.added) {
    const p = l.patch ?? Infinity;
    if (p <= k) addNode(d, l, false, 'added', l.patch);
    else if (!analysis?.locks.some((b) => b.id === l.id)) d.nodes.delete(l.id); // appears only later
  }
  for (const e of series.edges.removed) {
    if (e.patch <= k) addEdge(d, e, 'removed', e.patch);
    else if (!d.edges.has(edgeKey(e.from, e.to))) addEdge(d, e);
  }
  for (const e of series.edges.added) {
    if (e.patch <= k) addEdge(d, e, 'added', e.patch);
    else d.edges.delete(edgeKey(e.from, e.to));
  }
  // Placeholders made for endpoints of edges that are not drawn at this patch go away.
  const used = new Set<string>();
  for (const e of d.edges.values()) used.add(e.from).add(e.to);
  for (const [id, n] of d.nodes) if (n.synthetic && !used.has(id)) d.nodes.delete(id);
  return finish(d, findingsAfterPatch(analysis, series, k), contentionAfterPatch(series, k));
}

/**
 * Contention paths known to exist after patch k, as lock chains: those the series adds up to k,
 * and those it removes only later (they exist until then). Paths it never touches come from the
 * base findings instead.
 */
export function contentionAfterPatch(series: SeriesJson, k: number): string[][] {
  const c = series.contention;
  if (!c) return [];
  return [...c.added.filter((p) => p.patch <= k), ...c.removed.filter((p) => p.patch > k)].map((p) => [p.contended, ...p.via]);
}

/** Per-patch counts for the patch list. */
export interface PatchSummary {
  index: number;
  edgesAdded: number;
  edgesRemoved: number;
  locksAdded: number;
  locksRemoved: number;
  findingsIntroduced: number;
  findingsResolved: number;
  entryChanged: number;
  contentionAdded: number;
  contentionRemoved: number;
  rcuChanges: number;
}

export function summarisePatches(series: SeriesJson): PatchSummary[] {
  return series.patches.map((p) => {
    const at = (x: { patch?: number }) => x.patch === p.index;
    return {
      index: p.index,
      edgesAdded: series.edges.added.filter(at).length,
      edgesRemoved: series.edges.removed.filter(at).length,
      locksAdded: series.locks.added.filter(at).length,
      locksRemoved: series.locks.removed.filter(at).length,
      findingsIntroduced: series.findings.introduced.filter(at).length,
      findingsResolved: series.findings.resolved.filter(at).length,
      entryChanged: series.functions.entryChanged.filter(at).length,
      contentionAdded: series.contention?.added.filter(at).length ?? 0,
      contentionRemoved: series.contention?.removed.filter(at).length ?? 0,
      rcuChanges: (series.rcu?.added.filter(at).length ?? 0) + (series.rcu?.removed.filter(at).length ?? 0),
    };
  });
}
