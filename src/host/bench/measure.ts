/**
 * The measured configurations. Each runs inside its own child process (see `child.ts`) so its
 * peak RSS is its own; all of them read the tree the same way (collectSources + the default
 * config) so parse-only and full analysis are timed over exactly the same files and bytes.
 */
import { readFileSync } from 'node:fs';
import type { AnalysisResult } from '../../engine/model';
import type { FileFacts } from '../../engine/ir';
import { analyzeFacts } from '../../engine/index';
import { countErrorNodes } from '../../engine/parse/extract';
import { loadConfig } from '../config-load';
import { collectSources } from '../sources';
import { createParser } from '../parsers';
import { prepareTree } from '../analyze-tree';
import { Project } from '../project';
import { applyEdit, editableLines } from './generator';
import { percentile } from './stats';

export interface ParseOnlyFigures {
  files: number;
  bytes: number;
  /** Whole configuration, tree walk + read + parser init + parse: the floor full analysis is compared with. */
  wallMs: number;
  collectMs: number;
  readMs: number;
  parserInitMs: number;
  parseMs: number;
  /** Files whose raw parse has ERROR/MISSING nodes, and their total (no macro masking; same count as FileFacts.errorNodesUnmasked). */
  filesWithErrors: number;
  errorNodes: number;
  /** CPU spent counting ERROR nodes (not part of the floor): subtracted from the child's CPU time. */
  countCpuMs: number;
}

export interface FullFigures {
  files: number;
  bytes: number;
  jobs: number;
  wallMs: number;
  /** collect, extract (wall), analyze (global phase), then `analyze.<phase>` as analyzeFacts reports them. */
  phases: Record<string, number>;
  /** Summed per-file times (CPU across all workers): tree-sitter parse vs IR extraction. */
  parseCpuMs: number;
  extractCpuMs: number;
  functions: number;
  locks: number;
  edges: number;
  findings: number;
  findingsByRule: Record<string, number>;
  problems: number;
  problemsByCode: Record<string, number>;
  filesWithErrorNodes: number;
  errorNodes: number;
  errorNodesUnmasked: number;
  unmodeledFunctions: number;
}

export interface IncrementalFigures {
  file: string;
  fileLines: number;
  /** Edits actually timed (fewer than requested when the time budget ran out). */
  edits: number;
  requestedEdits: number;
  openMs: number;
  /**
   * Parsing and keeping the edited file's tree after the open, as the extension does for a
   * visible editor (`Project.setOpenDocuments`), so the first timed edit is incremental too.
   */
  primeMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  meanMs: number;
  /** Phases of the last update (extract = the edited file, analyze = global re-run). */
  lastPhases: Record<string, number>;
}

export async function measureParseOnly(root: string, backend: 'wasm' | 'native'): Promise<ParseOnlyFigures> {
  const t0 = performance.now();
  const { config } = loadConfig(root, undefined, undefined);
  const collected = await collectSources(root, ['.'], config);
  const tCollect = performance.now();
  const texts = collected.files.map((f) => readFileSync(f.abs).toString('utf8'));
  const tRead = performance.now();
  const parser = await createParser(backend);
  const tInit = performance.now();
  let parseMs = 0;
  let errorNodes = 0;
  let filesWithErrors = 0;
  let countCpuMs = 0;
  try {
    for (const text of texts) {
      const t = performance.now();
      const tree = parser.parse(text, config.fileTimeBudgetMs);
      parseMs += performance.now() - t;
      if (!tree) continue;
      try {
        // Error counting is outside the timed parse: it is a report, not part of the floor.
        if (tree.rootNode.hasError) {
          const c0 = process.cpuUsage();
          filesWithErrors++;
          errorNodes += countErrorNodes(tree.rootNode);
          const c = process.cpuUsage(c0);
          countCpuMs += (c.user + c.system) / 1000;
        }
      } finally {
        tree.delete();
      }
    }
  } finally {
    parser.delete();
  }
  const wallMs = tCollect - t0 + (tRead - tCollect) + (tInit - tRead) + parseMs;
  return {
    files: collected.files.length,
    bytes: collected.files.reduce((s, f) => s + f.size, 0),
    wallMs,
    collectMs: tCollect - t0,
    readMs: tRead - tCollect,
    parserInitMs: tInit - tRead,
    parseMs,
    filesWithErrors,
    errorNodes,
    countCpuMs,
  };
}

