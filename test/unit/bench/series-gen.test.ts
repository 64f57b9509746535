import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSeriesMbox, pickSeriesTargets } from '../../../src/host/bench/series-gen';
import { generateCorpus } from '../../../src/host/bench/generator';
import { readMailFile } from '../../../src/engine/series/mail';
import { assembleSeries } from '../../../src/engine/series/assemble';
import { applyPatch, type Tree } from '../../../src/engine/series/apply';

test('the synthetic series parses as a git format-patch mbox and applies patch by patch', async () => {
  const c = generateCorpus({ sizeBytes: 200_000, seed: 2 });
  const targets = pickSeriesTargets(c.files, 4, c.bigFile);
  assert.equal(targets.length, 4);
  assert.ok(!targets.some((t) => t.path === c.bigFile), 'the incremental-edit file is left alone');
  const mbox = makeSeriesMbox(targets, 4);
  const messages = await readMailFile(new TextEncoder().encode(mbox), 'bench.mbox');
  const series = assembleSeries(messages);
  assert.deepEqual(series.problems.filter((p) => p.severity === 'error'), []);
  assert.equal(series.patches.length, 4);
  let tree: Tree = new Map(c.files.map((f) => [f.path, f.text]));
  for (const [i, p] of series.patches.entries()) {
    const r = applyPatch(tree, p);
    assert.ok(r.applied, `patch ${i + 1}: ${JSON.stringify(r.problems)}`);
    assert.deepEqual(r.touched, [targets[i]!.path]);
    assert.match(r.tree.get(targets[i]!.path)!, new RegExp(`static int bench_patch${i + 1}_apply\\(int val\\)\\n\\{\\n\\tint ret;`));
    assert.ok(r.tree.get(targets[i]!.path)!.startsWith(targets[i]!.text), 'appended at the end');
    tree = r.tree;
  }
});

test('series targets skip headers, files without a final newline and the excluded file', () => {
  const files = [
    { path: 'a.c', text: 'int a;\nint b;\nint c;\nint d;\n' },
    { path: 'b.c', text: 'int a;\nint b;\nint c;\nint d;' },
    { path: 'c.h', text: 'int a;\nint b;\nint c;\nint d;\nint e;\n' },
    { path: 'd.c', text: 'int a;\nint b;\nint c;\nint d;\nint e;\n' },
    { path: 'e.c', text: 'int x;\n' },
  ];
  assert.deepEqual(pickSeriesTargets(files, 5).map((f) => f.path), ['d.c', 'a.c']);
  assert.deepEqual(pickSeriesTargets(files, 5, 'd.c').map((f) => f.path), ['a.c']);
  assert.equal(makeSeriesMbox(pickSeriesTargets(files, 1), 3).match(/^Subject: /gm)!.length, 1);
});
