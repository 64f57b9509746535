/**
 * Summaries phase: local pass per function, bottom-up over call-graph SCCs, iterating recursive
 * SCCs until their summaries are stable (`computeSummaries`, cold). Incremental runs
 * (`recomputeComps`) re-analyse only dirty SCCs: one of their functions' IR changed, their
 * membership changed, or a summary they read (`summaryOf`, recorded per SCC) changed — so a
 * change propagates upwards only while summaries actually change. Reuse is exact: every input of
 * `FunctionAnalyzer` is the function's IR, a summary it read (recorded), names (functions
 * mentioning a changed declaration are dirty) or types/macros/bindings (a change there starts
 * from scratch).
 */
import type { FileFacts, FunctionIR } from '../ir';
import type { Problem } from '../model';
import type { Catalog } from '../catalog/catalog';
import { indirectTargets, type Bindings } from './bindings';
import { FunctionAnalyzer, type AnalyzerEnv } from './flow/function-flow';
import { MinHeap } from './flow/min-heap';
import type { LockRef } from './lock-identity';
import type { FnInfo, Program } from './program';
import { summarySig, type FnSummary, type LocalResult } from './summary';
import { cmpStr } from './util';
import { NO_ENTRIES, NONE, sharedIfEmpty } from './flow/compact';

const MAX_SCC_ITERATIONS = 6;

export interface CompRecord {
  /** Member keys, sorted and joined. */
  id: string;
  /**
   * Summaries read from outside the SCC: key → whether it existed at the time. Only recorded
   * for a session (incremental runs read them); read-only once the SCC is done (empty ones are
   * the shared empty map).
   */
  deps: ReadonlyMap<string, boolean>;
  /** noteClass calls in order, replayed when the SCC is reused (read-only once the SCC is done). */
  notes: readonly LockRef[];
  problem: Problem | null;
  /** Position in the current bottom-up SCC list (incremental runs keep it up to date). */
  idx?: number;
}

/** The SCC structure and results an incremental run (`recomputeComps`) patches in place. */
export interface SccState {
  sccs: FnInfo[][];
  sccOf: Map<string, number>;
  recursive: boolean[];
  /** SCC record per SCC index (bottom-up). */
  comps: CompRecord[];
  /** SCC records that read a key's summary from outside (for upward dirty propagation). */
  revDeps: Map<string, Set<CompRecord>>;
  summaries: Map<string, FnSummary>;
  local: Map<string, LocalResult>;
  succ: Map<FnInfo, FnInfo[]>;
  /** Syntactic callers per callee key. */
  preds: Map<string, Set<string>>;
}

export interface SummaryInputs {
  prog: Program;
  cat: Catalog;
  bindings: Bindings;
  noAnnotations: boolean;
  lineFacts: boolean;
  perNetRtnlAlsoGlobal: boolean;
}

export interface SummaryRun {
  summaries: Map<string, FnSummary>;
  local: Map<string, LocalResult>;
  /** Per SCC in bottom-up order (notes are replayed in this order). */
  comps: CompRecord[];
}

/** The SCC being analysed: summaries read from outside it are recorded as its dependencies. */
interface CompTracker {
  cur: CompRecord | null;
  /** Dependencies and notes of the SCC being analysed (moved into `cur` when it is done). */
  deps: Map<string, boolean> | null;
  notes: LockRef[] | null;
  /** Members of a recursive SCC; null for a single function (`only`). */
  inComp: Set<string> | null;
  only: string;
  /** Record dependencies (a session's runs); a one-shot analysis never reads them. */
  keepDeps: boolean;
}

function openComp(track: CompTracker, id: string, comp: FnInfo[]): CompRecord {
  const cur: CompRecord = { id, deps: NO_ENTRIES, notes: NONE, problem: null, idx: undefined };
  track.cur = cur;
  // Created on first use: most SCCs are one function that reads few summaries, notes nothing.
  track.deps = null;
  track.notes = null;
  track.inComp = comp.length > 1 ? new Set(comp.map((f) => f.key)) : null;
  track.only = comp[0]!.key;
  return cur;
}

/** Publishes the SCC's dependencies and notes: exact-size, or the shared empties. */
function closeComp(track: CompTracker): void {
  const cur = track.cur!;
  cur.deps = track.deps ? sharedIfEmpty(track.deps) : NO_ENTRIES;
  cur.notes = track.notes?.length ? track.notes.slice() : NONE;
  track.cur = null;
  track.deps = null;
  track.notes = null;
}

