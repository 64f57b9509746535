/**
 * The local pass's shortcut for lock-free functions: one sweep from the empty state stands for the
 * fixpoint when every out-state holds branch facts at most. It must visit nodes in the solver's
 * first-visit order (class notes and summary reads follow it) and give identical results.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CfgNode } from '../../../src/engine/analysis/flow/cfg';
import { buildCfg } from '../../../src/engine/analysis/flow/cfg';
import { reversePostOrder, solveFixpoint, sweepFromEmpty } from '../../../src/engine/analysis/flow/fixpoint';
import { localPassOptions } from '../../../src/engine/analysis/flow/function-flow';
import type { AnalysisResult } from '../../../src/engine/model';
import { analyze, factsOf } from './helpers';

const graph = (succ: number[][]): CfgNode[] =>
  succ.map((s, id) => ({ id, kind: 'nop', line: id, expr: null, assignTo: null, succ: s, loop: 0, guard: null, calls: null, assign: null }));

/** Random graphs of 1..14 nodes, 0..3 successors each (loops, joins, unreachable parts). */
const arbGraph = fc.integer({ min: 1, max: 14 }).chain((n) => fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 3 }), { minLength: n, maxLength: n }));

test('sweepFromEmpty visits the reachable nodes in the order of the solver\'s first visits', () => {
  fc.assert(
    fc.property(arbGraph, (succ) => {
      const nodes = graph(succ);
      const firstVisits: number[] = [];
      const seen = new Set<number>();
      const solved = solveFixpoint(nodes, (node, st) => {
        if (!seen.has(node.id)) firstVisits.push(node.id);
        seen.add(node.id);
        return [st];
      });
      const swept: number[] = [];
      const inSt = sweepFromEmpty(nodes, reversePostOrder(nodes), (node, st) => (swept.push(node.id), [st]), () => true);
      assert.deepEqual(swept, firstVisits);
      assert.ok(inSt);
      assert.deepEqual(inSt.map((s) => s !== null), solved.inSt.map((s) => s !== null));
      for (const s of inSt) if (s) assert.ok(s.factsOnly() && s.facts.size === 0);
    }),
    { numRuns: 300, seed: 6 },
  );
});

test('sweepFromEmpty gives up as soon as an out-state is rejected', () => {
  const nodes = graph([[1, 2], [3], [3], []]);
  const visited: number[] = [];
  const r = sweepFromEmpty(nodes, reversePostOrder(nodes), (node, st) => {
    visited.push(node.id);
    if (node.id !== 1) return [st];
    const o = st.copy();
    o.wHeld().set('l', { must: true, shared: false, try: false, nested: false, assert: false, atomic: false, rcu: false, type: 'mutex', chain: [], text: 'l', count: 1 });
    return [o];
  }, (st) => st.factsOnly());
  assert.equal(r, null);
  // Reverse post-order 0, 2, 1, 3: stops at node 1, never reaches 3.
  assert.deepEqual(visited, [0, 2, 1]);
});

test('switch dispatch lists its cases in source order', async () => {
  const [f] = await factsOf({ 'a.c': 'int g(int); void f(int x) { switch (x) { case 1: g(1); break; case 2: g(2); break; default: g(3); } }' });
  const ir = f!.functions.find((x) => x.name === 'f')!;
  const { nodes } = buildCfg(ir.body, ir.endLine);
  const dispatch = nodes.find((n) => n.kind === 'choice')!;
  const firstCall = (id: number): string => {
    for (let n = nodes[id]!; ; n = nodes[n.succ[0]!]!) if (n.kind === 'expr') return n.expr!.k === 'call' ? (n.expr!.text ?? '') : '';
  };
  assert.deepEqual(dispatch.succ.map(firstCall), ['g(1)', 'g(2)', 'g(3)']);
});

// Lock-free functions (facts only: loops, gotos, switches, flags) next to ones that take locks,
// a trylock tested through a flag, RCU provenance, and a function too large for the sweep.
const SRC = `
#include <linux/mutex.h>
static DEFINE_MUTEX(m);
static DEFINE_SPINLOCK(s);
struct obj { struct obj __rcu *next; int v; };
int work(int);
void helper(void) { mutex_lock(&m); mutex_unlock(&m); }
int quiet(int a, int b) {
  int err = 0, done = 0;
  while (!done) {
    if (a) { err = work(a); if (err) goto out; }
    else if (b) done = 1;
    switch (err) { case 1: continue; case 2: break; default: done = work(b); }
  }
out:
  if (!err) helper();
  return err;
}
int flagged(int x) {
  bool locked = false;
  if (x) { mutex_lock(&m); locked = true; }
  work(x);
  if (locked) mutex_unlock(&m);
  return 0;
}
int tried(void) {
  int ok = mutex_trylock(&m);
  if (!ok) return -1;
  spin_lock(&s);
  spin_unlock(&s);
  mutex_unlock(&m);
  return 0;
}
void reader(struct obj *o) {
  struct obj *p;
  rcu_read_lock();
  p = rcu_dereference(o->next);
  rcu_read_unlock();
  kfree(p);
}
int many(int n) {
  ${Array.from({ length: 45 }, (_, i) => `int v${i} = work(${i});`).join('\n  ')}
  for (int i = 0; i < n; i++) {
    ${Array.from({ length: 45 }, (_, i) => `if (v${i}) v${(i + 1) % 45} = work(v${i});`).join('\n    ')}
  }
  return v0;
}
`;

const stripTimings = (r: AnalysisResult): string => JSON.stringify({ ...r, stats: { ...r.stats, timings: {} } });

test('the sweep and the solver give identical results (with and without line facts)', async () => {
  for (const lineFacts of [false, true]) {
    localPassOptions.sweep = false;
    let solved: AnalysisResult;
    try {
      solved = await analyze(SRC, {}, { lineFacts });
    } finally {
      localPassOptions.sweep = true;
    }
    const swept = await analyze(SRC, {}, { lineFacts });
    assert.equal(stripTimings(swept), stripTimings(solved));
    assert.ok(swept.functions.some((f) => f.name === 'quiet') && swept.edges.length + swept.sites.length > 0);
  }
});
