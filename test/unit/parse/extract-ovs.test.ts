import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stmt } from '../../../src/engine/ir';
import { calleeNames, factsOf, factsOfText, fn, stmts } from './helpers';

test('OVS thread-safety annotations on multi-line prototypes', async () => {
  const f = await factsOf('ovs.c');
  const got = f.prototypes.map((p) => [p.name, p.isStatic, p.annotations.map((a) => [a.kind, a.macro, a.locks, a.ret])]);
  assert.deepEqual(got, [
    ['ukey_delete', true, [['requires', 'OVS_REQUIRES', ['umap->mutex'], null]]],
    ['ukey_acquire', true, [['try', 'OVS_TRY_LOCK', ['(*result)->mutex'], '0']]],
    ['try_ukey_replace', true, [['requires', 'OVS_REQUIRES', ['umap->mutex'], null], ['try', 'OVS_TRY_LOCK', ['new->mutex'], 'true']]],
    ['demo_read', true, [['requires_shared', 'OVS_REQ_RDLOCK', ['demo_rwlock'], null]]],
    ['demo_excl', true, [['excluded', 'OVS_EXCLUDED', ['demo_mutex', 'demo_rwlock'], null]]],
    ['demo_release', false, [['releases', 'OVS_RELEASES', ['ukey->mutex'], null]]],
    ['demo_nta', true, [['no_analysis', 'OVS_NO_THREAD_SAFETY_ANALYSIS', [], null]]],
    ['demo_abort', true, []],
  ]);
  // Unnamed prototype parameters are kept (positions matter), with an empty name.
  assert.deepEqual(f.prototypes[0].params.map((p) => [p.name, p.type.base, p.type.ptr]), [
    ['', 'struct umap', 1],
    ['', 'struct udpif_key', 1],
  ]);
  assert.equal(f.prototypes.find((p) => p.name === 'ukey_acquire')!.annotations[0].line, 30);
});

test('OVS annotations on definitions (OVS style: return type on its own line)', async () => {
  const f = await factsOf('ovs.c');
  const del = fn(f, 'ukey_delete');
  assert.deepEqual(del.annotations.map((a) => [a.kind, a.locks, a.line]), [['requires', ['umap->mutex'], 42]]);
  assert.equal(del.line, 40);
  assert.deepEqual(fn(f, 'demo_release').annotations.map((a) => a.kind), ['releases']);
  assert.deepEqual(fn(f, 'revalidate').annotations, []);
  // OVS_UNUSED in a parameter list is masked away.
  assert.deepEqual(fn(f, 'demo_thread').params.map((p) => [p.name, p.type.base, p.type.ptr]), [['arg', 'void', 1]]);
  assert.equal(fn(f, 'demo_thread').returnType.ptr, 1);
});

test('OVS iterator macros with a space before the parenthesis', async () => {
  const r = fn(await factsOf('ovs.c'), 'revalidate');
  const loops = stmts(r.body).filter((s): s is Extract<Stmt, { k: 'while' }> => s.k === 'while');
  assert.deepEqual(loops.map((l) => l.macro), ['CMAP_FOR_EACH', 'HMAP_FOR_EACH_SAFE', 'LIST_FOR_EACH_POP']);
  assert.deepEqual(calleeNames(loops[0].body), ['ovs_mutex_trylock', 'ovs_mutex_unlock']);
  assert.ok(stmts(loops[0].body).some((s) => s.k === 'continue'));
  assert.deepEqual(calleeNames(loops[2].body), ['ovs_mutex_lock', 'ukey_delete', 'ovs_mutex_unlock']);
});

test('OVS struct fields: OVS_GUARDED(_BY) masked, OVSRCU_TYPE is an rcu pointer', async () => {
  const f = await factsOf('ovs.c');
  const ukey = f.structs.find((s) => s.name === 'udpif_key')!;
  assert.deepEqual(
    ukey.fields.map((x) => [x.name, x.type.base, x.type.ptr, x.type.rcu]),
    [
      ['cmap_node', 'struct cmap_node', 0, false],
      ['mutex', 'struct ovs_mutex', 0, false],
      ['created', 'long long int', 0, false],
      ['stats', 'struct dpif_flow_stats', 0, false],
      ['actions', 'struct ofpbuf', 1, true],
      ['dump_seq', 'int', 0, false],
    ],
  );
});

test('OVS lock initialisers are definers; other initialisers are not', async () => {
  const f = await factsOf('ovs.c');
  assert.deepEqual(f.globals.map((g) => [g.name, g.definer, g.type.base]), [
    ['demo_mutex', 'OVS_MUTEX_INITIALIZER', 'struct ovs_mutex'],
    ['demo_rwlock', 'OVS_RWLOCK_INITIALIZER', 'struct ovs_rwlock'],
    ['all_udpifs', null, 'struct hmap'],
  ]);
  assert.equal(f.errorNodes, 0);
  assert.ok(f.errorNodesUnmasked > 0);
});

test('annotations before the declarator and inside #ifdef arms attach to the right function', async () => {
  const text = [
    '#ifdef HAVE_X',
    'OVS_REQUIRES(a_mutex) static void a(void);',
    'static void b(void) OVS_EXCLUDED(b_mutex);',
    '#else',
    'static void a(void) OVS_ACQUIRES(other);',
    '#endif',
    'static void c(void);',
    'static void d(void) OVS_RELEASES(d_mutex)',
    '{',
    '}',
  ].join('\n');
  const f = await factsOfText(text);
  assert.deepEqual(f.prototypes.map((p) => [p.name, p.annotations.map((a) => `${a.macro}(${a.locks.join(',')})`)]), [
    ['a', ['OVS_REQUIRES(a_mutex)']],
    ['b', ['OVS_EXCLUDED(b_mutex)']],
    ['a', ['OVS_ACQUIRES(other)']],
    ['c', []],
  ]);
  assert.deepEqual(fn(f, 'd').annotations.map((a) => a.kind), ['releases']);
});