function tally(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of items.sort()) out[k] = (out[k] ?? 0) + 1;
  return out;
}

function summarise(facts: FileFacts[], result: AnalysisResult, jobs: number, wallMs: number, phases: Record<string, number>, bytes: number): FullFigures {
  return {
    files: facts.length,
    bytes,
    jobs,
    wallMs,
    phases,
    parseCpuMs: facts.reduce((s, f) => s + (f.parseMs || 0), 0),
    extractCpuMs: facts.reduce((s, f) => s + (f.extractMs || 0), 0),
    functions: result.functions.length,
    locks: result.locks.length,
    edges: result.edges.length,
    findings: result.findings.length,
    findingsByRule: tally(result.findings.map((f) => f.rule)),
    problems: result.problems.length,
    problemsByCode: tally(result.problems.map((p) => p.code)),
    filesWithErrorNodes: facts.filter((f) => f.errorNodes > 0).length,
    errorNodes: facts.reduce((s, f) => s + f.errorNodes, 0),
    errorNodesUnmasked: facts.reduce((s, f) => s + f.errorNodesUnmasked, 0),
    unmodeledFunctions: result.stats.unmodeledFunctions,
  };
}

/** Full analysis as `locklens analyze` runs it, but without the fact cache (it would hide the work). */
export async function measureFull(root: string, backend: 'wasm' | 'native', jobs: number): Promise<FullFigures> {
  const t0 = performance.now();
  const prepared = await prepareTree({ root, parser: backend, jobs, cacheDir: null });
  const t1 = performance.now();
  const result = analyzeFacts(prepared.facts, { config: prepared.config });
  const t2 = performance.now();
  // Host phases first, then the global phase's own breakdown as analyze.<phase>.
  const phases: Record<string, number> = { ...prepared.timings, analyze: t2 - t1 };
  for (const [k, v] of Object.entries(result.stats.timings ?? {})) if (!(k in phases)) phases[`analyze.${k}`] = v;
  return summarise(prepared.facts, result, jobs, t2 - t0, phases, prepared.bytes);
}

/**
 * Edit-to-findings latency: open a Project over the tree, then apply `edits` single-line edits
 * to `file` one after another (each builds on the previous text, like typing) and time each
 * `Project.update` call, which returns the updated result. Nothing is written to disk.
 */
export async function measureIncremental(root: string, backend: 'wasm' | 'native', jobs: number, file: string, edits: number, budgetMs = Infinity): Promise<IncrementalFigures> {
  const t0 = performance.now();
  const project = await Project.open({ root, parser: backend, jobs, cacheDir: null });
  const openMs = performance.now() - t0;
  try {
    let text = readFileSync(`${root}/${file}`, 'utf8');
    const tPrime = performance.now();
    project.setOpenDocuments([{ path: file, text }]);
    const primeMs = performance.now() - tPrime;
    const candidates = editableLines(text);
    const lat: number[] = [];
    let last: AnalysisResult = project.result;
    const tStart = performance.now();
    for (let k = 0; k < edits; k++) {
      // When updates take seconds, 100 of them would dominate the run: stop at the budget
      // (after at least 5 edits, so p50/p95 still mean something) and report how many ran.
      if (k >= 5 && performance.now() - tStart > budgetMs) break;
      text = applyEdit(text, k, candidates);
      const t = performance.now();
      last = project.update([{ path: file, text }]);
      lat.push(performance.now() - t);
    }
    const sorted = [...lat].sort((a, b) => a - b);
    return {
      file,
      fileLines: text.split('\n').length,
      edits: lat.length,
      requestedEdits: edits,
      openMs,
      primeMs,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      maxMs: sorted[sorted.length - 1] ?? 0,
      meanMs: lat.reduce((s, x) => s + x, 0) / Math.max(1, lat.length),
      lastPhases: { ...(last.stats.timings ?? {}) },
    };
  } finally {
    project.dispose();
  }
}
