/**
 * Phase 5, the lock-order graph. Per edge: distinct acquisition pairs (first step of the `from`
 * chain, last step of the `to` chain, reach statement) are counted; only the best MAX_WITNESSES
 * chains are kept.
 *
 * Incremental: only the edge keys the changed functions contributed (before or now) are rebuilt,
 * from their contributors in program order.
 */
import type { LockEdge, WitnessStep } from '../model';
import type { FnInfo, Program } from '../analysis/program';
import type { LocalResult } from '../analysis/summary';
import { cmpChain, cmpStr } from '../analysis/util';
import { isRcuId } from '../detectors/context';
import { cmpFnInfo, fnsOfKey } from './keys';

const MAX_WITNESSES = 3;

interface EdgeState {
  edge: LockEdge;
  reach: { fn: FnInfo; line: number } | null;
  readRead: boolean;
}

/** What a session keeps of the lock graph between runs. */
export interface LockGraphState {
  /** Edge keys (`from\u0000to`) each function contributes, and the contributors of each key. */
  edgeKeysOf: Map<string, string[]>;
  contributors: Map<string, Set<string>>;
  edgeStates: Map<string, EdgeState>;
  edges: LockEdge[];
  /** Where each edge is reached, in the holder of `from` (best witness). */
  edgeReach: Map<string, { fn: FnInfo; line: number }>;
  /** Edges only ever produced by a read acquisition under a read-held lock. */
  readReadEdges: Set<string>;
}

export interface LockGraphInput {
  prog: Program;
  local: Map<string, LocalResult>;
  localKeys: Set<string>;
  prev: LockGraphState | null;
}

export interface LockGraph {
  state: LockGraphState;
  /** Some edge changed (always on a cold run). */
  graphChanged: boolean;
}

export function buildLockGraph(inp: LockGraphInput): LockGraph {
  const prev = inp.prev;
  if (!prev) {
    const { edgeKeysOf, contributors } = coldContributions(inp);
    const edgeStates = accumulateEdges(inp.prog.fns, inp.local, null);
    const edges = [...edgeStates.values()].map((s) => s.edge).sort((a, b) => cmpStr(a.from, b.from) || cmpStr(a.to, b.to));
    return { state: { edgeKeysOf, contributors, edgeStates, edges, ...edgeIndexes(edgeStates) }, graphChanged: true };
  }
  const { edges, graphChanged } = patchEdges(inp, prev);
  const indexes = graphChanged ? edgeIndexes(prev.edgeStates) : { edgeReach: prev.edgeReach, readReadEdges: prev.readReadEdges };
  return { state: { ...prev, edges, ...indexes }, graphChanged };
}

const keysOfLocal = (r: LocalResult | undefined): string[] => {
  const out: string[] = [];
  for (const e of r?.edges ?? []) if (!isRcuId(e.from) && !isRcuId(e.to)) out.push(`${e.from}\u0000${e.to}`);
  return out;
};

function coldContributions(inp: LockGraphInput): Pick<LockGraphState, 'edgeKeysOf' | 'contributors'> {
  const edgeKeysOf = new Map<string, string[]>();
  const contributors = new Map<string, Set<string>>();
  for (const f of inp.prog.fns) {
    const ks = keysOfLocal(inp.local.get(f.key));
    if (!ks.length) continue;
    edgeKeysOf.set(f.key, ks);
    for (const ek of ks) {
      let s = contributors.get(ek);
      if (!s) contributors.set(ek, (s = new Set()));
      s.add(f.key);
    }
  }
  return { edgeKeysOf, contributors };
}

