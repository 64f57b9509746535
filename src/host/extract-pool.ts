/**
 * Parses and extracts FileFacts for many files, in-process (`jobs <= 1`) or over worker threads.
 * Files are handed out largest-first from one queue so two workers finish together. A file that
 * fails or blows its time budget becomes a problem naming it; the rest of the tree still runs.
 */
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import { readFileSync, existsSync } from 'node:fs';
import type { FileFacts } from '../engine/ir';
import type { Problem } from '../engine/model';
import type { CParser } from '../engine/parse/parser';
import { extractFileFacts } from '../engine/parse/extract';
import { contentHash, type FactCache } from './fact-cache';
import { distDir } from './dist-dir';
import type { SourceEntry } from './sources';

export interface ExtractOptions {
  backend: 'wasm' | 'native';
  jobs: number;
  timeoutMs: number;
  cache?: FactCache | null;
  /** Unsaved editor text by relative path; wins over the disk. */
  overlays?: Map<string, string>;
  signal?: AbortSignal;
  progress?: (p: { done: number; total: number; message: string }) => void;
  /** Also parse the unmasked text to count how many ERROR nodes masking removed (a second parse: bench only). */
  countUnmaskedErrors?: boolean;
  /** In-process parser for jobs <= 1 (created by the caller so it can be reused). */
  parser?: CParser;
}

export interface ExtractOutcome {
  facts: FileFacts[];
  problems: Problem[];
  cacheHits: number;
}

const PARALLEL_MIN_BYTES = 1 << 20;

export class AbortError extends Error {
  constructor() {
    super('analysis cancelled');
    this.name = 'AbortError';
  }
}

function readText(e: SourceEntry, overlays?: Map<string, string>): string {
  return overlays?.get(e.path) ?? readFileSync(e.abs).toString('utf8');
}

export async function extractAll(entries: SourceEntry[], opts: ExtractOptions): Promise<ExtractOutcome> {
  const problems: Problem[] = [];
  const results = new Map<string, FileFacts>();
  const total = entries.length;
  let done = 0;
  let cacheHits = 0;
  const report = (rel: string) => opts.progress?.({ done, total, message: rel });

  // Cache lookups first: they need the text (hash), which we read anyway.
  const pending: { entry: SourceEntry; text: string; hash: string }[] = [];
  for (const entry of entries) {
    if (opts.signal?.aborted) throw new AbortError();
    let text: string;
    try {
      text = readText(entry, opts.overlays);
    } catch (e) {
      problems.push({ severity: 'error', code: 'unreadable-file', message: `cannot read ${entry.path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, file: entry.path });
      done++;
      continue;
    }
    const hash = contentHash(text);
    const cached = opts.cache ? await opts.cache.get(hash, entry.path) : null;
    if (cached) {
      results.set(entry.path, cached);
      cacheHits++;
      done++;
      report(entry.path);
    } else pending.push({ entry, text, hash });
  }

  const finish = (rel: string, facts: FileFacts | null, error?: string) => {
    done++;
    if (facts) {
      results.set(rel, facts);
      if (opts.cache) void opts.cache.put(facts);
    } else problems.push({ severity: 'error', code: 'extract-failed', message: `could not analyse ${rel}: ${error}`, file: rel });
    report(rel);
  };

  pending.sort((a, b) => b.text.length - a.text.length || (a.entry.path < b.entry.path ? -1 : 1));
  const workerScript = path.join(distDir(), 'extract-worker.js');
  // Starting a worker (thread + WASM init) costs ~100-300 ms: below ~1 MB of source one thread wins.
  const pendingBytes = pending.reduce((n, p) => n + p.text.length, 0);
  const jobs = pendingBytes < PARALLEL_MIN_BYTES ? 1 : Math.max(1, Math.min(opts.jobs, pending.length));
  if (jobs <= 1 || !existsSync(workerScript)) {
    const parser = opts.parser ?? (await (await import('./parsers')).createParser(opts.backend));
    try {
      for (const p of pending) {
        if (opts.signal?.aborted) throw new AbortError();
        try {
          const facts = extractFileFacts(parser, p.entry.path, p.text, { timeoutMs: opts.timeoutMs, hash: p.hash, countUnmaskedErrors: opts.countUnmaskedErrors ?? false });
          finish(p.entry.path, facts);
        } catch (e) {
          finish(p.entry.path, null, e instanceof Error ? e.message : String(e));
        }
        // Yield so cancellation and progress get a chance on the event loop.
        if (done % 16 === 0) await new Promise((r) => setImmediate(r));
      }
    } finally {
      if (!opts.parser) parser.delete();
    }
  } else {
    await runWorkers(workerScript, jobs, pending, opts, finish);
  }

  const facts = entries.map((e) => results.get(e.path)).filter((f): f is FileFacts => !!f);
  return { facts, problems, cacheHits };
}

async function runWorkers(
  script: string,
  jobs: number,
  pending: { entry: SourceEntry; text: string; hash: string }[],
  opts: ExtractOptions,
  finish: (rel: string, facts: FileFacts | null, error?: string) => void,
): Promise<void> {
  const queue = pending.slice();
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let active = 0;
      let nextId = 0;
      const inflight = new Map<number, string>();
      const onAbort = () => reject(new AbortError());
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const feed = (w: Worker) => {
        const job = queue.shift();
        if (!job) {
          active--;
          if (active === 0) {
            opts.signal?.removeEventListener('abort', onAbort);
            resolve();
          }
          return;
        }
        const id = nextId++;
        inflight.set(id, job.entry.path);
        // Text is sent (not re-read) so overlays and the hash we computed stay authoritative.
        w.postMessage({ id, rel: job.entry.path, abs: job.entry.abs, text: job.text, hash: job.hash, timeoutMs: opts.timeoutMs, countUnmaskedErrors: opts.countUnmaskedErrors ?? false });
      };
      for (let i = 0; i < jobs; i++) {
        const w = new Worker(script, { workerData: { backend: opts.backend } });
        workers.push(w);
        active++;
        w.on('message', (m: { id: number; facts?: FileFacts; error?: string }) => {
          const rel = inflight.get(m.id)!;
          inflight.delete(m.id);
          finish(rel, m.facts ?? null, m.error);
          feed(w);
        });
        w.on('error', (e) => reject(new Error(`extraction worker crashed: ${e.message}`)));
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
