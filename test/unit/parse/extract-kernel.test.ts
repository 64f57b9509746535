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
    ['demo_work', 'DECLARE_WORK', 'struct work_struct', true],
    ['demo_dwork', 'DECLARE_DELAYED_WORK', 'struct delayed_work', false],
    ['demo_pcpu_stats', 'DEFINE_PER_CPU', 'struct demo_stats', true],
  ]);
  // Multi-argument definers keep their arguments (the work function) as the initialiser.
  const work = f.globals.find((g) => g.name === 'demo_work')!;
  assert.equal(work.line, 148);
  assert.equal(work.init?.k, 'call');
  const wargs = (work.init as Extract<NonNullable<typeof work.init>, { k: 'call' }>).args;
  assert.deepEqual(wargs[1], { k: 'id', name: 'demo_work_fn', line: 148, col: 'static DECLARE_WORK(demo_work, '.length });
  assert.equal(f.globals.find((g) => g.name === 'demo_mutex')!.init, null);
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

test('type arguments to macros (container_of, list_first_entry) parse cleanly; sizeof/casts untouched', async () => {
  const f = await factsOf('kernel-idioms.c');
  assert.equal(f.errorNodes, 0);
  const r = fn(f, 'demo_rebalance');
  assert.equal(r.hasErrors, false);
  const decls = stmts(r.body).filter((s): s is Of<'decl'> => s.k === 'decl');
  assert.deepEqual(decls.map((d) => [d.decl.name, d.decl.type.base, d.init?.k]), [
    ['dn', 'struct demo_net', 'call'],
    ['dp', 'struct demo_dp', 'call'],
    ['tmp', 'dp', 'num'], // NULL is a literal
  ]);
  const co = decls[0].init as Extract<NonNullable<Of<'decl'>['init']>, { k: 'call' }>;
  assert.equal(co.text, 'container_of(work, struct demo_net, rebalance.work)', 'texts come from the original source');
  assert.equal(co.args.length, 3);
  assert.deepEqual(calleeNames(r.body), ['container_of', 'list_first_entry', 'ovs_lock', 'demo_masks_rebalance', 'ovs_unlock', 'schedule_delayed_work', 'msecs_to_jiffies']);
  // Designated array initialisers and __ro_after_init globals.
  const fam = f.globals.find((g) => g.name === 'demo_genl_family')!;
  const fields = (fam.init as Extract<NonNullable<typeof fam.init>, { k: 'init' }>).entries.map((e) => e.field);
  assert.deepEqual(fields, ['hdrsize', 'name', 'small_ops', 'n_small_ops']);
  const pol = f.globals.find((g) => g.name === 'demo_policy')!;
  assert.equal((pol.init as Extract<NonNullable<typeof pol.init>, { k: 'init' }>).entries.length, 2);
  assert.equal(fn(f, 'demo_init_net').isStatic, true);
});
