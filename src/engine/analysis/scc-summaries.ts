/**
 * Summaries phase: local pass per function, bottom-up over call-graph SCCs, iterating recursive
 * SCCs until their summaries are stable. Optionally reuses a previous run's per-SCC results:
 * an SCC is re-analysed only when one of its functions' IR changed, its membership changed, or a
 * summary it read (`summaryOf`) changed — so a change propagates upwards only while summaries
 * actually change. Reuse is exact: every input of `FunctionAnalyzer` is either the function's IR,
 * a summary it read (recorded), or program-wide data covered by `globalSignature`.
 */
import type { FileFacts, FunctionIR } from '../ir';
import type { Problem } from '../model';
import type { Catalog } from '../catalog/catalog';
import { indirectTargets, type Bindings } from './bindings';
import { FunctionAnalyzer, MinHeap, type AnalyzerEnv } from './function-flow';
import type { LockRef } from './lock-identity';
import type { FnInfo, Program } from './program';
import { summarySig, type FnSummary, type LocalResult } from './summary';
import { cmpStr } from './util';

const MAX_SCC_ITERATIONS = 6;

export interface FnRecord {
  ir: FunctionIR;
  local: LocalResult;
}

export interface CompRecord {
  /** Member keys, sorted and joined. */
  id: string;
  /** Summaries read from outside the SCC: key → whether it existed at the time. */
  deps: Map<string, boolean>;
  /** noteClass calls in order, replayed when the SCC is reused. */
  notes: LockRef[];
  problem: Problem | null;
}

export interface SummaryState {
  globalSig: string;
  fns: Map<string, FnRecord>;
  comps: Map<string, CompRecord>;
  /** Callee keys per function, in call order (valid while globalSig and the IR are unchanged). */
  succ: Map<string, string[]>;
  /** The file set this state was computed from (for name-level change detection). */
  files: Map<string, FileFacts>;
}

/** Handed to `analyzeFactsReusing`: the previous state in, the new one out. */
export interface ReuseSlot {
  prev: SummaryState | null;
  next?: SummaryState;
  globalSig: string;
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
  compByKey: Map<string, CompRecord>;
  fnRecords: Map<string, FnRecord>;
  reused: number;
}

/** A function must be re-analysed when it mentions a name whose declaration changed. */
export function mentionsChanged(ir: FunctionIR, changed: ReadonlySet<string>): boolean {
  if (changed.size === 0) return false;
  const refs = referencedNames(ir);
  if (changed.size < refs.size) {
    for (const n of changed) if (refs.has(n)) return true;
    return false;
  }
  for (const n of refs) if (changed.has(n)) return true;
  return false;
}

export function computeSummaries(inp: SummaryInputs, sccs: FnInfo[][], succ: Map<FnInfo, FnInfo[]>, prev: SummaryState | null, checkAbort: () => void, dirtyNames: ReadonlySet<string> = new Set()): SummaryRun {
  const { prog, bindings } = inp;
  const summaries = new Map<string, FnSummary>();
  const local = new Map<string, LocalResult>();
  const fnRecords = new Map<string, FnRecord>();
  const comps: CompRecord[] = [];
  const compByKey = new Map<string, CompRecord>();
  /** Keys whose summary differs from the previous run (or that are new / gone). */
  const changed = new Set<string>();
  if (prev) {
    const now = new Set(prog.fns.map((f) => f.key));
    for (const k of prev.fns.keys()) if (!now.has(k)) changed.add(k);
  }
  let cur: CompRecord | null = null;
  let inComp: Set<string> = new Set();
  const env: AnalyzerEnv = {
    prog,
    cat: inp.cat,
    noAnnotations: inp.noAnnotations,
    lineFacts: inp.lineFacts,
    perNetRtnlAlsoGlobal: inp.perNetRtnlAlsoGlobal,
    summaryOf: (k) => {
      const s = summaries.get(k);
      if (cur && !inComp.has(k) && !cur.deps.has(k)) cur.deps.set(k, s !== undefined);
      return s;
    },
    indirectTargets: (callee, fn) => indirectTargets(prog, bindings, callee, fn),
    noteClass: (r) => cur?.notes.push(r),
  };
  let reused = 0;
  for (const comp of sccs) {
    checkAbort();
    comp.sort((a, b) => cmpStr(a.key, b.key));
    const id = comp.map((f) => f.key).join('\u0000');
    const recursive = comp.length > 1 || (succ.get(comp[0]!) ?? []).includes(comp[0]!);
    // The callers-first entry pass reads the SCC order, so it is fixed whether or not we reuse.
    if (recursive) comp.splice(0, comp.length, ...postOrder(comp, succ));
    const old = prev ? reusable(prev, comp, id, succ, summaries, changed, dirtyNames) : null;
    if (old) {
      for (const f of comp) {
        const rec = prev!.fns.get(f.key)!;
        summaries.set(f.key, rec.local.summary);
        local.set(f.key, rec.local);
        // Keep the current IR object so the next run's identity checks stay cheap.
        fnRecords.set(f.key, rec.ir === f.ir ? rec : { ...rec, ir: f.ir });
      }
      comps.push(old);
      for (const f of comp) compByKey.set(f.key, old);
      reused += comp.length;
      continue;
    }
    cur = { id, deps: new Map(), notes: [], problem: null };
    inComp = new Set(comp.map((f) => f.key));
    analyzeComp(env, comp, recursive, succ, summaries, local, cur);
    for (const f of comp) {
      const r = local.get(f.key)!;
      const before = prev?.fns.get(f.key);
      // Compared on the full content (witness chains too: callers' results depend on all of it),
      // and only when there is a previous run: a cold run never pays for the key.
      if (prev && (!before || fullSig(before.local.summary) !== fullSig(r.summary))) changed.add(f.key);
      fnRecords.set(f.key, { ir: f.ir, local: r });
      compByKey.set(f.key, cur);
    }
    comps.push(cur);
    cur = null;
  }
  return { summaries, local, comps, compByKey, fnRecords, reused };
}

