/**
 * Reads, parses and extracts FileFacts for many files, in-process (`jobs <= 1`, small trees) or
 * on worker threads with the main thread extracting too.
 *
 * Why it is built this way (measured on the 12 MB synthetic corpus, 2 cores):
 * - Files are claimed from one shared atomic counter over a largest-first list, so no thread
 *   ever waits for the main thread to hand it work, and the big files do not come last.
 * - Workers read, hash and look up the cache themselves: the main thread no longer reads and
 *   hashes the whole tree before the first parse starts.
 * - Facts cross threads as one JSON string per file. `JSON.parse` on the main thread costs
 *   about half of deserialising a structured clone of the same object graph (and makes less
 *   garbage), and the worker's `JSON.stringify` doubles as the cache entry it stores.
 * - The main thread extracts as well (`jobs` counts it): with 2 cores, a second worker would
 *   only compete with the main thread, which has to parse the workers' JSON anyway.
 * Results are keyed by path and returned in `entries` order, whatever thread finished first.
 * A file that fails or blows its time budget becomes a problem naming it; the rest still runs.
 */
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import type { FileFacts } from '../engine/ir';
import type { Problem } from '../engine/model';
import type { CParser } from '../engine/parse/tree/parser';
import { extractFileFacts } from '../engine/parse/extract';
import { contentHash, isEntryFor, type FactCache } from './fact-cache';
import { distDir } from './dist-dir';
import { readEntryText, type SourceEntry } from './sources';

export interface ExtractOptions {
  backend: 'wasm' | 'native';
  /** Extraction threads, the main thread included (2 = the main thread + one worker). */
  jobs: number;
  timeoutMs: number;
  cache?: FactCache | null;
  /** Unsaved editor text by relative path; wins over the disk. */
  overlays?: Map<string, string>;
  signal?: AbortSignal;
  progress?: (p: { done: number; total: number; message: string }) => void;
  /**
   * Called with each file's facts as soon as they exist, in completion order (not path order),
   * for a consumer that wants to start on them before extraction ends.
   */
  onFacts?: (facts: FileFacts) => void;
  /** Also parse the unmasked text to count how many ERROR nodes masking removed (a second parse: bench only). */
  countUnmaskedErrors?: boolean;
  /** In-process parser for the main thread's share (created by the caller so it can be reused). */
  parser?: CParser;
  /** Worker entry to run instead of dist/extract-worker.js (tests: a crashing or failing worker). */
  workerScript?: string;
}

export interface ExtractOutcome {
  facts: FileFacts[];
  problems: Problem[];
  cacheHits: number;
  /** Files handled by worker threads (0 when everything ran in-process). */
  workerFiles: number;
}

/** Starting a worker (thread + WASM init) costs 100-300 ms: below ~1 MB of source one thread wins. */
export const PARALLEL_MIN_BYTES = 1 << 20;

export class AbortError extends Error {
  constructor() {
    super('analysis cancelled');
    this.name = 'AbortError';
  }
}

// ---- the per-file step, shared by the main thread and the workers ----

/** What a thread needs to process one file. */
export interface FileEnv {
  overlays?: ReadonlyMap<string, string>;
  cache: FactCache | null;
  timeoutMs: number;
  countUnmaskedErrors: boolean;
}

export type FileResult =
  | { k: 'facts'; facts: FileFacts }
  /** A cache hit, still as text: whoever keeps the facts parses it, once, and checks it (`isEntryFor`). */
  | { k: 'cached'; json: string; hash: string }
  | { k: 'unreadable'; reason: string }
  | { k: 'failed'; reason: string };

