/**
 * Worker-thread entry for parallel parsing + per-file extraction. Receives
 * `{ id, rel, abs, text? }`, answers `{ id, facts }` or `{ id, error }`. One parser per worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createParser } from '../parsers';
import { extractFileFacts } from '../../engine/parse/extract';
import { contentHash } from '../fact-cache';
import type { CParser } from '../../engine/parse/parser';

interface Job {
  id: number;
  rel: string;
  abs: string;
  text?: string;
  /** Content hash computed by the main thread (it keys the cache); recomputed only if absent. */
  hash?: string;
  timeoutMs: number;
  countUnmaskedErrors: boolean;
}

const backend = (workerData as { backend: 'wasm' | 'native' }).backend;
let parserPromise: Promise<CParser> | null = null;

parentPort!.on('message', async (job: Job) => {
  try {
    parserPromise ??= createParser(backend);
    const parser = await parserPromise;
    const text = job.text ?? readFileSync(job.abs).toString('utf8');
    const facts = extractFileFacts(parser, job.rel, text, { timeoutMs: job.timeoutMs, hash: job.hash ?? contentHash(text), countUnmaskedErrors: job.countUnmaskedErrors });
    parentPort!.postMessage({ id: job.id, facts });
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) });
  }
});