/** The previous record of an SCC when nothing it depends on changed. */
function reusable(prev: SummaryState, comp: FnInfo[], id: string, succ: Map<FnInfo, FnInfo[]>, summaries: Map<string, FnSummary>, changed: Set<string>, dirtyNames: ReadonlySet<string>): CompRecord | null {
  const rec = prev.comps.get(comp[0]!.key);
  if (!rec || rec.id !== id) return null;
  const members = new Set(comp.map((f) => f.key));
  for (const f of comp) {
    const fr = prev.fns.get(f.key);
    if (!fr || (fr.ir !== f.ir && irSig(fr.ir) !== irSig(f.ir))) return null;
    if (mentionsChanged(f.ir, dirtyNames)) return null;
  }
  for (const [k, existed] of rec.deps) {
    if (summaries.has(k) !== existed) return null;
    if (existed && changed.has(k)) return null;
  }
  // Callees are read through summaryOf, so deps cover them; this is a cheap extra guard.
  for (const f of comp) for (const g of succ.get(f) ?? []) if (changed.has(g.key) && !members.has(g.key)) return null;
  return rec;
}

/** Callees-first order inside a recursive SCC (DFS post-order) so one sweep propagates far. */
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
function irSig(ir: FunctionIR): string {
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
function fileHardSig(f: FileFacts): string {
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
export function changedNames(prev: ReadonlyMap<string, FileFacts>, cur: ReadonlyMap<string, FileFacts>): Set<string> {
  const out = new Set<string>();
  const diff = (a: FileFacts | undefined, b: FileFacts | undefined): void => {
    const ma = a ? fileNames(a) : new Map<string, string>();
    const mb = b ? fileNames(b) : new Map<string, string>();
    for (const [k, v] of ma) if (mb.get(k) !== v) out.add(k);
    for (const [k, v] of mb) if (ma.get(k) !== v) out.add(k);
  };
  for (const [p, f] of cur) {
    const o = prev.get(p);
    if (o !== f) diff(o, f);
  }
  for (const [p, o] of prev) if (!cur.has(p)) diff(o, undefined);
  return out;
}

const refsCache = new WeakMap<FunctionIR, Set<string>>();
/** Every identifier a function mentions (callees, globals, types by name), plus its own name. */
export function referencedNames(ir: FunctionIR): Set<string> {
  let s = refsCache.get(ir);
  if (s) return s;
  s = new Set<string>([ir.name]);
  const text = irSig(ir);
  // Identifiers in the serialised IR: names, callee ids, type texts; over-approximate by design.
  for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) s.add(m[0]);
  refsCache.set(ir, s);
  return s;
}

/**
 * Key of the program-wide inputs of the local pass that are not tracked per name: types,
 * macros (incl. macro-derived primitives) and the function-pointer bindings. When it changes,
 * nothing is reused.
 */
export function globalSignature(prog: Program, b: Bindings): string {
  const parts: string[] = [];
  // Files without types or macros add nothing here (their names are tracked by changedNames),
  // so adding or removing such a file does not force a full re-analysis.
  for (const f of prog.files) if ((f.structs?.length ?? 0) + (f.typedefs?.length ?? 0) + (f.macros?.length ?? 0) > 0) parts.push(fileHardSig(f));
  const keys = (l: FnInfo[]): string => l.map((f) => f.key).join(',');
  const map = (m: Map<string, FnInfo[]>): string =>
    [...m]
      .sort((x, y) => cmpStr(x[0], y[0]))
      .map(([k, l]) => `${k}=${keys(l)}`)
      .join(';');
  parts.push(map(b.ops), map(b.byField), map(b.handles), keys(b.workFns), keys(b.threadFns), keys(b.rcuCallbacks), [...b.recursiveLocks].sort().join(','));
  // Hash-free join: comparing the strings is exact and cheap next to building them.
  return parts.join('\u0001');
}
