/**
 * The extraction pool (src/host/extract-pool.ts + worker/extract-worker.ts) on a tree big enough
 * (> PARALLEL_MIN_BYTES) for worker threads to run: same facts and problems in the same order
 * whatever the thread count, the fact cache filled and read by workers (and a corrupt entry
 * re-extracted), overlays honoured on worker threads, cancellation, and a crashing or failing
 * worker. The C tree comes from pool-tree.ts (generated from scratch).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortError, extractAll, PARALLEL_MIN_BYTES, type ExtractOptions, type ExtractOutcome } from '../../../src/host/extract-pool';
import { FactCache } from '../../../src/host/fact-cache';
import { collectSources, type SourceEntry } from '../../../src/host/sources';
import { DEFAULT_CONFIG } from '../../../src/engine/config';
import { analyzeFacts } from '../../../src/engine/pipeline/analyze';
import type { FileFacts } from '../../../src/engine/ir';
import { untimedResult } from './check';
import { writePoolTree } from './pool-tree';

let root = '';
let entries: SourceEntry[] = [];
let serial: ExtractOutcome;

before(() => {
  root = writePoolTree(PARALLEL_MIN_BYTES * 1.15);
});

after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const base = (o: Partial<ExtractOptions> = {}): ExtractOptions => ({ backend: 'wasm', jobs: 1, timeoutMs: 10_000, cache: null, ...o });

/** Facts without the timing fields, through JSON as the cache stores them. */
function untimed(facts: FileFacts[]): unknown {
  return JSON.parse(JSON.stringify(facts.map((f) => ({ ...f, parseMs: 0, extractMs: 0 }))));
}

test('in-process (jobs 1): facts in path order, files taken largest first', async () => {
  entries = (await collectSources(root, ['.'], DEFAULT_CONFIG)).files;
  assert.ok(entries.reduce((s, e) => s + e.size, 0) > PARALLEL_MIN_BYTES);
  const seen: string[] = [];
  serial = await extractAll(entries, base({ jobs: 1, progress: (p) => seen.push(p.message) }));
  assert.equal(serial.workerFiles, 0, 'jobs 1 runs in-process');
  assert.deepEqual(serial.problems, []);
  assert.deepEqual(serial.facts.map((f) => f.file), entries.map((e) => e.path), 'facts in entries (path) order');
  assert.ok(serial.facts.every((f) => f.functions.length > 0));
  const bySize = [...entries].sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1)).map((e) => e.path);
  assert.deepEqual(seen, bySize, 'largest first');
});

for (const jobs of [2, 3]) {
  test(`jobs ${jobs}: workers extract part of the tree; facts equal the in-process ones, in path order`, async () => {
    const streamed = new Map<string, FileFacts>();
    const par = await extractAll(entries, base({ jobs, onFacts: (f) => streamed.set(f.file, f) }));
    assert.ok(par.workerFiles > 0, 'a worker extracted files');
    assert.deepEqual(par.facts.map((f) => f.file), entries.map((e) => e.path), 'facts in path order');
    assert.deepEqual(untimed(par.facts), untimed(serial.facts));
    assert.deepEqual(par.problems, []);
    assert.equal(streamed.size, entries.length, 'onFacts saw every file');
    for (const f of par.facts) assert.equal(streamed.get(f.file), f, 'onFacts got the returned object');
    if (jobs === 2) {
      // JSON-transferred facts must not change the global phase (a few files keep it quick).
      const pick = (fs: FileFacts[]) => fs.filter((_, i) => i % 6 === 0);
      const a = analyzeFacts(pick(serial.facts), { config: DEFAULT_CONFIG });
      const b = analyzeFacts(pick(par.facts), { config: DEFAULT_CONFIG });
      assert.ok(a.edges.length > 0, 'the sample has lock-order edges');
      assert.deepEqual(untimedResult(b), untimedResult(a));
    }
  });
}

test('a small tree stays in-process whatever jobs says', async () => {
  const small = entries.slice(0, 3);
  assert.ok(small.reduce((s, e) => s + e.size, 0) < PARALLEL_MIN_BYTES);
  const out = await extractAll(small, base({ jobs: 4 }));
  assert.equal(out.workerFiles, 0);
  assert.deepEqual(untimed(out.facts), untimed(serial.facts.slice(0, 3)));
});

test('unreadable files on worker threads: a problem naming each, in path order, the rest extracted', async () => {
  const missing = (p: string): SourceEntry => ({ path: p, abs: join(root, p), size: 1 });
  const list = [missing('aaa/gone.c'), ...entries, missing('zzz/gone.c')];
  const out = await extractAll(list, base({ jobs: 2 }));
  assert.deepEqual(
    out.problems.map((p) => [p.code, p.file]),
    [
      ['unreadable-file', 'aaa/gone.c'],
      ['unreadable-file', 'zzz/gone.c'],
    ],
  );
  assert.ok(out.problems.every((p) => /ENOENT/.test(p.message) && p.message.includes(p.file!)));
  assert.deepEqual(untimed(out.facts), untimed(serial.facts));
});

