/** Inter-procedural behaviour: wrappers, ops tables, entry contexts, lock identity, recursion. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, brief, edge, fn, rules } from './helpers';

test('wrapper inference: ovs_lock()/ovs_unlock() become primitives without hard-coding', async () => {
  const src = `
static DEFINE_MUTEX(ovs_mutex);
void ovs_lock(void) { mutex_lock(&ovs_mutex); }
void ovs_unlock(void) { mutex_unlock(&ovs_mutex); }
int flows;
void flow_cmd(void) {
  ovs_lock();
  rtnl_lock();
  flows++;
  rtnl_unlock();
  ovs_unlock();
}`;
  const r = await analyze(src);
  assert.deepEqual(fn(r, 'ovs_lock').returnsHolding, ['ovs_mutex']);
  assert.deepEqual(fn(r, 'ovs_unlock').releasesUnheld, ['ovs_mutex']);
  const e = edge(r, 'ovs_mutex', 'rtnl_mutex');
  assert.ok(e, 'edge ovs_mutex -> rtnl_mutex through the wrapper');
  // Witness: from the acquisition of ovs_mutex (inside the wrapper) to the rtnl_lock() call.
  const w = e.witnesses[0]!;
  assert.equal(w[0]!.function, 'flow_cmd');
  assert.match(w[0]!.note, /returns holding ovs_mutex/);
  assert.equal(w[1]!.function, 'ovs_lock');
  assert.equal(w[w.length - 1]!.line, 8);
  assert.deepEqual(rules(r).map(brief), []);
  // Wrappers are consistent on every path: no imbalance; callers see no held lock after ovs_unlock.
  assert.deepEqual(fn(r, 'flow_cmd').acquires, ['ovs_mutex', 'rtnl_mutex']);
});

test('acquire and release in different annotated functions (OVS_ACQUIRES / OVS_RELEASES)', async () => {
  const src = `
struct dp { struct ovs_rwlock upcall_rwlock; int n; };
void disable_upcall(struct dp *dp) OVS_ACQUIRES(dp->upcall_rwlock) { ovs_rwlock_wrlock(&dp->upcall_rwlock); }
void enable_upcall(struct dp *dp) OVS_RELEASES(dp->upcall_rwlock) { ovs_rwlock_unlock(&dp->upcall_rwlock); }
void purge(struct dp *dp) {
  disable_upcall(dp);
  dp->n = 0;
  enable_upcall(dp);
}`;
  const r = await analyze(src);
  assert.deepEqual(fn(r, 'disable_upcall').returnsHolding, ['struct dp.upcall_rwlock']);
  assert.deepEqual(fn(r, 'enable_upcall').releasesUnheld, ['struct dp.upcall_rwlock']);
  // purge() calls it right after disable_upcall(): the lock is held on entry.
  assert.deepEqual(fn(r, 'enable_upcall').entry.must, ['struct dp.upcall_rwlock']);
  assert.deepEqual(rules(r).map(brief), []);
});

test('ops-table call resolves to every function bound to that field of that struct type', async () => {
  const src = `
struct vport;
struct vport_ops { int (*create)(struct vport *v); void (*destroy)(struct vport *v); };
struct vport { const struct vport_ops *ops; };
static DEFINE_MUTEX(ovs_mutex);
static int netdev_create(struct vport *v) { rtnl_lock(); rtnl_unlock(); return 0; }
static int internal_create(struct vport *v) { return 0; }
static void netdev_destroy(struct vport *v) { synchronize_net(); }
static const struct vport_ops netdev_ops = { .create = netdev_create, .destroy = netdev_destroy };
static const struct vport_ops internal_ops = { .create = internal_create };
int vport_add(struct vport *vport) {
  int err;
  mutex_lock(&ovs_mutex);
  err = vport->ops->create(vport);
  mutex_unlock(&ovs_mutex);
  return err;
}`;
  const r = await analyze(src);
  assert.ok(edge(r, 'ovs_mutex', 'rtnl_mutex'), 'edge through .create');
  assert.equal(fn(r, 'netdev_create').callers, 1);
  assert.equal(fn(r, 'internal_create').callers, 1);
  assert.equal(fn(r, 'netdev_destroy').callers, 0, '.destroy is a different field');
  assert.deepEqual(fn(r, 'netdev_create').entry.must, ['ovs_mutex']);
  assert.ok(r.stats.indirectCallsResolved >= 1);
});

test('assigned callbacks (x->cb = fn) are bindings too', async () => {
  const src = `
struct ctl { void (*cb)(void); };
static DEFINE_MUTEX(a);
static void handler(void) { rtnl_lock(); rtnl_unlock(); }
void setup(struct ctl *c) { c->cb = handler; }
void fire(struct ctl *c) { mutex_lock(&a); c->cb(); mutex_unlock(&a); }`;
  const r = await analyze(src);
  assert.ok(edge(r, 'a', 'rtnl_mutex'));
});

test('entry contexts: must = held on all call paths, may = on some; annotations seed entry', async () => {
  const src = `
static DEFINE_MUTEX(a);
static DEFINE_MUTEX(b);
int g;
static void leaf(void) { g++; }
void c1(void) { mutex_lock(&a); mutex_lock(&b); leaf(); mutex_unlock(&b); mutex_unlock(&a); }
void c2(void) { mutex_lock(&a); leaf(); mutex_unlock(&a); }
static void req(void) OVS_REQUIRES(b) { g--; }
static void asserted(void) { lockdep_assert_held(&a); g = 0; }`;
  const r = await analyze(src);
  assert.deepEqual(fn(r, 'leaf').entry, { must: ['a'], may: ['a', 'b'] });
  assert.equal(fn(r, 'leaf').callers, 2);
  assert.deepEqual(fn(r, 'c1').entry, { must: [], may: [] });
  assert.deepEqual(fn(r, 'req').entry.must, ['b']);
  assert.deepEqual(fn(r, 'req').requires, ['b']);
  assert.deepEqual(fn(r, 'asserted').requires, ['a']);
  assert.deepEqual(fn(r, 'asserted').entry.must, ['a']);
  const no = await analyze(src, {}, { noAnnotations: true });
  assert.deepEqual(fn(no, 'req').entry.must, []);
  assert.deepEqual(fn(no, 'asserted').entry.must, []);
});

test('lock identity: struct fields through params, locals, nested members, container_of, arrays, out-params', async () => {
  const src = `
struct flow_table { struct mutex mutex; int n; };
struct datapath { struct flow_table table; spinlock_t lock; };
struct txq { spinlock_t lock; };
struct netdev { struct txq *tx_locks; struct mutex mutex; };
struct ukey { struct ovs_mutex mutex; };
struct work_struct { int x; };
struct wrk { struct work_struct w; struct mutex m; };
void f1(struct datapath *dp) { mutex_lock(&dp->table.mutex); mutex_unlock(&dp->table.mutex); }
void f2(struct netdev *dev, int q) { spin_lock(&dev->tx_locks[q].lock); spin_unlock(&dev->tx_locks[q].lock); }
void f3(struct work_struct *work) {
  struct wrk *k = container_of(work, struct wrk, w);
  mutex_lock(&k->m); mutex_unlock(&k->m);
}
int f4(struct ukey **result) OVS_TRY_LOCK(0, (*result)->mutex);
void f5(void *p) { struct datapath *dp = p; spin_lock(&dp->lock); spin_unlock(&dp->lock); }`;
  const r = await analyze(src);
  assert.deepEqual(fn(r, 'f1').acquires, ['struct flow_table.mutex']);
  assert.deepEqual(fn(r, 'f2').acquires, ['struct txq.lock']);
  assert.deepEqual(fn(r, 'f3').acquires, ['struct wrk.m']);
  assert.deepEqual(fn(r, 'f5').acquires, ['struct datapath.lock']);
  const cls = r.locks.find((l) => l.id === 'struct flow_table.mutex')!;
  assert.equal(cls.kind, 'field');
  assert.equal(cls.struct, 'flow_table');
  assert.equal(cls.lockType, 'mutex');
});

test('same-named file-static locks in different files are different classes', async () => {
  const a = `static struct ovs_mutex mutex = OVS_MUTEX_INITIALIZER;\nvoid fa(void) { ovs_mutex_lock(&mutex); ovs_mutex_unlock(&mutex); }`;
  const b = `static struct ovs_mutex mutex = OVS_MUTEX_INITIALIZER;\nvoid fb(void) { ovs_mutex_lock(&mutex); ovs_mutex_unlock(&mutex); }`;
  const r = await analyze({ 'lib/stp.c': a, 'lib/bfd.c': b });
  assert.deepEqual(fn(r, 'fa').acquires, ['mutex@lib/stp.c']);
  assert.deepEqual(fn(r, 'fb').acquires, ['mutex@lib/bfd.c']);
  // A unique static keeps its bare name.
  const one = await analyze({ 'x.c': a });
  assert.deepEqual(fn(one, 'fa').acquires, ['mutex']);
});

test('a lock passed as a parameter maps to the caller argument', async () => {
  const src = `
static DEFINE_MUTEX(big);
static DEFINE_MUTEX(small);
static void my_lock(struct mutex *m) { mutex_lock(m); }
static void my_unlock(struct mutex *m) { mutex_unlock(m); }
void user(void) {
  my_lock(&big);
  mutex_lock(&small);
  mutex_unlock(&small);
  my_unlock(&big);
}`;
  const r = await analyze(src);
  assert.ok(edge(r, 'big', 'small'), 'big held via the parameterised wrapper');
  assert.deepEqual(rules(r).map(brief), []);
});

test('per-net RTNL is its own class; perNetRtnlAlsoGlobal adds the global one', async () => {
  const src = `
static DEFINE_MUTEX(cfg);
void f(struct net *net) { mutex_lock(&cfg); rtnl_net_lock(net); rtnl_net_unlock(net); mutex_unlock(&cfg); }`;
  const r = await analyze(src);
  assert.deepEqual(fn(r, 'f').acquires, ['cfg', 'rtnl_mutex[net]']);
  assert.equal(r.locks.find((l) => l.id === 'rtnl_mutex[net]')!.kind, 'per-net');
  const g = await analyze(src, { perNetRtnlAlsoGlobal: true });
  assert.deepEqual(fn(g, 'f').acquires, ['cfg', 'rtnl_mutex', 'rtnl_mutex[net]']);
  assert.ok(edge(g, 'cfg', 'rtnl_mutex'));
});

test('recursion converges (mutual recursion between lock-taking functions)', async () => {
  const src = `
static DEFINE_MUTEX(a);
static DEFINE_MUTEX(b);
void pong(int n);
void ping(int n) { if (n) { mutex_lock(&a); mutex_unlock(&a); pong(n - 1); } }
void pong(int n) { if (n) { mutex_lock(&b); mutex_unlock(&b); ping(n - 1); } }
void top(void) { rtnl_lock(); ping(3); rtnl_unlock(); }`;
  const r = await analyze(src);
  assert.deepEqual(fn(r, 'ping').acquires, ['a', 'b']);
  assert.deepEqual(fn(r, 'pong').acquires, ['a', 'b']);
  assert.ok(edge(r, 'rtnl_mutex', 'a') && edge(r, 'rtnl_mutex', 'b'));
  assert.ok(!r.problems.some((p) => p.code === 'recursion-cap'));
});

test('unlock -> blocking call -> relock in a callee does not create a recursive acquire', async () => {
  const src = `
static DEFINE_MUTEX(m);
int find(int t);
static int add(int t) {
  if (!find(t)) {
    mutex_unlock(&m);
    request_module("x-%d", t);
    mutex_lock(&m);
    return -EAGAIN;
  }
  return 0;
}
int cmd(int t) {
  int err;
  mutex_lock(&m);
again:
  err = add(t);
  if (err == -EAGAIN)
    goto again;
  mutex_unlock(&m);
  return err;
}`;
  const r = await analyze(src);
  assert.deepEqual(rules(r).map(brief), []);
  assert.deepEqual(fn(r, 'add').entry.must, ['m']);
});

test('trylock wrapper functions: annotated (OVS_TRY_LOCK) and inferred (return of a trylock)', async () => {
  const src = `
struct key { struct ovs_mutex mutex; int live; };
static bool try_take(struct key *k) OVS_TRY_LOCK(true, k->mutex) {
  if (ovs_mutex_trylock(&k->mutex)) return false;
  return true;
}
static int inferred(struct key *k) { return ovs_mutex_trylock(&k->mutex); }
void user(struct key *k) {
  if (!try_take(k)) return;
  k->live = 1;
  ovs_mutex_unlock(&k->mutex);
}
void user2(struct key *k) {
  if (inferred(k)) return;
  k->live = 2;
  ovs_mutex_unlock(&k->mutex);
}`;
  const r = await analyze(src);
  assert.deepEqual(rules(r).map(brief), []);
  assert.deepEqual(fn(r, 'try_take').returnsHolding, ['struct key.mutex']);
});

test('ovsthread_once_start returns true when it took the once-mutex', async () => {
  const src = `
struct ovsthread_once { struct ovs_mutex mutex; };
static struct ovsthread_once once;
int g;
void init(void) {
  if (ovsthread_once_start(&once)) {
    g = 1;
    ovsthread_once_done(&once);
  }
}`;
  const r = await analyze(src);
  assert.deepEqual(rules(r).map(brief), []);
  assert.deepEqual(fn(r, 'init').acquires, ['struct ovsthread_once.mutex']);
});

test('unannotated trylock-shaped function (returns true with the lock, false without) is a trylock for callers', async () => {
  const src = `
struct once { struct ovs_mutex mutex; bool done; };
bool once_start(struct once *o) {
  ovs_mutex_lock(&o->mutex);
  if (!o->done)
    return true;
  ovs_mutex_unlock(&o->mutex);
  return false;
}
int g;
void init(struct once *o) {
  if (once_start(o)) {
    g = 1;
    ovs_mutex_unlock(&o->mutex);
  }
}`;
  const r = await analyze(src);
  assert.deepEqual(rules(r).map(brief), []);
  assert.deepEqual(fn(r, 'once_start').returnsHolding, ['struct once.mutex']);
  // Same shape returning ints is not trusted as a trylock: the held return is an imbalance.
  const ints = await analyze(src.replace('return true;', 'return 1;').replace('return false;', 'return 0;').replace('bool once_start', 'int once_start'));
  assert.deepEqual(rules(ints, 'lock-imbalance').map(brief), ['lock-imbalance@6:struct once.mutex']);
});

test('a lock object declared static inside a function is its own class', async () => {
  const src = `
void f(void) {
  static struct ovs_mutex m = OVS_MUTEX_INITIALIZER;
  ovs_mutex_lock(&m);
  ovs_mutex_unlock(&m);
}`;
  const r = await analyze(src);
  assert.deepEqual(fn(r, 'f').acquires, ['m@a.c:f']);
});

test('OVS_TRY_LOCK(0, (*result)->mutex): a lock reached through an out-parameter maps to its class', async () => {
  const src = `
struct udpif_key { struct ovs_mutex mutex; int n; };
static int ukey_acquire(int x, struct udpif_key **result) OVS_TRY_LOCK(0, (*result)->mutex);
void revalidate(int x) {
  struct udpif_key *ukey;
  if (ukey_acquire(x, &ukey))
    return;
  ukey->n++;
  ovs_mutex_unlock(&ukey->mutex);
}
static int ukey_acquire(int x, struct udpif_key **result) OVS_TRY_LOCK(0, (*result)->mutex) {
  if (ovs_mutex_trylock(&(*result)->mutex))
    return EBUSY;
  return 0;
}`;
  const r = await analyze(src);
  assert.deepEqual(fn(r, 'ukey_acquire').returnsHolding, ['struct udpif_key.mutex']);
  assert.deepEqual(rules(r).map(brief), []);
  const held = r.sites.find((s) => s.function === 'revalidate' && s.op === 'release')!;
  assert.deepEqual(held.locks, ['struct udpif_key.mutex']);
});
