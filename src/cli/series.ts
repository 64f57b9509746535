/**
 * `locklens series --base <dir> (--mbox FILE | --patches DIR | --range A..B | --worktree)
 *   [--format text|markdown|json|sarif|html] [--out FILE] [--fail-on SEVERITY] [--config FILE]
 *   [--parser wasm|native] [--repo DIR]`
 * What a patch series does to the lock graph, patch by patch (docs/series.md).
 * Exit: 0 ok, 1 introduced findings at/above --fail-on, 2 bad usage or unreadable input.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { LockLensConfig } from '../engine/config';
import { SEVERITIES, type Severity } from '../engine/model';
import { analyzeFacts } from '../engine/index';
import { extractFileFacts } from '../engine/parse/extract';
import { renderSarif } from '../engine/report/sarif';
import { analyzeSeries, type SeriesAnalyzer } from '../engine/series/analyze-series';
import { AnalysisSession } from '../engine/index';
import type { SeriesReport } from '../engine/series/report-model';
import { renderSeriesMarkdown, renderSeriesText } from '../engine/series/render-series';
import type { ParsedSeries } from '../engine/series/types';
import { loadConfig } from '../host/config-load';
import { GitError, repoTopLevel } from '../host/git';
import { createParser } from '../host/parsers';
import { defaultJobs } from '../host/analyze-tree';
import { extractAll } from '../host/extract-pool';
import { FactCache, defaultCacheDir } from '../host/fact-cache';
import type { FileFacts } from '../engine/ir';
import type { CParser } from '../engine/parse/tree/parser';
import { InputError, isSourcePath, pathsNeeded, readBaseDir, readMbox, readPatchFolder, readRange, readWorktree } from '../host/series-inputs';
import { UsageError, parseCliArgs, type CliIO } from './io';
import { emit } from './output';
import { VERSION } from './version';

export const SERIES_USAGE = `usage: locklens series [--base <dir>] (--mbox FILE | --patches DIR | --range A..B | --worktree)
                       [--format text|markdown|json|sarif|html] [--out FILE] [--fail-on error|warning|info]
                       [--config FILE] [--parser wasm|native] [--jobs N] [--no-cache] [--repo DIR]
  --base DIR     the tree the series applies to (read only). Without it (and without --range or
                 --worktree) only the hunks are read: patch-only mode, clearly labelled partial.
  --range A..B   one patch per commit of a git repository (--repo, else --base, else the current
                 directory); the base tree is A, read with git. --worktree: the uncommitted diff on HEAD.`;

const FORMATS = ['text', 'markdown', 'json', 'sarif', 'html'] as const;
type Format = (typeof FORMATS)[number];

export interface SeriesArgs {
  base?: string;
  mbox?: string;
  patches?: string;
  range?: string;
  worktree: boolean;
  repo?: string;
  format: Format;
  out?: string;
  failOn?: Severity;
  config?: string;
  parser: 'wasm' | 'native';
  jobs?: number;
  noCache: boolean;
}

export function parseSeriesArgs(argv: string[]): SeriesArgs {
  const parsed = parseCliArgs(argv, {
    base: { type: 'string' },
    mbox: { type: 'string' },
    patches: { type: 'string' },
    range: { type: 'string' },
    worktree: { type: 'boolean' },
    repo: { type: 'string' },
    format: { type: 'string', short: 'f' },
    out: { type: 'string', short: 'o' },
    'fail-on': { type: 'string' },
    config: { type: 'string' },
    parser: { type: 'string' },
    jobs: { type: 'string', short: 'j' },
    'no-cache': { type: 'boolean' },
  }, SERIES_USAGE);
  const v = parsed.values;
  const sources = (['mbox', 'patches', 'range', 'worktree'] as const).filter((k) => v[k] !== undefined && v[k] !== false);
  if (sources.length !== 1) {
    throw new UsageError(`${sources.length === 0 ? 'missing input' : `choose one input, got --${sources.join(', --')}`}: give exactly one of --mbox, --patches, --range, --worktree\n${SERIES_USAGE}`);
  }
  const format = (v.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format: expected ${FORMATS.join(', ')}, got "${format}"`);
  const parser = (v.parser ?? 'wasm') as SeriesArgs['parser'];
  if (parser !== 'wasm' && parser !== 'native') throw new UsageError(`--parser: expected wasm or native, got "${parser}"`);
  const failOn = v['fail-on'] as Severity | undefined;
  if (failOn !== undefined && !SEVERITIES.includes(failOn)) throw new UsageError(`--fail-on: expected one of ${SEVERITIES.join(', ')}, got "${failOn}"`);
  let jobs: number | undefined;
  if (v.jobs !== undefined) {
    jobs = Number(v.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new UsageError(`--jobs: expected an integer from 1 to 64, got "${v.jobs}"`);
  }
  return { base: v.base, mbox: v.mbox, patches: v.patches, range: v.range, worktree: !!v.worktree, repo: v.repo, format, out: v.out, failOn, config: v.config, parser, jobs, noCache: !!v['no-cache'] };
}

interface HostAnalyzer extends SeriesAnalyzer {
  parser: CParser;
  dispose(): void;
}

async function createAnalyzer(config: LockLensConfig, backend: 'wasm' | 'native'): Promise<HostAnalyzer> {
  const parser = await createParser(backend);
  return {
    parser,
    extract: (file, text) => extractFileFacts(parser, file, text, { timeoutMs: config.fileTimeBudgetMs, countUnmaskedErrors: false }),
    analyze: (facts) => analyzeFacts(facts, { config }),
    // One incremental session per series: each patch re-analyses only what its files changed.
    openSession: () => new AnalysisSession({ config }),
    isSource: isSourcePath(config),
    dispose: () => parser.delete(),
  };
}

/**
 * Base facts in parallel and through the content-hash fact cache (outside the analysed tree):
 * the base is the big part; patches touch few files, which are then extracted one by one.
 */
