/** Determinism, odd IR, cancellation and a coarse performance guard. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFacts } from '../../../src/engine/pipeline/analyze';
import { DEFAULT_CONFIG } from '../../../src/engine/config';
import type { FileFacts, FunctionIR, Stmt } from '../../../src/engine/ir';
import type { AnalysisResult } from '../../../src/engine/model';
import { factsOf, parser } from './helpers';
import { extractFileFacts } from '../../../src/engine/parse/extract';

const A = `
DEFINE_MUTEX(a);
struct port { spinlock_t lock; struct port_ops *ops; };
struct port_ops { void (*up)(struct port *p); };
void lock_a(void) { mutex_lock(&a); }
void unlock_a(void) { mutex_unlock(&a); }
static void port_up(struct port *p) { rtnl_lock(); spin_lock(&p->lock); spin_unlock(&p->lock); rtnl_unlock(); }
static const struct port_ops ops = { .up = port_up };
void bring_up(struct port *p) { lock_a(); p->ops->up(p); unlock_a(); }`;
const B = `
extern struct mutex a;
void flush(void) { rtnl_lock(); mutex_lock(&a); msleep(1); mutex_unlock(&a); rtnl_unlock(); }
int peek(struct port *p) { int x; rcu_read_lock(); x = rcu_dereference(p->ops) != 0; rcu_read_unlock(); return x; }`;

const stable = (r: AnalysisResult): string => JSON.stringify({ ...r, stats: { ...r.stats, timings: {} } });

test('deterministic: same input twice, and file order does not matter', async () => {
  const facts = await factsOf({ 'a.c': A, 'b.c': B });
  const cfg = { config: DEFAULT_CONFIG, lineFacts: true };
  const r1 = analyzeFacts(facts, cfg);
  const r2 = analyzeFacts(facts, cfg);
  const r3 = analyzeFacts([...facts].reverse(), cfg);
  assert.equal(stable(r1), stable(r2));
  assert.equal(stable(r1), stable(r3));
  assert.ok(r1.findings.some((f) => f.rule === 'lock-order-cycle'), 'the fixture does produce findings');
  assert.ok(r1.lines && r1.lines.length > 0);
  assert.equal(analyzeFacts(facts, { config: DEFAULT_CONFIG }).lines, undefined, 'lines only on request');
});

test('output collections are sorted', async () => {
  const r = analyzeFacts(await factsOf({ 'b.c': B, 'a.c': A }), { config: DEFAULT_CONFIG });
  const keys = (xs: string[]) => assert.deepEqual(xs, [...xs].sort());
  keys(r.locks.map((l) => l.id));
  keys(r.edges.map((e) => `${e.from}\u0000${e.to}`));
  const fkey = r.functions.map((f) => `${f.file}\u0000${String(f.line).padStart(6, '0')}`);
  keys(fkey);
  for (const f of r.functions) keys(f.acquires);
});

test('never throws on odd IR: garbage nodes, missing fields, unknown statement kinds', () => {
  const weird: Stmt = {
    k: 'block',
    line: 1,
    endLine: 9,
    body: [
      { k: 'goto', label: 'nowhere', line: 2 },
      { k: 'break', line: 3 },
      { k: 'continue', line: 3 },
      { k: 'case', value: null, line: 4 },
      { k: 'expr', expr: { k: 'call', callee: { k: 'other', text: '(*fp)', sub: [] }, args: [], line: 5, col: 0, endLine: 5, text: '(*fp)()' }, line: 5 },
      { k: 'expr', expr: { k: 'call', callee: { k: 'id', name: 'mutex_lock', line: 6, col: 0 }, args: [], line: 6, col: 0, endLine: 6, text: 'mutex_lock()' }, line: 6 },
      { k: 'expr', expr: { k: 'call', callee: { k: 'id', name: 'mutex_unlock', line: 7, col: 0 }, args: [{ k: 'num', text: '3' }], line: 7, col: 0, endLine: 7, text: 'mutex_unlock(3)' }, line: 7 },
      { k: 'alt', arms: [], line: 8 },
      { k: 'scoped_guard', cls: 'no_such_guard', args: [], fail: null, body: { k: 'block', body: [], line: 8, endLine: 8 }, line: 8, col: 0, text: '' },
      { k: 'bogus' } as unknown as Stmt,
    ],
  };
  const fn: FunctionIR = {
    name: 'weird', file: 'w.c', line: 1, col: 0, endLine: 9, isStatic: false,
    returnType: { base: 'void', struct: null, ptr: 0, rcu: false }, params: [], annotations: [{ kind: 'try', macro: 'OVS_TRY_LOCK', locks: ['((('], ret: null, line: 1 }],
    body: weird, hasErrors: true, preproc: [],
  };
  const facts = [
    { file: 'w.c', hash: '', bytes: 0, lines: 9, functions: [fn, { ...fn, name: 'nobody', body: null as unknown as Stmt }], prototypes: [], structs: [], typedefs: [], globals: [], macros: [], errorNodes: 1, errorNodesUnmasked: 1, unmodeled: [{ name: null, line: 3, reason: 'x' }], problems: [], parseMs: 0, extractMs: 0 },
    { file: 'empty.c' } as unknown as FileFacts,
    null as unknown as FileFacts,
  ] as FileFacts[];
  const r = analyzeFacts(facts, { config: DEFAULT_CONFIG, lineFacts: true });
  assert.equal(r.version, 1);
  assert.ok(!r.problems.some((p) => p.code === 'internal-error'), JSON.stringify(r.problems));
  assert.equal(r.functions.find((f) => f.name === 'weird')!.partial, true);
  assert.ok(r.problems.some((p) => p.code === 'unmodeled-function'));
  assert.doesNotThrow(() => analyzeFacts(undefined as unknown as FileFacts[], { config: DEFAULT_CONFIG }));
});

test('cancellation returns a result with a cancelled problem', async () => {
  const facts = await factsOf({ 'a.c': A });
  const ac = new AbortController();
  ac.abort();
  const r = analyzeFacts(facts, { config: DEFAULT_CONFIG, signal: ac.signal });
  assert.deepEqual(r.problems.map((p) => p.code), ['cancelled']);
});

test('performance: global phase stays cheap relative to parsing on a generated tree', async () => {
  const p = await parser();
  const files: Record<string, string> = {};
  for (let f = 0; f < 30; f++) {
    let src = `static DEFINE_MUTEX(m${f});\nstruct s${f} { spinlock_t lock; struct mutex mu; int n; };\n`;
    for (let i = 0; i < 40; i++) {
      const callee = f < 29 ? `fn_${f + 1}_${(i * 7) % 40}` : `leaf`;
      src += `int fn_${f}_${i}(struct s${f} *x, int k) {
  int err = 0, j;
  mutex_lock(&m${f});
  for (j = 0; j < k; j++) {
    if (j == 3) continue;
    spin_lock(&x->lock);
    x->n += j;
    spin_unlock(&x->lock);
  }
  if (k > 5) { err = -1; goto out; }
  switch (k) { case 1: err = ${callee}((void *)x, 0); break; default: rcu_read_lock(); x->n++; rcu_read_unlock(); }
out:
  mutex_unlock(&m${f});
  return err;
}
`;
    }
    files[`gen/f${f}.c`] = src;
  }
  // CPU time of this thread, not wall time: other processes on a 2-core CI machine must not
  // make this guard flaky. It catches blow-ups (a quadratic phase is > 10x here), it does not
  // assert the performance target — `npm run bench` measures and reports that.
  const cpuMs = () => process.cpuUsage().user / 1000;
  let t = cpuMs();
  const facts = Object.entries(files).map(([n, s]) => extractFileFacts(p, n, s));
  const parseMs = cpuMs() - t;
  t = cpuMs();
  const r = analyzeFacts(facts, { config: DEFAULT_CONFIG });
  const anaMs = cpuMs() - t;
  assert.equal(r.functions.length, 1200);
  assert.ok(anaMs < Math.max(6 * parseMs, 2000), `analysis ${anaMs.toFixed(0)} ms vs parse ${parseMs.toFixed(0)} ms (CPU)`);
  console.log(`# perf: parse ${parseMs.toFixed(0)} ms, analysis ${anaMs.toFixed(0)} ms (${(anaMs / parseMs).toFixed(2)}×) for 1200 functions`);
});
