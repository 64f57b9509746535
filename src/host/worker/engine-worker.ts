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
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { Project } from '../project';
import { analyzeTree, type TreeAnalysisOptions } from '../analyze-tree';
import { renderHtmlReport } from '../html-report';
import type { AnalysisResult } from '../../engine/model';
import type {
  Commit,
  EngineErrorCode,
  EngineRequest,
  EngineResponse,
  WorkerAnalysisOptions,
} from '../../protocol/worker-messages';
import type { LockLensConfig } from '../../engine/config';
import type { SeriesSource } from '../../protocol/worker-messages';

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

function git(root: string, args: string[], signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    // argv array, no shell: a range typed by the user cannot inject commands.
    execFile('git', args, { cwd: root, signal, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new RequestError(signal.aborted ? 'cancelled' : 'failed', `git ${args[0]} failed: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
  });
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
    case 'analyzeFiles': {
      const t0 = performance.now();
      const opts = toTreeOptions(req.options, req.id, signal);
      const result = await analyzeTree({ ...opts, paths: req.files });
      checkAborted(signal);
      return { value: result, timings: { ...result.stats.timings, totalMs: performance.now() - t0 } };
    }
    case 'export':
      return serialized(() => {
        if (!project) throw new RequestError('not-open', 'nothing to export: analyse the workspace first');
        const result: AnalysisResult = project.result;
        if (req.format === 'html') {
          const text = renderHtmlReport({ analysis: result, title: `LockLens — ${path.basename(projectRoot ?? '')}`, sourceRoot: projectRoot ?? undefined });
          return { value: { text, extension: 'html' } };
        }
        const text = renderTextReport(req.format, result);
        if (text === null) throw new RequestError('unavailable', `${req.format} export is not available in this build`);
        return { value: { text, extension: req.format === 'sarif' ? 'sarif' : 'md' } };
      });
    case 'series': {
      let source = req.source;
      if (source.kind === 'git') {
        if (!req.allowProcesses) throw new RequestError('refused', 'git is not run in an untrusted workspace');
        const mbox = await git(req.root, ['format-patch', '--stdout', '--no-color', source.range], signal);
        if (!mbox.trim()) throw new RequestError('failed', `git range ${source.range} contains no commits`);
        source = { kind: 'mbox', name: source.range, text: mbox };
      }
      const t0 = performance.now();
      const value = await runSeriesRequest({ root: req.root, source, config: req.config, signal, progress: (p) => send({ kind: 'progress', id: req.id, ...p }) });
      if (value === null) throw new RequestError('unavailable', 'patch-series analysis is not available in this build');
      checkAborted(signal);
      return { value, timings: { totalMs: performance.now() - t0 } };
    }
    case 'simulate': {
      const value = await runSimulationRequest(req.params, signal);
      if (value === null) throw new RequestError('unavailable', 'the contention simulator is not available in this build');
      return { value };
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

// ---- Features owned by other parts of the engine -------------------------------------------
// Wired here once their modules exist; until then they report "not available in this build".

interface SeriesJob {
  root: string;
  source: Exclude<SeriesSource, { kind: 'git' }>;
  config?: Partial<LockLensConfig>;
  signal: AbortSignal;
  progress: (p: { done: number; total: number; message: string }) => void;
}

async function runSeriesRequest(_job: SeriesJob): Promise<unknown | null> {
  return null;
}

async function runSimulationRequest(_params: unknown, _signal: AbortSignal): Promise<unknown | null> {
  return null;
}

function renderTextReport(_format: 'sarif' | 'markdown', _result: AnalysisResult): string | null {
  return null;
}