async function extractBase(base: Map<string, string>, analyzer: HostAnalyzer, config: LockLensConfig, args: SeriesArgs): Promise<{ facts: Map<string, FileFacts>; jobs: number; cacheHits: number }> {
  const entries = [...base.keys()].filter(analyzer.isSource).map((p) => ({ path: p, abs: p, size: base.get(p)!.length }));
  const jobs = args.jobs ?? (entries.length < 64 ? 1 : defaultJobs());
  const out = await extractAll(entries, {
    backend: args.parser,
    jobs,
    timeoutMs: config.fileTimeBudgetMs,
    cache: args.noCache ? null : new FactCache(defaultCacheDir(), args.parser),
    overlays: base,
    parser: analyzer.parser,
  });
  return { facts: new Map(out.facts.map((f) => [f.file, f] as const)), jobs, cacheHits: out.cacheHits };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

async function renderReport(report: SeriesReport, format: Format, title: string): Promise<string> {
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2);
    case 'markdown':
      return renderSeriesMarkdown(report);
    case 'sarif':
      // Only what the series introduces: pre-existing findings are not the author's to fix.
      return JSON.stringify(renderSarif(report.findings.introduced, VERSION), null, 2);
    case 'html': {
      let mod: { renderHtmlReport?: (input: { series: SeriesReport; title: string }) => string };
      try {
        mod = (await import('../host/html-report')) as typeof mod;
      } catch (e) {
        throw new UsageError(`--format html is not available yet in this build (${(e as Error).message})`);
      }
      if (typeof mod.renderHtmlReport !== 'function') throw new UsageError('--format html is not available yet in this build');
      try {
        return mod.renderHtmlReport({ series: report, title });
      } catch (e) {
        throw new UsageError(`--format html is not available: ${(e as Error).message}`);
      }
    }
    default:
      return renderSeriesText(report);
  }
}

export function failsOn(report: SeriesReport, failOn: Severity | undefined): boolean {
  if (!failOn) return false;
  const limit = SEVERITIES.indexOf(failOn);
  return report.findings.introduced.some((f) => SEVERITIES.indexOf(f.severity) <= limit);
}

