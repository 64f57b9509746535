import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stmt } from '../../../src/engine/ir';
import { calleeNames, factsOf, fn, stmts } from './helpers';

type Of<K extends Stmt['k']> = Extract<Stmt, { k: K }>;

test('kernel annotations on prototypes and definitions', async () => {
  const f = await factsOf('kernel.c');
  const protos = Object.fromEntries(f.prototypes.map((p) => [p.name, p.annotations.map((a) => [a.kind, a.macro, a.locks, a.ret, a.line])]));
  assert.deepEqual(protos, {
    demo_lock: [['acquires', '__acquires', ['&demo_mutex'], null, 37]],
    demo_unlock: [['releases', '__releases', ['&demo_mutex'], null, 38]],
    demo_trylock: [['try', '__cond_acquires', ['&dp->table_lock'], 'nonzero', 39]],
    demo_trylock2: [['try', '__cond_acquires', ['&dp->table_lock'], '0', 40]],
    demo_update: [['requires', '__must_hold', ['&dp->table_lock'], null, 41]],
  });
  // On the definition, between the declarator and the body.
  assert.deepEqual(fn(f, 'demo_lock').annotations.map((a) => [a.kind, a.locks, a.line]), [['acquires', ['&demo_mutex'], 44]]);
  // `static void __init demo_update(...)`: __init masked, no annotation on this definition.
  const upd = fn(f, 'demo_update');
  assert.deepEqual(upd.annotations, []);
  assert.equal(upd.isStatic, true);
  assert.equal(upd.returnType.base, 'void');
});

test('iterator macros become while loops that carry the macro name', async () => {
  const walk = fn(await factsOf('kernel.c'), 'demo_walk');
  const loops = stmts(walk.body).filter((s): s is Of<'while'> => s.k === 'while');
  assert.deepEqual(loops.map((l) => [l.macro, l.line]), [
    ['list_for_each_entry_rcu', 63],
    ['list_for_each_entry_safe', 70],
    ['hlist_for_each_entry', 73],
  ]);
  // The condition is the comma list of the macro arguments.
  assert.equal(loops[0].cond.k, 'comma');
  const args = (loops[0].cond as Extract<typeof loops[0]['cond'], { k: 'comma' }>).exprs;
  assert.deepEqual(args.map((a) => a.k), ['id', 'unary', 'id']);
  // Bodies are attached: braced and unbraced.
  assert.deepEqual(calleeNames(loops[1].body), ['list_del']);
  assert.deepEqual(calleeNames(loops[2].body), ['demo_count']);
  assert.equal(walk.hasErrors, false);
});

test('guard / scoped_guard / scoped_cond_guard and __free cleanup', async () => {
  const g = fn(await factsOf('kernel.c'), 'demo_guarded');
  const all = stmts(g.body);
  const guard = all.find((s): s is Of<'guard'> => s.k === 'guard')!;
  assert.equal(guard.cls, 'mutex');
  assert.equal(guard.line, 80);
  assert.equal(guard.col, 1);
  assert.equal(guard.text, 'guard(mutex)(&dp->table_lock)');
  assert.equal(guard.args.length, 1);
  const decl = all.find((s): s is Of<'decl'> => s.k === 'decl')!;
  assert.equal(decl.decl.name, 'copy');
  assert.equal(decl.cleanup, 'kfree');
  const scoped = all.filter((s): s is Of<'scoped_guard'> => s.k === 'scoped_guard');
  assert.equal(scoped.length, 2);
  assert.equal(scoped[0].cls, 'spinlock_bh');
  assert.equal(scoped[0].fail, null);
  assert.equal(scoped[0].args.length, 1);
  assert.equal(scoped[0].text, 'scoped_guard(spinlock_bh, &dp->stats_lock)');
  assert.equal(scoped[1].cls, 'mutex_intr');
  assert.equal(scoped[1].fail?.k, 'return');
  assert.deepEqual(calleeNames(scoped[1].body), ['demo_update']);
  assert.ok(!all.some((s) => s.k === 'while'), 'guards are not left as loops');
});

test('#if/#elif/#else inside a body becomes one alt with every arm', async () => {
  const c = fn(await factsOf('kernel.c'), 'demo_config');
  const alt = stmts(c.body).find((s): s is Of<'alt'> => s.k === 'alt')!;
  assert.equal(alt.arms.length, 3);
  assert.deepEqual(alt.arms.map((a) => calleeNames(a)), [['mutex_lock', 'demo_meters_apply', 'mutex_unlock'], ['demo_policer_apply'], []]);
  assert.deepEqual(calleeNames(c.body), ['mutex_lock', 'mutex_lock', 'demo_meters_apply', 'mutex_unlock', 'demo_policer_apply', 'mutex_unlock']);
});

