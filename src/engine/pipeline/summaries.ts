/**
 * Phase 3, summaries: the local pass per function, bottom-up over call-graph SCCs, iterating
 * each SCC until its summaries are stable (recursion converges; capped), and the lock classes
 * (`noteClass` calls replayed in SCC order).
 *
 * Incremental: the same SCCs are kept while the call graph's shape is unchanged (replaced FnInfos
 * swapped in); otherwise they are rebuilt, and every SCC whose members are unchanged and clean
 * keeps its record and results. Dirty SCCs are re-analysed, and upwards while summaries change
 * (analysis/scc-summaries.ts).
 */
import type { Problem } from '../model';
import { sccsBottomUp } from '../analysis/callgraph';
import type { LockRef } from '../analysis/lock-identity';
import type { FnInfo, Program } from '../analysis/program';
import { addRec, computeSummaries, postOrderOf, recomputeComps, type CompRecord, type SccState, type SummaryInputs } from '../analysis/scc-summaries';
import type { FnSummary, LocalResult } from '../analysis/summary';
import { NO_ENTRIES, NONE } from '../analysis/flow/compact';
import { cmpStr } from '../analysis/util';
import type { IndexChanges } from './program-index';

/** What a session keeps of the summaries between runs. */
export interface SummaryState {
  sccs: FnInfo[][];
  sccOf: Map<string, number>;
  recursive: boolean[];
  /** SCC record per SCC index (bottom-up), for the class-note replay. */
  comps: CompRecord[];
  /** SCC records that read a key's summary from outside (for upward dirty propagation). */
  revDeps: Map<string, Set<CompRecord>>;
  classes: Map<string, LockRef>;
  summaries: Map<string, FnSummary>;
  local: Map<string, LocalResult>;
  /** Problems of SCCs (recursion caps), by SCC index. */
  compProblems: Map<number, Problem>;
}

export interface SummaryPhaseInput {
  prog: Program;
  inputs: SummaryInputs;
  succ: Map<FnInfo, FnInfo[]>;
  preds: Map<string, Set<string>>;
  structural: boolean;
  dirtyFns: Set<FnInfo>;
  changes: IndexChanges;
  prev: SummaryState | null;
  /** A session: record SCC dependencies (only its next run reads them). */
  keepDeps: boolean;
  checkAbort: () => void;
}

export interface Summaries {
  state: SummaryState;
  /** Keys whose summary content changed, or null = unknown (everything). */
  changedSummaries: Set<string> | null;
  /** Previous local result of every function whose local result may have changed (null: cold run, all changed). */
  oldLocal: Map<string, LocalResult | undefined> | null;
  /** Per SCC when the SCCs were rebuilt: true for a new one (its entry contexts restart). */
  newCompAt: boolean[];
  /** Keys whose local result may have changed (empty on a cold run: there, everything is new). */
  localKeys: Set<string>;
  /** Functions whose results were reused. */
  reused: number;
}

export function computeSummaryPhase(inp: SummaryPhaseInput): Summaries {
  return inp.prev ? incrementalSummaries(inp, inp.prev) : coldSummaries(inp);
}

function coldSummaries(inp: SummaryPhaseInput): Summaries {
  const { succ, keepDeps } = inp;
  const sccs = sccsBottomUp(inp.prog.fns, succ);
  // A one-shot run (no session) never re-reads SCC dependencies: not recorded.
  const sumRun = computeSummaries(inp.inputs, sccs, succ, inp.checkAbort, keepDeps);
  const comps = sumRun.comps;
  const sccOf = new Map<string, number>();
  const recursive: boolean[] = [];
  const revDeps = new Map<string, Set<CompRecord>>();
  sccs.forEach((comp, i) => {
    for (const f of comp) sccOf.set(f.key, i);
    recursive.push(comp.length > 1 || (succ.get(comp[0]!) ?? []).includes(comp[0]!));
    const c = comps[i]!;
    c.idx = i;
    if (keepDeps) for (const [k] of c.deps) addRec(revDeps, k, c);
  });
  const compProblems = new Map<number, Problem>();
  comps.forEach((c, i) => c.problem && compProblems.set(i, c.problem));
  const state: SummaryState = { sccs, sccOf, recursive, comps, revDeps, classes: replayNotes(comps), summaries: sumRun.summaries, local: sumRun.local, compProblems };
  return { state, changedSummaries: null, oldLocal: null, newCompAt: [], localKeys: new Set(), reused: 0 };
}