export async function runSeries(argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void; cwd: string }): Promise<number> {
  try {
    return await runSeriesOrThrow(argv, io);
  } catch (e) {
    // Bad usage and unreadable input end here with exit 2, whoever calls us.
    if (e instanceof UsageError) {
      io.stderr(`locklens series: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

async function runSeriesOrThrow(argv: string[], io: CliIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(SERIES_USAGE + '\n');
    return 0;
  }
  const args = parseSeriesArgs(argv);
  const abs = (p: string) => path.resolve(io.cwd, p);
  const baseDir = args.base ? abs(args.base) : undefined;
  if (baseDir && !isDir(baseDir)) throw new UsageError(`cannot read --base ${args.base}: not a directory`);
  if (args.config && !existsSync(abs(args.config))) throw new UsageError(`cannot read --config ${args.config}: no such file`);
  const usesGit = !!args.range || args.worktree;
  const configRoot = baseDir ?? (args.repo ? abs(args.repo) : io.cwd);
  const loaded = loadConfig(configRoot, args.config ? abs(args.config) : undefined);
  if (loaded.errors.length) throw new UsageError(`invalid LockLens configuration:\n  ${loaded.errors.join('\n  ')}`);
  const config = loaded.config;

  let parsed: ParsedSeries;
  let base: Map<string, string> | null = null;
  let partialReason: string | undefined;
  const extraNotes: string[] = [];
  try {
    if (usesGit) {
      // With git inputs the base is read from git; --base (or --repo) names the repository.
      const repoArg = args.repo ? abs(args.repo) : baseDir ?? io.cwd;
      if (!isDir(repoArg)) throw new UsageError(`cannot read --repo ${repoArg}: not a directory`);
      const repo = await repoTopLevel(repoArg).catch(() => {
        throw new UsageError(`${repoArg} is not inside a git repository (needed by ${args.range ? '--range' : '--worktree'})`);
      });
      const input = args.range ? await readRange(repo, args.range, config, true) : await readWorktree(repo, config, true);
      parsed = input.parsed;
      base = input.base;
      if (input.baseLabel) extraNotes.push(`base: ${input.baseLabel}`);
    } else {
      if (args.mbox) {
        if (!existsSync(abs(args.mbox))) throw new UsageError(`cannot read --mbox ${args.mbox}: no such file`);
        parsed = await readMbox(abs(args.mbox));
      } else {
        if (!isDir(abs(args.patches!))) throw new UsageError(`cannot read --patches ${args.patches}: not a directory`);
        parsed = await readPatchFolder(abs(args.patches!));
      }
      if (baseDir) {
        const read = await readBaseDir(baseDir, config, pathsNeeded(parsed));
        base = read.tree;
        parsed.problems.push(...read.problems);
      } else partialReason = 'no --base given';
    }
  } catch (e) {
    if (e instanceof InputError || e instanceof GitError) throw new UsageError(e.message);
    throw e;
  }
  if (parsed.patches.length === 0) {
    for (const p of parsed.problems) io.stderr(`locklens series: ${p.message}\n`);
    if (!parsed.problems.length) io.stderr('locklens series: no patch found in the input\n');
    return 2;
  }

  let analyzer: HostAnalyzer | null = null;
  try {
    analyzer = base ? await createAnalyzer(config, args.parser) : null;
  } catch (e) {
    // The optional native parser may be absent; that is a usage problem, not a crash.
    if (args.parser === 'native') throw new UsageError(`--parser native is not available: ${(e as Error).message}`);
    throw e;
  }
  let report: SeriesReport;
  try {
    const t0 = performance.now();
    const extracted = base && analyzer ? await extractBase(base, analyzer, config, args) : undefined;
    const extractMs = performance.now() - t0;
    report = analyzeSeries(parsed, base, analyzer, { clock: () => performance.now(), partialReason, baseFacts: extracted?.facts });
    report.stats.baseMs += extractMs;
    if (extracted) Object.assign(report.stats, { baseJobs: extracted.jobs, baseCacheHits: extracted.cacheHits });
  } finally {
    analyzer?.dispose();
  }
  report.notes.push(...extraNotes);
  const text = await renderReport(report, args.format, `LockLens — ${report.series.subject || 'series'}`);
  emit(io, text, args.out);
  return failsOn(report, args.failOn) ? 1 : 0;
}