test('top-level #ifdef: every variant of a function is extracted with its condition', async () => {
  const f = await factsOf('kernel.c');
  const variants = f.functions.filter((x) => x.name === 'demo_xmit');
  assert.deepEqual(variants.map((v) => v.preproc), [['defined(CONFIG_DEMO_FAST)'], ['!(defined(CONFIG_DEMO_FAST))']]);
  assert.deepEqual(calleeNames(variants[1].body), ['spin_lock', 'spin_unlock']);
});

test('struct fields: __rcu, nested anonymous struct, anonymous union, #ifdef fields', async () => {
  const f = await factsOf('kernel.c');
  const dp = f.structs.find((s) => s.name === 'demo_dp')!;
  const fields = Object.fromEntries(dp.fields.map((x) => [x.name, x.type]));
  assert.deepEqual(fields.table, { base: 'struct flow_table', struct: 'flow_table', ptr: 1, rcu: true });
  assert.deepEqual(fields.ports, { base: 'struct hlist_head', struct: 'hlist_head', ptr: 1, rcu: false });
  assert.equal(fields.stats.struct, 'demo_dp.stats');
  assert.ok('rcu' in fields && 'gc' in fields, 'anonymous union members belong to the parent');
  assert.ok('meter_lock' in fields && 'no_meters' in fields, 'fields of every #ifdef arm');
  assert.deepEqual(f.structs.find((s) => s.name === 'demo_dp.stats')?.fields.map((x) => [x.name, x.type.base]), [
    ['packets', 'u64'],
    ['lock', 'spinlock_t'],
  ]);
});

test('lock definer macros become globals with the lock type', async () => {
  const f = await factsOf('kernel.c');
  const defs = f.globals.filter((g) => g.definer).map((g) => [g.name, g.definer, g.type.base, g.isStatic]);
  assert.deepEqual(defs, [
    ['demo_mutex', 'DEFINE_MUTEX', 'struct mutex', true],
    ['demo_list_lock', 'DEFINE_SPINLOCK', 'spinlock_t', false],
    ['demo_rwlock', 'DEFINE_RWLOCK', 'rwlock_t', true],
    ['demo_sem', 'DECLARE_RWSEM', 'struct rw_semaphore', true],
    ['demo_srcu', 'DEFINE_STATIC_SRCU', 'struct srcu_struct', false],
    ['demo_dps', 'LIST_HEAD', 'struct list_head', true],
  ]);
  // EXPORT_SYMBOL_GPL / module_init lines are not globals.
  assert.ok(!f.globals.some((g) => g.name === 'demo_lock' || g.name === 'demo_init'));
});

test('ops tables: designated initialisers, arrays of pointers, arrays of structs', async () => {
  const f = await factsOf('kernel.c');
  const ops = f.globals.find((g) => g.name === 'demo_netdev_ops')!;
  assert.equal(ops.type.base, 'struct demo_ops');
  assert.equal(ops.isStatic, true);
  assert.equal(ops.init?.k, 'init');
  const entries = (ops.init as Extract<NonNullable<typeof ops.init>, { k: 'init' }>).entries;
  assert.deepEqual(entries.map((e) => [e.field, e.value.k === 'id' ? e.value.name : e.value.k]), [
    ['create', 'demo_create'],
    ['destroy', 'demo_destroy'],
    ['send', 'demo_xmit'],
  ]);
  const all = f.globals.find((g) => g.name === 'demo_all_ops')!;
  assert.equal(all.type.ptr, 2);
  const genl = f.globals.find((g) => g.name === 'demo_genl_ops')!;
  const rows = (genl.init as Extract<NonNullable<typeof genl.init>, { k: 'init' }>).entries;
  assert.equal(rows.length, 2);
  const row2 = rows[1].value as Extract<typeof rows[1]['value'], { k: 'init' }>;
  assert.deepEqual(row2.entries.map((e) => e.field), ['cmd', 'doit', 'flags']);
  assert.deepEqual(row2.entries[1].value, { k: 'id', name: 'demo_cmd_del', line: 142, col: '\t{ .cmd = 2, .doit = '.length });
});

test('masking made the file clean: 0 errors after masking, more without', async () => {
  const f = await factsOf('kernel.c');
  assert.equal(f.errorNodes, 0);
  assert.ok(f.errorNodesUnmasked > 0, `unmasked errors: ${f.errorNodesUnmasked}`);
  assert.deepEqual(f.unmodeled, []);
  const noCount = await factsOf('kernel.c', { countUnmaskedErrors: false });
  assert.equal(noCount.errorNodesUnmasked, noCount.errorNodes);
});
