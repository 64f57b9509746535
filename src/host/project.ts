/**
 * A long-lived, incremental analysis of one workspace (used by the extension's worker and by
 * the benchmark's edit-latency measurement). Per-file facts are kept; an edit re-extracts only
 * the changed files and re-runs the global phase incrementally (AnalysisSession: only functions
 * whose IR or callee summaries changed are re-analysed). Syntax trees are kept only for the last
 * few edited files (DocumentExtractor); otherwise only facts and per-function results, so memory
 * stays proportional to what the analysis needs.
 */
import type { AnalysisResult } from '../engine/model';
import type { FileFacts } from '../engine/ir';
import type { LockLensConfig } from '../engine/config';
import type { CParser } from '../engine/parse/tree/parser';
import { AnalysisSession } from '../engine/index';
import { DocumentExtractor, type DocumentExtractStats } from '../engine/parse/document';
import { createParser } from './parsers';
import { contentHash } from './fact-cache';
import { finishAnalysis, prepareTree, type TreeAnalysisOptions } from './analyze-tree';
import { matchesAny } from './glob';

export interface FileChange {
  /** Relative to the root, `/` separators. */
  path: string;
  /** New text, or null when the file was deleted. */
  text: string | null;
}

/**
 * Trees kept at most. One costs roughly 16 bytes of WASM memory per source byte (a 400 KB file:
 * ~6 MB), and a reviewer rarely has more editors side by side than this.
 */
const MAX_KEPT_TREES = 6;

export interface OpenDocument {
  /** Relative to the root, `/` separators. */
  path: string;
  /** The editor's text. */
  text: string;
}

export class Project {
  private facts = new Map<string, FileFacts>();
  private current: AnalysisResult;
  /**
   * Syntax trees of the files open in editors and of the last few edited ones (LRU,
   * MAX_KEPT_TREES), so a keystroke re-parses incrementally and rebuilds only the changed
   * top-level items; every other FunctionIR keeps its identity, which is what lets the session
   * skip re-analysing it. All other files keep facts only.
   */
  private readonly documents: DocumentExtractor;

  private constructor(
    private readonly opts: TreeAnalysisOptions,
    readonly config: LockLensConfig,
    private readonly parser: CParser,
    private readonly session: AnalysisSession,
    facts: FileFacts[],
    result: AnalysisResult,
  ) {
    for (const f of facts) this.facts.set(f.file, f);
    this.current = result;
    this.documents = new DocumentExtractor(parser, MAX_KEPT_TREES);
  }

  static async open(opts: TreeAnalysisOptions): Promise<Project> {
    // One parser for the project's lifetime: in-process extraction of small trees uses it too.
    const parser = await createParser(opts.parser ?? 'wasm');
    let prepared;
    try {
      prepared = await prepareTree(opts, parser);
    } catch (e) {
      parser.delete();
      throw e;
    }
    const session = new AnalysisSession({ config: prepared.config, noAnnotations: opts.noAnnotations, lineFacts: opts.lineFacts });
    const result = finishAnalysis(prepared, (facts) => session.analyze(facts, opts.signal));
    return new Project(opts, prepared.config, parser, session, prepared.facts, result);
  }

  get result(): AnalysisResult {
    return this.current;
  }

  /** Whether a path belongs to the analysed set (include/exclude), for file-watcher events. */
  tracks(path: string): boolean {
    return matchesAny(path, this.config.include) && !matchesAny(path, this.config.exclude);
  }

  /**
   * The documents now open in editors. Their trees are parsed and kept (at most MAX_KEPT_TREES,
   * the first ones listed win), so the first keystroke in one is an incremental re-parse rather
   * than a full extraction of the file (the 10,216-line `dpif-netdev.c`: ~110 ms → a few ms);
   * kept trees of documents no longer open are dropped. Only a document whose text is what was
   * analysed is primed: any other text is an edit, which `update` handles. The analysis result
   * does not change (the primed extraction's functions are the analysed objects themselves).
   */
  setOpenDocuments(docs: readonly OpenDocument[]): { primed: string[]; dropped: string[] } {
    const wanted = new Set<string>();
    for (const d of docs) if (wanted.size < MAX_KEPT_TREES && this.facts.has(d.path)) wanted.add(d.path);
    const dropped: string[] = [];
    for (const path of this.documents.documents) {
      if (!wanted.has(path)) {
        this.documents.forget(path);
        dropped.push(path);
      }
    }
    const primed: string[] = [];
    const kept = new Set(this.documents.documents);
    for (const d of docs) {
      if (!wanted.has(d.path) || kept.has(d.path)) continue;
      const prev = this.facts.get(d.path)!;
      const hash = contentHash(d.text);
      if (prev.hash !== hash) continue;
      // Same text as analysed: the facts come out equal, and `previous` makes their functions the
      // very objects the session holds, so later edits are diffed against those. The facts
      // themselves are not stored: the analysed ones already describe this text.
      this.documents.extract(d.path, d.text, { timeoutMs: this.config.fileTimeBudgetMs, hash, previous: prev });
      if (this.documents.documents.includes(d.path)) primed.push(d.path);
    }
    return { primed, dropped };
  }

  /** Paths whose syntax trees are kept (least recently used first): tests and diagnostics. */
  get keptTrees(): string[] {
    return this.documents.documents;
  }

  /** How the last document extraction went (incremental, full, ...): tests and benchmarks. */
  get lastExtraction(): DocumentExtractStats {
    return this.documents.lastStats;
  }

  update(changes: FileChange[]): AnalysisResult {
    const timings: Record<string, number> = {};
    let t = performance.now();
    const changedFacts = new Map<string, FileFacts>();
    const removed = new Set<string>();
    for (const c of changes) {
      if (c.text === null) {
        this.documents.forget(c.path);
        if (this.facts.delete(c.path)) {
          removed.add(c.path);
          changedFacts.delete(c.path);
        }
        continue;
      }
      const hash = contentHash(c.text);
      const prev = this.facts.get(c.path);
      if (prev?.hash === hash) continue;
      // No second, unmasked comparison parse on the edit path: it only feeds the
      // errorNodesUnmasked statistic and would double the parse cost of every keystroke
      // (bench: ~40 ms of a 7,000-line file). The previous extraction's count is kept instead.
      const facts = this.documents.extract(c.path, c.text, { timeoutMs: this.config.fileTimeBudgetMs, hash, previous: prev });
      if (prev) facts.errorNodesUnmasked = Math.max(prev.errorNodesUnmasked, facts.errorNodes);
      this.facts.set(c.path, facts);
      changedFacts.set(c.path, facts);
      removed.delete(c.path);
    }
    timings.extract = performance.now() - t;
    if (changedFacts.size === 0 && removed.size === 0) return this.current;
    t = performance.now();
    const result = this.session.update([...changedFacts.values()], [...removed]);
    timings.analyze = performance.now() - t;
    result.problems = [...this.current.problems.filter((p) => p.code === 'file-too-large' || p.code === 'unreadable-file'), ...result.problems];
    result.stats.timings = { ...result.stats.timings, ...timings };
    this.current = result;
    return result;
  }

  dispose(): void {
    this.documents.dispose(); // trees before the parser that made them
    this.parser.delete();
    this.facts.clear();
    this.session.reset();
  }
}
