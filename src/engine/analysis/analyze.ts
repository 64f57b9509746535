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
import { collectBindings, indirectTargets } from './bindings';
import { calleesOf, sccsBottomUp } from './callgraph';
import { MinHeap } from './function-flow';
import { changedNames, computeSummaries, globalSignature, mentionsChanged, type ReuseSlot } from './scc-summaries';
import type { LockRef } from './lock-identity';
import { Program, type FnInfo } from './program';
import { cmpChain, cmpStr, hashHex, sortedUnique } from './util';

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
 * `analyzeFacts` that may reuse the per-SCC local results of a previous run (`reuse.prev`) and
 * leaves this run's in `reuse.next`. Results are identical to a from-scratch run; used by
 * `AnalysisSession`.
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
  const prog = new Program(facts);
  const cat = withMacroPrimitives(buildCatalog(config), prog);
  const bindings = collectBindings(prog, cat);
  if (reuse) reuse.globalSig = globalSignature(prog, bindings);
  lap('index');

  // --- class registry ---------------------------------------------------------------------------
  const classes = new Map<string, LockRef>();
  const noteClass = (r: LockRef): void => {
    const prev = classes.get(r.id);
    if (!prev || (prev.declType === 'unknown' && r.declType !== 'unknown')) classes.set(r.id, r);
  };

  // --- local pass, bottom-up over SCCs (reusing a previous run's per-SCC results when allowed) ----
  const prevState = reuse && reuse.prev && reuse.prev.globalSig === reuse.globalSig ? reuse.prev : null;
  const fileMap = new Map(prog.files.map((f) => [f.file, f]));
  const dirtyNames = prevState ? changedNames(prevState.files, fileMap) : new Set<string>();
  // Callees depend on the function's IR and program-wide data only: reuse them when both are unchanged.
  const succ = new Map<FnInfo, FnInfo[]>();
  const byKeyFn = prevState ? new Map(prog.fns.map((f) => [f.key, f])) : null;
  const succKeys = new Map<string, string[]>();
  for (const f of prog.fns) {
    const old = prevState?.fns.get(f.key);
    const oldSucc = old && old.ir === f.ir && !mentionsChanged(f.ir, dirtyNames) ? prevState!.succ.get(f.key) : undefined;
    const mapped = oldSucc && byKeyFn ? oldSucc.map((k) => byKeyFn.get(k)) : undefined;
    const list = mapped && mapped.every((x) => x !== undefined) ? (mapped as FnInfo[]) : calleesOf(prog, cat, bindings, f);
    succ.set(f, list);
    succKeys.set(f.key, list.map((g) => g.key));
  }
  const sccs = sccsBottomUp(prog.fns, succ);
  const problems: Problem[] = [];
  const sumRun = computeSummaries({ prog, cat, bindings, noAnnotations, lineFacts: !!opts.lineFacts, perNetRtnlAlsoGlobal: !!config.perNetRtnlAlsoGlobal }, sccs, succ, prevState, checkAbort, dirtyNames);
  const { summaries, local } = sumRun;
  for (const c of sumRun.comps) {
    for (const r of c.notes) noteClass(r);
    if (c.problem) problems.push(c.problem);
  }
  if (reuse) {
    reuse.next = { globalSig: reuse.globalSig, fns: sumRun.fnRecords, comps: sumRun.compByKey, succ: succKeys, files: fileMap };
    timings.reusedFunctions = sumRun.reused;
  }
  lap('summaries');

  // --- entry contexts (top-down) ---------------------------------------------------------------------
  const byKey = new Map(prog.fns.map((f) => [f.key, f]));
  const callers = new Map<string, { caller: FnInfo; line: number }[]>();
  let callSites = 0;
  let indirectResolved = 0;
  let indirectUnresolved = 0;
  for (const f of prog.fns) {
    const r = local.get(f.key);
    if (!r) continue;
    indirectResolved += r.resolvedIndirect;
    indirectUnresolved += r.unresolvedIndirect;
    for (const c of r.calls) {
      for (const k of c.callee) {
        const l = callers.get(k) ?? [];
        l.push({ caller: f, line: c.line });
        callers.set(k, l);
        callSites++;
      }
    }
    if (r.fixpointCapped) problems.push({ severity: 'info', code: 'fixpoint-cap', message: `Data-flow of ${f.ir.name} hit its iteration cap; held sets there are approximate.`, file: f.file, line: f.ir.line });
  }
  const seeds = new Map<string, Set<string>>();
  for (const f of prog.fns) {
    const s = summaries.get(f.key);
    const seed = new Set<string>();
    if (s && !noAnnotations) for (const [id, q] of s.requires) if (q.param === undefined || !id.startsWith('?')) seed.add(id);
    seeds.set(f.key, seed);
  }
  const entry = new Map<string, Entry>();
  const top = new Set<string>(); // must = TOP (not yet constrained by a computed caller)
  for (const f of prog.fns) {
    const seed = seeds.get(f.key)!;
    entry.set(f.key, { must: new Set(seed), may: new Set(seed) });
    if (callers.has(f.key)) top.add(f.key);
  }
  const callsByCallee = new Map<string, { caller: FnInfo; snap: import('./summary').Snap }[]>();
  for (const f of prog.fns) {
    for (const c of local.get(f.key)?.calls ?? []) {
      for (const k of c.callee) {
        const l = callsByCallee.get(k) ?? [];
        l.push({ caller: f, snap: c.snap });
        callsByCallee.set(k, l);
      }
    }
  }
  // Worklist, callers first: a function is recomputed only when one of its callers' entry changed.
  const topDown = [...sccs].reverse().flat();
  const order = new Map(topDown.map((f, i) => [f.key, i]));
  const calleesByKey = new Map<string, Set<string>>();
  for (const f of prog.fns) {
    const out = new Set<string>();
    for (const c of local.get(f.key)?.calls ?? []) for (const k of c.callee) out.add(k);
    calleesByKey.set(f.key, out);
  }
  const pending = new Set<number>(topDown.map((_, i) => i));
  const heap = new MinHeap();
  for (let i = 0; i < topDown.length; i++) heap.push(i);
  let budget = topDown.length * 12 + 100;
  while (heap.size && budget-- > 0) {
    if ((budget & 1023) === 0) checkAbort();
    // Lowest topological index first (deterministic).
    const idx = heap.pop();
    pending.delete(idx);
    const nextKey = topDown[idx]!.key;
    const f = byKey.get(nextKey!)!;
    const cs = callsByCallee.get(f.key);
    if (!cs) continue;
    const seed = seeds.get(f.key)!;
    let must = null as Set<string> | null;
    const may = new Set(seed);
    for (const c of cs) {
      const ce = entry.get(c.caller.key);
      const callerTop = top.has(c.caller.key);
      const h = heldWith(c.snap, ce);
      for (const l of h.may) may.add(l);
      if (callerTop && c.caller !== f) continue;
      if (must === null) must = new Set(h.must);
      else {
        const hm = new Set(h.must);
        for (const x of must) if (!hm.has(x)) must.delete(x);
      }
    }
    const cur = entry.get(f.key)!;
    const newMust = new Set(seed);
    if (must) for (const l of must) newMust.add(l);
    const wasTop = top.has(f.key);
    if (must !== null) top.delete(f.key);
    const same = wasTop === top.has(f.key) && setEq(cur.must, newMust) && setEq(cur.may, may);
    if (!same) {
      entry.set(f.key, { must: must !== null ? newMust : cur.must, may });
      for (const k of calleesByKey.get(f.key) ?? []) {
        const o = order.get(k);
        if (o !== undefined && !pending.has(o)) {
          pending.add(o);
          heap.push(o);
        }
      }
    }
  }
  for (const k of top) {
    // Only reachable through unresolved recursion: fall back to the seeds.
    const seed = seeds.get(k)!;
    const e = entry.get(k)!;
    entry.set(k, { must: new Set(seed), may: e.may });
  }
  for (const e of entry.values()) for (const l of e.must) e.may.add(l);
  lap('entry');

  // --- lock-order graph -------------------------------------------------------------------------------
  // Per edge: distinct acquisition pairs (first step of the `from` chain, last step of the `to`
  // chain, reach statement) are counted; only the best MAX_WITNESSES chains are kept.
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
  for (const f of prog.fns) {
    for (const e of local.get(f.key)?.edges ?? []) {
      if (isRcuId(e.from) || isRcuId(e.to)) continue;
      const k = `${e.from}\u0000${e.to}`;
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
  const edgeReach = new Map<string, { fn: FnInfo; line: number }>();
  const readReadEdges = new Set<string>();
  const edges: LockEdge[] = [...edgeMap.values()]
    .map((m) => {
      const k = `${m.from}\u0000${m.to}`;
      if (m.allReadRead) readReadEdges.add(k);
      if (m.reach) edgeReach.set(k, m.reach);
      return { from: m.from, to: m.to, witnesses: m.best.map((b) => b.chain), count: m.pairs.size, trylock: m.allTry };
    })
    .sort((a, b) => cmpStr(a.from, b.from) || cmpStr(a.to, b.to));
  lap('graph');

  // --- lock classes ------------------------------------------------------------------------------------
  const acqCount = new Map<string, number>();
  const primType = new Map<string, LockType>();
  for (const f of prog.fns) {
    for (const a of local.get(f.key)?.acqSites ?? []) {
      acqCount.set(a.lock, (acqCount.get(a.lock) ?? 0) + 1);
      if (a.type !== 'unknown' && !primType.has(a.lock)) primType.set(a.lock, a.type);
    }
  }
  const contended = new Set<string>(['rtnl_mutex', ...(config.contendedLocks ?? [])]);
  const lockTypes = new Map<string, LockType>();
  for (const [id, r] of classes) lockTypes.set(id, primType.get(id) ?? r.declType);

  // --- functions, sites, lines -------------------------------------------------------------------------
  const heldFor = (snap: import('./summary').Snap, fn: FnInfo) => heldWith(snap, entry.get(fn.key));
  const functions: FunctionFacts[] = [];
  const sites: LockSite[] = [];
  const lines: LineFacts[] = [];
  const referenced = new Set<string>();
  for (const f of prog.fns) {
    const r = local.get(f.key);
    const s = summaries.get(f.key);
    if (!r || !s) continue;
    const e = entry.get(f.key)!;
    const acquires = sortedUnique([...s.acquires.keys()].filter((k) => !k.startsWith('#')));
    const returnsHolding = sortedUnique([...s.returnsHolding.keys(), ...(s.tryRet ? s.tryRet.locks.map((l) => l.lock) : [])]);
    const releasesUnheld = sortedUnique(s.releases.keys());
    const requires = sortedUnique(s.requires.keys());
    functions.push({
      name: f.ir.name,
      file: f.file,
      line: f.ir.line,
      endLine: f.ir.endLine,
      callers: callers.get(f.key)?.length ?? 0,
      entry: { must: sortedUnique(e.must), may: sortedUnique(e.may) },
      acquires,
      returnsHolding,
      releasesUnheld,
      requires,
      maySleep: !!s.sleep,
      partial: !!f.ir.hasErrors,
    });
    for (const x of [...acquires, ...returnsHolding, ...releasesUnheld, ...requires, ...e.may]) referenced.add(x);
    for (const site of r.sites) {
      sites.push({ file: f.file, line: site.line, col: site.col, function: f.ir.name, op: site.op, locks: site.locks, heldAfter: heldFor(site.snap, f), text: site.text });
      for (const l of site.locks) referenced.add(l);
    }
    if (opts.lineFacts) {
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
  }
  functions.sort((a, b) => cmpStr(a.file, b.file) || a.line - b.line || cmpStr(a.name, b.name));
  sites.sort((a, b) => cmpStr(a.file, b.file) || a.line - b.line || a.col - b.col || cmpStr(a.op, b.op) || cmpStr(a.function, b.function) || cmpStr(a.text, b.text));
  lines.sort((a, b) => cmpStr(a.file, b.file) || a.line - b.line);
  lap('facts');

  // --- detectors ----------------------------------------------------------------------------------------
  const ctx: DetectorContext = {
    prog,
    cat,
    config,
    bindings,
    noAnnotations,
    fns: prog.fns,
    local,
    entry,
    callers,
    edges,
    edgeReach,
    readReadEdges,
    callSnaps: callsByCallee,
    lockTypes,
    contended,
    held: heldFor,
  };
  const findings: Finding[] = [];
  for (const d of DETECTORS) {
    checkAbort();
    try {
      for (const fnd of d.run(ctx)) findings.push(fnd);
    } catch (err) {
      problems.push({ severity: 'error', code: 'detector-error', message: `Detector ${d.rule} failed: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  const seen = new Set<string>();
  const uniq = findings.filter((x) => {
    const k = `${x.rule}|${x.file}|${x.line}|${x.locks.join(',')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  uniq.sort((a, b) => cmpStr(a.file, b.file) || a.line - b.line || cmpStr(a.rule, b.rule) || cmpStr(a.locks.join(','), b.locks.join(',')) || cmpStr(a.fingerprint, b.fingerprint));
  // Same rule/function/locks/key twice in one function (two leaking returns): number them in
  // source order so fingerprints stay unique without depending on line numbers.
  const fpCount = new Map<string, number>();
  for (const fnd of uniq) {
    const n = fpCount.get(fnd.fingerprint) ?? 0;
    fpCount.set(fnd.fingerprint, n + 1);
    if (n > 0) fnd.fingerprint = hashHex(`${fnd.fingerprint}#${n}`);
  }
  for (const fnd of uniq) for (const l of fnd.locks) referenced.add(l);
  for (const e of edges) {
    referenced.add(e.from);
    referenced.add(e.to);
  }
  lap('detectors');

  const locks: LockClass[] = [...referenced]
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

  const result: AnalysisResult = {
    version: 1,
    files: facts.length,
    functions,
    locks,
    edges,
    findings: uniq,
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
  if (opts.lineFacts) result.lines = lines;
  return result;
}

function setEq(a: Set<string>, b: Set<string>): boolean {
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