/** Rebuilds the edge keys the changed functions contributed (in place); the new edge list. */
function patchEdges(inp: LockGraphInput, st: LockGraphState): { edges: LockEdge[]; graphChanged: boolean } {
  const { local } = inp;
  const { edgeKeysOf, contributors, edgeStates } = st;
  const affected = new Set<string>();
  for (const k of inp.localKeys) {
    for (const ek of edgeKeysOf.get(k) ?? []) {
      affected.add(ek);
      contributors.get(ek)?.delete(k);
    }
    const now = local.has(k) ? keysOfLocal(local.get(k)) : [];
    if (now.length) edgeKeysOf.set(k, now);
    else edgeKeysOf.delete(k);
    for (const ek of now) {
      affected.add(ek);
      let s = contributors.get(ek);
      if (!s) contributors.set(ek, (s = new Set()));
      s.add(k);
    }
  }
  const fnSet = new Set<FnInfo>();
  for (const ek of affected) for (const k of contributors.get(ek) ?? []) for (const f of fnsOfKey(inp.prog, k)) fnSet.add(f);
  const fns = [...fnSet].sort(cmpFnInfo);
  const fresh = accumulateEdges(fns, local, affected);
  let keysChanged = false;
  let graphChanged = false;
  for (const ek of affected) {
    const o = edgeStates.get(ek);
    const n = fresh.get(ek);
    if (!n) {
      if (o) {
        edgeStates.delete(ek);
        contributors.delete(ek);
        keysChanged = graphChanged = true;
      }
      continue;
    }
    if (o && sameEdgeState(o, n)) continue;
    if (!o) keysChanged = true;
    graphChanged = true;
    edgeStates.set(ek, n);
  }
  if (keysChanged) return { edges: [...edgeStates.values()].map((s) => s.edge).sort((a, b) => cmpStr(a.from, b.from) || cmpStr(a.to, b.to)), graphChanged };
  if (graphChanged) return { edges: st.edges.map((e) => edgeStates.get(`${e.from}\u0000${e.to}`)!.edge), graphChanged };
  return { edges: st.edges, graphChanged };
}

function edgeIndexes(edgeStates: Map<string, EdgeState>): Pick<LockGraphState, 'edgeReach' | 'readReadEdges'> {
  const edgeReach = new Map<string, { fn: FnInfo; line: number }>();
  const readReadEdges = new Set<string>();
  for (const [k, s] of edgeStates) {
    if (s.readRead) readReadEdges.add(k);
    if (s.reach) edgeReach.set(k, s.reach);
  }
  return { edgeReach, readReadEdges };
}

function accumulateEdges(fns: readonly FnInfo[], local: Map<string, LocalResult>, only: Set<string> | null): Map<string, EdgeState> {
  interface EdgeAcc {
    from: string;
    to: string;
    pairs: Set<string>;
    best: { chain: WitnessStep[] }[];
    allTry: boolean;
    allReadRead: boolean;
    /** Smallest (file, line) reach statement among blocking pairs (where cycles are reported). */
    reach: { fn: FnInfo; line: number } | null;
  }
  const edgeMap = new Map<string, EdgeAcc>();
  for (const f of fns) {
    for (const e of local.get(f.key)?.edges ?? []) {
      if (isRcuId(e.from) || isRcuId(e.to)) continue;
      const k = `${e.from}\u0000${e.to}`;
      if (only && !only.has(k)) continue;
      let m = edgeMap.get(k);
      if (!m) edgeMap.set(k, (m = { from: e.from, to: e.to, pairs: new Set(), best: [], allTry: true, allReadRead: true, reach: null }));
      const first = e.chain[0]!;
      const last = e.chain[e.chain.length - 1]!;
      const pk = `${first.file}:${first.line}:${first.function}|${last.file}:${last.line}:${last.function}|${f.key}:${e.reachLine}`;
      if (!e.readRead) m.allReadRead = false;
      if (!e.try) {
        if (m.allTry) m.reach = null; // blocking pairs take precedence over trylock ones
        m.allTry = false;
      }
      if (!e.try || m.allTry) {
        const r = m.reach;
        if (!r || cmpStr(f.file, r.fn.file) < 0 || (f.file === r.fn.file && e.reachLine < r.line)) m.reach = { fn: f, line: e.reachLine };
      }
      if (m.pairs.has(pk)) continue;
      m.pairs.add(pk);
      const entry = { chain: e.chain };
      // Insert keeping `best` sorted (shortest, then textual) and bounded.
      let i = m.best.length;
      while (i > 0 && cmpChain(entry.chain, m.best[i - 1]!.chain) < 0) i--;
      if (i < MAX_WITNESSES) {
        m.best.splice(i, 0, entry);
        if (m.best.length > MAX_WITNESSES) m.best.pop();
      }
    }
  }
  const out = new Map<string, EdgeState>();
  for (const [k, m] of edgeMap) out.set(k, { edge: { from: m.from, to: m.to, witnesses: m.best.map((b) => b.chain), count: m.pairs.size, trylock: m.allTry }, reach: m.reach, readRead: m.allReadRead });
  return out;
}

function sameEdgeState(a: EdgeState, b: EdgeState): boolean {
  if (a.readRead !== b.readRead || a.edge.count !== b.edge.count || a.edge.trylock !== b.edge.trylock) return false;
  if ((a.reach === null) !== (b.reach === null) || (a.reach && (a.reach.fn !== b.reach!.fn || a.reach.line !== b.reach!.line))) return false;
  return JSON.stringify(a.edge.witnesses) === JSON.stringify(b.edge.witnesses);
}
