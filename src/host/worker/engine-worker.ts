/**
 * Worker-thread entry of the extension's engine: holds the long-lived incremental `Project`,
 * runs one-off analyses, series, simulations and report rendering, and streams progress.
 * Everything CPU-bound happens here so the extension host thread never blocks.
 *
 * Project operations are serialised on one promise chain: an edit that arrives while the
 * workspace is still being opened waits for it instead of racing it. A cancelled `open` leaves
 * the previous project in place (no partial state).
 */
import { parentPort } from 'node:worker_threads';
import * as path from 'node:path';
import { Project } from '../project';
import { analyzeTree, type TreeAnalysisOptions } from '../analyze-tree';
import { renderHtmlReport } from '../html-report';
import { repoTopLevel, runGit } from '../git';
import type { AnalysisResult } from '../../engine/model';
import type {
  Commit,
  EngineErrorCode,
  EngineRequest,
  EngineResponse,
  WorkerAnalysisOptions,
} from '../../protocol/worker-messages';
import type { LockLensConfig } from '../../engine/config';
import type { FileFacts } from '../../engine/ir';
import type { SeriesSource } from '../../protocol/worker-messages';
import { analyzeFacts } from '../../engine/index';
import { extractFileFacts } from '../../engine/parse/extract';
import { analyzeSeries, type SeriesAnalyzer } from '../../engine/series/analyze-series';
import { AnalysisSession } from '../../engine/index';
import { applyPatch } from '../../engine/series/apply';
import { assembleSeries } from '../../engine/series/assemble';
import { looksLikeRfc822, readMailFile, type MailMessage } from '../../engine/series/mail';
import type { SeriesReport } from '../../engine/series/report-model';
import type { ParsedSeries } from '../../engine/series/types';
import { runSweep, type SweepResult } from '../../engine/sim/sweep';
import { validateScenario } from '../../engine/sim/scenario';
import { loadConfig } from '../config-load';
import { createParser } from '../parsers';
import { contentHash, defaultCacheDir, FactCache } from '../fact-cache';
import { isSourcePath, pathsNeeded, readBaseDir, readRange } from '../series-inputs';

const port = parentPort;
if (!port) throw new Error('engine-worker must run in a worker thread');

const send = (m: EngineResponse) => port.postMessage(m);
const log = (level: 'info' | 'warn' | 'error', message: string) => send({ kind: 'log', level, message });

class RequestError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

let project: Project | null = null;
let projectRoot: string | null = null;
/** Serialises everything that reads or replaces `project`. */
let chain: Promise<unknown> = Promise.resolve();
const controllers = new Map<number, AbortController>();

function serialized<T>(fn: () => Promise<T> | T): Promise<T> {
  const next = chain.then(fn, fn);
  chain = next.catch(() => undefined);
  return next;
}

function toTreeOptions(o: WorkerAnalysisOptions, id: number, signal: AbortSignal): TreeAnalysisOptions {
  let last = 0;
  return {
    root: o.root,
    config: o.config,
    configFile: o.configFile,
    parser: o.parser,
    jobs: o.jobs,
    lineFacts: o.lineFacts ?? true,
    overlays: o.overlays ? new Map(Object.entries(o.overlays)) : undefined,
    cacheDir: o.cacheDir,
    signal,
    progress: (p) => {
      // Throttled: a 20k-file tree must not flood the extension host with messages.
      const now = Date.now();
      if (now - last < 100 && p.done < p.total) return;
      last = now;
      send({ kind: 'progress', id, done: p.done, total: p.total, message: p.message });
    },
  };
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new RequestError('cancelled', 'cancelled');
}

async function git(root: string, args: string[], signal: AbortSignal): Promise<string> {
  // runGit: argv array, no shell, repository hooks/pagers/external diff disabled.
  try {
    const out = (await runGit(root, args, { timeoutMs: 120_000 })).toString('utf8');
    checkAborted(signal);
    return out;
  } catch (e) {
    if (e instanceof RequestError) throw e;
    throw new RequestError('failed', e instanceof Error ? e.message : String(e));
  }
}

