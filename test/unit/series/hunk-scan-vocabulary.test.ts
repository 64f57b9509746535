/**
 * Patch-only mode sees the catalog's lock vocabulary: every lock operation row (RCU read sides
 * included), guard macro and annotation the catalog knows, when an added hunk line uses it. The lists come from the catalog
 * itself, so a row added there is checked here without editing this file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCatalog } from '../../../src/engine/catalog/catalog';
import { GUARD_MACROS, isLockOpPrim } from '../../../src/engine/catalog/lock-api';
import { LOCK_ANNOTATION_NAMES } from '../../../src/engine/catalog/annotations';
import { DEFAULT_CONFIG } from '../../../src/engine/config';
import { parseUnifiedDiff } from '../../../src/engine/series/unified-diff';
import { scanHunks } from '../../../src/engine/series/hunk-scan';

/** One patch adding `added` (each a line of C) to the body of `f()` in net/core/x.c. */
function addedLines(added: readonly string[]) {
  const diff = [
    'diff --git a/net/core/x.c b/net/core/x.c',
    '--- a/net/core/x.c',
    '+++ b/net/core/x.c',
    `@@ -1,3 +1,${3 + added.length} @@ static void f(struct net_device *dev)`,
    ' {',
    ...added.map((l) => `+\t${l}`),
    ' \treturn;',
    ' }',
    '',
  ].join('\n');
  const parsed = parseUnifiedDiff(diff, 1);
  assert.deepEqual(parsed.problems, []);
  return scanHunks(parsed);
}

const cat = buildCatalog(DEFAULT_CONFIG);
const lockOps = [...cat.prims.values()].filter(isLockOpPrim).map((p) => p.name);

test('every catalog lock operation, and every guard macro, is seen in an added line', () => {
  // Sanity: the rows the old name patterns missed are among them.
  for (const n of ['lock_sock', 'netdev_lock', '__rtnl_unlock', 'refcount_dec_and_rtnl_lock', 'ASSERT_OVSL', 'seq_lock', 'ovsthread_once_start']) assert.ok(lockOps.includes(n), n);
  assert.ok(lockOps.length > 150, `${lockOps.length} rows`);
  const names = [...lockOps, ...GUARD_MACROS];
  const h = addedLines(names.map((n) => `${n}(&dev->lock);`));
  const seen = new Map(h.calls.map((c) => [c.name, c]));
  assert.deepEqual(names.filter((n) => !seen.has(n)), [], 'not seen by patch-only mode');
  for (const n of names) {
    assert.equal(seen.get(n)!.added, 1, n);
    assert.equal(seen.get(n)!.removed, 0, n);
  }
  assert.deepEqual(h.functions, ['f']);
});

test('every lock annotation the catalog knows is seen in an added line', () => {
  assert.ok(LOCK_ANNOTATION_NAMES.length >= 29);
  const lines = LOCK_ANNOTATION_NAMES.map((n, i) => `int v${i} ${n}(dev->lock);`);
  const h = addedLines(lines);
  const seen = new Set(h.annotationsAdded.map((r) => r.text));
  assert.deepEqual(lines.filter((l) => !seen.has(l)), [], 'annotation lines not seen');
  assert.deepEqual(h.annotationsRemoved, []);
});

test('look-alike identifiers and names in comments are not lock changes', () => {
  const h = addedLines([
    'my_rtnl_lock_count(dev);',
    'netdev_lock_stats(dev);',
    'x = lock_sock_owner;',
    '/* lock_sock(sk); */ y = 1;',
    '// netdev_lock(dev);',
    'z = my_OVS_REQUIRES_count(dev); /* __must_hold(&m) */',
  ]);
  assert.deepEqual(h.calls, []);
  assert.deepEqual(h.annotationsAdded, []);
});
