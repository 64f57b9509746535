/**
 * The series pipeline after ingestion: apply each patch onto an in-memory overlay of the base
 * tree, re-extract only the files a patch touched (facts of the others are reused), analyse,
 * and diff every state against the previous one and the base against the end of the series.
 * Without a base tree or analyser it runs in patch-only mode (hunks alone, labelled partial).
 */
import type { FileFacts } from '../ir';
import type { AnalysisResult } from '../model';
import { applyPatch, type Tree } from './apply';
import { scanHunks } from './hunk-scan';
import { diffStates, edgeKey, findingKey, type AnalysedState, type LockDelta } from './lock-diff';
import type { PatchReport, SeriesReport, Attributed } from './report-model';
import type { ParsedSeries, SeriesProblem } from './types';

/** The analysis the series runs on each state; the host wires the real parser and analyser. */
export interface SeriesAnalyzer {
  extract(file: string, text: string): FileFacts;
  analyze(facts: FileFacts[]): AnalysisResult;
  /** Paths that are analysed (include/exclude globs, C sources); others are only patched. */
  isSource(path: string): boolean;
  /**
   * Optional incremental analysis for one series, e.g. `() => new AnalysisSession({ config })`:
   * each patch then re-analyses only what its files changed (same results as `analyze`).
   */
  openSession?(): IncrementalAnalysis;
}

export interface IncrementalAnalysis {
  analyze(all: FileFacts[]): AnalysisResult;
  update(changed: FileFacts[], removed: string[]): AnalysisResult;
}

export interface AnalyzeSeriesOptions {
  /** Milliseconds clock for per-patch timings; the engine itself never reads the time. */
  clock?: () => number;
  /** Why the run is patch-only, when the caller knows (e.g. "no --base given"). */
  partialReason?: string;
  /**
   * Facts of base files already extracted by the caller (in parallel, or from a content-hash
   * cache); base files missing here are extracted with `analyzer.extract`.
   */
  baseFacts?: ReadonlyMap<string, FileFacts>;
}

const byPath = (a: FileFacts, b: FileFacts) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);

