/**
 * The local pass end to end on shapes its memoisation and copy-on-write states must not blur:
 * one callee called from several lines, branches that diverge and re-join, loops revisiting nodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, edge, sitesAt } from './helpers';

test('one callee called from two lines: each call site keeps its own witness line', async () => {
  const src = `
static DEFINE_MUTEX(a);
static DEFINE_MUTEX(b);
static DEFINE_MUTEX(c);
static void take_b(void) { mutex_lock(&b); mutex_unlock(&b); }
void f(void) {
  mutex_lock(&a);
  take_b();
  mutex_unlock(&a);
  mutex_lock(&c);
  take_b();
  mutex_unlock(&c);
}`;
  const r = await analyze(src);
  const ab = edge(r, 'a', 'b');
  const cb = edge(r, 'c', 'b');
  assert.ok(ab && cb);
  const callLine = (w: { function: string; note: string; line: number }[]) => w.find((s) => s.function === 'f' && s.note.startsWith('calls take_b'))!.line;
  assert.equal(callLine(ab.witnesses[0]!), 8);
  assert.equal(callLine(cb.witnesses[0]!), 11);
});

test('diverging branches do not leak writes into each other (copy-on-write states)', async () => {
  const src = `
static DEFINE_MUTEX(a);
static DEFINE_SPINLOCK(b);
void g(void);
void f(int x) {
  if (x) {
    mutex_lock(&a);
    g(); /* T */
  } else {
    spin_lock(&b);
    g(); /* F */
  }
  g(); /* J */
  if (x) mutex_unlock(&a); else spin_unlock(&b);
}`;
  const r = await analyze(src);
  const at = (line: number) => {
    const s = sitesAt(r, line);
    return s.length ? s[s.length - 1]!.heldAfter : null;
  };
  const lineOf = (m: string) => src.split('\n').findIndex((l) => l.includes(m)) + 1;
  assert.deepEqual(at(lineOf('mutex_lock(&a)')), { must: ['a'], may: ['a'] });
  assert.deepEqual(at(lineOf('spin_lock(&b)')), { must: ['b'], may: ['b'] });
  assert.equal(edge(r, 'a', 'b'), undefined, 'no order between locks of exclusive branches');
  assert.equal(edge(r, 'b', 'a'), undefined);
});

test('a callee that returns holding a lock, called in a loop, keeps the lock may-held after the loop', async () => {
  const src = `
static DEFINE_MUTEX(a);
static DEFINE_MUTEX(z);
static void grab(void) __acquires(a) { mutex_lock(&a); }
void f(int n) {
  for (int i = 0; i < n; i++) {
    if (i == 3) { grab(); break; }
  }
  mutex_lock(&z); /* Z */
  mutex_unlock(&z);
}`;
  const r = await analyze(src);
  const z = sitesAt(r, src.split('\n').findIndex((l) => l.includes('/* Z */')) + 1);
  assert.ok(z.length);
  assert.deepEqual(z[z.length - 1]!.heldAfter.must, ['z']);
  assert.ok(z[z.length - 1]!.heldAfter.may.includes('a'), 'held on the path through grab()');
  assert.ok(edge(r, 'a', 'z'));
});

test('the same analysis twice gives deep-equal results (shared, interned records are deterministic)', async () => {
  const src = `
static DEFINE_MUTEX(a);
static DEFINE_MUTEX(b);
int t(void) { return mutex_trylock(&b); }
void f(int x) {
  mutex_lock(&a);
  while (x--) { if (t()) { mutex_unlock(&b); } }
  mutex_unlock(&a);
}`;
  const one = await analyze(src);
  const two = await analyze(src);
  assert.deepEqual({ ...one, stats: { ...one.stats, timings: {} } }, { ...two, stats: { ...two.stats, timings: {} } });
  assert.ok(edge(one, 'a', 'b'));
  assert.equal(edge(one, 'a', 'b')!.trylock, true);
});
