import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { internRange, intern } from '../../../src/engine/parse/ir/intern';
import { flattenTree, type FlatTree } from '../../../src/engine/parse/tree/flat-tree';
import { maskSource } from '../../../src/engine/parse/preprocess/macro-mask';
import { extractFileFacts } from '../../../src/engine/parse/extract';
import { fixture, untimed, wasmParser } from './helpers';

test('internRange returns the sliced text, for any range of any string', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.nat(), fc.nat(), (s, x, y) => {
      const a = Math.min(x % (s.length + 1), y % (s.length + 1));
      const b = Math.max(x % (s.length + 1), y % (s.length + 1));
      assert.equal(internRange(s, a, b), s.slice(a, b));
      assert.equal(intern(s.slice(a, b)), s.slice(a, b));
    }),
    { numRuns: 500, seed: 99 },
  );
  // Equal texts from different sources come back as one string; different texts never collide.
  const names = Array.from({ length: 5000 }, (_, i) => `name_${i.toString(36)}_suffix_long_enough`);
  const src = names.join(' ');
  let off = 0;
  for (const n of names) {
    assert.equal(internRange(src, off, off + n.length), n);
    off += n.length + 1;
  }
});

function plain(t: FlatTree): unknown {
  const n = t.n;
  return {
    n,
    type: t.type.slice(0, n),
    named: [...t.named.subarray(0, n)],
    missing: [...t.missing.subarray(0, n)],
    start: [...t.start.subarray(0, n)],
    end: [...t.end.subarray(0, n)],
    row: [...t.row.subarray(0, n)],
    col: [...t.col.subarray(0, n)],
    parent: [...t.parent.subarray(0, n)],
    firstChild: [...t.firstChild.subarray(0, n)],
    nextSibling: [...t.nextSibling.subarray(0, n)],
  };
}

test('scratch flattening (reused arrays) yields the same flat trees as fresh arrays, big after small after big', async () => {
  const p = await wasmParser();
  const texts = [fixture('kernel.c').repeat(6), fixture('basic.c'), fixture('ovs.c'), fixture('kernel.c').repeat(6)];
  for (const text of texts) {
    const masked = maskSource(text).masked;
    const tree = p.parse(masked)!;
    try {
      const fresh = plain(flattenTree(tree.rootNode, masked));
      const scratch = plain(flattenTree(tree.rootNode, masked, Infinity, { scratch: true }));
      assert.deepEqual(scratch, fresh);
    } finally {
      tree.delete();
    }
  }
});

test('pooled token arrays: masking is the same whatever was masked before', () => {
  const big = fixture('kernel-idioms.c').repeat(20);
  const small = fixture('unbalanced.c');
  const first = maskSource(big);
  const s1 = maskSource(small);
  assert.deepEqual(maskSource(big), first);
  assert.deepEqual(maskSource(small), s1);
  assert.notEqual(first.masked, big, 'the fixture exercises masking');
});

test('extraction is unchanged by interning and pooling across files (run twice, interleaved)', async () => {
  const p = await wasmParser();
  const names = ['kernel.c', 'ovs.c', 'broken.c', 'preproc.c'];
  const once = names.map((n) => untimed(extractFileFacts(p, n, fixture(n))));
  const again = [...names].reverse().map((n) => untimed(extractFileFacts(p, n, fixture(n)))).reverse();
  assert.deepEqual(again, once);
});
