/**
 * The global analysis: FileFacts[] → AnalysisResult, as a list of phases, each taking an explicit
 * input and returning an explicit output (and the state a session keeps of it):
 *
 *  1. program index (program-index.ts)       6. lock types (lock-types.ts)
 *  2. call graph (call-graph.ts)             7. per-file facts, per-function findings (file-facts.ts)
 *  3. SCC summaries (summaries.ts)           8. findings (findings.ts)
 *  4. entry contexts (entry-contexts.ts)     9. lock list (lock-list.ts)
 *  5. lock-order graph (lock-graph.ts)      10. result (result.ts)
 *
 * A session run after an edit hands each phase its previous state, and each redoes only what the
 * changed functions reach (see each phase). Types, macros or function-pointer bindings changing
 * start from scratch; a changed call graph rebuilds the SCCs but still reuses every SCC whose
 * members are unchanged.
 *
 * Deterministic: every collection is sorted before it is emitted. Never throws: an internal
 * error becomes a `problems[]` entry and an otherwise empty result.
 */
import type { FileFacts } from '../ir';
import type { AnalysisResult, Problem } from '../model';
import { cmpStr } from '../analysis/util';
import { buildCallGraph } from './call-graph';
import { DetectorRunner } from './detector-runner';
import { computeEntryContexts } from './entry-contexts';
import { buildFileFacts } from './file-facts';
import { computeFindings, detectorContext } from './findings';
import { buildLockGraph } from './lock-graph';
import { buildLockList } from './lock-list';
import { computeLockTypes } from './lock-types';
import { diffFiles, indexProgram } from './program-index';
import { assembleResult, collectFiles, emptyResult, finishProblems } from './result';
import type { AnalyzeOptions, ReuseSlot, SessionState } from './session-state';
import { computeSummaryPhase } from './summaries';

export type { AnalyzeOptions } from './session-state';

class Cancelled extends Error {}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

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
    return runPhases(list, opts, reuse);
  } catch (e) {
    if (e instanceof Cancelled) return emptyResult(list, [{ severity: 'warning', code: 'cancelled', message: 'Analysis cancelled.' }]);
    const msg = e instanceof Error ? e.message : String(e);
    return emptyResult(list, [{ severity: 'error', code: 'internal-error', message: `Lock analysis failed: ${msg}` }]);
  }
}

function sameOpts(a: AnalyzeOptions, b: AnalyzeOptions): boolean {
  return a.config === b.config && !!a.noAnnotations === !!b.noAnnotations && !!a.lineFacts === !!b.lineFacts;
}

/** Phase timings (ms) in `timings`, each lap measured from the previous one. */
function lapTimer(timings: Record<string, number>): (name: string) => void {
  let t0 = now();
  return (name) => {
    const t = now();
    timings[name] = Math.round((t - t0) * 100) / 100;
    t0 = t;
  };
}

