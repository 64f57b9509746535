/**
 * Tree-level robustness: a hostile tree on disk (oversized, undecodable, NUL-filled, CRLF files,
 * symlinks out of the tree, broken symlinks, a directory named like a source) must give a result
 * with problems naming each skipped file, leave every file untouched, honour the per-file time
 * budget, and be the same whether extraction ran in-process or on worker threads.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeTree, prepareTree } from '../../../src/host/analyze-tree';
import { extractAll } from '../../../src/host/extract-pool';
import { collectSources } from '../../../src/host/sources';
import { DEFAULT_CONFIG } from '../../../src/engine/config';
import type { AnalysisResult } from '../../../src/engine/model';
import { extractFileFacts } from '../../../src/engine/parse/extract';
import { MB, wasmParser } from './harness';
import { internalProblems, untimedResult } from './check';

let root = '';

const GOOD = 'static DEFINE_MUTEX(a);\nstatic DEFINE_MUTEX(b);\n\nvoid one(void)\n{\n\tmutex_lock(&a);\n\tmutex_lock(&b);\n\tmutex_unlock(&b);\n\tmutex_unlock(&a);\n}\n\nvoid two(void)\n{\n\tmutex_lock(&b);\n\tmutex_lock(&a);\n\tmutex_unlock(&a);\n\tmutex_unlock(&b);\n}\n';

/** Path, kind, mode and bytes (or link target) of everything under dir: proves nothing was written. */
function snapshot(dir: string): string {
  const h = createHash('sha256');
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, r));
      h.update(`${r}\0${st.mode}\0${st.size}\0${st.mtimeMs}\0`);
      if (st.isSymbolicLink()) h.update(readlinkSync(join(dir, r)));
      else if (st.isDirectory()) walk(r);
      else h.update(readFileSync(join(dir, r)));
    }
  };
  walk('');
  return h.digest('hex');
}

before(() => {
  root = mkdtempSync(join(tmpdir(), 'locklens-robust-'));
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src/good.c'), GOOD);
  writeFileSync(join(root, 'src/crlf.c'), GOOD.replace(/two/g, 'three').replace(/\n/g, '\r\n'));
  writeFileSync(join(root, 'src/nul.c'), Buffer.concat([Buffer.from('void n(void) {\0 g(); }\n'), Buffer.alloc(4096, 0)]));
  // Invalid UTF-8 and Latin-1 bytes in a comment and in code.
  writeFileSync(join(root, 'src/latin1.c'), Buffer.concat([Buffer.from('/* caf'), Buffer.from([0xe9, 0xff, 0xfe, 0xc3]), Buffer.from(' */\nvoid l(void) { g("'), Buffer.from([0x80, 0x81]), Buffer.from('"); }\n')]));
  writeFileSync(join(root, 'src/big.c'), 'void big(void) { g(); }\n'.repeat(8000)); // ~190 KB > the 64 KB limit below
  writeFileSync(join(root, 'src/deep.c'), 'void d(void)\n' + '{'.repeat(10_000) + 'g();' + '}'.repeat(10_000) + '\n');
  mkdirSync(join(root, 'src/dir.c')); // a directory named like a source
  writeFileSync(join(root, 'src/dir.c/inner.c'), 'void inner(void) { }\n');
  symlinkSync('/etc/passwd', join(root, 'src/escape.c'));
  symlinkSync(join(root, 'src/nowhere.c'), join(root, 'src/broken.c'));
  symlinkSync(join(root, 'src/good.c'), join(root, 'src/alias.c')); // in-tree: read
});

after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const config = { maxFileBytes: 64 * 1024 };
const problem = (r: { problems: { code: string; file?: string; message: string }[] }, code: string, file: string) =>
  r.problems.find((p) => p.code === code && p.file === file && p.message.includes(file.split('/').pop()!));

async function run(jobs: number): Promise<AnalysisResult> {
  return analyzeTree({ root, config, cacheDir: null, jobs, parser: 'wasm' });
}

