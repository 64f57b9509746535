/**
 * The global phase: FileFacts[] → AnalysisResult.
 *
 * 1. index the program (types, globals, prototypes) and the function-pointer bindings;
 * 2. local pass per function, bottom-up over call-graph SCCs, iterating each SCC until its
 *    summaries are stable (recursion converges; capped);
 * 3. entry contexts top-down from the call records (must = all callers, may = some caller;
 *    annotations/asserts seed them unless `noAnnotations`);
 * 4. lock-order graph, sites, lines, function facts, lock classes, detectors.
 *
 * Every stage keeps what it derived per function, file and edge key in a `GlobalState`, so a
 * session run after an edit redoes only what the changed functions reach (see the notes at
 * each stage). Types, macros or function-pointer bindings changing start from scratch; a
 * changed call graph rebuilds the SCCs but still reuses every SCC whose members are unchanged.
 *
 * Deterministic: every collection is sorted before it is emitted. Never throws: an internal
 * error becomes a `problems[]` entry and an otherwise empty result.
 */
import type { FileFacts } from '../ir';
import type { LockLensConfig } from '../config';
import type { AnalysisResult, Finding, FunctionFacts, LineFacts, LockClass, LockEdge, LockSite, LockType, Problem, WitnessStep } from '../model';
import { buildCatalog, type Catalog } from '../catalog/catalog';
import { macroPrimitives } from '../catalog/macro-prims';
import { DETECTORS } from '../detectors/registry';
import { heldWith, isRcuId, type DetectorContext, type Entry } from '../detectors/context';
import { fileBindRecs, mergeBindings, type BindRec, type Bindings, type FileBindRecs } from './bindings';
import { calleesOf, sccsBottomUp } from './callgraph';
import { MinHeap } from './flow/min-heap';
import { addRec, changedNames, computeSummaries, postOrderOf, fileHardSig, referencedNames, recomputeComps, type CompRecord, type ReuseSlot } from './scc-summaries';
import { DEFAULT_HOT_PATHS } from '../detectors/contention-transfer';
import type { LockRef } from './lock-identity';
import { Program, tightenLists, type FnInfo } from './program';
import type { LocalResult, Snap, FnSummary } from './summary';
import { NO_ENTRIES, NO_MEMBERS, NONE, sharedSetIfEmpty } from './flow/compact';
import { cmpChain, cmpStr, hashHex, nameMatcher, sortedUnique } from './util';

export interface AnalyzeOptions {
  config: LockLensConfig;
  noAnnotations?: boolean;
  lineFacts?: boolean;
  signal?: AbortSignal;
}

const MAX_WITNESSES = 3;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function emptyResult(facts: FileFacts[], problems: Problem[]): AnalysisResult {
  return {
    version: 1,
    files: facts.length,
    functions: [],
    locks: [],
    edges: [],
    findings: [],
    sites: [],
    problems,
    stats: { files: facts.length, bytes: 0, functions: 0, unmodeledFunctions: 0, filesWithErrorNodes: 0, callSites: 0, indirectCallsResolved: 0, timings: {} },
  };
}

class Cancelled extends Error {}

export function analyzeFacts(facts: FileFacts[], opts: AnalyzeOptions): AnalysisResult {
  return analyzeFactsReusing(facts, opts);
}

/**
 * `analyzeFacts` that may start from a previous run's state (`reuse.prev`) and leaves this run's
 * in `reuse.next`. Results are identical to a from-scratch run; used by `AnalysisSession`.
 */
export function analyzeFactsReusing(facts: FileFacts[], opts: AnalyzeOptions, reuse?: ReuseSlot): AnalysisResult {
  const list = Array.isArray(facts) ? facts.filter((f) => f && typeof f === 'object') : [];
  try {
    return analyzeUnchecked(list, opts, reuse);
  } catch (e) {
    if (e instanceof Cancelled) return emptyResult(list, [{ severity: 'warning', code: 'cancelled', message: 'Analysis cancelled.' }]);
    const msg = e instanceof Error ? e.message : String(e);
    return emptyResult(list, [{ severity: 'error', code: 'internal-error', message: `Lock analysis failed: ${msg}` }]);
  }
}

/** Incoming call record of a function (one per callee of a call statement). */
interface CallIn {
  caller: FnInfo;
  snap: Snap;
  line: number;
}

/** Per-function derived facts, valid while the FnInfo, local result, summary and entry are the same objects. */
interface FactsCache {
  fi: FnInfo;
  r: LocalResult;
  s: FnSummary;
  e: Entry;
  ff: FunctionFacts;
  sites: LockSite[];
  lines: LineFacts[];
  refs: string[];
}

interface EdgeState {
  edge: LockEdge;
  reach: { fn: FnInfo; line: number } | null;
  readRead: boolean;
}

/** Everything a session keeps between runs (owned by the session; mutated in place by the next run). */
export interface GlobalState {
  opts: AnalyzeOptions;
  files: Map<string, FileFacts>;
  prog: Program;
  cat: Catalog;
  /** Names defined as macros anywhere (macro primitives depend on which of them are functions). */
  macroNames: Set<string>;
  bindRecs: Map<string, FileBindRecs>;
  /** Binding records per function (valid while names, types and the catalog are unchanged). */
  bindFnCache: WeakMap<FnInfo, BindRec[]>;
  bindSig: string;
  bindings: Bindings;
  nameIdx: NameIndex | null;
  succ: Map<FnInfo, FnInfo[]>;
  /** Syntactic callers per callee key. */
  preds: Map<string, Set<string>>;
  sccs: FnInfo[][];
  sccOf: Map<string, number>;
  recursive: boolean[];
  /** SCC record per SCC index (bottom-up), for the class-note replay. */
  comps: CompRecord[];
  /** SCC indices that read a key's summary from outside (for upward dirty propagation). */
  revDeps: Map<string, Set<CompRecord>>;
  classes: Map<string, LockRef>;
  summaries: Map<string, FnSummary>;
  local: Map<string, LocalResult>;
  seeds: Map<string, ReadonlySet<string>>;
  entry: Map<string, Entry>;
  top: Set<string>;
  topDown: string[];
  order: Map<string, number>;
  callsIn: Map<string, CallIn[]>;
  edgeKeysOf: Map<string, string[]>;
  contributors: Map<string, Set<string>>;
  edgeStates: Map<string, EdgeState>;
  edges: LockEdge[];
  lockTypesSig: string;
  edgeReach: Map<string, { fn: FnInfo; line: number }>;
  readReadEdges: Set<string>;
  /** Function keys per file in program order (a change of order changes Tarjan's roots). */
  fileKeys: Map<string, string[]>;
  fileAcq: Map<string, Map<string, { n: number; type: LockType | null }>>;
  acqCount: Map<string, number>;
  primType: Map<string, LockType>;
  lockTypes: Map<string, LockType>;
  /** Results of functions removed by the current run (handed from the summaries stage onwards). */
  goneLocal?: Map<string, LocalResult | undefined>;
  /** Problems of SCCs (recursion caps), by SCC index. */
  compProblems: Map<number, Problem>;
  factsCache: Map<FnInfo, FactsCache>;
  /** Per-file facts, statistics and per-function findings, in program order. */
  fileAgg: Map<string, FileAgg>;
  fnRefs: Set<string>;
  edgeNodes: Set<string>;
  locks: LockClass[];
  findingLocks: string;
  /** Per-function findings per detector index (per-function detectors only). */
  detFn: Map<FnInfo, DetCache>;
  /** Findings of the whole-graph detectors, per detector index. */
  detGlobal: (Finding[] | null)[];
}