async function handle(req: EngineRequest, signal: AbortSignal): Promise<{ value: unknown; timings?: Record<string, number> }> {
  switch (req.kind) {
    case 'open':
      return serialized(async () => {
        const t0 = performance.now();
        const opened = await Project.open(toTreeOptions(req.options, req.id, signal));
        if (signal.aborted) {
          opened.dispose();
          throw new RequestError('cancelled', 'cancelled');
        }
        project?.dispose();
        project = opened;
        projectRoot = req.options.root;
        const result = opened.result;
        return { value: result, timings: { ...result.stats.timings, totalMs: performance.now() - t0 } };
      });
    case 'update':
      return serialized(() => {
        if (!project) throw new RequestError('not-open', 'no workspace analysis is open');
        checkAborted(signal);
        const t0 = performance.now();
        const result = project.update(req.changes);
        return { value: result, timings: { ...result.stats.timings, totalMs: performance.now() - t0 } };
      });
    case 'documents':
      return serialized(() => {
        // No project (yet, or closed): nothing to keep; the next `open` is followed by a new list.
        if (!project) return { value: { primed: [], dropped: [], kept: [] } };
        const t0 = performance.now();
        const value = { ...project.setOpenDocuments(req.open), kept: project.keptTrees };
        return { value, timings: { totalMs: performance.now() - t0 } };
      });
    case 'analyzeFiles': {
      const t0 = performance.now();
      const opts = toTreeOptions(req.options, req.id, signal);
      const result = await analyzeTree({ ...opts, paths: req.files });
      checkAborted(signal);
      return { value: result, timings: { ...result.stats.timings, totalMs: performance.now() - t0 } };
    }
    case 'export':
      // Markdown and SARIF are rendered by the extension host from the findings it shows
      // (rule settings applied); HTML needs the webview bundle from disk, so it is built here.
      return serialized(() => {
        if (!project) throw new RequestError('not-open', 'nothing to export: analyse the workspace first');
        if (req.format !== 'html') throw new RequestError('unavailable', `${req.format} is rendered by the extension`);
        const text = renderHtmlReport({ analysis: project.result, title: `LockLens — ${path.basename(projectRoot ?? '')}`, sourceRoot: projectRoot ?? undefined });
        return { value: { text, extension: 'html' } };
      });
    case 'series': {
      const t0 = performance.now();
      const value = await runSeries(req, signal);
      checkAborted(signal);
      return { value, timings: { totalMs: performance.now() - t0 } };
    }
    case 'seriesState': {
      const t0 = performance.now();
      const value = seriesState(req.patch);
      return { value, timings: { totalMs: performance.now() - t0 } };
    }
    case 'simulate': {
      const t0 = performance.now();
      const value = simulate(req.scenario, req.reps);
      return { value, timings: { totalMs: performance.now() - t0 } };
    }
    case 'recentCommits': {
      if (!req.allowProcesses) throw new RequestError('refused', 'git is not run in an untrusted workspace');
      const out = await git(req.root, ['log', `-${Math.max(1, Math.min(req.count, 500))}`, '--no-color', '--format=%H%x1f%s%x1f%an%x1f%cs'], signal);
      const commits: Commit[] = out
        .split('\n')
        .filter((l) => l.includes('\x1f'))
        .map((l) => {
          const [hash, subject, author, date] = l.split('\x1f');
          return { hash, subject, author, date };
        });
      return { value: commits };
    }
    case 'close':
      return serialized(() => {
        project?.dispose();
        project = null;
        projectRoot = null;
        return { value: null };
      });
    case 'crash':
      if (process.env.LOCKLENS_TEST_HOOKS === '1') process.exit(3);
      throw new RequestError('refused', 'crash hook disabled');
    case 'cancel':
      controllers.get(req.target)?.abort();
      return { value: null };
  }
}

port.on('message', (req: EngineRequest) => {
  if (req.kind === 'cancel') {
    controllers.get(req.target)?.abort();
    return; // the client already rejected the target; no reply needed
  }
  const ac = new AbortController();
  controllers.set(req.id, ac);
  handle(req, ac.signal)
    .then(({ value, timings }) => send({ kind: 'result', id: req.id, value, timings }))
    .catch((e: unknown) => {
      if (ac.signal.aborted) return send({ kind: 'error', id: req.id, code: 'cancelled', message: 'cancelled' });
      const code: EngineErrorCode = e instanceof RequestError ? e.code : 'failed';
      const message = e instanceof Error ? e.message : String(e);
      if (code === 'failed') log('error', `${req.kind} failed: ${e instanceof Error && e.stack ? e.stack : message}`);
      send({ kind: 'error', id: req.id, code, message });
    })
    .finally(() => controllers.delete(req.id));
});

// ---- Patch series -------------------------------------------------------------------------

interface SeriesSession {
  root: string;
  parsed: ParsedSeries;
  base: Map<string, string>;
  analyzer: SeriesAnalyzer & { dispose(): void };
  isSource: (p: string) => boolean;
}

/** The last analysed series, kept for "after patch k" requests. */
let lastSeries: SeriesSession | null = null;

const BARE_DIFF_NAME = /\.(?:patch|diff)$/i;

async function parseSource(source: Exclude<SeriesSource, { kind: 'git' }>): Promise<ParsedSeries> {
  const enc = new TextEncoder();
  if (source.kind === 'mbox') return assembleSeries(await readMailFile(enc.encode(source.text), source.name));
  const files = [...source.files].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const messages: MailMessage[] = [];
  for (const f of files) {
    const head = f.text.slice(0, 4096);
    if (/^From \S+ /.test(head) || looksLikeRfc822(head)) messages.push(...(await readMailFile(enc.encode(f.text), f.name)));
    else messages.push({ subject: f.name.replace(BARE_DIFF_NAME, ''), author: '', body: f.text.replace(/\r\n/g, '\n'), origin: f.name, archivePage: false, notes: [] });
  }
  return assembleSeries(messages, { orderByName: true });
}

/**
 * Series analyser whose per-file facts are memoised by content hash and pre-warmed from the
 * on-disk fact cache, so the base tree of an already analysed workspace is not parsed again.
 */