test('overlays win over the disk on worker threads, also for paths that exist only in memory', async () => {
  // Like `locklens series`: every text is an overlay and `abs` is not a readable file.
  const overlays = new Map<string, string>();
  const mem: SourceEntry[] = [];
  for (const e of entries) {
    overlays.set(e.path, readFileSync(e.abs, 'utf8'));
    mem.push({ path: e.path, abs: join(root, 'no-such-dir', e.path), size: e.size });
  }
  const edited = entries[entries.length - 1]!.path;
  overlays.set(edited, overlays.get(edited)! + '\nvoid overlay_only_fn(void)\n{\n\tmutex_lock(&overlay_lock);\n\tmutex_unlock(&overlay_lock);\n}\n');
  const out = await extractAll(mem, base({ jobs: 2, overlays }));
  assert.ok(out.workerFiles > 0);
  assert.deepEqual(out.problems, []);
  const fns = (f: FileFacts | undefined) => f?.functions.map((x) => x.name) ?? [];
  assert.ok(fns(out.facts.find((f) => f.file === edited)).includes('overlay_only_fn'), 'the overlay text was analysed');
  const rest = out.facts.filter((f) => f.file !== edited);
  assert.deepEqual(untimed(rest), untimed(serial.facts.filter((f) => f.file !== edited)));
});

test('fact cache: workers fill it, a second run is all hits with equal facts, a corrupt entry is re-extracted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locklens-pool-cache-'));
  try {
    const cache = new FactCache(dir, 'wasm');
    const cold = await extractAll(entries, base({ jobs: 2, cache }));
    assert.equal(cold.cacheHits, 0);
    assert.ok(cold.workerFiles > 0);
    const stored = readdirSync(cache.dir, { recursive: true }).filter((f) => String(f).endsWith('.json'));
    assert.equal(stored.length, entries.length, 'one entry per file, written before extractAll returned');

    for (const jobs of [1, 2]) {
      const warm = await extractAll(entries, base({ jobs, cache }));
      assert.equal(warm.cacheHits, entries.length, `jobs ${jobs}: all hits`);
      assert.deepEqual(untimed(warm.facts), untimed(serial.facts));
    }

    // Corrupt two entries: one truncated, one that is valid JSON for another file.
    const key = (e: SourceEntry) => {
      const hash = createHash('sha1').update(readFileSync(e.abs, 'utf8')).digest('hex');
      const k = createHash('sha1').update(hash).update('\0').update(e.path).digest('hex');
      return join(cache.dir, k.slice(0, 2), k + '.json');
    };
    for (const jobs of [1, 2]) {
      writeFileSync(key(entries[0]!), '{"file": "truncat');
      writeFileSync(key(entries[1]!), JSON.stringify(serial.facts[2]));
      const out = await extractAll(entries, base({ jobs, cache }));
      assert.equal(out.cacheHits, entries.length - 2, `jobs ${jobs}: the corrupt entries are misses`);
      assert.deepEqual(untimed(out.facts), untimed(serial.facts), `jobs ${jobs}: re-extracted facts`);
      assert.deepEqual(out.problems, []);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cancellation: an abort during the run rejects with AbortError, promptly', async () => {
  for (const jobs of [1, 2]) {
    const ctl = new AbortController();
    let seen = 0;
    const t0 = performance.now();
    await assert.rejects(
      extractAll(entries, base({ jobs, signal: ctl.signal, progress: () => ++seen === 3 && ctl.abort() })),
      (e: unknown) => e instanceof AbortError,
    );
    const ms = performance.now() - t0;
    assert.ok(seen < entries.length, `jobs ${jobs}: stopped early (${seen} of ${entries.length} files)`);
    assert.ok(ms < 20_000, `jobs ${jobs}: took ${ms.toFixed(0)} ms`);
  }
  const pre = new AbortController();
  pre.abort();
  await assert.rejects(extractAll(entries, base({ jobs: 2, signal: pre.signal })), (e: unknown) => e instanceof AbortError);
});

test('a worker that crashes rejects the run with a clear error; one that cannot start leaves its share to the others', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locklens-pool-workers-'));
  const script = (name: string, body: string) => {
    const f = join(dir, name);
    writeFileSync(f, `const { parentPort, workerData } = require('node:worker_threads');\n${body}\n`);
    return f;
  };
  try {
    const throws = script('throws.js', `throw new Error('boom from the test worker');`);
    await assert.rejects(extractAll(entries, base({ jobs: 2, workerScript: throws })), /extraction worker crashed: .*boom from the test worker/);

    // Claims a file, then dies: the run must fail rather than return a result without that file.
    const dies = script('dies.js', `Atomics.add(new Int32Array(workerData.claim), 0, 1); process.exit(3);`);
    await assert.rejects(extractAll(entries, base({ jobs: 2, workerScript: dies })), /extraction worker crashed: exited with code 3/);

    const fatal = script('fatal.js', `parentPort.on('message', () => {}); parentPort.postMessage({ k: 'fatal', error: 'no parser here' });`);
    const out = await extractAll(entries, base({ jobs: 3, workerScript: fatal }));
    assert.equal(out.workerFiles, 0);
    assert.deepEqual(untimed(out.facts), untimed(serial.facts), 'the main thread extracted everything');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