function analyzeUnchecked(facts: FileFacts[], opts: AnalyzeOptions, reuse?: ReuseSlot): AnalysisResult {
  const timings: Record<string, number> = {};
  let t0 = now();
  const lap = (name: string): void => {
    const t = now();
    timings[name] = Math.round((t - t0) * 100) / 100;
    t0 = t;
  };
  const checkAbort = (): void => {
    if (opts.signal?.aborted) throw new Cancelled();
  };
  const config = opts.config;
  const noAnnotations = !!opts.noAnnotations;
  const lineFacts = !!opts.lineFacts;

  // --- index ------------------------------------------------------------------------------------------
  // Incremental: patch the previous Program / bindings with the changed files' contributions.
  // Types and macros are read everywhere: a change there (or in the bindings) starts from scratch.
  const sorted = [...facts].filter((f) => f && typeof f.file === 'string').sort((a, b) => cmpStr(a.file, b.file));
  const fileMap = new Map(sorted.map((f) => [f.file, f]));
  let st: GlobalState | null = reuse?.prev && sameOpts(reuse.prev.opts, opts) ? reuse.prev : null;
  const changed = new Map<string, FileFacts | null>();
  let dirtyNames = new Set<string>();
  if (st) {
    for (const [p, f] of fileMap) if (st.files.get(p) !== f) changed.set(p, f);
    for (const p of st.files.keys()) if (!fileMap.has(p)) changed.set(p, null);
    for (const [p, f] of changed) {
      if (hardPart(st.files.get(p)) !== hardPart(f)) {
        st = null;
        break;
      }
    }
    if (st) dirtyNames = changedNames(st.files, fileMap, changed);
  }
  let added: FnInfo[] = [];
  let removed: FnInfo[] = [];
  let prog: Program;
  let cat: Catalog;
  let macroNames: Set<string>;
  let bindRecs: Map<string, FileBindRecs>;
  let nameIdx: NameIndex | null = st?.nameIdx ?? null;
  /** Functions (and files) mentioning a name whose declaration changed. */
  const mentioning = new Set<FnInfo>();
  const mentioningFiles = new Set<string>();
  let bindFnCache: WeakMap<FnInfo, BindRec[]>;
  /** The bindings' inputs are unchanged (same records, no changed declarations). */
  let recsSame = !!st && dirtyNames.size === 0;
  if (st) {
    prog = st.prog;
    ({ added, removed } = prog.applyFiles(sorted, changed, dirtyNames, (a, b) => a.line === b.line && a.endLine === b.endLine && sameJson(a, b)));
    macroNames = st.macroNames;
    cat = [...dirtyNames].some((n) => macroNames.has(n)) ? withMacroPrimitives(buildCatalog(config), prog) : st.cat;
    bindRecs = st.bindRecs;
    bindFnCache = !dirtyNames.size && cat === st.cat ? st.bindFnCache : new WeakMap();
    for (const [p, f] of changed) {
      const before = bindRecs.get(p);
      if (f) bindRecs.set(p, fileBindRecs(prog, cat, f, bindFnCache));
      else bindRecs.delete(p);
      if (recsSame && JSON.stringify(before ?? NO_RECS) !== JSON.stringify(bindRecs.get(p) ?? NO_RECS)) recsSame = false;
    }
    // Who mentions which name: built on the first run with changed declarations, then kept up
    // to date for the changed functions and files only.
    if (nameIdx || dirtyNames.size) {
      if (!nameIdx) nameIdx = buildNameIndex(prog);
      else updateNameIndex(nameIdx, added, removed, changed, st.files);
    }
    if (dirtyNames.size) {
      for (const n of dirtyNames) {
        for (const f of nameIdx!.fns.get(n) ?? []) if (!nameIdx!.dead.has(f)) mentioning.add(f);
        for (const p of nameIdx!.globals.get(n) ?? []) mentioningFiles.add(p);
      }
      for (const f of mentioning) mentioningFiles.add(f.file);
      // A changed declaration may change how names elsewhere resolve.
      for (const p of mentioningFiles) {
        const f = fileMap.get(p);
        if (f && !changed.has(p)) bindRecs.set(p, fileBindRecs(prog, cat, f));
      }
    }
  } else {
    prog = new Program(sorted);
    cat = withMacroPrimitives(buildCatalog(config), prog);
    macroNames = new Set();
    for (const f of prog.files) for (const m of f.macros ?? []) if (m?.name) macroNames.add(m.name);
    bindFnCache = new WeakMap();
    // The per-function cache only pays off in a session's next run (a one-shot run fills it for nothing).
    bindRecs = new Map(prog.files.map((f) => [f.file, fileBindRecs(prog, cat, f, reuse ? bindFnCache : undefined)]));
  }
  // Records name functions by (name, file); unchanged records resolve to the same functions,
  // so only replaced FnInfo objects need swapping in.
  const swapped = new Map<FnInfo, FnInfo>();
  if (st) pairReplacements(added, removed, swapped);
  const bindings = recsSame ? remapBindings(st!.bindings, swapped) : mergeBindings(prog, prog.files.map((f) => bindRecs.get(f.file)!));
  const bindSig = recsSame ? st!.bindSig : bindingsSig(bindings);
  if (st && bindSig !== st.bindSig) {
    // Function-pointer bindings feed every function's analysis: start from scratch.
    const slot: ReuseSlot = { prev: null };
    const r = analyzeUnchecked(facts, opts, reuse ? slot : undefined);
    if (reuse) reuse.next = slot.next;
    return r;
  }
  lap('index');

  // --- call graph, SCCs and summaries -----------------------------------------------------------------
  // Dirty: new FnInfos (IR changed) and functions mentioning a changed declaration.
  const dirtyFns = new Set<FnInfo>(added);
  for (const f of mentioning) dirtyFns.add(f);
  let structural = !st;
  let succ: Map<FnInfo, FnInfo[]>;
  let preds: Map<string, Set<string>>;
  // Paired once above (same key, in order); anything left unpaired changes the call graph.
  const replacedBy = swapped;
  if (st) {
    succ = st.succ;
    preds = st.preds;
    if (removed.length !== swapped.size) structural = true; // a function disappeared
    if (added.length !== swapped.size) structural = true; // a new function
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
      const list = calleesOf(prog, cat, bindings, f);
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
  } else {
    succ = new Map();
    preds = new Map();
    for (const f of prog.fns) {
      const list = calleesOf(prog, cat, bindings, f);
      succ.set(f, list);
      // Callers per callee are read by incremental runs only: a one-shot run skips them.
      if (reuse) for (const g of list) addPred(preds, g.key, f.key);
    }
  }
  const sumInputs = { prog, cat, bindings, noAnnotations, lineFacts, perNetRtnlAlsoGlobal: !!config.perNetRtnlAlsoGlobal };
  const problems: Problem[] = [];
  let sccs: FnInfo[][];
  let sccOf: Map<string, number>;
  let recursive: boolean[];
  let comps: CompRecord[];
  let revDeps: Map<string, Set<CompRecord>>;
  let summaries: Map<string, FnSummary>;
  let local: Map<string, LocalResult>;
  /** Keys whose summary content changed (fast path), or null = unknown (everything). */
  let changedSummaries: Set<string> | null = null;
  let reused = 0;
  /** Previous local result of every function whose local result may have changed (null: cold run, all changed). */
  let oldLocal: Map<string, LocalResult | undefined> | null = null;
  let classes: Map<string, LockRef>;
  let redoneSccs: number[] = [];
  /** Per SCC when the SCCs were rebuilt: true for a new one (its entry contexts restart). */
  let newCompAt: boolean[] = [];
  if (st) {
    const dirtySccs = new Set<number>();
    if (!structural) {
      // Same SCCs: swap replaced FnInfos in.
      sccs = st.sccs;
      sccOf = st.sccOf;
      recursive = st.recursive;
      for (const [o, n] of replacedBy) {
        const comp = sccs[sccOf.get(o.key)!]!;
        const i = comp.indexOf(o);
        if (i >= 0) comp[i] = n;
      }
    } else {
      // Call graph changed: new SCCs (Tarjan over the whole graph, cheap next to the local pass);
      // an SCC with the same members and no dirty member keeps its record and results.
      sccs = sccsBottomUp(prog.fns, succ);
      sccOf = new Map();
      recursive = [];
      newCompAt = [];
      const newComps: CompRecord[] = [];
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
        const oi = st!.sccOf.get(comp[0]!.key);
        const old = oi !== undefined ? st!.comps[oi] : undefined;
        if (old && old.id === id && !kept.has(old) && !comp.some((f) => dirtyFns.has(f) || !st!.local.has(f.key))) {
          old.idx = i;
          kept.add(old);
          newComps.push(old);
          newCompAt.push(false);
        } else {
          newComps.push({ id, deps: NO_ENTRIES, notes: NONE, problem: null, idx: i });
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
      for (const f of added) if (!st.local.has(f.key)) for (const d of st.revDeps.get(f.key) ?? []) dirtySccs.add(d.idx!);
      st.sccs = sccs;
      st.sccOf = sccOf;
      st.recursive = recursive;
      st.comps = newComps;
      st.goneLocal = goneLocal;
    }
    for (const f of dirtyFns) dirtySccs.add(sccOf.get(f.key)!);
    // Re-analyse dirty SCCs and, while summaries change, the SCCs reading them.
    const run = recomputeComps(sumInputs, st, dirtySccs, checkAbort);
    redoneSccs = run.redone;
    changedSummaries = run.changed;
    oldLocal = run.before;
    for (const [k, r] of st.goneLocal ?? []) oldLocal.set(k, r);
    st.goneLocal = undefined;
    comps = st.comps;
    revDeps = st.revDeps;
    summaries = st.summaries;
    local = st.local;
    let redoneFns = 0;
    for (const i of run.redone) redoneFns += sccs[i]!.length;
    reused = prog.fns.length - redoneFns;
    classes = run.notesChanged || structural ? replayNotes(comps) : st.classes;
  } else {
    sccs = sccsBottomUp(prog.fns, succ);
    // A one-shot run (no session) never re-reads SCC dependencies: not recorded.
    const sumRun = computeSummaries(sumInputs, sccs, succ, checkAbort, !!reuse);
    summaries = sumRun.summaries;
    local = sumRun.local;
    comps = sumRun.comps;
    sccOf = new Map();
    recursive = [];
    revDeps = new Map();
    sccs.forEach((comp, i) => {
      for (const f of comp) sccOf.set(f.key, i);
      recursive.push(comp.length > 1 || (succ.get(comp[0]!) ?? []).includes(comp[0]!));
      const c = comps[i]!;
      c.idx = i;
      if (reuse) for (const [k] of c.deps) addRec(revDeps, k, c);
    });
    classes = replayNotes(comps);
  }
  let compProblems: Map<number, Problem>;
  if (st && !structural) {
    compProblems = st.compProblems;
    for (const i of redoneSccs) {
      const pr = comps[i]!.problem;
      if (pr) compProblems.set(i, pr);
      else compProblems.delete(i);
    }
  } else {
    compProblems = new Map();
    comps.forEach((c, i) => c.problem && compProblems.set(i, c.problem));
  }
  for (const pr of compProblems.values()) problems.push(pr);
  if (reuse) {
    timings.reusedFunctions = reused;
    // 0: from scratch; 1: call graph changed (SCCs rebuilt, summaries reused per SCC); 2: proportional path.
    timings.incrementalPath = st ? (structural ? 1 : 2) : 0;
  }
  lap('summaries');

  // --- entry contexts (top-down) ---------------------------------------------------------------------
  // Incremental: incoming call records and seeds are patched for functions whose local result
  // changed; the worklist restarts from their callees (recursive SCCs reset to TOP as a whole).
  const fnsOfKey = (k: string): FnInfo[] => (prog.fnsByFile.get(fileOfKey(k)) ?? []).filter((f) => f.key === k);
  let callsIn: Map<string, CallIn[]>;
  let seeds: Map<string, ReadonlySet<string>>;
  const seedOf = (k: string): ReadonlySet<string> => {
    const s = summaries.get(k);
    const seed = new Set<string>();
    if (s && !noAnnotations) for (const [id, q] of s.requires) if (q.param === undefined || !id.startsWith('?')) seed.add(id);
    return sharedSetIfEmpty(seed);
  };
  /** Keys whose entry must be recomputed (incremental runs). */
  const entryDirty = new Set<string>();
  const localKeys = new Set<string>(oldLocal ? oldLocal.keys() : []);
  for (const o of removed) localKeys.add(o.key);
  if (st && oldLocal) {
    callsIn = st.callsIn;
    seeds = st.seeds;
    for (const k of localKeys) {
      const before = oldLocal.has(k) ? oldLocal.get(k) : st.local.get(k);
      for (const c of before?.calls ?? []) {
        for (const ck of c.callee) {
          const l = callsIn.get(ck);
          if (!l) continue;
          const rest = l.filter((x) => x.caller.key !== k);
          if (rest.length) callsIn.set(ck, rest);
          else callsIn.delete(ck);
          entryDirty.add(ck);
        }
      }
    }
    for (const k of localKeys) {
      const r = local.get(k);
      if (!r) {
        seeds.delete(k);
        continue;
      }
      for (const f of fnsOfKey(k)) {
        for (const c of r.calls) {
          for (const ck of c.callee) {
            const l = callsIn.get(ck);
            const rec = { caller: f, snap: c.snap, line: c.line };
            if (l) l.push(rec);
            else callsIn.set(ck, [rec]);
            entryDirty.add(ck);
          }
        }
      }
      const seed = seedOf(k);
      if (!setEq(seed, seeds.get(k) ?? NO_MEMBERS)) entryDirty.add(k);
      seeds.set(k, seed);
      entryDirty.add(k);
    }
  } else {
    callsIn = new Map();
    seeds = new Map();
    for (const f of prog.fns) {
      for (const c of local.get(f.key)?.calls ?? []) {
        for (const k of c.callee) {
          const l = callsIn.get(k);
          const rec = { caller: f, snap: c.snap, line: c.line };
          if (l) l.push(rec);
          else callsIn.set(k, [rec]);
        }
      }
      seeds.set(f.key, seedOf(f.key));
    }
    tightenLists(callsIn);
  }
  const byKey = new Map<string, FnInfo>();
  const keyFn = (k: string): FnInfo | undefined => {
    let f = byKey.get(k);
    if (!f) {
      const l = fnsOfKey(k);
      f = l[l.length - 1];
      if (f) byKey.set(k, f);
    }
    return f;
  };
  const calleesByKey = (k: string): Iterable<string> => {
    const out = new Set<string>();
    for (const c of local.get(k)?.calls ?? []) for (const x of c.callee) out.add(x);
    return out;
  };
  let topDown: string[];
  let order: Map<string, number>;
  let entry: Map<string, Entry>;
  let top: Set<string>;
  /** Keys whose Entry object changed (null: all). */
  let entryChanged: Set<string> | null = null;
  /** One worklist step (the from-scratch algorithm's): recomputes f's entry from its callers. */
  const step = (f: FnInfo): boolean => {
    const cs = callsIn.get(f.key);
    if (!cs) return false;
    const seed = seeds.get(f.key)!;
    let must = null as Set<string> | null;
    const may = new Set<string>(seed);
    for (const c of cs) {
      const ce = entry.get(c.caller.key);
      const callerTop = top.has(c.caller.key);
      const hm = heldAtCall(c.snap, ce, may);
      if (callerTop && c.caller !== f) continue;
      if (must === null) must = hm;
      else for (const x of must) if (!hm.has(x)) must.delete(x);
    }
    const cur = entry.get(f.key)!;
    const newMust = new Set<string>(seed);
    if (must) for (const l of must) newMust.add(l);
    const wasTop = top.has(f.key);
    if (must !== null) top.delete(f.key);
    const same = wasTop === top.has(f.key) && setEq(cur.must, newMust) && setEq(cur.may, may);
    // Entry sets are never written after this: empty ones become the shared empty set.
    if (!same) entry.set(f.key, { must: must !== null ? sharedSetIfEmpty(newMust) : cur.must, may: sharedSetIfEmpty(may) });
    return !same;
  };
  // The worklist of both runs: lowest topological index first (deterministic), each index
  // queued at most once.
  const heap = new MinHeap();
  const pending = new Set<number>();
  const pushIdx = (o: number): void => {
    if (!pending.has(o)) {
      pending.add(o);
      heap.push(o);
    }
  };
  const push = (k: string): void => {
    const o = order.get(k);
    if (o !== undefined) pushIdx(o);
  };
  const pop = (): string => {
    const idx = heap.pop();
    pending.delete(idx);
    return topDown[idx]!;
  };
  /** Entry and TOP status as they were before (`b`): the Entry object can be kept. */
  const sameEntry = (b: { e: Entry; top: boolean }, k: string): boolean => {
    const e = entry.get(k)!;
    return b.top === top.has(k) && setEq(b.e.must, e.must) && setEq(b.e.may, e.may);
  };
  const initEntry = (k: string): void => {
    // The seed is read-only and so are entry sets: both sides can be the seed itself.
    const seed = seeds.get(k) ?? NO_MEMBERS;
    entry.set(k, { must: seed, may: seed });
    if (callsIn.has(k)) top.add(k);
    else top.delete(k);
  };
  if (st) {
    entry = st.entry;
    top = st.top;
    entryChanged = new Set();
    if (!structural) {
      topDown = st.topDown;
      order = st.order;
    } else {
      // New SCCs (members changed) restart from their initial state; gone functions leave.
      topDown = [...sccs].reverse().flatMap((c) => c.map((f) => f.key));
      order = new Map(topDown.map((k, i) => [k, i]));
      for (const k of [...entry.keys()]) {
        if (!order.has(k)) {
          entry.delete(k);
          top.delete(k);
        }
      }
      comps.forEach((_c, i) => {
        if (!newCompAt[i]) return;
        for (const f of sccs[i]!) {
          if (!entry.has(f.key)) {
            initEntry(f.key);
            entryChanged!.add(f.key);
          }
          entryDirty.add(f.key);
        }
      });
    }
    for (const k of entryDirty) push(k);
    const reset = new Set<number>();
    /** Entry and TOP status before this run, for the functions recomputed. */
    const before = new Map<string, { e: Entry; top: boolean }>();
    const remember = (k: string): void => {
      if (!before.has(k)) before.set(k, { e: entry.get(k)!, top: top.has(k) });
    };
    let budget = topDown.length * 12 + 100;
    while (heap.size && budget-- > 0) {
      if ((budget & 1023) === 0) checkAbort();
      const k = pop();
      const f = keyFn(k)!;
      const si = sccOf.get(k)!;
      if (recursive[si]) {
        if (!reset.has(si)) {
          // A recursive SCC is iterated from its initial state, as a from-scratch run does.
          reset.add(si);
          for (const m of sccs[si]!) {
            remember(m.key);
            initEntry(m.key);
          }
          for (const m of sccs[si]!) push(m.key);
          continue;
        }
        if (step(f)) for (const c of calleesByKey(k)) push(c);
        continue;
      }
      remember(k);
      initEntry(k);
      step(f);
      const b = before.get(k)!;
      if (sameEntry(b, k)) entry.set(k, b.e);
      else for (const c of calleesByKey(k)) push(c);
    }
    for (const [k, b] of before) {
      if (sameEntry(b, k)) entry.set(k, b.e);
      else entryChanged.add(k);
    }
  } else {
    const topFns = [...sccs].reverse().flat();
    topDown = topFns.map((f) => f.key);
    order = new Map(topDown.map((k, i) => [k, i]));
    entry = new Map();
    top = new Set();
    for (const f of prog.fns) initEntry(f.key);
    for (let i = 0; i < topDown.length; i++) pushIdx(i);
    let budget = topDown.length * 12 + 100;
    while (heap.size && budget-- > 0) {
      if ((budget & 1023) === 0) checkAbort();
      const k = pop();
      if (step(keyFn(k)!)) for (const c of calleesByKey(k)) push(c);
    }
  }
  lap('entry');

  // --- lock-order graph -------------------------------------------------------------------------------
  // Per edge: distinct acquisition pairs (first step of the `from` chain, last step of the `to`
  // chain, reach statement) are counted; only the best MAX_WITNESSES chains are kept.
  // Incremental: only the edge keys the changed functions contributed (before or now) are rebuilt,
  // from their contributors in program order.
  let edgeKeysOf: Map<string, string[]>;
  let contributors: Map<string, Set<string>>;
  let edgeStates: Map<string, EdgeState>;
  let edges: LockEdge[];
  let graphChanged = true;
  const keysOfLocal = (r: LocalResult | undefined): string[] => {
    const out: string[] = [];
    for (const e of r?.edges ?? []) if (!isRcuId(e.from) && !isRcuId(e.to)) out.push(`${e.from}\u0000${e.to}`);
    return out;
  };
  if (st && oldLocal) {
    edgeKeysOf = st.edgeKeysOf;
    contributors = st.contributors;
    edgeStates = st.edgeStates;
    const affected = new Set<string>();
    for (const k of localKeys) {
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
    for (const ek of affected) for (const k of contributors.get(ek) ?? []) for (const f of fnsOfKey(k)) fnSet.add(f);
    const fns = [...fnSet].sort(cmpFnInfo);
    const fresh = accumulateEdges(fns, local, affected);
    let keysChanged = false;
    graphChanged = false;
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
    if (keysChanged) edges = [...edgeStates.values()].map((s) => s.edge).sort((a, b) => cmpStr(a.from, b.from) || cmpStr(a.to, b.to));
    else if (graphChanged) edges = st.edges.map((e) => edgeStates.get(`${e.from}\u0000${e.to}`)!.edge);
    else edges = st.edges;
  } else {
    edgeKeysOf = new Map();
    contributors = new Map();
    for (const f of prog.fns) {
      const ks = keysOfLocal(local.get(f.key));
      if (!ks.length) continue;
      edgeKeysOf.set(f.key, ks);
      for (const ek of ks) {
        let s = contributors.get(ek);
        if (!s) contributors.set(ek, (s = new Set()));
        s.add(f.key);
      }
    }
    edgeStates = accumulateEdges(prog.fns, local, null);
    edges = [...edgeStates.values()].map((s) => s.edge).sort((a, b) => cmpStr(a.from, b.from) || cmpStr(a.to, b.to));
  }
  let edgeReach: Map<string, { fn: FnInfo; line: number }>;
  let readReadEdges: Set<string>;
  if (st && !graphChanged) {
    edgeReach = st.edgeReach;
    readReadEdges = st.readReadEdges;
  } else {
    edgeReach = new Map();
    readReadEdges = new Set();
    for (const [k, s] of edgeStates) {
      if (s.readRead) readReadEdges.add(k);
      if (s.reach) edgeReach.set(k, s.reach);
    }
  }
  lap('graph');

  // --- lock classes ------------------------------------------------------------------------------------
  // Per file: acquisition counts and the first known primitive type per lock (program order).
  const inc = !!st && !!oldLocal;
  const fileAcq: Map<string, Map<string, { n: number; type: LockType | null }>> = inc ? st!.fileAcq : new Map();
  const acqCount: Map<string, number> = inc ? st!.acqCount : new Map();
  const primType: Map<string, LockType> = inc ? st!.primType : new Map();
  const dirtyFiles = new Set<string>();
  if (inc) {
    for (const k of localKeys) dirtyFiles.add(fileOfKey(k));
    for (const f of added) dirtyFiles.add(f.file);
    for (const [p] of changed) dirtyFiles.add(p);
  } else for (const f of prog.files) dirtyFiles.add(f.file);
  const touchedLocks = new Set<string>();
  let acqChanged = !inc;
  for (const p of dirtyFiles) {
    const m = new Map<string, { n: number; type: LockType | null }>();
    for (const f of prog.fnsByFile.get(p) ?? []) {
      for (const a of local.get(f.key)?.acqSites ?? []) {
        let x = m.get(a.lock);
        if (!x) m.set(a.lock, (x = { n: 0, type: null }));
        x.n++;
        if (a.type !== 'unknown' && x.type === null) x.type = a.type;
      }
    }
    const before = fileAcq.get(p);
    if (!before || before.size !== m.size) acqChanged = true;
    else for (const [l, x] of m) if (before.get(l)?.n !== x.n) acqChanged = true;
    for (const [l, x] of before ?? []) {
      const n = acqCount.get(l)! - x.n;
      if (n) acqCount.set(l, n);
      else acqCount.delete(l);
      touchedLocks.add(l);
    }
    for (const [l, x] of m) {
      acqCount.set(l, (acqCount.get(l) ?? 0) + x.n);
      touchedLocks.add(l);
    }
    if (m.size) fileAcq.set(p, m);
    else fileAcq.delete(p);
  }
  // First known primitive type in program order, for the locks whose per-file entries changed.
  let primChanged = !inc;
  for (const l of touchedLocks) {
    const before = primType.get(l);
    primType.delete(l);
    for (const f of prog.files) {
      const t = fileAcq.get(f.file)?.get(l)?.type;
      if (t) {
        primType.set(l, t);
        break;
      }
    }
    if (primType.get(l) !== before) primChanged = true;
  }
  const contended = new Set<string>(['rtnl_mutex', ...(config.contendedLocks ?? [])]);
  let lockTypes: Map<string, LockType>;
  let lockTypesSig: string;
  if (inc && !primChanged && classes === st!.classes) {
    lockTypes = st!.lockTypes;
    lockTypesSig = st!.lockTypesSig;
  } else {
    lockTypes = new Map();
    for (const [id, r] of classes) lockTypes.set(id, primType.get(id) ?? r.declType);
    lockTypesSig = [...lockTypes].map(([k, v]) => `${k}=${v}`).join(';');
  }

  // --- functions, sites, lines -------------------------------------------------------------------------
  // Cached per function while its FnInfo, local result, summary and entry are the same objects.
  const heldFor = (snap: Snap, fn: FnInfo) => heldWith(snap, entry.get(fn.key));
  const ctx: DetectorContext = {
    prog,
    cat,
    config,
    bindings,
    noAnnotations,
    fns: prog.fns,
    local,
    entry,
    callers: callsIn,
    edges,
    edgeReach,
    readReadEdges,
    callSnaps: callsIn,
    lockTypes,
    contended,
    held: heldFor,
  };
  // Files whose functions' facts or findings may differ from the previous run; all on a cold run.
  const incremental = !!st && !!oldLocal && !!entryChanged;
  const touched = new Set<string>();
  const detDirty = new Set<string>();
  let boundChanged = !incremental;
  if (incremental) {
    for (const [p] of changed) touched.add(p);
    for (const f of added) touched.add(f.file);
    for (const f of removed) touched.add(f.file);
    // Facts read a function's own results, entry and caller count; findings also read its
    // callers' call sites and entry contexts.
    for (const k of entryDirty) detDirty.add(k);
    for (const k of [...localKeys, ...entryChanged!]) {
      detDirty.add(k);
      const before = oldLocal!.has(k) ? oldLocal!.get(k) : undefined;
      for (const c of before?.calls ?? []) for (const x of c.callee) detDirty.add(x);
      for (const c of local.get(k)?.calls ?? []) for (const x of c.callee) detDirty.add(x);
    }
    for (const k of detDirty) touched.add(fileOfKey(k));
    // wait-under-lock reads the summaries of bound (awaited) functions.
    const bound = [...bindings.handles.values()].flat().concat(bindings.workFns, bindings.rcuCallbacks);
    const changedSum = changedSummaries ?? new Set(localKeys);
    boundChanged = bound.some((f) => changedSum.has(f.key));
    if (boundChanged) for (const f of prog.files) touched.add(f.file);
  } else for (const f of prog.files) touched.add(f.file);
  const factsCache: Map<FnInfo, FactsCache> = st ? st.factsCache : new Map();
  const detFn: Map<FnInfo, DetCache> = st ? st.detFn : new Map();
  for (const f of removed) {
    factsCache.delete(f);
    detFn.delete(f);
  }
  const fileAgg: Map<string, FileAgg> = st ? st.fileAgg : new Map();
  for (const [p, f] of changed) if (!f) fileAgg.delete(p);
  const perFnIdx: number[] = [];
  const globalIdx: number[] = [];
  DETECTORS.forEach((d, i) => (d.perFn ? perFnIdx : globalIdx).push(i));
  const failed = new Set<number>();
  const runSafe = <T,>(i: number, fn: () => T, dflt: T): T => {
    if (failed.has(i)) return dflt;
    try {
      return fn();
    } catch (err) {
      failed.add(i);
      problems.push({ severity: 'error', code: 'detector-error', message: `Detector ${DETECTORS[i]!.rule} failed: ${err instanceof Error ? err.message : String(err)}` });
      return dflt;
    }
  };
  let detMs = 0;
  let refsChanged = !st;
  for (const p of touched) {
    const seg = prog.fnsByFile.get(p);
    if (!seg) {
      if (fileAgg.delete(p)) refsChanged = true;
      continue;
    }
    const agg: FileAgg = { functions: [], sites: [], lines: [], refs: new Set(), callSites: 0, resolved: 0, unresolved: 0, problems: [], det: DETECTORS.map(() => null) };
    for (const f of seg) {
      const r = local.get(f.key);
      if (!r) continue;
      agg.resolved += r.resolvedIndirect;
      agg.unresolved += r.unresolvedIndirect;
      for (const c of r.calls) agg.callSites += c.callee.length;
      if (r.fixpointCapped) agg.problems.push({ severity: 'info', code: 'fixpoint-cap', message: `Data-flow of ${f.ir.name} hit its iteration cap; held sets there are approximate.`, file: f.file, line: f.ir.line });
      const s = summaries.get(f.key);
      if (!s) continue;
      const e = entry.get(f.key)!;
      let c = factsCache.get(f);
      const callers = callsIn.get(f.key)?.length ?? 0;
      if (!c || c.r !== r || c.s !== s || c.e !== e || c.ff.callers !== callers) {
        c = buildFacts(f, r, s, e, callers, heldFor, lineFacts);
        // Only a session's next run reads the cache.
        if (reuse) factsCache.set(f, c);
      }
      agg.functions.push(c.ff);
      for (const x of c.sites) agg.sites.push(x);
      for (const x of c.lines) agg.lines.push(x);
      for (const x of c.refs) agg.refs.add(x);
      // Per-function detectors (cached while the function and what it reads are unchanged).
      if (r.summary.noAnalysis) continue;
      const td = now();
      let dc = detFn.get(f);
      if (!dc || dc.r !== r || dc.e !== e || !incremental || detDirty.has(f.key) || (boundChanged && r.waits.length)) {
        let out: readonly (Finding[] | null)[] = NO_FINDINGS;
        for (const i of perFnIdx) {
          const d = DETECTORS[i]!;
          const list = runSafe(i, () => d.perFn!(ctx, f, r), [] as Finding[]);
          if (!list.length) continue;
          // Most functions have no finding: they share one all-null list.
          if (out === NO_FINDINGS) out = DETECTORS.map(() => null);
          (out as (Finding[] | null)[])[i] = list;
        }
        dc = { r, e, out };
        if (reuse) detFn.set(f, dc);
      }
      for (const i of perFnIdx) {
        const l = dc.out[i];
        if (l) (agg.det[i] ??= []).push(...l);
      }
      detMs += now() - td;
    }
    const oldAgg = fileAgg.get(p);
    if (!oldAgg || !setEq(oldAgg.refs, agg.refs)) refsChanged = true;
    agg.sites.sort((a, b) => a.line - b.line || a.col - b.col || cmpStr(a.op, b.op) || cmpStr(a.function, b.function) || cmpStr(a.text, b.text));
    agg.lines.sort((a, b) => a.line - b.line);
    fileAgg.set(p, agg);
  }
  // Lock ids the functions mention (the lock list is these plus findings' locks and graph nodes).
  let fnRefs: Set<string>;
  if (st && !refsChanged) fnRefs = st.fnRefs;
  else {
    fnRefs = new Set();
    for (const f of prog.files) for (const x of fileAgg.get(f.file)?.refs ?? []) fnRefs.add(x);
  }
  let edgeNodes: Set<string>;
  if (st && edges === st.edges) edgeNodes = st.edgeNodes;
  else {
    edgeNodes = new Set();
    for (const e of edges) {
      edgeNodes.add(e.from);
      edgeNodes.add(e.to);
    }
  }
  const functions: FunctionFacts[] = [];
  const sites: LockSite[] = [];
  const lines: LineFacts[] = [];
  let callSites = 0;
  let indirectResolved = 0;
  let indirectUnresolved = 0;
  for (const f of prog.files) {
    const agg = fileAgg.get(f.file);
    if (!agg) continue;
    for (const x of agg.functions) functions.push(x);
    for (const x of agg.sites) sites.push(x);
    if (lineFacts) for (const x of agg.lines) lines.push(x);
    callSites += agg.callSites;
    indirectResolved += agg.resolved;
    indirectUnresolved += agg.unresolved;
    for (const x of agg.problems) problems.push(x);
  }
  lap('facts');
  // Per-function detectors ran inside the facts loop: account their time to detectors.
  timings.facts = Math.round((timings.facts! - detMs) * 100) / 100;

  // --- detectors ----------------------------------------------------------------------------------------
  // Per-function rules are cached per function (invalid when it, its local result or entry, or a
  // caller's changed); whole-graph rules rerun when the graph, lock types or their functions changed.
  checkAbort();
  const byDetector: Finding[][] = DETECTORS.map(() => []);
  for (const f of prog.files) {
    const agg = fileAgg.get(f.file);
    if (agg) agg.det.forEach((l, i) => l && byDetector[i]!.push(...l));
  }
  const detGlobal: (Finding[] | null)[] = st ? st.detGlobal : DETECTORS.map(() => null);
  const graphInputsChanged = !incremental || graphChanged || lockTypesSig !== st!.lockTypesSig || structural;
  for (const i of globalIdx) {
    const d = DETECTORS[i]!;
    let rerun = graphInputsChanged || detGlobal[i] === null;
    if (!rerun) {
      // Rules that look at named functions' summaries (hot paths, periodic functions).
      // lock-order-cycle reads the graph and lock types only; an unknown rule reruns on any change.
      const named =
        d.rule === 'contention-transfer'
          ? nameMatcher(config.hotPaths?.length ? config.hotPaths : DEFAULT_HOT_PATHS)
          : d.rule === 'rtnl-in-periodic-path'
            ? nameMatcher(config.periodicFunctions ?? [])
            : d.rule === 'lock-order-cycle'
              ? () => false
              : null;
      if (named === null) rerun = localKeys.size > 0;
      else for (const k of localKeys) if (named(k.slice(k.lastIndexOf('::') + 2))) rerun = true;
    }
    if (rerun) {
      checkAbort();
      detGlobal[i] = runSafe(i, () => d.run(ctx), [] as Finding[]);
    }
    for (const x of detGlobal[i] ?? []) byDetector[i]!.push(x);
  }
  const findings: Finding[] = byDetector.flat();
  const seen = new Set<string>();
  const uniq = findings.filter((x) => {
    const k = `${x.rule}|${x.file}|${x.line}|${x.locks.join(',')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  uniq.sort((a, b) => cmpStr(a.file, b.file) || a.line - b.line || cmpStr(a.rule, b.rule) || cmpStr(a.locks.join(','), b.locks.join(',')) || cmpStr(a.fingerprint, b.fingerprint));
  // Same rule/function/locks/key twice in one function (two leaking returns): number them in
  // source order so fingerprints stay unique without depending on line numbers. Copies: the
  // cached findings stay as their detectors made them.
  const fpCount = new Map<string, number>();
  const outFindings = uniq.map((fnd) => {
    const n = fpCount.get(fnd.fingerprint) ?? 0;
    fpCount.set(fnd.fingerprint, n + 1);
    return n > 0 ? { ...fnd, fingerprint: hashHex(`${fnd.fingerprint}#${n}`) } : { ...fnd };
  });
  const referenced = new Set<string>(fnRefs);
  for (const fnd of outFindings) for (const l of fnd.locks) referenced.add(l);
  for (const x of edgeNodes) referenced.add(x);
  lap('detectors');
  timings.detectors = Math.round((timings.detectors! + detMs) * 100) / 100;

  // The lock list is rebuilt only when one of its inputs changed (ids, metadata, types, counts).
  const findingLocks = sortedUnique(outFindings.flatMap((f) => f.locks)).join('\u0000');
  const sameLocks = !!st && fnRefs === st.fnRefs && edgeNodes === st.edgeNodes && classes === st.classes && lockTypes === st.lockTypes && !acqChanged && findingLocks === st.findingLocks;
  const locks: LockClass[] = sameLocks ? st!.locks : [...referenced]
    .filter((id) => !id.startsWith('#'))
    .sort(cmpStr)
    .map((id) => {
      const r = classes.get(id);
      const kind = r?.kind ?? (isRcuId(id) ? 'rcu' : id.startsWith('?') ? 'other' : id.startsWith('struct ') ? 'field' : 'global');
      const fieldM = /^struct (\S+)\.(\S+)$/.exec(id);
      return {
        id,
        kind,
        name: r?.name ?? (fieldM ? fieldM[2]! : id),
        struct: r?.struct ?? (fieldM ? fieldM[1]! : null),
        lockType: lockTypes.get(id) ?? (isRcuId(id) ? (id.startsWith('srcu:') ? 'srcu' : 'rcu') : 'unknown'),
        sites: acqCount.get(id) ?? 0,
        contended: contended.has(id),
      };
    });

  // --- problems -------------------------------------------------------------------------------------------
  for (const f of facts) {
    for (const p of f.problems ?? []) problems.push({ severity: p.severity, code: p.code, message: p.message, file: f.file, ...(p.line !== undefined ? { line: p.line } : {}) });
    const um = f.unmodeled ?? [];
    if (um.length) {
      const names = um.slice(0, 3).map((u) => u.name ?? `line ${u.line}`).join(', ');
      problems.push({ severity: 'info', code: 'unmodeled-function', message: `${um.length} function-like region(s) could not be modelled (${names}${um.length > 3 ? ', …' : ''}).`, file: f.file, line: um[0]!.line });
    }
  }
  if (indirectUnresolved > 0) {
    problems.push({ severity: 'info', code: 'unresolved-call', message: `${indirectUnresolved} indirect call(s) could not be resolved to a function (no matching ops-table binding); their lock effects are unknown.` });
  }
  problems.sort((a, b) => cmpStr(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || cmpStr(a.code, b.code) || cmpStr(a.message, b.message));

  if (reuse) {
    const fileKeys = st ? st.fileKeys : new Map<string, string[]>();
    for (const f of st ? [...changed.keys()] : prog.files.map((x) => x.file)) {
      const seg = prog.fnsByFile.get(f);
      if (seg) fileKeys.set(f, seg.map((x) => x.key));
      else fileKeys.delete(f);
    }
    reuse.next = {
      opts,
      files: fileMap,
      prog,
      cat,
      macroNames,
      bindRecs,
      bindFnCache,
      bindSig,
      bindings,
      nameIdx,
      succ,
      preds,
      sccs,
      sccOf,
      recursive,
      comps,
      revDeps,
      classes,
      summaries,
      local,
      seeds,
      entry,
      top,
      topDown,
      order,
      callsIn,
      edgeKeysOf,
      contributors,
      edgeStates,
      edges,
      edgeReach,
      readReadEdges,
      fileKeys,
      lockTypesSig,
      lockTypes,
      fileAcq,
      acqCount,
      primType,
      compProblems,
      factsCache,
      fileAgg,
      fnRefs,
      edgeNodes,
      locks,
      findingLocks,
      detFn,
      detGlobal,
    };
  }

  const result: AnalysisResult = {
    version: 1,
    files: facts.length,
    functions,
    locks,
    edges,
    findings: outFindings,
    sites,
    problems,
    stats: {
      files: facts.length,
      bytes: facts.reduce((s, f) => s + (f.bytes || 0), 0),
      functions: functions.length,
      unmodeledFunctions: facts.reduce((s, f) => s + (f.unmodeled?.length ?? 0), 0),
      filesWithErrorNodes: facts.filter((f) => (f.errorNodes ?? 0) > 0 || (f.errorNodesUnmasked ?? 0) > 0).length,
      callSites,
      indirectCallsResolved: indirectResolved,
      timings,
    },
  };
  if (lineFacts) result.lines = lines;
  lap('finish');
  return result;
}

interface FileAgg {
  functions: FunctionFacts[];
  sites: LockSite[];
  lines: LineFacts[];
  refs: Set<string>;
  callSites: number;
  resolved: number;
  unresolved: number;
  problems: Problem[];
  /** Findings of the per-function detectors, per detector index. */
  det: (Finding[] | null)[];
}

interface DetCache {
  r: LocalResult;
  e: Entry;
  /** Findings per detector index (read-only: functions without findings share NO_FINDINGS). */
  out: readonly (Finding[] | null)[];
}

/** The per-function findings list of a function without findings (every detector null). */
const NO_FINDINGS: readonly null[] = Object.freeze(DETECTORS.map(() => null));

const cmpFnInfo = (a: FnInfo, b: FnInfo): number => cmpStr(a.file, b.file) || a.ir.line - b.ir.line || cmpStr(a.ir.name, b.ir.name);

function fileOfKey(k: string): string {
  return k.slice(0, k.lastIndexOf('::'));
}

function addPred(m: Map<string, Set<string>>, callee: string, caller: string): void {
  const s = m.get(callee);
  if (s) s.add(caller);
  else m.set(callee, new Set([caller]));
}

function sameOpts(a: AnalyzeOptions, b: AnalyzeOptions): boolean {
  return a.config === b.config && !!a.noAnnotations === !!b.noAnnotations && !!a.lineFacts === !!b.lineFacts;
}

/** Types and macros of a file ('' when it has none: adding or removing such a file changes nothing). */
function hardPart(f: FileFacts | null | undefined): string {
  if (!f || (f.structs?.length ?? 0) + (f.typedefs?.length ?? 0) + (f.macros?.length ?? 0) === 0) return '';
  return fileHardSig(f);
}

/**
 * Name → functions mentioning it, and → files whose global initialisers mention it. The function
 * lists are arrays in insertion order (a function adds each of its names once): 550 k Set
 * insertions were a third of building the index on a series' first patch. Removed functions are
 * tombstoned in `dead` and skipped by readers (what Set.delete did, in O(1) per keystroke), and
 * the lists are compacted once `nameIndexTuning.deadMax` have piled up.
 */
interface NameIndex {
  fns: Map<string, FnInfo[]>;
  dead: Set<FnInfo>;
  globals: Map<string, Set<string>>;
}

/** Tombstones kept before the name index is compacted (a knob for the tests). */
export const nameIndexTuning = { deadMax: 1024 };

const globalNamesCache = new WeakMap<FileFacts, Set<string>>();
function globalNames(f: FileFacts): Set<string> {
  let refs = globalNamesCache.get(f);
  if (!refs) {
    refs = new Set<string>();
    for (const m of JSON.stringify(f.globals ?? []).matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) refs.add(m[0]);
    globalNamesCache.set(f, refs);
  }
  return refs;
}

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (s) s.add(v);
  else m.set(k, new Set([v]));
}

function addFn(m: Map<string, FnInfo[]>, n: string, f: FnInfo): void {
  const l = m.get(n);
  if (l) l.push(f);
  else m.set(n, [f]);
}

function buildNameIndex(prog: Program): NameIndex {
  const idx: NameIndex = { fns: new Map(), dead: new Set(), globals: new Map() };
  for (const f of prog.fns) for (const n of referencedNames(f.ir)) addFn(idx.fns, n, f);
  for (const f of prog.files) for (const n of globalNames(f)) addTo(idx.globals, n, f.file);
  return idx;
}

function updateNameIndex(idx: NameIndex, added: FnInfo[], removed: FnInfo[], changed: Map<string, FileFacts | null>, before: Map<string, FileFacts>): void {
  for (const o of removed) idx.dead.add(o);
  if (idx.dead.size >= nameIndexTuning.deadMax) {
    for (const [n, l] of idx.fns) {
      const live = l.filter((f) => !idx.dead.has(f));
      if (live.length) idx.fns.set(n, live);
      else idx.fns.delete(n);
    }
    idx.dead.clear();
  }
  for (const a of added) {
    // A function object that comes back is live again (a stale entry of it only repeats it).
    idx.dead.delete(a);
    for (const n of referencedNames(a.ir)) addFn(idx.fns, n, a);
  }
  for (const [p, f] of changed) {
    const o = before.get(p);
    if (o) for (const n of globalNames(o)) idx.globals.get(n)?.delete(p);
    if (f) for (const n of globalNames(f)) addTo(idx.globals, n, p);
  }
}

const NO_RECS: FileBindRecs = { globals: [], fns: [] };

/** Pairs each removed FnInfo with the added one of the same key (in order): edits replace objects. */
function pairReplacements(added: FnInfo[], removed: FnInfo[], out: Map<FnInfo, FnInfo>): void {
  const byKey = new Map<string, FnInfo[]>();
  for (const a of added) {
    const l = byKey.get(a.key);
    if (l) l.push(a);
    else byKey.set(a.key, [a]);
  }
  for (const r of removed) {
    const n = byKey.get(r.key)?.shift();
    if (n) out.set(r, n);
  }
}

function remapBindings(b: Bindings, swapped: Map<FnInfo, FnInfo>): Bindings {
  if (swapped.size === 0) return b;
  const hit = (l: FnInfo[]): boolean => l.some((f) => swapped.has(f));
  const list = (l: FnInfo[]): FnInfo[] => (hit(l) ? l.map((f) => swapped.get(f) ?? f) : l);
  const map = (m: Map<string, FnInfo[]>): Map<string, FnInfo[]> => {
    let any = false;
    for (const l of m.values()) if (hit(l)) any = true;
    if (!any) return m;
    const out = new Map<string, FnInfo[]>();
    for (const [k, l] of m) out.set(k, list(l));
    return out;
  };
  return { ops: map(b.ops), byField: map(b.byField), handles: map(b.handles), workFns: list(b.workFns), threadFns: list(b.threadFns), rcuCallbacks: list(b.rcuCallbacks), recursiveLocks: b.recursiveLocks };
}

function bindingsSig(b: Bindings): string {
  const keys = (l: FnInfo[]): string => l.map((f) => f.key).join(',');
  const map = (m: Map<string, FnInfo[]>): string =>
    [...m]
      .sort((x, y) => cmpStr(x[0], y[0]))
      .map(([k, l]) => `${k}=${keys(l)}`)
      .join(';');
  return [map(b.ops), map(b.byField), map(b.handles), keys(b.workFns), keys(b.threadFns), keys(b.rcuCallbacks), [...b.recursiveLocks].sort().join(',')].join('\u0001');
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

const orNone = (a: string[]): string[] => (a.length ? a : NONE);

function buildFacts(f: FnInfo, r: LocalResult, s: FnSummary, e: Entry, callers: number, heldFor: (snap: Snap, fn: FnInfo) => { must: string[]; may: string[] }, lineFacts: boolean): FactsCache {
  // Most of these lists are empty: those are the shared frozen empty list (results are read-only).
  const acquires = orNone(sortedUnique([...s.acquires.keys()].filter((k) => !k.startsWith('#'))));
  const returnsHolding = orNone(sortedUnique([...s.returnsHolding.keys(), ...(s.tryRet ? s.tryRet.locks.map((l) => l.lock) : [])]));
  const releasesUnheld = orNone(sortedUnique(s.releases.keys()));
  const requires = orNone(sortedUnique(s.requires.keys()));
  const ff: FunctionFacts = {
    name: f.ir.name,
    file: f.file,
    line: f.ir.line,
    endLine: f.ir.endLine,
    callers,
    entry: { must: orNone(sortedUnique(e.must)), may: orNone(sortedUnique(e.may)) },
    acquires,
    returnsHolding,
    releasesUnheld,
    requires,
    maySleep: !!s.sleep,
    partial: !!f.ir.hasErrors,
  };
  const refs = new Set<string>([...acquires, ...returnsHolding, ...releasesUnheld, ...requires, ...e.may]);
  const sites: LockSite[] = [];
  for (const site of r.sites) {
    sites.push({ file: f.file, line: site.line, col: site.col, function: f.ir.name, op: site.op, locks: site.locks, heldAfter: heldFor(site.snap, f), text: site.text });
    for (const l of site.locks) refs.add(l);
  }
  const lines: LineFacts[] = [];
  if (lineFacts) {
    const byLine = new Map<number, { must: Set<string> | null; may: Set<string> }>();
    for (const l of r.lines) {
      const h = heldFor(l.snap, f);
      const cur = byLine.get(l.line);
      if (!cur) byLine.set(l.line, { must: new Set(h.must), may: new Set(h.may) });
      else {
        cur.must = new Set([...cur.must!].filter((x) => h.must.includes(x)));
        for (const x of h.may) cur.may.add(x);
      }
    }
    for (const [line, v] of byLine) lines.push({ file: f.file, line, held: { must: sortedUnique(v.must ?? []), may: sortedUnique(v.may) } });
  }
  return { fi: f, r, s, e, ff, sites, lines, refs: [...refs] };
}

/**
 * `heldWith(snap, e)` for the entry worklist, without its sorted copies: adds the may-set to `may`
 * and returns the must-set. A hub function's entry is recomputed from every caller on each
 * step, and the four Sets and two sorts per caller were most of an edit's entry phase.
 */
function heldAtCall(snap: Snap, e: Entry | undefined, may: Set<string>): Set<string> {
  const must = new Set(snap.must);
  for (const l of snap.may) may.add(l);
  if (e) {
    for (const l of e.must) if (!snap.dropMay.includes(l)) must.add(l);
    for (const l of e.may) if (!snap.dropMust.includes(l)) may.add(l);
  }
  for (const l of must) may.add(l);
  return must;
}

/** Deep equality of JSON-like values (IR): no serialisation, stops at the first difference. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    // Same key order as JSON.stringify would compare (IR objects are built by the same code).
    if (k !== kb[i]) return false;
    if (!sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function setEq(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** The catalog plus the tree's lock wrapper macros (see catalog/macro-prims.ts). */
function withMacroPrimitives(cat: Catalog, prog: Program): Catalog {
  const extra = macroPrimitives(
    prog.files.map((f) => f.macros),
    cat.prims,
    (n) => prog.byName.has(n),
  );
  if (!extra.length) return cat;
  const prims = new Map(cat.prims);
  for (const p of extra) prims.set(p.name, p);
  return { ...cat, prims };
}