async function makeAnalyzer(
  config: LockLensConfig,
  backend: 'wasm' | 'native',
  base: Map<string, string>,
  isSource: (p: string) => boolean,
): Promise<SeriesAnalyzer & { dispose(): void }> {
  const parser = await createParser(backend);
  const cache = new FactCache(defaultCacheDir(), backend);
  const memo = new Map<string, FileFacts>();
  const key = (file: string, hash: string) => `${file}\u0000${hash}`;
  for (const [file, text] of base) {
    if (!isSource(file)) continue;
    const hash = contentHash(text);
    const hit = await cache.get(hash, file);
    if (hit) memo.set(key(file, hash), hit);
  }
  return {
    isSource,
    extract(file, text) {
      const hash = contentHash(text);
      const k = key(file, hash);
      const hit = memo.get(k);
      if (hit) return hit;
      const facts = extractFileFacts(parser, file, text, { timeoutMs: config.fileTimeBudgetMs, countUnmaskedErrors: false });
      facts.hash = hash;
      memo.set(k, facts);
      void cache.put(facts);
      return facts;
    },
    analyze: (facts) => analyzeFacts(facts, { config }),
    // One incremental session per series: each patch re-analyses only what its files changed.
    openSession: () => new AnalysisSession({ config }),
    dispose: () => {
      parser.delete();
      memo.clear();
    },
  };
}

async function runSeries(req: Extract<EngineRequest, { kind: 'series' }>, signal: AbortSignal): Promise<SeriesReport> {
  const progress = (message: string, done: number, total: number) => send({ kind: 'progress', id: req.id, done, total, message });
  const loaded = loadConfig(req.root, undefined, req.config);
  if (loaded.errors.length) throw new RequestError('failed', `invalid LockLens configuration:\n  ${loaded.errors.join('\n  ')}`);
  const config = loaded.config;
  const isSource = isSourcePath(config);
  let parsed: ParsedSeries;
  let base: Map<string, string>;
  progress('reading the series and the base tree', 0, 3);
  if (req.source.kind === 'git') {
    if (!req.allowProcesses) throw new RequestError('refused', 'git is not run in an untrusted workspace');
    // Paths from git are relative to the repository's top level; annotations need the
    // workspace's, so the two must be the same folder.
    const top = await repoTopLevel(req.root).catch(() => {
      throw new RequestError('failed', `${req.root} is not inside a git repository`);
    });
    if (path.resolve(top) !== path.resolve(req.root)) {
      throw new RequestError('failed', `open the repository's top-level folder (${top}) to analyse a git range; this workspace is a subfolder of it`);
    }
    const input = await readRange(req.root, req.source.range, config, true);
    parsed = input.parsed;
    base = input.base ?? new Map();
  } else {
    parsed = await parseSource(req.source);
    const read = await readBaseDir(req.root, config, pathsNeeded(parsed));
    base = read.tree;
    parsed.problems.push(...read.problems);
  }
  checkAborted(signal);
  if (!parsed.patches.length && !parsed.problems.some((p) => p.code === 'missing-patch')) {
    throw new RequestError('failed', `no patches found in the input${parsed.problems.length ? `: ${parsed.problems.map((p) => p.message).join('; ')}` : ''}`);
  }
  progress(`analysing the base tree (${base.size} files)`, 1, 3);
  const analyzer = await makeAnalyzer(config, 'wasm', base, isSource);
  let report: SeriesReport;
  try {
    checkAborted(signal);
    progress(`analysing ${parsed.patches.length} patches`, 2, 3);
    report = analyzeSeries(parsed, base, analyzer, { clock: () => performance.now() });
  } catch (e) {
    analyzer.dispose();
    throw e;
  }
  lastSeries?.analyzer.dispose();
  lastSeries = { root: req.root, parsed, base, analyzer, isSource };
  return report;
}

function seriesState(patch: number): { result: AnalysisResult; files: Record<string, string> } {
  const s = lastSeries;
  if (!s) throw new RequestError('not-open', 'no patch series has been analysed');
  let tree: ReadonlyMap<string, string> = s.base;
  for (const p of [...s.parsed.patches].sort((a, b) => a.index - b.index)) {
    if (p.index > patch) break;
    const r = applyPatch(tree, p);
    if (r.applied) tree = r.tree;
  }
  const files: Record<string, string> = {};
  const facts: FileFacts[] = [];
  for (const [file, text] of [...tree.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (s.base.get(file) !== text) files[file] = text;
    if (s.isSource(file)) facts.push(s.analyzer.extract(file, text));
  }
  return { result: s.analyzer.analyze(facts), files };
}

// ---- Simulation -------------------------------------------------------------------------------

function simulate(scenarioJson: unknown, reps: number | undefined): SweepResult {
  const { scenario, problems } = validateScenario(scenarioJson);
  if (!scenario) throw new RequestError('failed', `invalid scenario: ${problems.map((p) => p.message).join('; ') || 'unknown error'}`);
  const result = runSweep({ scenario, reps });
  result.problems = [...problems, ...result.problems];
  return result;
}
