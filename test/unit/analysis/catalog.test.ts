/** The primitive catalog: polarity tables, boundary tables, guards, user overrides. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCatalog, primFromSpec } from '../../../src/engine/catalog/catalog';
import { NON_RTNL_IOCTLS, RTNL_IOCTLS, RTNL_MESSAGES } from '../../../src/engine/catalog/boundary';
import { isRtnlClass, PER_NET_RTNL_CLASS, RTNL_CLASS } from '../../../src/engine/catalog/rtnl';
import { DEFAULT_CONFIG } from '../../../src/engine/config';

const cat = buildCatalog(DEFAULT_CONFIG);
const prim = (n: string) => {
  const p = cat.prims.get(n);
  if (!p) throw new Error(`missing ${n}`);
  return p;
};

test('trylock polarity: kernel 1 = acquired, OVS/pthread and semaphores 0 = acquired', () => {
  for (const n of ['mutex_trylock', 'spin_trylock', 'spin_trylock_bh', 'read_trylock', 'write_trylock', 'down_read_trylock', 'rtnl_trylock', 'rtnl_net_trylock', 'ovsthread_once_start']) {
    assert.equal(prim(n).success, 'nonzero', n);
  }
  for (const n of ['ovs_mutex_trylock', 'ovs_rwlock_tryrdlock', 'ovs_rwlock_trywrlock', 'ovs_spin_trylock', 'fat_rwlock_tryrdlock', 'seq_try_lock', 'down_trylock']) {
    assert.equal(prim(n).success, 'zero', n);
  }
});

test('interruptible/killable are conditional acquisitions that wait (0 = acquired); dec-and-lock take arg 2', () => {
  for (const n of ['mutex_lock_interruptible', 'mutex_lock_killable', 'rtnl_lock_killable', 'down_write_killable', 'down_read_interruptible']) {
    assert.equal(prim(n).op, 'cond_acquire', n);
    assert.equal(prim(n).success, 'zero', n);
  }
  for (const n of ['atomic_dec_and_lock', 'refcount_dec_and_lock', 'refcount_dec_and_mutex_lock', 'atomic_dec_and_mutex_lock']) {
    assert.equal(prim(n).lockArg, 2, n);
    assert.equal(prim(n).success, 'nonzero', n);
  }
  assert.equal(prim('mutex_lock').op, 'acquire');
  assert.equal(prim('mutex_lock_nested').nested, true);
});

test('RTNL family, per-net RTNL and RCU flavours', () => {
  assert.equal(prim('rtnl_lock').fixed, 'rtnl_mutex');
  assert.equal(prim('ASSERT_RTNL').op, 'assert');
  assert.equal(prim('rtnl_net_lock').perNet, true);
  assert.equal(prim('ASSERT_RTNL_NET').perNet, true);
  assert.equal(prim('rcu_read_lock_bh').rcu, 'rcu_bh');
  assert.equal(prim('srcu_read_lock').rcu, 'srcu');
  assert.equal(prim('rcu_dereference_protected').deref, 'protected');
  assert.equal(prim('rcu_dereference_ovsl').condLock, 'ovs_mutex');
  assert.equal(prim('ovsl_dereference').deref, 'protected');
  assert.equal(prim('kfree_rcu').op, 'rcu_free');
  assert.equal(prim('kfree').op, 'free');
  assert.equal(prim('synchronize_net').op, 'grace_period');
});

test('only spinning kernel locks are atomic; OVS pthread locks are not', () => {
  assert.equal(prim('spin_lock_irqsave').atomic, true);
  assert.equal(prim('read_lock_bh').atomic, true);
  assert.ok(!prim('ovs_rwlock_rdlock').atomic);
  assert.ok(!prim('mutex_lock').atomic);
  assert.equal(prim('mutex_lock').sleeps, true);
  assert.ok(!prim('spin_lock').sleeps);
});

test('user/kernel boundary tables: set/ethtool/MII ioctls are RTNL, read-only getters are not', () => {
  for (const c of ['SIOCSIFMTU', 'SIOCSIFFLAGS', 'SIOCETHTOOL', 'SIOCGMIIPHY', 'SIOCSIFNAME', 'SIOCSIFHWADDR']) assert.ok(RTNL_IOCTLS.includes(c), c);
  for (const c of ['SIOCGIFFLAGS', 'SIOCGIFMTU', 'SIOCGIFINDEX', 'SIOCGIFHWADDR']) {
    assert.ok(NON_RTNL_IOCTLS.includes(c), c);
    assert.ok(!RTNL_IOCTLS.includes(c), c);
  }
  for (const m of ['RTM_GETLINK', 'RTM_NEWLINK', 'RTM_SETLINK', 'RTM_DELLINK', 'RTM_NEWQDISC', 'RTM_GETTCLASS']) assert.ok(RTNL_MESSAGES.includes(m), m);
  assert.ok(!RTNL_MESSAGES.includes('RTM_GETNEIGH'));
});

test('guard classes map to primitives; _try guards are conditional', () => {
  assert.equal(cat.guards.get('mutex')!.prim.name, 'mutex_lock');
  assert.equal(cat.guards.get('rtnl')!.prim.fixed, 'rtnl_mutex');
  assert.equal(cat.guards.get('rcu')!.prim.op, 'rcu_read_lock');
  assert.equal(cat.guards.get('mutex_try')!.conditional, true);
  assert.equal(cat.guards.get('spinlock_irqsave')!.conditional, false);
});

test('config primitives override the catalog by name', () => {
  const c = buildCatalog({ ...DEFAULT_CONFIG, primitives: [{ name: 'mutex_lock', kind: 'trylock', lockArg: 1, success: 'zero' }, { name: 'my_spin', kind: 'acquire', lockArg: 1, lockType: 'spinlock' }] });
  assert.equal(c.prims.get('mutex_lock')!.op, 'trylock');
  assert.equal(c.prims.get('mutex_lock')!.success, 'zero');
  assert.equal(c.prims.get('my_spin')!.atomic, true);
  assert.equal(primFromSpec({ name: 'w', kind: 'wait' }).op, 'wait');
  assert.equal(buildCatalog(DEFAULT_CONFIG).prims.get('mutex_lock')!.op, 'acquire', 'defaults untouched');
});

test('isRtnlClass: the global RTNL, the per-netns RTNL and a file-static rtnl_mutex; not look-alikes', () => {
  for (const id of [RTNL_CLASS, PER_NET_RTNL_CLASS, 'rtnl_mutex@net/core/rtnetlink.c']) assert.equal(isRtnlClass(id), true, id);
  for (const id of ['rtnl_mutex_key', 'my_rtnl_mutex', 'struct net.rtnl_mutex', 'ovs_mutex', '?rtnl_mutex@x.c', 'rcu']) assert.equal(isRtnlClass(id), false, id);
  // The RTNL rows lock the class the predicate accepts.
  assert.equal(prim('rtnl_lock').fixed, RTNL_CLASS);
  assert.equal(prim('ASSERT_RTNL').fixed, RTNL_CLASS);
});