export function analyzeSeries(parsed: ParsedSeries, base: Tree | null, analyzer: SeriesAnalyzer | null, opts: AnalyzeSeriesOptions = {}): SeriesReport {
  const clock = opts.clock ?? (() => 0);
  const full = base !== null && analyzer !== null;
  const problems: SeriesProblem[] = [...parsed.problems];
  const notes = [...parsed.notes];
  const perPatch: PatchReport[] = [];
  const missing = new Set(parsed.problems.filter((p) => p.code === 'missing-patch').map((p) => p.patch!));

  let tree: Tree = base ?? new Map();
  const facts = new Map<string, FileFacts>();
  let reparsed = 0;
  let baseState: AnalysedState | null = null;
  let prev: AnalysedState | null = null;
  const tBase = clock();
  const session = full ? (analyzer.openSession?.() ?? null) : null;
  if (full) {
    for (const [path, text] of tree) if (analyzer.isSource(path)) facts.set(path, opts.baseFacts?.get(path) ?? analyzer.extract(path, text));
    const all = [...facts.values()].sort(byPath);
    baseState = prev = { result: session ? session.analyze(all) : analyzer.analyze(all), facts: all };
  }
  const baseMs = clock() - tBase;

  const total = Math.max(0, ...parsed.patches.map((p) => p.total), ...missing);
  const indices = [...new Set([...parsed.patches.map((p) => p.index), ...missing])].sort((a, b) => a - b);
  for (const index of indices) {
    const patch = parsed.patches.find((p) => p.index === index);
    if (!patch) {
      perPatch.push({
        index,
        total,
        subject: '(missing)',
        author: '',
        origin: '',
        applied: false,
        missing: true,
        error: `patch ${index}/${total} is missing from the input`,
        files: [],
        notes: [],
        problems: [],
        hunks: scanHunks({ files: [] }),
        delta: null,
        ms: 0,
      });
      continue;
    }
    const t0 = clock();
    const own = parsed.problems.filter((p) => p.patch === index && p.code !== 'missing-patch');
    const report: PatchReport = {
      index,
      total: patch.total,
      subject: patch.subject,
      author: patch.author,
      origin: patch.origin,
      applied: false,
      files: patch.files.map((f) => f.newPath ?? f.oldPath ?? '?'),
      notes: [...patch.notes],
      problems: [...own],
      hunks: scanHunks(patch),
      delta: null,
      ms: 0,
    };
    const rejected = own.filter((p) => p.severity === 'error' && p.code === 'unsafe-path');
    if (!full) {
      report.error = `not applied: ${opts.partialReason ?? 'no base tree'} (patch-only mode)`;
    } else if (rejected.length > 0) {
      report.error = `rejected: ${rejected.map((p) => p.message).join('; ')}`;
    } else {
      const applied = applyPatch(tree, patch);
      report.notes.push(...applied.notes);
      report.problems.push(...applied.problems);
      problems.push(...applied.problems);
      if (!applied.applied) {
        report.error = applied.problems.map((p) => `${p.file ?? ''}: ${p.message}`).join('; ');
      } else {
        report.applied = true;
        tree = applied.tree;
        const sourcesTouched = applied.touched.some((p) => analyzer.isSource(p) || facts.has(p));
        const changed: FileFacts[] = [];
        const removed: string[] = [];
        for (const path of applied.touched) {
          const text = tree.get(path);
          if (text === undefined || !analyzer.isSource(path)) {
            if (facts.delete(path)) removed.push(path);
          } else {
            const f = analyzer.extract(path, text);
            facts.set(path, f);
            changed.push(f);
            reparsed++;
          }
        }
        // A patch that touches no analysed file (docs, Makefiles) cannot change the lock graph.
        let cur = prev!;
        if (sourcesTouched) {
          const all = [...facts.values()].sort(byPath);
          cur = { result: session ? session.update(changed, removed) : analyzer.analyze(all), facts: all };
        } else report.notes.push('no analysed source file touched; lock graph unchanged');
        report.delta = diffStates(prev!, cur);
        prev = cur;
      }
    }
    report.ms = clock() - t0;
    perPatch.push(report);
  }

  const last = perPatch.filter((p) => p.applied).pop()?.index ?? 0;
  const overall = baseState && prev ? diffStates(baseState, prev) : null;
  const attribute = <T>(items: T[] | undefined, key: (t: T) => string, pick: (d: LockDelta) => T[]): Attributed<T>[] =>
    (items ?? []).map((item) => {
      const k = key(item);
      const at = [...perPatch].reverse().find((p) => p.delta && pick(p.delta).some((x) => key(x) === k));
      return { ...item, patch: at?.index ?? last };
    });
  const fnKey = (f: { name: string; file: string }) => f.name;

  const subjectVersion = parsed.series.version;
  return {
    version: 1,
    mode: full ? 'full' : 'patch-only',
    partial: !full,
    series: { subject: parsed.series.subject, version: subjectVersion, author: parsed.series.author },
    patches: perPatch.map((p) => ({ index: p.index, subject: p.subject, applied: p.applied, ...(p.error ? { error: p.error } : {}) })),
    findings: {
      introduced: attribute(overall?.findingsIntroduced, findingKey, (d) => d.findingsIntroduced),
      resolved: attribute(overall?.findingsResolved, findingKey, (d) => d.findingsResolved),
      persisting: overall?.findingsPersisting ?? [],
    },
    edges: {
      added: attribute(overall?.edgesAdded, edgeKey, (d) => d.edgesAdded),
      removed: attribute(overall?.edgesRemoved, edgeKey, (d) => d.edgesRemoved),
    },
    locks: {
      added: attribute(overall?.locksAdded, (l) => l.id, (d) => d.locksAdded),
      removed: attribute(overall?.locksRemoved, (l) => l.id, (d) => d.locksRemoved),
    },
    functions: { entryChanged: attribute(overall?.entryChanged, fnKey, (d) => d.entryChanged) },
    contention: {
      added: attribute(overall?.contentionAdded, (c) => c.key, (d) => d.contentionAdded),
      removed: attribute(overall?.contentionRemoved, (c) => c.key, (d) => d.contentionRemoved),
    },
    rcu: {
      added: attribute(overall?.rcuAdded, (r) => r.key, (d) => d.rcuAdded),
      removed: attribute(overall?.rcuRemoved, (r) => r.key, (d) => d.rcuRemoved),
    },
    perPatch,
    cover: parsed.series.cover,
    notes: full ? notes : [`partial: patch-only mode (${opts.partialReason ?? 'no base tree'}); only the hunks were read, nothing was applied or analysed`, ...notes],
    problems,
    stats: { baseFiles: full ? [...(base ?? new Map()).keys()].length : 0, sourceFiles: facts.size, reparsedFiles: reparsed, baseMs, patchMs: perPatch.map((p) => p.ms) },
  };
}