/** What FunctionAnalyzer sees, for the cold pass and the incremental one alike. */
function analyzerEnv(inp: SummaryInputs, summaries: Map<string, FnSummary>, track: CompTracker): AnalyzerEnv {
  const { prog, bindings } = inp;
  return {
    prog,
    cat: inp.cat,
    noAnnotations: inp.noAnnotations,
    lineFacts: inp.lineFacts,
    perNetRtnlAlsoGlobal: inp.perNetRtnlAlsoGlobal,
    summaryOf: (k) => {
      const s = summaries.get(k);
      if (track.keepDeps && track.cur && (track.inComp ? !track.inComp.has(k) : k !== track.only)) {
        const deps = (track.deps ??= new Map());
        if (!deps.has(k)) deps.set(k, s !== undefined);
      }
      return s;
    },
    indirectTargets: (callee, fn) => indirectTargets(prog, bindings, callee, fn),
    noteClass: (r) => {
      if (track.cur) (track.notes ??= []).push(r);
    },
  };
}

export function computeSummaries(inp: SummaryInputs, sccs: FnInfo[][], succ: Map<FnInfo, FnInfo[]>, checkAbort: () => void, keepDeps = true): SummaryRun {
  const summaries = new Map<string, FnSummary>();
  const local = new Map<string, LocalResult>();
  const comps: CompRecord[] = [];
  const track: CompTracker = { cur: null, deps: null, notes: null, inComp: null, only: '', keepDeps };
  const env = analyzerEnv(inp, summaries, track);
  for (const comp of sccs) {
    checkAbort();
    comp.sort((a, b) => cmpStr(a.key, b.key));
    const id = comp.length === 1 ? comp[0]!.key : comp.map((f) => f.key).join('\u0000');
    const recursive = comp.length > 1 || (succ.get(comp[0]!)?.includes(comp[0]!) ?? false);
    // The callers-first entry pass reads the SCC order (incremental runs fix it the same way).
    if (recursive) comp.splice(0, comp.length, ...postOrder(comp, succ));
    const cur = openComp(track, id, comp);
    analyzeComp(env, comp, recursive, succ, summaries, local, cur);
    comps.push(cur);
    closeComp(track);
  }
  return { summaries, local, comps };
}

/** Callees-first order inside a recursive SCC (DFS post-order) so one sweep propagates far. */
export function postOrderOf(comp: FnInfo[], succ: Map<FnInfo, FnInfo[]>): FnInfo[] {
  return postOrder(comp, succ);
}

function postOrder(comp: FnInfo[], succ: Map<FnInfo, FnInfo[]>): FnInfo[] {
  const inComp = new Set(comp);
  const post: FnInfo[] = [];
  const seenF = new Set<FnInfo>();
  const dfs = (root: FnInfo): void => {
    const stack: { f: FnInfo; i: number }[] = [{ f: root, i: 0 }];
    seenF.add(root);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const ss = (succ.get(top.f) ?? []).filter((g) => inComp.has(g));
      if (top.i < ss.length) {
        const g = ss[top.i++]!;
        if (!seenF.has(g)) {
          seenF.add(g);
          stack.push({ f: g, i: 0 });
        }
      } else {
        post.push(top.f);
        stack.pop();
      }
    }
  };
  for (const f of comp) if (!seenF.has(f)) dfs(f);
  return post;
}

