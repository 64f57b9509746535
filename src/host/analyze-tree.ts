/**
 * One-shot analysis of a tree on disk: the job behind `locklens analyze` and the extension's
 * "Analyze Workspace". Reads only; caches go outside the tree.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { statSync } from 'node:fs';
import type { LockLensConfig } from '../engine/config';
import type { AnalysisResult, Problem } from '../engine/model';
import type { FileFacts } from '../engine/ir';
import { analyzeFacts } from '../engine/index';
import { loadConfig } from './config-load';
import { collectSources } from './sources';
import { extractAll } from './extract-pool';
import { FactCache, defaultCacheDir } from './fact-cache';
import type { CParser } from '../engine/parse/tree/parser';

export interface TreeAnalysisOptions {
  root: string;
  /** Files or directories to analyse, relative to root (default: the whole root). */
  paths?: string[];
  config?: Partial<LockLensConfig>;
  configFile?: string;
  parser?: 'wasm' | 'native';
  jobs?: number;
  noAnnotations?: boolean;
  lineFacts?: boolean;
  signal?: AbortSignal;
  progress?: (p: { done: number; total: number; message: string }) => void;
  /** Each file's facts as soon as they are extracted (completion order), before the global phase. */
  onFacts?: (facts: FileFacts) => void;
  overlays?: Map<string, string>;
  /** Fact cache directory; `null` disables the cache. */
  cacheDir?: string | null;
}

export class ConfigError extends Error {
  constructor(readonly errors: string[]) {
    super(`invalid LockLens configuration:\n  ${errors.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export interface PreparedTree {
  config: LockLensConfig;
  facts: FileFacts[];
  problems: Problem[];
  timings: Record<string, number>;
  cacheHits: number;
  bytes: number;
}

export function defaultJobs(): number {
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(n, 8));
}

/** Analysis root for a list of CLI targets: the directory itself, or the common parent. */
export function rootFor(targets: string[], cwd: string): string {
  const abs = targets.map((t) => path.resolve(cwd, t));
  const dirs = abs.map((a) => {
    try {
      return statSync(a).isDirectory() ? a : path.dirname(a);
    } catch {
      return path.dirname(a);
    }
  });
  let common = dirs[0] ?? cwd;
  for (const d of dirs.slice(1)) {
    while (common !== path.dirname(common) && d !== common && !d.startsWith(common + path.sep)) common = path.dirname(common);
  }
  return common;
}

/**
 * Collect, read and extract: everything up to (not including) the global phase. `parser` is used
 * for in-process extraction (a long-lived caller passes the one it keeps) instead of a new one.
 */
export async function prepareTree(opts: TreeAnalysisOptions, parser?: CParser): Promise<PreparedTree> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const loaded = loadConfig(opts.root, opts.configFile, opts.config);
  if (loaded.errors.length) throw new ConfigError(loaded.errors);
  const config = loaded.config;
  const collected = await collectSources(opts.root, opts.paths?.length ? opts.paths : ['.'], config);
  timings.collect = performance.now() - t;
  t = performance.now();
  const backend = opts.parser ?? 'wasm';
  const cache = opts.cacheDir === null ? null : new FactCache(opts.cacheDir ?? defaultCacheDir(), backend);
  const extracted = await extractAll(collected.files, {
    backend,
    jobs: opts.jobs ?? defaultJobs(),
    timeoutMs: config.fileTimeBudgetMs,
    cache,
    overlays: opts.overlays,
    signal: opts.signal,
    progress: opts.progress,
    onFacts: opts.onFacts,
    parser,
  });
  timings.extract = performance.now() - t;
  const bytes = collected.files.reduce((s, f) => s + f.size, 0);
  return { config, facts: extracted.facts, problems: [...collected.problems, ...extracted.problems], timings, cacheHits: extracted.cacheHits, bytes };
}

/** Runs the global phase over prepared facts and folds the per-file problems and timings in. */
export function finishAnalysis(prepared: PreparedTree, globalPhase: (facts: FileFacts[]) => AnalysisResult): AnalysisResult {
  const t = performance.now();
  const result = globalPhase(prepared.facts);
  prepared.timings.analyze = performance.now() - t;
  result.problems = [...prepared.problems, ...result.problems];
  result.stats.timings = { ...result.stats.timings, ...prepared.timings };
  return result;
}

export async function analyzeTree(opts: TreeAnalysisOptions): Promise<AnalysisResult> {
  const prepared = await prepareTree(opts);
  return finishAnalysis(prepared, (facts) =>
    analyzeFacts(facts, { config: prepared.config, noAnnotations: opts.noAnnotations, lineFacts: opts.lineFacts, signal: opts.signal }),
  );
}