function incrementalSummaries(inp: SummaryPhaseInput, st: SummaryState): Summaries {
  const { prog, structural, dirtyFns } = inp;
  const dirtySccs = new Set<number>();
  let sccs = st.sccs;
  let sccOf = st.sccOf;
  let recursive = st.recursive;
  let comps = st.comps;
  let newCompAt: boolean[] = [];
  let goneLocal: Map<string, LocalResult | undefined> | null = null;
  if (!structural) {
    // Same SCCs: swap replaced FnInfos in.
    for (const [o, n] of inp.changes.swapped) {
      const comp = sccs[sccOf.get(o.key)!]!;
      const i = comp.indexOf(o);
      if (i >= 0) comp[i] = n;
    }
  } else {
    const rebuilt = rebuildSccs(inp, st, dirtySccs);
    ({ sccs, sccOf, recursive, comps, newCompAt, goneLocal } = rebuilt);
  }
  for (const f of dirtyFns) dirtySccs.add(sccOf.get(f.key)!);
  // Re-analyse dirty SCCs and, while summaries change, the SCCs reading them.
  const scc: SccState = { sccs, sccOf, recursive, comps, revDeps: st.revDeps, summaries: st.summaries, local: st.local, succ: inp.succ, preds: inp.preds };
  const run = recomputeComps(inp.inputs, scc, dirtySccs, inp.checkAbort);
  const oldLocal = run.before;
  for (const [k, r] of goneLocal ?? []) oldLocal.set(k, r);
  let redoneFns = 0;
  for (const i of run.redone) redoneFns += sccs[i]!.length;
  const classes = run.notesChanged || structural ? replayNotes(comps) : st.classes;
  let compProblems: Map<number, Problem>;
  if (!structural) {
    compProblems = st.compProblems;
    for (const i of run.redone) {
      const pr = comps[i]!.problem;
      if (pr) compProblems.set(i, pr);
      else compProblems.delete(i);
    }
  } else {
    compProblems = new Map();
    comps.forEach((c, i) => c.problem && compProblems.set(i, c.problem));
  }
  const localKeys = new Set<string>(oldLocal.keys());
  for (const o of inp.changes.removed) localKeys.add(o.key);
  const state: SummaryState = { sccs, sccOf, recursive, comps, revDeps: st.revDeps, classes, summaries: st.summaries, local: st.local, compProblems };
  return { state, changedSummaries: run.changed, oldLocal, newCompAt, localKeys, reused: prog.fns.length - redoneFns };
}

/**
 * Call graph changed: new SCCs (Tarjan over the whole graph, cheap next to the local pass); an
 * SCC with the same members and no dirty member keeps its record and results. Adds the SCCs to
 * re-analyse to `dirtySccs`; drops the results of functions that are gone (returned).
 */
function rebuildSccs(inp: SummaryPhaseInput, st: SummaryState, dirtySccs: Set<number>) {
  const { succ, dirtyFns } = inp;
  const sccs = sccsBottomUp(inp.prog.fns, succ);
  const sccOf = new Map<string, number>();
  const recursive: boolean[] = [];
  const newCompAt: boolean[] = [];
  const comps: CompRecord[] = [];
  const kept = new Set<CompRecord>();
  sccs.forEach((comp, i) => {
    const rec = comp.length > 1 || (succ.get(comp[0]!) ?? []).includes(comp[0]!);
    let id: string;
    if (comp.length > 1) {
      comp.sort((x, y) => cmpStr(x.key, y.key));
      id = comp.map((f) => f.key).join('\u0000');
      // The callers-first entry pass reads the SCC order (as computeSummaries fixes it).
      if (rec) comp.splice(0, comp.length, ...postOrderOf(comp, succ));
    } else id = comp[0]!.key;
    recursive.push(rec);
    for (const f of comp) sccOf.set(f.key, i);
    // Same members as an old SCC (found through its first member) and none dirty: keep it.
    const oi = st.sccOf.get(comp[0]!.key);
    const old = oi !== undefined ? st.comps[oi] : undefined;
    if (old && old.id === id && !kept.has(old) && !comp.some((f) => dirtyFns.has(f) || !st.local.has(f.key))) {
      old.idx = i;
      kept.add(old);
      comps.push(old);
      newCompAt.push(false);
    } else {
      comps.push({ id, deps: NO_ENTRIES, notes: NONE, problem: null, idx: i });
      dirtySccs.add(i);
      newCompAt.push(true);
    }
  });
  // Dropped SCC records no longer read anything.
  for (const c of st.comps) if (!kept.has(c)) for (const [k] of c.deps) st.revDeps.get(k)?.delete(c);
  // Functions that are gone: drop their results; whoever read them is re-analysed.
  const goneKeys: string[] = [];
  for (const k of st.local.keys()) if (!sccOf.has(k)) goneKeys.push(k);
  const goneLocal = new Map<string, LocalResult | undefined>();
  for (const k of goneKeys) {
    goneLocal.set(k, st.local.get(k));
    st.local.delete(k);
    st.summaries.delete(k);
    for (const d of st.revDeps.get(k) ?? []) dirtySccs.add(d.idx!);
  }
  // New functions: whoever read their summary while it was absent is re-analysed.
  for (const f of inp.changes.added) if (!st.local.has(f.key)) for (const d of st.revDeps.get(f.key) ?? []) dirtySccs.add(d.idx!);
  return { sccs, sccOf, recursive, comps, newCompAt, goneLocal };
}

/** Class metadata: noteClass calls replayed in SCC order (first known declared type wins). */
function replayNotes(comps: CompRecord[]): Map<string, LockRef> {
  const classes = new Map<string, LockRef>();
  for (const c of comps) {
    for (const r of c.notes) {
      const prev = classes.get(r.id);
      if (!prev || (prev.declType === 'unknown' && r.declType !== 'unknown')) classes.set(r.id, r);
    }
  }
  return classes;
}
