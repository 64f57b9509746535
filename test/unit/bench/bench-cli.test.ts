import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runBench, parseBenchArgs } from '../../../src/cli/bench';
import { UsageError } from '../../../src/cli/io';

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
/** A figure is either measured (numbers) or n/a with a reason: never silently missing. */
function measuredOrNa(x: unknown, check: (v: Record<string, unknown>) => void, label: string): void {
  assert.ok(x && typeof x === 'object', `${label} present`);
  const o = x as Record<string, unknown>;
  if (typeof o.na === 'string') {
    assert.ok(o.na.length > 3, `${label}: n/a has a reason`);
    return;
  }
  check(o);
}

test('bench --quick completes and writes JSON with every figure', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'locklens-bench-test-'));
  const before = new Set(readdirSync(os.tmpdir()).filter((n) => n.startsWith('locklens-bench-') && !n.startsWith('locklens-bench-test-')));
  try {
    let out = '';
    let err = '';
    const t = performance.now();
    const code = await runBench(['--quick', '--json', path.join(dir, 'b.json')], { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: dir });
    const ms = performance.now() - t;
    assert.equal(code, 0, err);
    const r = JSON.parse(readFileSync(path.join(dir, 'b.json'), 'utf8'));
    assert.equal(r.version, 1);
    assert.deepEqual(r.options.scales, [1, 2]);
    assert.equal(r.runs.length, 2);
    for (const run of r.runs) {
      assert.ok(run.corpus.files > 3 && run.corpus.bytes > 40_000);
      // Parse-only, full analysis and incremental latency must always be measured.
      assert.ok(isNum(run.parseOnly.figures.wallMs) && run.parseOnly.figures.wallMs > 0, JSON.stringify(run.parseOnly));
      assert.ok(isNum(run.parseOnly.rssMb) && run.parseOnly.rssMb > 10);
      assert.equal(run.parseOnly.figures.bytes, run.corpus.bytes);
      for (const k of ['full1', 'fullN']) {
        assert.ok(isNum(run[k].figures.wallMs) && run[k].figures.wallMs > 0, `${k}: ${JSON.stringify(run[k])}`);
        assert.equal(run[k].figures.files, run.corpus.files);
        assert.ok(isNum(run[k].figures.phases.extract));
        assert.ok(isNum(run[k].rssMb) && run[k].rssMb > 10);
      }
      assert.equal(run.fullN.figures.jobs, r.options.jobs);
      assert.ok(isNum(run.incremental.figures.p50Ms) && isNum(run.incremental.figures.p95Ms), JSON.stringify(run.incremental));
      assert.ok(run.incremental.figures.p95Ms >= run.incremental.figures.p50Ms);
      assert.equal(run.incremental.figures.edits, 5);
      // The series CLI is part of the build, so this figure must be measured, not n/a.
      const s = run.series;
      assert.ok(isNum(s.perPatchMs) && isNum(s.maxPatchMs) && s.perPatchMs > 0 && s.maxPatchMs >= s.perPatchMs && isNum(s.allMs), JSON.stringify(s));
    }
    measuredOrNa(r.sim, (s) => assert.ok(isNum(s.wallMs) && s.cells === 4), 'sim');
    const ids = r.targets.map((x: { id: string }) => x.id);
    assert.deepEqual(ids, ['full-vs-parse', 'parallel-vs-parse', 'incremental-p95', 'peak-rss', 'scaling-2x', 'series-per-patch']);
    for (const row of r.targets) assert.ok(['PASS', 'MISS', 'n/a'].includes(row.status));
    assert.match(out, /^scale\s+MB\s+files\s+parse-only\s+full j1\s+ratio/m);
    assert.match(out, /^LockLens bench — synthetic corpus \(realistic profile\)/);
    assert.equal(r.options.profile, 'realistic');
    for (const run of r.runs) assert.equal(run.corpus.profile, 'realistic');
    assert.match(out, /Targets:/);
    // The generated corpus lives in the OS temp dir and is removed afterwards.
    const after = readdirSync(os.tmpdir()).filter((n) => n.startsWith('locklens-bench-') && !n.startsWith('locklens-bench-test-') && !before.has(n));
    assert.deepEqual(after, []);
    // Informational (the issue asks for < 20 s on a quiet machine; this one is shared).
    if (ms > 20_000) console.log(`bench --quick took ${(ms / 1000).toFixed(1)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench rejects bad options with a usage error', async () => {
  const io = { stdout: () => undefined, stderr: () => undefined, cwd: os.tmpdir() };
  await assert.rejects(runBench(['--size-mb', '-1'], io), (e: unknown) => e instanceof UsageError && /--size-mb/.test(e.message));
  await assert.rejects(runBench(['--parser', 'gcc'], io), (e: unknown) => e instanceof UsageError && /--parser/.test(e.message));
  await assert.rejects(runBench(['--scales', '1,x'], io), UsageError);
  await assert.rejects(runBench(['--path', '/nonexistent/locklens'], io), (e: unknown) => e instanceof UsageError && /not a directory/.test(e.message));
  await assert.rejects(runBench(['--frobnicate'], io), UsageError);
  await assert.rejects(runBench(['--profile', 'sparse'], io), (e: unknown) => e instanceof UsageError && /--profile: expected realistic or dense/.test(e.message));
});

test('bench options: defaults and --quick', () => {
  const d = parseBenchArgs([], '/w');
  assert.equal(d.sizeMb, 12);
  assert.deepEqual(d.scales, [1, 2, 4]);
  assert.equal(d.parser, 'wasm');
  assert.equal(d.edits, 100);
  assert.equal(d.json, path.resolve('/w', '.locklens-out/bench.json'));
  assert.deepEqual(d.simGrid.map(([, v]) => v.length), [7, 8]);
  assert.equal(d.simReps, 10);
  assert.equal(d.profile, 'realistic');
  assert.equal(d.corpusStats, false);
  assert.equal(parseBenchArgs(['--profile', 'dense'], '/w').profile, 'dense');
  const q = parseBenchArgs(['--quick', '--scales', '1', '--size-mb', '0.5', '--jobs', '3'], '/w');
  assert.equal(q.sizeMb, 0.5);
  assert.deepEqual(q.scales, [1]);
  assert.equal(q.jobs, 3);
  assert.equal(q.quick, true);
});

test('bench --corpus-stats measures a tree or a generated corpus, prints a table and writes JSON only when asked', { timeout: 60_000 }, async () => {
  const root = process.env.LOCKLENS_ROOT ?? process.cwd();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'locklens-bench-test-'));
  try {
    let out = '';
    const io = { stdout: (s: string) => (out += s), stderr: () => undefined, cwd: dir };
    const tree = path.join(root, 'test', 'fixtures', 'bench', 'stats-tree');
    assert.equal(await runBench(['--corpus-stats', '--path', tree, '--json', 'cs.json'], io), 0);
    assert.match(out, /^figure\s+stats-tree$/m);
    assert.match(out, /^functions\s+7$/m);
    const j = JSON.parse(readFileSync(path.join(dir, 'cs.json'), 'utf8'));
    assert.equal(j.kind, 'corpus-stats');
    assert.equal(j.source.path, tree);
    assert.equal(j.stats.edges, 1);
    out = '';
    assert.equal(await runBench(['--corpus-stats', '--profile', 'dense', '--size-mb', '0.05'], io), 0);
    assert.match(out, /^figure\s+dense 0\.05 MB$/m);
    assert.deepEqual(readdirSync(dir), ['cs.json'], 'no JSON without --json, nothing else written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