test('a hostile tree: result with problems naming each skipped file, nothing written', async (t) => {
  const before = snapshot(root);
  const r = await run(1);
  assert.equal(snapshot(root), before, 'the analysed tree changed');
  assert.deepEqual(internalProblems(r.problems), []);
  assert.ok(problem(r, 'file-too-large', 'src/big.c'), 'big.c reported as too large');
  assert.ok(problem(r, 'symlink-outside-root', 'src/escape.c'), 'escape.c reported, not followed');
  assert.ok(problem(r, 'broken-symlink', 'src/broken.c'), 'broken.c reported');
  const fns = new Set(r.functions.map((f) => f.name));
  for (const name of ['one', 'two', 'three', 'n', 'l', 'd', 'inner']) assert.ok(fns.has(name), `function ${name} analysed (have ${[...fns].join(', ')})`);
  assert.ok(!fns.has('big'), 'the oversized file was skipped');
  // The lock-order cycle in good.c is still found next to all that noise (and again via crlf.c).
  assert.ok(r.findings.some((f) => f.rule === 'lock-order-cycle'), 'cycle a/b found');
  t.diagnostic(`hostile tree: ${r.files} files analysed, problems: ${[...new Set(r.problems.map((p) => p.code))].join(', ')}`);
});

test('in-process and worker-thread extraction give the same result', async () => {
  const a = await run(1);
  const b = await run(2);
  assert.deepEqual(untimedResult(b), untimedResult(a));
});