function analyzeComp(env: AnalyzerEnv, comp: FnInfo[], recursive: boolean, succ: Map<FnInfo, FnInfo[]>, summaries: Map<string, FnSummary>, local: Map<string, LocalResult>, rec: CompRecord): void {
  if (!recursive) {
    const fn = comp[0]!;
    const r = new FunctionAnalyzer(env, fn).run();
    summaries.set(fn.key, r.summary);
    local.set(fn.key, r);
    return;
  }
  // Recursive SCC (already in post-order): worklist; a function is re-analysed only when a
  // callee's summary changed.
  const inComp = new Set(comp);
  const callersIn = new Map<FnInfo, FnInfo[]>();
  for (const f of comp) {
    for (const g of succ.get(f) ?? []) {
      if (!inComp.has(g)) continue;
      const l = callersIn.get(g);
      if (l) l.push(f);
      else callersIn.set(g, [f]);
    }
  }
  const order = comp;
  const idx = new Map(order.map((f, i) => [f, i]));
  const heap = new MinHeap();
  const queued = new Set<number>();
  order.forEach((_, i) => {
    heap.push(i);
    queued.add(i);
  });
  const runs = new Map<FnInfo, number>();
  let capped = false;
  while (heap.size) {
    const i = heap.pop();
    queued.delete(i);
    const fn = order[i]!;
    const n = (runs.get(fn) ?? 0) + 1;
    runs.set(fn, n);
    const r = new FunctionAnalyzer(env, fn).run();
    const before = summaries.get(fn.key);
    summaries.set(fn.key, r.summary);
    local.set(fn.key, r);
    if (before && summarySig(before) === summarySig(r.summary)) continue;
    if (n >= MAX_SCC_ITERATIONS) {
      capped = true;
      continue;
    }
    for (const c of callersIn.get(fn) ?? []) {
      const j = idx.get(c)!;
      if (!queued.has(j)) {
        queued.add(j);
        heap.push(j);
      }
    }
  }
  if (capped) {
    rec.problem = { severity: 'info', code: 'recursion-cap', message: `Summaries of a recursive cycle (${order.slice(0, 5).map((f) => f.ir.name).join(', ')}${order.length > 5 ? ', …' : ''}) did not converge in ${MAX_SCC_ITERATIONS} rounds; results there are approximate.`, file: order[0]!.file, line: order[0]!.ir.line };
  }
}

const jsonReplacer = (_k: string, v: unknown): unknown => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v);

const irSigCache = new WeakMap<FunctionIR, string>();
export function irSig(ir: FunctionIR): string {
  let v = irSigCache.get(ir);
  if (v === undefined) irSigCache.set(ir, (v = JSON.stringify(ir)));
  return v;
}

const fullSigCache = new WeakMap<FnSummary, string>();
function fullSig(s: FnSummary): string {
  let v = fullSigCache.get(s);
  if (v === undefined) fullSigCache.set(s, (v = JSON.stringify(s, jsonReplacer)));
  return v;
}

const hardSigCache = new WeakMap<FileFacts, string>();
/** Types and macros of a file: any change there re-analyses everything. */
export function fileHardSig(f: FileFacts): string {
  let v = hardSigCache.get(f);
  if (v === undefined) hardSigCache.set(f, (v = JSON.stringify([f.file, f.structs, f.typedefs, f.macros])));
  return v;
}

const namesCache = new WeakMap<FileFacts, Map<string, string>>();
/**
 * Named declarations of a file other code can see (function signatures, globals, prototypes):
 * name → key. A change here re-analyses only the functions that mention the name.
 */
export function fileNames(f: FileFacts): Map<string, string> {
  let m = namesCache.get(f);
  if (m) return m;
  m = new Map();
  const add = (name: string, v: unknown): void => {
    const s = JSON.stringify(v);
    m!.set(name, (m!.get(name) ?? '') + s);
  };
  for (const fn of f.functions ?? []) if (fn?.name) add(fn.name, ['f', fn.isStatic, !!fn.body, fn.returnType, fn.params, fn.annotations]);
  for (const g of f.globals ?? []) if (g?.name) add(g.name, ['g', g]);
  for (const p of f.prototypes ?? []) if (p?.name) add(p.name, ['p', p]);
  namesCache.set(f, m);
  return m;
}

/** Names whose declarations differ between two versions of the file set. */
export function changedNames(prev: ReadonlyMap<string, FileFacts>, cur: ReadonlyMap<string, FileFacts>, changed?: ReadonlyMap<string, FileFacts | null>): Set<string> {
  const out = new Set<string>();
  const diff = (a: FileFacts | undefined, b: FileFacts | undefined): void => {
    const ma = a ? fileNames(a) : new Map<string, string>();
    const mb = b ? fileNames(b) : new Map<string, string>();
    for (const [k, v] of ma) if (mb.get(k) !== v) out.add(k);
    for (const [k, v] of mb) if (ma.get(k) !== v) out.add(k);
  };
  if (changed) {
    for (const [p, f] of changed) diff(prev.get(p), f ?? undefined);
    return out;
  }
  for (const [p, f] of cur) {
    const o = prev.get(p);
    if (o !== f) diff(o, f);
  }
  for (const [p, o] of prev) if (!cur.has(p)) diff(o, undefined);
  return out;
}

