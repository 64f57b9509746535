/**
 * Phase 2, the call graph: resolved callees per function (direct calls and function pointers
 * through the bindings) and, for sessions, the syntactic callers per callee.
 *
 * Incremental: only the dirty functions (new FnInfos, i.e. changed IR, and functions mentioning
 * a changed declaration) get their callee lists recomputed; replaced FnInfos are swapped into
 * their callers' lists in place. Any change of the graph's shape, or of the program order the
 * SCC pass starts from, is reported as `structural` (the SCCs are then rebuilt).
 */
import type { Catalog } from '../catalog/catalog';
import type { Bindings } from '../analysis/bindings';
import { calleesOf } from '../analysis/callgraph';
import type { FnInfo, Program } from '../analysis/program';
import { fileOfKey } from './keys';
import type { IndexChanges } from './program-index';

/** What a session keeps of the call graph between runs. */
export interface CallGraphState {
  succ: Map<FnInfo, FnInfo[]>;
  /** Syntactic callers per callee key (sessions only). */
  preds: Map<string, Set<string>>;
  /** Function keys per file in program order (a change of order changes Tarjan's roots). */
  fileKeys: Map<string, string[]>;
}

export interface CallGraphInput {
  prog: Program;
  cat: Catalog;
  bindings: Bindings;
  changes: IndexChanges;
  prev: CallGraphState | null;
  /** A session: record callers and file order (only its next run reads them). */
  keepState: boolean;
}

export interface CallGraph {
  state: CallGraphState;
  /** The SCCs must be rebuilt (always on a cold run). */
  structural: boolean;
  /** Functions whose local result must be recomputed. */
  dirtyFns: Set<FnInfo>;
}

export function buildCallGraph(inp: CallGraphInput): CallGraph {
  const { prog, changes } = inp;
  // Dirty: new FnInfos (IR changed) and functions mentioning a changed declaration.
  const dirtyFns = new Set<FnInfo>(changes.added);
  for (const f of changes.mentioning) dirtyFns.add(f);
  let state: CallGraphState;
  let structural: boolean;
  if (inp.prev) {
    state = inp.prev;
    structural = patchCallGraph(inp, inp.prev, dirtyFns);
  } else {
    state = { succ: new Map(), preds: new Map(), fileKeys: new Map() };
    structural = true;
    for (const f of prog.fns) {
      const list = calleesOf(prog, inp.cat, inp.bindings, f);
      state.succ.set(f, list);
      // Callers per callee are read by incremental runs only: a one-shot run skips them.
      if (inp.keepState) for (const g of list) addPred(state.preds, g.key, f.key);
    }
  }
  if (inp.keepState) {
    const fileKeys = state.fileKeys;
    for (const f of inp.prev ? [...changes.changed.keys()] : prog.files.map((x) => x.file)) {
      const seg = prog.fnsByFile.get(f);
      if (seg) fileKeys.set(f, seg.map((x) => x.key));
      else fileKeys.delete(f);
    }
  }
  return { state, structural, dirtyFns };
}

/** Patches the previous graph in place; true when its shape or program order changed. */
function patchCallGraph(inp: CallGraphInput, st: CallGraphState, dirtyFns: Set<FnInfo>): boolean {
  const { prog } = inp;
  const { succ, preds } = st;
  const { added, removed, swapped: replacedBy, changed } = inp.changes;
  // Paired by the index (same key, in order); anything left unpaired changes the call graph.
  let structural = removed.length !== replacedBy.size || added.length !== replacedBy.size;
  // Callers' successor lists point at replaced objects: swap them in place.
  for (const [o, n] of replacedBy) {
    for (const ck of preds.get(o.key) ?? []) {
      for (const c of prog.fnsByFile.get(fileOfKey(ck)) ?? []) {
        const l = c.key === ck ? succ.get(c) : undefined;
        if (l) for (let i = 0; i < l.length; i++) if (l[i] === o) l[i] = n;
      }
    }
  }
  for (const o of removed) {
    const old = succ.get(o);
    succ.delete(o);
    const n = replacedBy.get(o);
    if (n && old) succ.set(n, old.map((g) => replacedBy.get(g) ?? g));
    else if (old) for (const g of old) preds.get(g.key)?.delete(o.key); // gone for good
  }
  for (const f of dirtyFns) {
    const before = succ.get(f);
    const list = calleesOf(prog, inp.cat, inp.bindings, f);
    if (!before || before.length !== list.length || before.some((g, i) => g.key !== list[i]!.key)) {
      structural = true;
      if (before) for (const g of before) preds.get(g.key)?.delete(f.key);
      for (const g of list) addPred(preds, g.key, f.key);
    }
    succ.set(f, list);
  }
  // Tarjan's root order is program order: it must be unchanged to keep the SCC order.
  if (!structural) {
    for (const [p] of changed) {
      const before = st.fileKeys.get(p) ?? [];
      const seg = prog.fnsByFile.get(p) ?? [];
      if (before.length !== seg.length || seg.some((f, i) => f.key !== before[i])) structural = true;
    }
  }
  return structural;
}

function addPred(m: Map<string, Set<string>>, callee: string, caller: string): void {
  const s = m.get(callee);
  if (s) s.add(caller);
  else m.set(callee, new Set([caller]));
}
