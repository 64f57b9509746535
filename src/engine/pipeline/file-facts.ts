/**
 * Phase 7, per-file facts and per-function findings: each function's facts (entry, acquires,
 * requires, ...), lock sites and held-lock lines, the call statistics, and the findings of the
 * per-function rules, aggregated per file in program order.
 *
 * Incremental: only the files whose functions' facts or findings may differ are rebuilt. A
 * function's facts are cached while its FnInfo, local result, summary and entry are the same
 * objects; its findings while its local result and entry are, and nothing it reads changed
 * (callers' call sites and entries; bound functions' summaries for rules that read them).
 */
import type { Finding, FunctionFacts, LineFacts, LockSite, Problem } from '../model';
import type { Bindings } from '../analysis/bindings';
import type { FnInfo, Program } from '../analysis/program';
import type { FnSummary, LocalResult, Snap } from '../analysis/summary';
import { NONE } from '../analysis/flow/compact';
import { sortedUnique, cmpStr } from '../analysis/util';
import { DETECTORS } from '../detectors/registry';
import type { DetectorContext, Entry } from '../detectors/context';
import { NO_FINDINGS, type DetectorRunner } from './detector-runner';
import type { CallIn } from './entry-contexts';
import { fileOfKey, setEq } from './keys';
import type { IndexChanges } from './program-index';

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

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

/** Per-function findings, valid while the local result and entry are the same objects. */
interface DetCache {
  r: LocalResult;
  e: Entry;
  /** Findings per detector index (read-only: functions without findings share NO_FINDINGS). */
  out: readonly (Finding[] | null)[];
}

