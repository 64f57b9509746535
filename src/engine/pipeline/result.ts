/**
 * Phase 10, result assembly: the per-file aggregates concatenated in program order, the
 * problems (the inputs', the analysis', unresolved calls), sorted, and the statistics.
 */
import type { FileFacts } from '../ir';
import type { AnalysisResult, Finding, FunctionFacts, LineFacts, LockClass, LockEdge, LockSite, Problem } from '../model';
import type { Program } from '../analysis/program';
import { cmpStr } from '../analysis/util';
import type { FileAgg } from './file-facts';

/** The per-file aggregates in program order (the aggregates' problems are appended to `problems`). */
export interface FileTotals {
  functions: FunctionFacts[];
  sites: LockSite[];
  lines: LineFacts[];
  callSites: number;
  indirectResolved: number;
  indirectUnresolved: number;
}

export function collectFiles(prog: Program, fileAgg: Map<string, FileAgg>, lineFacts: boolean, problems: Problem[]): FileTotals {
  const t: FileTotals = { functions: [], sites: [], lines: [], callSites: 0, indirectResolved: 0, indirectUnresolved: 0 };
  for (const f of prog.files) {
    const agg = fileAgg.get(f.file);
    if (!agg) continue;
    for (const x of agg.functions) t.functions.push(x);
    for (const x of agg.sites) t.sites.push(x);
    if (lineFacts) for (const x of agg.lines) t.lines.push(x);
    t.callSites += agg.callSites;
    t.indirectResolved += agg.resolved;
    t.indirectUnresolved += agg.unresolved;
    for (const x of agg.problems) problems.push(x);
  }
  return t;
}

/** Appends the inputs' problems and the unresolved-call note to `problems`, then sorts them. */
export function finishProblems(facts: FileFacts[], indirectUnresolved: number, problems: Problem[]): void {
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
}

export interface ResultParts {
  totals: FileTotals;
  locks: LockClass[];
  edges: LockEdge[];
  findings: Finding[];
  problems: Problem[];
  timings: Record<string, number>;
  lineFacts: boolean;
}

export function assembleResult(facts: FileFacts[], p: ResultParts): AnalysisResult {
  const { totals } = p;
  const result: AnalysisResult = {
    version: 1,
    files: facts.length,
    functions: totals.functions,
    locks: p.locks,
    edges: p.edges,
    findings: p.findings,
    sites: totals.sites,
    problems: p.problems,
    stats: {
      files: facts.length,
      bytes: facts.reduce((s, f) => s + (f.bytes || 0), 0),
      functions: totals.functions.length,
      unmodeledFunctions: facts.reduce((s, f) => s + (f.unmodeled?.length ?? 0), 0),
      filesWithErrorNodes: facts.filter((f) => (f.errorNodes ?? 0) > 0 || (f.errorNodesUnmasked ?? 0) > 0).length,
      callSites: totals.callSites,
      indirectCallsResolved: totals.indirectResolved,
      timings: p.timings,
    },
  };
  if (p.lineFacts) result.lines = totals.lines;
  return result;
}

export function emptyResult(facts: FileFacts[], problems: Problem[]): AnalysisResult {
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