// Identifier start / continuation, as /[A-Za-z_][A-Za-z0-9_]*/g tokenises (by char code: the
// regex's match objects made this scan the largest part of a series' first patch).
const isIdStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isIdPart = (c: number): boolean => isIdStart(c) || (c >= 48 && c <= 57);

function scanIdents(v: string, out: Set<string>): void {
  const n = v.length;
  let i = 0;
  while (i < n) {
    if (!isIdStart(v.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isIdPart(v.charCodeAt(j))) j++;
    out.add(i === 0 && j === n ? v : v.slice(i, j));
    i = j;
  }
}

function collectIdents(v: unknown, out: Set<string>): void {
  if (typeof v === 'string') scanIdents(v, out);
  else if (Array.isArray(v)) {
    for (const x of v) collectIdents(x, out);
  } else if (v !== null && typeof v === 'object') {
    for (const k in v) collectIdents((v as Record<string, unknown>)[k], out);
  }
}

const refsCache = new WeakMap<FunctionIR, Set<string>>();
/** Every identifier a function mentions (callees, globals, types by name), plus its own name. */
export function referencedNames(ir: FunctionIR): Set<string> {
  let s = refsCache.get(ir);
  if (s) return s;
  s = new Set<string>([ir.name]);
  // Identifiers in every string of the IR: names, callee ids, type texts, statement texts;
  // over-approximate by design (walking the values is cheaper than serialising the IR).
  collectIdents(ir, s);
  refsCache.set(ir, s);
  return s;
}

/**
 * Incremental summaries over an unchanged SCC structure: re-analyses the SCCs in `dirty` (by
 * bottom-up index) and, while summaries change, the SCCs that read them; in bottom-up order, so
 * each SCC sees its callees' final summaries, exactly as `computeSummaries` would.
 * Returns the keys whose summary content changed and the SCC indices that were re-analysed.
 */
export function recomputeComps(inp: SummaryInputs, st: SccState, dirty: Iterable<number>, checkAbort: () => void): { changed: Set<string>; redone: number[]; before: Map<string, LocalResult | undefined>; notesChanged: boolean } {
  const { summaries, local, sccs, succ } = st;
  const changed = new Set<string>();
  const track: CompTracker = { cur: null, deps: null, notes: null, inComp: null, only: '', keepDeps: true };
  const env = analyzerEnv(inp, summaries, track);
  const heap = new MinHeap();
  const queued = new Set<number>();
  const push = (i: number): void => {
    if (!queued.has(i)) {
      queued.add(i);
      heap.push(i);
    }
  };
  for (const i of dirty) push(i);
  const redone: number[] = [];
  const beforeLocal = new Map<string, LocalResult | undefined>();
  let notesChanged = false;
  while (heap.size) {
    checkAbort();
    const i = heap.pop();
    const comp = sccs[i]!;
    const old = st.comps[i]!;
    const id = comp.map((f) => f.key).join('\u0000');
    const cur = openComp(track, id, comp);
    const before = comp.map((f) => summaries.get(f.key));
    for (const f of comp) if (!beforeLocal.has(f.key)) beforeLocal.set(f.key, local.get(f.key));
    analyzeComp(env, comp, st.recursive[i]!, succ, summaries, local, cur);
    closeComp(track);
    cur.idx = i;
    for (const [k] of old.deps) st.revDeps.get(k)?.delete(old);
    for (const [k] of cur.deps) addRec(st.revDeps, k, cur);
    if (!notesChanged && (old.notes.length !== cur.notes.length || JSON.stringify(old.notes) !== JSON.stringify(cur.notes))) notesChanged = true;
    st.comps[i] = cur;
    redone.push(i);
    comp.forEach((f, j) => {
      const r = local.get(f.key)!;
      const b = before[j];
      if (b && fullSig(b) === fullSig(r.summary)) return;
      changed.add(f.key);
      for (const d of st.revDeps.get(f.key) ?? []) if (d.idx !== i) push(d.idx!);
      // Callers read callee summaries through summaryOf (deps cover them); a cheap extra guard.
      for (const c of st.preds.get(f.key) ?? []) {
        const d = st.sccOf.get(c);
        if (d !== undefined && d !== i) push(d);
      }
    });
  }
  return { changed, redone, before: beforeLocal, notesChanged };
}


export function addRec(m: Map<string, Set<CompRecord>>, k: string, c: CompRecord): void {
  const s = m.get(k);
  if (s) s.add(c);
  else m.set(k, new Set([c]));
}
