/**
 * Worker-thread entry for parallel extraction (see extract-pool.ts for the why). Claims file
 * indexes from the shared counter in `workerData` until none is left, and for each one reads,
 * hashes, looks up the cache or extracts, and posts the facts as JSON text (one message per
 * file). It never waits for the main thread. One parser per worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createParser } from '../parsers';
import { FactCache } from '../fact-cache';
import { claimNext, processFile, type FileEnv, type WorkerInit, type WorkerMessage } from '../extract-pool';

const init = workerData as WorkerInit;
const post = (m: WorkerMessage) => parentPort!.postMessage(m);
// Stay alive after `done` until the pool terminates us: an exit is then always a crash, and no
// message can be outrun by the exit event.
parentPort!.on('message', () => undefined);

async function main(): Promise<void> {
  let parser;
  try {
    parser = await createParser(init.backend);
  } catch (e) {
    return post({ k: 'fatal', error: e instanceof Error ? e.message : String(e) });
  }
  const claim = new Int32Array(init.claim);
  const env: FileEnv = {
    overlays: new Map(init.overlays),
    cache: init.cacheDir ? FactCache.at(init.cacheDir) : null,
    timeoutMs: init.timeoutMs,
    countUnmaskedErrors: init.countUnmaskedErrors,
  };
  try {
    for (let i = claimNext(claim, init.files.length); i >= 0; i = claimNext(claim, init.files.length)) {
      const file = init.files[i]!;
      const r = processFile(file, parser, env);
      if (r.k === 'facts') {
        const json = JSON.stringify(r.facts);
        env.cache?.putTextSync(r.facts.hash, file.path, json);
        post({ k: 'file', i, json, hash: r.facts.hash, cached: false });
      } else if (r.k === 'cached') post({ k: 'file', i, json: r.json, hash: r.hash, cached: true });
      else if (r.k === 'unreadable') post({ k: 'file', i, unreadable: r.reason });
      else post({ k: 'file', i, failed: r.reason });
    }
  } finally {
    parser.delete();
  }
  post({ k: 'done' });
}

void main();
