import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { measureCorpusStats, renderCorpusStats, roundStats, CALIBRATED_FIGURES } from '../../../src/host/bench/corpus-stats';

const fixtures = path.join(process.env.LOCKLENS_ROOT ?? process.cwd(), 'test', 'fixtures', 'bench');
const close = (a: number, b: number, msg: string) => assert.ok(Math.abs(a - b) < 1e-9, `${msg}: ${a} vs ${b}`);

test('corpus stats count what the fixture tree holds (locks from the analysis, shape from the IR)', async () => {
  // net/alpha.c: 5 functions; alpha_top takes a mutex then a spinlock (one order edge), calls
  // alpha_mid → alpha_leaf (call depth 2) and has one goto; an ops table with two functions; an
  // indirect call ops->open(); an #ifdef and an iterator loop in alpha_dispatch; 2 #defines.
  // lib/beta.c: 2 functions; beta_run takes an OVS mutex and calls beta_bump, which is annotated
  // OVS_REQUIRES on its prototype and definition.
  const s = await measureCorpusStats(path.join(fixtures, 'stats-tree'));
  assert.equal(s.files, 2);
  assert.equal(s.functions, 7);
  assert.equal(s.acquisitions, 3);
  close(s.lockingFunctionShare, 2 / 7, 'locking share');
  assert.equal(s.lockClasses, 3);
  assert.equal(s.edges, 1);
  // Resolved calls: mid→leaf, top→mid, top→leaf, run→bump, and ops->open through the ops table.
  assert.equal(s.callSites, 5);
  // Call expressions: 1 + 6 + 1 + 3; one of the 11 is indirect.
  close(s.callExprsPerFunction, 11 / 7, 'call expressions');
  close(s.indirectCallShare, 1 / 11, 'indirect share');
  assert.equal(s.opsTables, 1);
  close(s.gotosPerFunction, 1 / 7, 'gotos');
  close(s.gotoFunctionShare, 1 / 7, 'goto share');
  close(s.macrosPerMb, 2 / s.mb, '#defines');
  close(s.iteratorLoopsPerFunction, 1 / 7, 'iterator loops');
  close(s.bodyIfdefsPerMb, 1 / s.mb, '#if in bodies');
  close(s.annotationsPerFunction, 2 / 7, 'annotations');
  // Acquisitions hold 1 (mutex), 2 (spinlock under the mutex), 1 (OVS mutex).
  close(s.meanLockNesting, 4 / 3, 'mean nesting');
  assert.equal(s.maxLockNesting, 2);
  assert.equal(s.maxHeldAtAcquire, 2);
  assert.equal(s.maxCallDepth, 2);
  // Heights: leaf 0, mid 1, top 2, close 0, dispatch 0 (only an indirect call), bump 0, run 1.
  close(s.meanCallDepth, 4 / 7, 'mean depth');
  close(s.bytesPerFunction, s.bytes / 7, 'bytes per function');
});

test('a tree without locks has zero lock figures but still has calls and depth', async () => {
  const s = await measureCorpusStats(path.join(fixtures, 'stats-nolock'));
  assert.equal(s.functions, 2);
  for (const k of ['acquisitions', 'lockClasses', 'edges', 'lockingFunctionShare', 'meanLockNesting', 'maxLockNesting', 'meanHeldAtAcquire', 'opsTables', 'gotosPerFunction', 'annotationsPerFunction'] as const) {
    assert.equal(s[k], 0, k);
  }
  assert.equal(s.callSites, 1);
  assert.equal(s.maxCallDepth, 1);
  close(s.meanCallDepth, 0.5, 'mean depth');
});

test('recursion does not make call depth unbounded, and an empty tree gives zeros, not NaN', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'locklens-stats-'));
  try {
    writeFileSync(path.join(dir, 'rec.c'), 'int self(int n)\n{\n\treturn n ? self(n - 1) : 0;\n}\n\nint ping(int n);\n\nint pong(int n)\n{\n\treturn ping(n - 1);\n}\n\nint ping(int n)\n{\n\treturn n ? pong(n) : 0;\n}\n');
    const s = await measureCorpusStats(dir);
    assert.equal(s.functions, 3);
    assert.ok(s.maxCallDepth >= 1 && s.maxCallDepth <= 2, `max depth ${s.maxCallDepth}`);
    rmSync(path.join(dir, 'rec.c'));
    const empty = await measureCorpusStats(dir);
    assert.equal(empty.functions, 0);
    for (const k of CALIBRATED_FIGURES) assert.ok(Number.isFinite(empty[k]), `${k} = ${empty[k]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the stats table has one column per tree and a row per calibrated figure', async () => {
  const a = await measureCorpusStats(path.join(fixtures, 'stats-tree'));
  const b = await measureCorpusStats(path.join(fixtures, 'stats-nolock'));
  const text = renderCorpusStats([{ name: 'tree', stats: a }, { name: 'nolock', stats: b }]);
  const lines = text.trimEnd().split('\n');
  assert.match(lines[0]!, /^figure\s+tree\s+nolock$/);
  assert.equal(lines.length, 1 + 5 + CALIBRATED_FIGURES.length);
  assert.match(text, /^lock-order edges\s+1\s+0$/m);
  assert.match(text, /^lock nesting in a function, max\s+2\s+0$/m);
  const r = roundStats(a);
  assert.equal(r.functions, 7);
  assert.equal(r.lockingFunctionShare, 0.286);
});
