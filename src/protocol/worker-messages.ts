/**
 * Messages between the extension host (`host/worker/engine-client.ts`) and the engine worker
 * thread (`host/worker/engine-worker.ts`). Types only: both sides import this file, so a request
 * and its reply can never drift apart.
 *
 * Every request carries an `id`; the worker answers each with exactly one `result` or `error`,
 * and may send any number of `progress` events for it before that. `cancel` aborts a request
 * (the worker answers it with an `error` whose `code` is `cancelled`).
 */
import type { LockLensConfig } from '../engine/config';
import type { AnalysisResult } from '../engine/model';
import type { SeriesReport } from '../engine/series/report-model';
import type { SweepResult } from '../engine/sim/sweep';

/** The cloneable part of `TreeAnalysisOptions` (no AbortSignal, no callbacks). */
export interface WorkerAnalysisOptions {
  root: string;
  config?: Partial<LockLensConfig>;
  configFile?: string;
  parser?: 'wasm' | 'native';
  jobs?: number;
  lineFacts?: boolean;
  /** Unsaved editor text, by path relative to `root`. */
  overlays?: Record<string, string>;
  cacheDir?: string;
}

/** Where a patch series comes from. `git` is refused unless `allowProcesses` is set. */
export type SeriesSource =
  | { kind: 'mbox'; name: string; text: string }
  | { kind: 'patches'; files: { name: string; text: string }[] }
  | { kind: 'git'; range: string };

export interface FileChange {
  /** Relative to the project root, `/` separators. */
  path: string;
  /** New text, or null when the file was deleted. */
  text: string | null;
}

export type ExportFormat = 'sarif' | 'markdown' | 'html';

export type EngineRequest =
  /** Open (or re-open) the long-lived project: full analysis of a tree. */
  | { kind: 'open'; id: number; options: WorkerAnalysisOptions }
  /** Incremental re-analysis of the open project. */
  | { kind: 'update'; id: number; changes: FileChange[] }
  /**
   * The documents open in editors: the open project keeps their syntax trees (so a first
   * keystroke re-parses incrementally) and drops the trees of documents no longer open.
   */
  | { kind: 'documents'; id: number; open: { path: string; text: string }[] }
  /** One-off analysis of a subset of files; does not touch the open project. */
  | { kind: 'analyzeFiles'; id: number; options: WorkerAnalysisOptions; files: string[] }
  | { kind: 'series'; id: number; root: string; source: SeriesSource; allowProcesses: boolean; config?: Partial<LockLensConfig> }
  /** The tree as it is after patch `patch` (1-based) of the last series: for "after patch k" overlays. */
  | { kind: 'seriesState'; id: number; patch: number }
  /** Runs a scenario sweep; `scenario` is the parsed scenario JSON (validated by the worker). */
  | { kind: 'simulate'; id: number; scenario: unknown; reps?: number }
  /** HTML report of the open project (Markdown/SARIF are rendered by the extension host). */
  | { kind: 'export'; id: number; format: 'html' }
  | { kind: 'recentCommits'; id: number; root: string; count: number; allowProcesses: boolean }
  | { kind: 'close'; id: number }
  | { kind: 'cancel'; id: number; target: number }
  /** Test hook: makes the worker exit abnormally (only honoured when LOCKLENS_TEST_HOOKS=1). */
  | { kind: 'crash'; id: number };

export type EngineRequestKind = EngineRequest['kind'];

export interface Commit {
  hash: string;
  subject: string;
  author: string;
  date: string;
}

/** What a successful request returns, by request kind. */
export interface EngineReplies {
  open: AnalysisResult;
  update: AnalysisResult;
  /** Paths whose trees were parsed now / dropped, and every path with a kept tree (none when no project is open). */
  documents: { primed: string[]; dropped: string[]; kept: string[] };
  analyzeFiles: AnalysisResult;
  series: SeriesReport;
  /** Result plus the text of every file the series changed up to that patch. */
  seriesState: { result: AnalysisResult; files: Record<string, string> };
  simulate: SweepResult;
  export: { text: string; extension: string };
  recentCommits: Commit[];
  close: null;
  cancel: null;
  crash: null;
}

export type EngineErrorCode = 'cancelled' | 'unavailable' | 'failed' | 'not-open' | 'refused';

export type EngineResponse =
  | { kind: 'result'; id: number; value: unknown; timings?: Record<string, number> }
  | { kind: 'error'; id: number; code: EngineErrorCode; message: string }
  | { kind: 'progress'; id: number; done: number; total: number; message: string }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string };