test('per-file time budget: a file over budget is skipped with a problem naming it, promptly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'locklens-budget-'));
  try {
    writeFileSync(join(dir, 'small.c'), GOOD);
    // ~3 MB of nested blocks: far more than 20 ms of parsing on any machine.
    writeFileSync(join(dir, 'slow.c'), ('void s(void)\n' + '{'.repeat(2000) + 'g();' + '}'.repeat(2000) + '\n').repeat(400));
    for (const jobs of [1, 2]) {
      const t0 = performance.now();
      const r = await analyzeTree({ root: dir, config: { fileTimeBudgetMs: 20 }, cacheDir: null, jobs, parser: 'wasm' });
      const ms = performance.now() - t0;
      t.diagnostic(`budget 20 ms, jobs ${jobs}: whole tree in ${ms.toFixed(0)} ms`);
      const p = r.problems.find((x) => x.file === 'slow.c');
      assert.ok(p, `no problem names slow.c: ${JSON.stringify(r.problems)}`);
      assert.match(p.code, /timeout|time-budget/);
      assert.match(p.message, /slow\.c/);
      assert.ok(r.functions.some((f) => f.name === 'one'), 'small.c still analysed');
      assert.ok(ms < 10_000, `took ${ms.toFixed(0)} ms`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unreadable inputs: the problem names the file and the reason', async () => {
  // Running as root makes chmod 000 useless; a directory and a vanished file fail the read instead.
  const out = await extractAll(
    [
      { path: 'src/dir.c', abs: join(root, 'src/dir.c'), size: 1 },
      { path: 'src/vanished.c', abs: join(root, 'src/vanished.c'), size: 1 },
      { path: 'src/good.c', abs: join(root, 'src/good.c'), size: 1 },
    ],
    { backend: 'wasm', jobs: 1, timeoutMs: 5000, cache: null },
  );
  const isDir = out.problems.find((p) => p.file === 'src/dir.c');
  const gone = out.problems.find((p) => p.file === 'src/vanished.c');
  assert.ok(isDir && /src\/dir\.c/.test(isDir.message) && /EISDIR/.test(isDir.message), JSON.stringify(out.problems));
  assert.ok(gone && /src\/vanished\.c/.test(gone.message) && /ENOENT/.test(gone.message), JSON.stringify(out.problems));
  assert.deepEqual(out.facts.map((f) => f.file), ['src/good.c'], 'the readable file is still extracted');

  const c = await collectSources(root, ['src/missing.c'], DEFAULT_CONFIG);
  const miss = c.problems.find((p) => p.code === 'unreadable-file');
  assert.ok(miss && /missing\.c/.test(miss.message) && /ENOENT/.test(miss.message), JSON.stringify(c.problems));
});

test('20 MB single file: skipped by size by default; over budget when allowed; memory bounded', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'locklens-20mb-'));
  try {
    const unit = 'static int big_fn(struct dp *dp)\n{\n\tmutex_lock(&dp->lock);\n\tif (dp->n)\n\t\tdp_do(dp);\n\tmutex_unlock(&dp->lock);\n\treturn 0;\n}\n';
    const text = unit.repeat(Math.ceil((20 * MB) / unit.length));
    writeFileSync(join(dir, 'huge.c'), text);
    writeFileSync(join(dir, 'small.c'), GOOD);
    const size = Buffer.byteLength(text);
    assert.ok(size >= 20 * MB);

    // Default limits: refused by size before a byte is read.
    let t0 = performance.now();
    const r1 = await analyzeTree({ root: dir, cacheDir: null, jobs: 1, parser: 'wasm' });
    const skipMs = performance.now() - t0;
    const p1 = r1.problems.find((p) => p.file === 'huge.c');
    assert.equal(p1?.code, 'file-too-large');
    assert.match(p1!.message, /huge\.c.*exceeds maxFileBytes/);
    assert.ok(r1.functions.some((f) => f.name === 'one'));
    assert.ok(skipMs < 5000, `skip took ${skipMs.toFixed(0)} ms`);

    // Size limit raised, 1.5 s budget, in-process so this process's memory is what we measure.
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const rss0 = process.memoryUsage().rss;
    let peakRss = rss0;
    const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    t0 = performance.now();
    const prepared = await prepareTree({ root: dir, config: { maxFileBytes: 64 * MB, fileTimeBudgetMs: 1500 }, cacheDir: null, jobs: 1, parser: 'wasm' });
    const ms = performance.now() - t0;
    clearInterval(timer);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const heapGrowth = process.memoryUsage().heapUsed - heap0;
    const huge = prepared.facts.find((f) => f.file === 'huge.c');
    const timeout = huge?.problems.find((p) => /timeout|time-budget/.test(p.code));
    t.diagnostic(
      `20 MB file (${(size / MB).toFixed(1)} MiB), budget 1500 ms: ${ms.toFixed(0)} ms, ` +
        `heapUsed growth ${(heapGrowth / MB).toFixed(0)} MiB, RSS growth ${((peakRss - rss0) / MB).toFixed(0)} MiB (peak ${(peakRss / MB).toFixed(0)} MiB); ` +
        `outcome: ${huge ? `${huge.functions.length} functions, problems ${huge.problems.map((p) => p.code).join(', ') || 'none'}` : 'no facts'}`,
    );
    assert.ok(timeout, 'the 20 MB file blows a 1.5 s budget and says so');
    assert.match(timeout.message, /huge\.c/);
    assert.ok(ms < 20_000, `took ${ms.toFixed(0)} ms for a 1.5 s budget`);
    assert.ok(peakRss - rss0 < 1536 * MB, `RSS grew by ${((peakRss - rss0) / MB).toFixed(0)} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the per-file budget bounds all per-file work, not only the parse', async () => {
  const text = 'static int f(struct dp *dp)\n{\n\tmutex_lock(&dp->lock);\n\tmutex_unlock(&dp->lock);\n\treturn 0;\n}\n'.repeat(Math.ceil((4 * MB) / 80));
  const budget = 300;
  const parser = await wasmParser(); // WASM start-up is not per-file work
  const t0 = performance.now();
  const facts = extractFileFacts(parser, 'huge.c', text, { timeoutMs: budget });
  const ms = performance.now() - t0;
  assert.ok(facts.problems.some((p) => /timeout|time-budget/.test(p.code)), 'over budget');
  // Unbounded, this file takes several seconds; 3x the budget leaves room for a busy CI machine.
  assert.ok(ms < 3 * budget, `a 4 MB file with a ${budget} ms budget took ${ms.toFixed(0)} ms`);
});