function runPhases(facts: FileFacts[], opts: AnalyzeOptions, reuse?: ReuseSlot): AnalysisResult {
  const timings: Record<string, number> = {};
  const lap = lapTimer(timings);
  const checkAbort = (): void => {
    if (opts.signal?.aborted) throw new Cancelled();
  };
  const { config } = opts;
  const noAnnotations = !!opts.noAnnotations;
  const lineFacts = !!opts.lineFacts;
  const keep = !!reuse;

  const sorted = [...facts].filter((f) => f && typeof f.file === 'string').sort((a, b) => cmpStr(a.file, b.file));
  const fileMap = new Map(sorted.map((f) => [f.file, f]));
  const prevRun = reuse?.prev && sameOpts(reuse.prev.opts, opts) ? reuse.prev : null;
  const diff = prevRun ? diffFiles(prevRun.files, fileMap) : null;
  const st: SessionState | null = diff ? prevRun : null;
  const index = indexProgram({ sorted, fileMap, config, prev: st && diff ? { files: st.files, state: st.index, diff } : null, keepCaches: keep });
  if (!index) {
    // Function-pointer bindings feed every function's analysis: start from scratch.
    const slot: ReuseSlot = { prev: null };
    const r = runPhases(facts, opts, reuse ? slot : undefined);
    if (reuse) reuse.next = slot.next;
    return r;
  }
  const { prog, cat, bindings } = index.state;
  const { changes } = index;
  lap('index');

  const graph = buildCallGraph({ prog, cat, bindings, changes, prev: st?.callGraph ?? null, keepState: keep });
  const { structural } = graph;
  const problems: Problem[] = [];
  const sum = computeSummaryPhase({
    prog,
    inputs: { prog, cat, bindings, noAnnotations, lineFacts, perNetRtnlAlsoGlobal: !!config.perNetRtnlAlsoGlobal },
    succ: graph.state.succ,
    preds: graph.state.preds,
    structural,
    dirtyFns: graph.dirtyFns,
    changes,
    prev: st?.summaries ?? null,
    keepDeps: keep,
    checkAbort,
  });
  const { local, summaries, classes } = sum.state;
  const { localKeys, oldLocal } = sum;
  for (const pr of sum.state.compProblems.values()) problems.push(pr);
  if (reuse) {
    timings.reusedFunctions = sum.reused;
    // 0: from scratch; 1: call graph changed (SCCs rebuilt, summaries reused per SCC); 2: proportional path.
    timings.incrementalPath = st ? (structural ? 1 : 2) : 0;
  }
  lap('summaries');

  const ent = computeEntryContexts({ prog, noAnnotations, ...sum.state, newCompAt: sum.newCompAt, structural, oldLocal, localKeys, prev: st?.entries ?? null, checkAbort });
  const { callsIn, entry } = ent.state;
  lap('entry');

  const lockGraph = buildLockGraph({ prog, local, localKeys, prev: st && oldLocal ? st.lockGraph : null });
  const { edges } = lockGraph.state;
  lap('graph');

  const types = computeLockTypes({ prog, local, classes, localKeys, changes, prev: st && oldLocal ? st.lockTypes : null });
  const { lockTypes } = types.state;
  const contended = new Set<string>(['rtnl_mutex', ...(config.contendedLocks ?? [])]);
  const ctx = detectorContext({ prog, cat, config, bindings, noAnnotations, local, entry, callsIn, ...lockGraph.state, lockTypes, contended });
  const runner = new DetectorRunner(problems);
  const ff = buildFileFacts({ prog, ctx, runner, summaries, callsIn, lineFacts, changes, localKeys, oldLocal, entryDirty: ent.entryDirty, entryChanged: ent.entryChanged, changedSummaries: sum.changedSummaries, prev: st?.fileFacts ?? null, keepCaches: keep });
  const totals = collectFiles(prog, ff.state.fileAgg, lineFacts, problems);
  lap('facts');
  // Per-function detectors ran inside the facts loop: account their time to detectors.
  timings.facts = Math.round((timings.facts! - ff.detMs) * 100) / 100;

  const incremental = !!st && !!oldLocal && !!ent.entryChanged;
  const graphInputsChanged = !incremental || lockGraph.graphChanged || types.state.lockTypesSig !== st!.lockTypes.lockTypesSig || structural;
  const found = computeFindings({ ctx, runner, fileAgg: ff.state.fileAgg, graphInputsChanged, localKeys, prev: st?.findings ?? null, checkAbort });
  lap('detectors');
  timings.detectors = Math.round((timings.detectors! + ff.detMs) * 100) / 100;

  const lockList = buildLockList({ fnRefs: ff.state.fnRefs, edges, findings: found.findings, classes, lockTypes, acqCount: types.state.acqCount, acqChanged: types.acqChanged, contended, prev: st?.lockList ?? null });
  finishProblems(facts, totals.indirectUnresolved, problems);
  if (reuse) {
    reuse.next = { opts, files: fileMap, index: index.state, callGraph: graph.state, summaries: sum.state, entries: ent.state, lockGraph: lockGraph.state, lockTypes: types.state, fileFacts: ff.state, findings: found.state, lockList };
  }
  const result = assembleResult(facts, { totals, locks: lockList.locks, edges, findings: found.findings, problems, timings, lineFacts });
  lap('finish');
  return result;
}