/** Per-file facts, statistics and per-function findings, in program order. */
export interface FileAgg {
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

/** What a session keeps of the facts between runs. */
export interface FileFactsState {
  factsCache: Map<FnInfo, FactsCache>;
  /** Per-function findings per detector index (per-function detectors only). */
  detFn: Map<FnInfo, DetCache>;
  fileAgg: Map<string, FileAgg>;
  /** Lock ids the functions mention (the lock list is these plus findings' locks and graph nodes). */
  fnRefs: Set<string>;
}

export interface FileFactsInput {
  prog: Program;
  ctx: DetectorContext;
  runner: DetectorRunner;
  summaries: Map<string, FnSummary>;
  callsIn: Map<string, CallIn[]>;
  lineFacts: boolean;
  changes: IndexChanges;
  /** What changed upstream (incremental runs): local results, entries, summaries. */
  localKeys: Set<string>;
  oldLocal: Map<string, LocalResult | undefined> | null;
  entryDirty: Set<string>;
  entryChanged: Set<string> | null;
  changedSummaries: Set<string> | null;
  prev: FileFactsState | null;
  /** A session: fill the caches only its next run reads. */
  keepCaches: boolean;
}

export interface FileFactsOutput {
  state: FileFactsState;
  /** Time spent in per-function rules (ms), accounted to the detectors. */
  detMs: number;
}

/** Files whose functions' facts or findings may differ from the previous run, and what made them. */
interface Touched {
  files: Set<string>;
  /** Functions whose findings must be recomputed. */
  detDirty: Set<string>;
  /** A bound function's summary changed. */
  boundChanged: boolean;
  incremental: boolean;
}

export function buildFileFacts(inp: FileFactsInput): FileFactsOutput {
  const { prog, prev } = inp;
  const touched = touchedFiles(inp);
  const state: FileFactsState = prev ?? { factsCache: new Map(), detFn: new Map(), fileAgg: new Map(), fnRefs: new Set() };
  const { factsCache, detFn, fileAgg } = state;
  for (const f of inp.changes.removed) {
    factsCache.delete(f);
    detFn.delete(f);
  }
  for (const [p, f] of inp.changes.changed) if (!f) fileAgg.delete(p);
  const timer = { detMs: 0 };
  let refsChanged = !prev;
  for (const p of touched.files) {
    const seg = prog.fnsByFile.get(p);
    if (!seg) {
      if (fileAgg.delete(p)) refsChanged = true;
      continue;
    }
    const agg = fileFacts(inp, state, touched, seg, timer);
    const oldAgg = fileAgg.get(p);
    if (!oldAgg || !setEq(oldAgg.refs, agg.refs)) refsChanged = true;
    fileAgg.set(p, agg);
  }
  if (!prev || refsChanged) {
    state.fnRefs = new Set();
    for (const f of prog.files) for (const x of fileAgg.get(f.file)?.refs ?? []) state.fnRefs.add(x);
  }
  return { state, detMs: timer.detMs };
}

function touchedFiles(inp: FileFactsInput): Touched {
  const { prog } = inp;
  const files = new Set<string>();
  const detDirty = new Set<string>();
  const incremental = !!inp.prev && !!inp.oldLocal && !!inp.entryChanged;
  if (!incremental) {
    for (const f of prog.files) files.add(f.file);
    return { files, detDirty, boundChanged: true, incremental };
  }
  const { changed, added, removed } = inp.changes;
  for (const [p] of changed) files.add(p);
  for (const f of added) files.add(f.file);
  for (const f of removed) files.add(f.file);
  // Facts read a function's own results, entry and caller count; findings also read its
  // callers' call sites and entry contexts.
  for (const k of inp.entryDirty) detDirty.add(k);
  for (const k of [...inp.localKeys, ...inp.entryChanged!]) {
    detDirty.add(k);
    const before = inp.oldLocal!.has(k) ? inp.oldLocal!.get(k) : undefined;
    for (const c of before?.calls ?? []) for (const x of c.callee) detDirty.add(x);
    for (const c of inp.ctx.local.get(k)?.calls ?? []) for (const x of c.callee) detDirty.add(x);
  }
  for (const k of detDirty) files.add(fileOfKey(k));
  // Rules reading the summaries of bound (awaited) functions: rerun where those changed.
  let boundChanged = false;
  if (DETECTORS.some((d) => d.readsBoundSummaries)) {
    const b: Bindings = inp.ctx.bindings;
    const bound = [...b.handles.values()].flat().concat(b.workFns, b.rcuCallbacks);
    const changedSum = inp.changedSummaries ?? new Set(inp.localKeys);
    boundChanged = bound.some((f) => changedSum.has(f.key));
    if (boundChanged) for (const f of prog.files) files.add(f.file);
  }
  return { files, detDirty, boundChanged, incremental };
}

function fileFacts(inp: FileFactsInput, state: FileFactsState, touched: Touched, seg: FnInfo[], timer: { detMs: number }): FileAgg {
  const { ctx } = inp;
  const agg: FileAgg = { functions: [], sites: [], lines: [], refs: new Set(), callSites: 0, resolved: 0, unresolved: 0, problems: [], det: DETECTORS.map(() => null) };
  for (const f of seg) {
    const r = ctx.local.get(f.key);
    if (!r) continue;
    agg.resolved += r.resolvedIndirect;
    agg.unresolved += r.unresolvedIndirect;
    for (const c of r.calls) agg.callSites += c.callee.length;
    if (r.fixpointCapped) agg.problems.push({ severity: 'info', code: 'fixpoint-cap', message: `Data-flow of ${f.ir.name} hit its iteration cap; held sets there are approximate.`, file: f.file, line: f.ir.line });
    const s = inp.summaries.get(f.key);
    if (!s) continue;
    const e = ctx.entry.get(f.key)!;
    let c = state.factsCache.get(f);
    const callers = inp.callsIn.get(f.key)?.length ?? 0;
    if (!c || c.r !== r || c.s !== s || c.e !== e || c.ff.callers !== callers) {
      c = buildFacts(f, r, s, e, callers, ctx.held, inp.lineFacts);
      // Only a session's next run reads the cache.
      if (inp.keepCaches) state.factsCache.set(f, c);
    }
    agg.functions.push(c.ff);
    for (const x of c.sites) agg.sites.push(x);
    for (const x of c.lines) agg.lines.push(x);
    for (const x of c.refs) agg.refs.add(x);
    // Per-function detectors (cached while the function and what it reads are unchanged).
    if (r.summary.noAnalysis) continue;
    const td = now();
    const dc = functionFindings(inp, state, touched, f, r, e);
    for (const i of inp.runner.perFnIdx) {
      const l = dc.out[i];
      if (l) (agg.det[i] ??= []).push(...l);
    }
    timer.detMs += now() - td;
  }
  agg.sites.sort((a, b) => a.line - b.line || a.col - b.col || cmpStr(a.op, b.op) || cmpStr(a.function, b.function) || cmpStr(a.text, b.text));
  agg.lines.sort((a, b) => a.line - b.line);
  return agg;
}

/** The per-function rules' findings for `f`, from the cache when nothing they read changed. */
function functionFindings(inp: FileFactsInput, state: FileFactsState, touched: Touched, f: FnInfo, r: LocalResult, e: Entry): DetCache {
  const { runner } = inp;
  let dc = state.detFn.get(f);
  if (dc && dc.r === r && dc.e === e && touched.incremental && !touched.detDirty.has(f.key) && !(touched.boundChanged && readsBound(r))) return dc;
  let out: readonly (Finding[] | null)[] = NO_FINDINGS;
  for (const i of runner.perFnIdx) {
    const d = DETECTORS[i]!;
    const list = runner.run(i, () => d.perFn!(inp.ctx, f, r));
    if (!list.length) continue;
    // Most functions have no finding: they share one all-null list.
    if (out === NO_FINDINGS) out = DETECTORS.map(() => null);
    (out as (Finding[] | null)[])[i] = list;
  }
  dc = { r, e, out };
  if (inp.keepCaches) state.detFn.set(f, dc);
  return dc;
}

const readsBound = (r: LocalResult): boolean => DETECTORS.some((d) => d.readsBoundSummaries?.(r));

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