/** Read (overlay first), hash, look up the cache, else parse and extract. Never throws. */
export function processFile(file: { path: string; abs: string }, parser: CParser, env: FileEnv, useCache = true): FileResult {
  let text: string;
  try {
    text = readEntryText(file, env.overlays);
  } catch (e) {
    return { k: 'unreadable', reason: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
  const hash = contentHash(text);
  const json = useCache ? env.cache?.getTextSync(hash, file.path) : null;
  if (json) return { k: 'cached', json, hash };
  try {
    return { k: 'facts', facts: extractFileFacts(parser, file.path, text, { timeoutMs: env.timeoutMs, hash, countUnmaskedErrors: env.countUnmaskedErrors }) };
  } catch (e) {
    return { k: 'failed', reason: e instanceof Error ? e.message : String(e) };
  }
}

/** Parses a cache hit; null when the stored text is corrupt or belongs to another file. */
export function parseCached(json: string, hash: string, rel: string): FileFacts | null {
  try {
    const facts: unknown = JSON.parse(json);
    return isEntryFor(facts, hash, rel) ? facts : null;
  } catch {
    return null;
  }
}

// ---- the worker protocol ----

/** `workerData` of extract-worker.ts. */
export interface WorkerInit {
  backend: 'wasm' | 'native';
  /** The claim order (largest first); a worker claims indexes from `claim`. */
  files: { path: string; abs: string }[];
  overlays: [string, string][];
  /** Build-stamped cache directory of the main thread (`FactCache.dir`), or null. */
  cacheDir: string | null;
  timeoutMs: number;
  countUnmaskedErrors: boolean;
  /** Int32[2] on a SharedArrayBuffer: [next index to claim, stop flag]. */
  claim: SharedArrayBuffer;
}

export type WorkerMessage =
  /** `json`: the facts as JSON text (freshly extracted, or a cache hit when `cached`). */
  | { k: 'file'; i: number; json: string; hash: string; cached: boolean }
  | { k: 'file'; i: number; unreadable: string }
  | { k: 'file'; i: number; failed: string }
  /** The worker could not start its parser; it claimed nothing. */
  | { k: 'fatal'; error: string }
  /** Nothing left to claim (or stop was set); every file message was sent before this one. */
  | { k: 'done' };

const NEXT = 0;
const STOP = 1;

/** Claims the next file index, or -1 when none is left or the run stopped. */
export function claimNext(claim: Int32Array, n: number): number {
  if (Atomics.load(claim, STOP) !== 0) return -1;
  const i = Atomics.add(claim, NEXT, 1);
  return i < n ? i : -1;
}

// ---- the pool ----

export async function extractAll(entries: SourceEntry[], opts: ExtractOptions): Promise<ExtractOutcome> {
  if (opts.signal?.aborted) throw new AbortError();
  const n = entries.length;
  const sizeOf = (e: SourceEntry) => opts.overlays?.get(e.path)?.length ?? e.size;
  // Largest first so the long parses start early and the tail is made of small files.
  const order = entries.map((_, i) => i).sort((a, b) => sizeOf(entries[b]!) - sizeOf(entries[a]!) || a - b);
  const files = order.map((i) => entries[i]!);

  const results: (FileFacts | undefined)[] = new Array(n);
  const fileProblems: (Problem | undefined)[] = new Array(n);
  const redo: number[] = [];
  let done = 0;
  let cacheHits = 0;
  let workerFiles = 0;
  const settle = (i: number, facts: FileFacts | null, problem?: Problem) => {
    done++;
    if (facts) {
      results[i] = facts;
      opts.onFacts?.(facts);
    } else if (problem) fileProblems[i] = problem;
    opts.progress?.({ done, total: n, message: files[i]!.path });
  };
  const env: FileEnv = { overlays: opts.overlays, cache: opts.cache ?? null, timeoutMs: opts.timeoutMs, countUnmaskedErrors: opts.countUnmaskedErrors ?? false };
  const rel = (i: number) => files[i]!.path;
  const unreadable = (i: number, reason: string): Problem => ({ severity: 'error', code: 'unreadable-file', message: `cannot read ${rel(i)}: ${reason}`, file: rel(i) });
  const failed = (i: number, reason: string): Problem => ({ severity: 'error', code: 'extract-failed', message: `could not analyse ${rel(i)}: ${reason}`, file: rel(i) });

  /** Settles a main-thread result. A corrupt cache entry is extracted again, without the cache. */
  const settleLocal = (i: number, r: FileResult, parser: CParser) => {
    if (r.k === 'cached') {
      const facts = parseCached(r.json, r.hash, rel(i));
      if (facts) {
        cacheHits++;
        return settle(i, facts);
      }
      r = processFile(files[i]!, parser, env, false);
    }
    if (r.k === 'facts') {
      // Stored synchronously (as the workers do): when extractAll returns, the cache is complete.
      env.cache?.putTextSync(r.facts.hash, r.facts.file, JSON.stringify(r.facts));
      settle(i, r.facts);
    } else if (r.k === 'unreadable') settle(i, null, unreadable(i, r.reason));
    else if (r.k === 'failed') settle(i, null, failed(i, r.reason));
  };
  const onMessage = (m: WorkerMessage) => {
    if (m.k !== 'file') return;
    workerFiles++;
    if ('json' in m) {
      const facts = parseCached(m.json, m.hash, rel(m.i));
      if (!facts) return void redo.push(m.i); // a corrupt cache hit: extract it again here
      if (m.cached) cacheHits++;
      settle(m.i, facts);
    } else if ('unreadable' in m) settle(m.i, null, unreadable(m.i, m.unreadable));
    else settle(m.i, null, failed(m.i, m.failed));
  };

  const totalBytes = files.reduce((s, e) => s + sizeOf(e), 0);
  const workerScript = opts.workerScript ?? path.join(distDir(), 'extract-worker.js');
  const threads = totalBytes < PARALLEL_MIN_BYTES ? 1 : Math.max(1, Math.min(opts.jobs, n));
  // No worker script (unbundled run without dist/) or no shared memory (a host that disables
  // SharedArrayBuffer): the main thread does it all.
  const shared = typeof SharedArrayBuffer === 'function';
  const nWorkers = shared && existsSync(workerScript) ? threads - 1 : 0;

  const claim = new Int32Array(shared ? new SharedArrayBuffer(8) : new ArrayBuffer(8));
  const pool = new WorkerSet(nWorkers, workerScript, onMessage, opts.signal);
  let parser: CParser | null = opts.parser ?? null;
  try {
    pool.start({
      backend: opts.backend,
      files: files.map((f) => ({ path: f.path, abs: f.abs })),
      overlays: opts.overlays ? files.filter((f) => opts.overlays!.has(f.path)).map((f) => [f.path, opts.overlays!.get(f.path)!]) : [],
      cacheDir: env.cache?.dir ?? null,
      timeoutMs: opts.timeoutMs,
      countUnmaskedErrors: env.countUnmaskedErrors,
      claim: claim.buffer as SharedArrayBuffer,
    });
    parser ??= await (await import('./parsers')).createParser(opts.backend);
    // The main thread's share. It also takes whatever workers that failed to start left behind.
    for (;;) {
      pool.check();
      const i = claimNext(claim, n);
      if (i < 0) break;
      settleLocal(i, processFile(files[i]!, parser, env), parser);
      // Let worker results, progress listeners and cancellation in between files.
      if (nWorkers > 0 || done % 16 === 0) await new Promise((r) => setImmediate(r));
    }
    await pool.finished();
    for (const i of redo) settleLocal(i, processFile(files[i]!, parser, env, false), parser);
  } finally {
    Atomics.store(claim, STOP, 1);
    await pool.stop();
    if (parser && !opts.parser) parser.delete();
  }

  const facts: FileFacts[] = [];
  const problems: Problem[] = [];
  // Back to `entries` order: path order for collected trees, whatever thread finished first.
  const byEntry = new Array<number>(n);
  order.forEach((entryIndex, i) => (byEntry[entryIndex] = i));
  for (const i of byEntry) {
    if (results[i]) facts.push(results[i]!);
    else if (fileProblems[i]) problems.push(fileProblems[i]!);
  }
  return { facts, problems, cacheHits, workerFiles };
}

/**
 * The worker threads of one `extractAll` run. Failures surface through `check()` / `finished()`
 * as today's errors: cancellation → AbortError, a crash → "extraction worker crashed".
 */
class WorkerSet {
  private readonly workers: Worker[] = [];
  private live = 0;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private readonly onAbort = () => this.fail(new AbortError());

  constructor(
    private readonly count: number,
    private readonly script: string,
    private readonly onMessage: (m: WorkerMessage) => void,
    private readonly signal?: AbortSignal,
  ) {}

  start(init: WorkerInit): void {
    if (this.count === 0) return;
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    for (let k = 0; k < this.count; k++) {
      const w = new Worker(this.script, { workerData: init });
      let over = false;
      const end = () => {
        if (over) return;
        over = true;
        this.live--;
        this.poke();
      };
      this.workers.push(w);
      this.live++;
      w.on('message', (m: WorkerMessage) => {
        if (m.k === 'done' || m.k === 'fatal') end(); // after `fatal` its share is claimed by the others
        else this.onMessage(m);
      });
      w.on('error', (e) => this.fail(new Error(`extraction worker crashed: ${e.message}`)));
      w.on('exit', (code) => {
        if (!over) this.fail(new Error(`extraction worker crashed: exited with code ${code} before finishing`));
      });
    }
  }

  /** Throws the first failure (crash, cancellation). */
  check(): void {
    if (this.signal?.aborted) this.failure ??= new AbortError();
    if (this.failure) throw this.failure;
  }

  /** Resolves when every worker has sent its last message; throws on failure. */
  async finished(): Promise<void> {
    for (;;) {
      this.check();
      if (this.live === 0) return;
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  async stop(): Promise<void> {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.live = 0;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
