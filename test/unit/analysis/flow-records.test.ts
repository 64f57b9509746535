/** Shared, compact records of the local pass: interned snapshots and compacted results. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_SNAP, internSnap } from '../../../src/engine/analysis/flow/snap';
import { compactResult, NO_ENTRIES, NONE } from '../../../src/engine/analysis/flow/compact';
import type { LocalResult } from '../../../src/engine/analysis/summary';

test('internSnap: equal lock sets share one frozen object; different sets do not', () => {
  const a = internSnap(['a'], ['a', 'b'], [], []);
  const b = internSnap(['a'], ['a', 'b'], [], []);
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.may));
  assert.notEqual(internSnap(['a', 'b'], ['a', 'b'], [], []), a);
  assert.notEqual(internSnap(['a'], ['a', 'b'], ['x'], []), a);
  // Field boundaries are part of the key: must=[a] may=[a,b] differs from must=[] may=[a,b] dropMay=[a].
  assert.notEqual(internSnap([], ['a', 'b'], ['a'], []), internSnap([], ['a'], ['b', 'a'], []));
  assert.deepEqual({ ...a }, { must: ['a'], may: ['a', 'b'], dropMay: [], dropMust: [] });
});

test('internSnap: the empty set is one constant; consumers cannot mutate shared snapshots', () => {
  assert.equal(internSnap([], [], [], []), EMPTY_SNAP);
  assert.deepEqual({ ...EMPTY_SNAP }, { must: [], may: [], dropMay: [], dropMust: [] });
  assert.throws(() => (EMPTY_SNAP.may as string[]).push('x'), TypeError);
  assert.throws(() => (internSnap(['q'], ['q'], [], []).must as string[]).push('x'), TypeError);
  // Dropped-only snapshots are not the empty one.
  assert.notEqual(internSnap([], [], ['d'], ['d']), EMPTY_SNAP);
});

const emptyResult = (): LocalResult => ({
  summary: { key: 'k', acquires: new Map(), perRun: new Map(), returnsHolding: new Map(), releases: new Map(), tryRet: null, requires: new Map(), excluded: new Map(), sleep: null, waits: [], noAnalysis: false },
  sites: [], calls: [], edges: [], recursive: [], doubleUnlock: [], sleeps: [], waits: [], derefs: [], frees: [], exits: [], acqEvents: [], badUnlock: [], partialUnlock: [], rtnlInLoop: [], lines: [], acqSites: [],
  unresolvedIndirect: 0, resolvedIndirect: 0, fixpointCapped: false,
});

test('compactResult: empty lists and maps become shared read-only constants that still compare as empty', () => {
  const r = emptyResult();
  compactResult(r);
  assert.equal(r.sites, NONE);
  assert.equal(r.summary.acquires, NO_ENTRIES);
  assert.equal(r.summary.perRun, NO_ENTRIES, 'an empty perRun stays present (absent means "same as acquires")');
  assert.deepEqual(r.summary.acquires, new Map());
  assert.deepEqual(r.exits, []);
  assert.throws(() => r.summary.acquires.set('x', {} as never), TypeError);
  assert.throws(() => r.sites.push({} as never), TypeError);
  assert.equal(NO_ENTRIES.size, 0);
});

test('compactResult: non-empty lists and maps keep their contents and stay writable', () => {
  const r = emptyResult();
  const site = { line: 3, col: 0, op: 'acquire' as const, locks: ['a'], text: 'lock(a)', snap: EMPTY_SNAP };
  r.sites.push(site);
  r.calls.push({ callee: ['f'], line: 4, col: 0, text: 'f', indirect: false, snap: EMPTY_SNAP, loop: false, requires: [], excluded: [{ lock: 'a', calleeName: 'f' }] });
  r.summary.acquires.set('a', { lock: 'a', chain: [], try: false, shared: false, nested: false, type: 'mutex', dropped: [] });
  compactResult(r);
  assert.deepEqual(r.sites, [site]);
  assert.notEqual(r.sites, NONE);
  assert.equal(r.calls[0]!.requires, NONE);
  assert.deepEqual(r.calls[0]!.excluded, [{ lock: 'a', calleeName: 'f' }]);
  assert.equal(r.summary.acquires.size, 1);
  assert.notEqual(r.summary.acquires, NO_ENTRIES);
  r.sites.push(site);
  assert.equal(r.sites.length, 2);
});
