/** The local pass's dataflow state: copy-on-write copies, join, fixpoint equality, snapshots. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { factsSame, joinSt, sig, St, stEq, type HeldE } from '../../../src/engine/analysis/flow/state';

const held = (over: Partial<HeldE> = {}): HeldE => ({ must: true, shared: false, try: false, nested: false, assert: false, atomic: false, rcu: false, type: 'mutex', chain: [], text: 'l', count: 1, ...over });

test('copy-on-write: writes to a copy never show in the origin, nor the origin in the copy', () => {
  const a = St.empty();
  a.wHeld().set('a', held());
  a.wDropped().set('d', true);
  const b = a.copy();
  b.wHeld().set('b', held());
  b.delDropped('d');
  b.addReleased('r');
  b.wFacts().set('locked', true);
  assert.deepEqual([...a.held.keys()], ['a']);
  assert.deepEqual([...a.dropped.keys()], ['d']);
  assert.equal(a.released.size, 0);
  assert.equal(a.facts.size, 0);
  // The origin lost ownership too: its next write must not leak into the copy.
  a.wHeld().set('c', held());
  assert.deepEqual([...b.held.keys()], ['a', 'b']);
  assert.deepEqual([...a.held.keys()], ['a', 'c']);
});

test('copy-on-write: an unwritten copy shares its collections; deleting an absent key copies nothing', () => {
  const a = St.empty();
  a.wHeld().set('a', held());
  const b = a.copy();
  b.delHeld('zzz');
  b.delPending('v');
  b.delTaint('v');
  b.delFailed('x');
  assert.equal(b.held, a.held);
  assert.equal(b.pending, a.pending);
  b.delHeld('a');
  assert.notEqual(b.held, a.held);
  assert.equal(a.held.size, 1);
  assert.equal(b.held.size, 0);
});

test('snap: sorted, pseudo locks left out, memoised until held/dropped change', () => {
  const s = St.empty();
  s.wHeld().set('z', held());
  s.wHeld().set('#irq', held());
  s.wHeld().set('a', held({ must: false }));
  s.wDropped().set('e', false);
  const x = s.snap();
  assert.deepEqual({ ...x }, { must: ['z'], may: ['a', 'z'], dropMay: ['e'], dropMust: [] });
  assert.equal(s.snap(), x, 'unchanged state reuses its snapshot');
  s.addReleased('q'); // not part of a snapshot
  assert.equal(s.snap(), x);
  s.delHeld('z');
  assert.deepEqual(s.snap().may, ['a']);
  assert.equal(s.copy().snap(), s.snap(), 'a copy starts with the same snapshot');
});

test('join: must only when held on both sides; chains keep the shorter witness; counts take the max', () => {
  const step = (line: number) => ({ file: 'a.c', line, function: 'f', note: 'n' });
  const a = St.empty();
  a.wHeld().set('m', held({ chain: [step(1), step(2)], count: 2 }));
  a.wHeld().set('only-a', held());
  const b = St.empty();
  b.wHeld().set('m', held({ chain: [step(3)], must: false }));
  const j = joinSt(a, b);
  assert.equal(j.held.get('m')!.must, false);
  assert.equal(j.held.get('m')!.count, 2);
  assert.deepEqual(j.held.get('m')!.chain, [step(3)]);
  assert.equal(j.held.get('only-a')!.must, false);
  const both = joinSt(a, a.copy());
  assert.equal(both.held.get('m')!.must, true);
  assert.ok(stEq(joinSt(both, both.copy()), both), 'join is idempotent');
  assert.ok(!stEq(j, both));
});

test('join: a lock taken under `!locked` stays conditionally must when the other path contradicts the fact', () => {
  const a = St.empty();
  a.wFacts().set('locked', false);
  a.wHeld().set('m', held({ facts: { locked: false } }));
  const contradicting = St.empty();
  contradicting.wFacts().set('locked', true);
  const unknown = St.empty();
  assert.equal(joinSt(a, contradicting).held.get('m')!.condMust, true);
  assert.equal(joinSt(a, unknown).held.get('m')!.condMust, false);
  assert.equal(joinSt(contradicting, a).held.get('m')!.condMust, true);
});

test('join of an entry with itself equals the general rule (fast path)', () => {
  for (const h of [held(), held({ must: false }), held({ must: false, condMust: true, facts: { x: true } }), held({ must: true, condMust: true })]) {
    const a = St.empty();
    a.wHeld().set('m', h);
    const j = joinSt(a, a.copy()).held.get('m')!;
    assert.equal(j.must, h.must);
    assert.equal(!!j.condMust, h.must || !!h.condMust);
    assert.deepEqual(j.facts, h.facts);
  }
  // must without condMust is normalised (must implies must-under-facts), so no reuse there.
  const a = St.empty();
  a.wHeld().set('m', held({ must: true, condMust: false }));
  assert.equal(joinSt(a, a.copy()).held.get('m')!.condMust, true);
});

test('join keeps insertion order: left side first, then right-only keys (edge order depends on it)', () => {
  const a = St.empty();
  a.wHeld().set('b', held());
  a.wHeld().set('a', held());
  const b = St.empty();
  b.wHeld().set('c', held());
  b.wHeld().set('a', held());
  assert.deepEqual([...joinSt(a, b).held.keys()], ['b', 'a', 'c']);
});

test('factsSame agrees with comparing JSON.stringify (key order included)', () => {
  const rec = fc.option(fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.boolean(), { maxKeys: 4 }), { nil: undefined });
  fc.assert(
    fc.property(rec, rec, (x, y) => factsSame(x, y) === (JSON.stringify(x ?? null) === JSON.stringify(y ?? null))),
    { numRuns: 500 },
  );
  assert.equal(factsSame({ a: true, b: false }, { b: false, a: true }), false);
  assert.equal(factsSame({ a: true }, { a: true }), true);
});

test('stEq ignores witness chains but not flags; sig is stable', () => {
  const a = St.empty();
  a.wHeld().set('m', held({ chain: [{ file: 'x', line: 1, function: 'f', note: 'n' }] }));
  const b = St.empty();
  b.wHeld().set('m', held());
  assert.ok(stEq(a, b));
  b.wHeld().set('m', held({ shared: true }));
  assert.ok(!stEq(a, b));
  assert.equal(sig(a), 'm!1||||||');
});
