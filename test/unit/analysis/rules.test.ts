/** Detectors: each rule with a positive and a near-miss negative, plus seed patterns. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, brief, edge, fn, rules } from './helpers';

test('lock-order-cycle: ABBA reported once on the smallest lock\'s edge, with both chains', async () => {
  const src = `
static DEFINE_MUTEX(a_mutex);
static DEFINE_MUTEX(b_mutex);
static void take_b(void) { mutex_lock(&b_mutex); mutex_unlock(&b_mutex); }
void one(void) { mutex_lock(&a_mutex); take_b(); mutex_unlock(&a_mutex); }
void two(void) { mutex_lock(&b_mutex); mutex_lock(&a_mutex); mutex_unlock(&a_mutex); mutex_unlock(&b_mutex); }`;
  const r = await analyze(src);
  const f = rules(r, 'lock-order-cycle');
  assert.deepEqual(f.map(brief), ['lock-order-cycle@5:a_mutex,b_mutex']);
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[0]!.function, 'one');
  assert.ok(f[0]!.witness.some((s) => s.function === 'two'), 'witness includes the reverse chain');
});

test('lock-order-cycle: a trylock back edge or consistent order is silent', async () => {
  const src = `
static DEFINE_MUTEX(a);
static DEFINE_MUTEX(b);
void one(void) { mutex_lock(&a); mutex_lock(&b); mutex_unlock(&b); mutex_unlock(&a); }
int two(void) {
  mutex_lock(&b);
  if (!mutex_trylock(&a)) { mutex_unlock(&b); return -EAGAIN; }
  mutex_unlock(&a); mutex_unlock(&b); return 0;
}
void three(void) { mutex_lock(&a); mutex_lock(&b); mutex_unlock(&b); mutex_unlock(&a); }`;
  const r = await analyze(src);
  assert.deepEqual(rules(r).map(brief), []);
  const e = edge(r, 'b', 'a')!;
  assert.equal(e.trylock, true);
  assert.equal(edge(r, 'a', 'b')!.trylock, false);
  assert.equal(edge(r, 'a', 'b')!.count, 2, 'two distinct acquisition chains');
});

test('edges keep at most 3 witnesses, shortest first', async () => {
  const src = `
static DEFINE_MUTEX(a);
static DEFINE_MUTEX(b);
static void h1(void) { mutex_lock(&b); mutex_unlock(&b); }
static void h2(void) { h1(); }
void c1(void) { mutex_lock(&a); mutex_lock(&b); mutex_unlock(&b); mutex_unlock(&a); }
void c2(void) { mutex_lock(&a); h1(); mutex_unlock(&a); }
void c3(void) { mutex_lock(&a); h2(); mutex_unlock(&a); }
void c4(void) { mutex_lock(&a); mutex_lock(&b); mutex_unlock(&b); mutex_unlock(&a); }`;
  const r = await analyze(src);
  const e = edge(r, 'a', 'b')!;
  assert.equal(e.count, 4);
  assert.equal(e.witnesses.length, 3);
  const lens = e.witnesses.map((w) => w.length);
  assert.deepEqual([...lens].sort((x, y) => x - y), lens);
});

test('recursive-acquire: same expression (error), callee re-take, and the silent forms', async () => {
  const src = `
static DEFINE_MUTEX(m);
static DEFINE_RWLOCK(rw);
struct node { struct mutex lock; };
static void inner(void) { mutex_lock(&m); mutex_unlock(&m); }
void direct(void) { mutex_lock(&m); mutex_lock(&m); mutex_unlock(&m); mutex_unlock(&m); }
void via(void) { mutex_lock(&m); inner(); mutex_unlock(&m); }
void rr(void) { read_lock(&rw); read_lock(&rw); read_unlock(&rw); read_unlock(&rw); }
void nested(struct node *p, struct node *c) {
  mutex_lock(&p->lock); mutex_lock_nested(&c->lock, 1); mutex_unlock(&c->lock); mutex_unlock(&p->lock);
}`;
  const r = await analyze(src);
  const f = rules(r, 'recursive-acquire');
  assert.deepEqual(f.map(brief), ['recursive-acquire@6:m', 'recursive-acquire@7:m']);
  assert.equal(f[0]!.severity, 'error');
  assert.equal(f[1]!.severity, 'warning');
});

test('recursive-acquire: none for recursive OVS mutexes', async () => {
  const src = `
static struct ovs_mutex rm;
void init(void) { ovs_mutex_init_recursive(&rm); }
void f(void) { ovs_mutex_lock(&rm); ovs_mutex_lock(&rm); ovs_mutex_unlock(&rm); ovs_mutex_unlock(&rm); }`;
  assert.deepEqual(rules(await analyze(src), 'recursive-acquire'), []);
});

test('contention-transfer: default hot paths (flow install) vs a path that is not hot', async () => {
  const src = `
static DEFINE_MUTEX(dp_mutex);
int n;
void dp_vport_cmd_new(void) { mutex_lock(&dp_mutex); rtnl_lock(); n++; rtnl_unlock(); mutex_unlock(&dp_mutex); }
int dp_flow_cmd_new(void) { mutex_lock(&dp_mutex); n++; mutex_unlock(&dp_mutex); return 0; }
int dp_stats_get(void) { mutex_lock(&dp_mutex); n--; mutex_unlock(&dp_mutex); return n; }`;
  const r = await analyze(src);
  const f = rules(r, 'contention-transfer');
  assert.deepEqual(f.map(brief), ['contention-transfer@5:dp_mutex,rtnl_mutex']);
  assert.ok(f[0]!.witness.some((s) => s.function === 'dp_vport_cmd_new'), 'witness shows the RTNL chain');
  const fixed = await analyze(src.replace('int dp_flow_cmd_new(void) { mutex_lock(&dp_mutex); n++; mutex_unlock(&dp_mutex); return 0; }', 'int dp_flow_cmd_new(void) { rcu_read_lock(); n++; rcu_read_unlock(); return 0; }'));
  assert.deepEqual(rules(fixed, 'contention-transfer'), []);
  const custom = await analyze(src, { hotPaths: ['dp_stats_get'] });
  assert.deepEqual(rules(custom, 'contention-transfer').map(brief), ['contention-transfer@6:dp_mutex,rtnl_mutex']);
});

test('rtnl-in-periodic-path: RTNL-serialised ioctl / netlink request vs RCU-only ioctls (user/kernel boundary)', async () => {
  const src = `
struct dev { char name[16]; int up; };
extern int sock;
static int set_flags(struct dev *d, int f) { struct ifreq ifr; ifr.ifr_flags = f; return ioctl(sock, SIOCSIFFLAGS, &ifr); }
static int get_flags(struct dev *d) { struct ifreq ifr; return ioctl(sock, SIOCGIFFLAGS, &ifr); }
static int get_link(struct dev *d) {
  struct ofpbuf req;
  nl_msg_put_nlmsghdr(&req, 0, RTM_GETLINK, NLM_F_REQUEST);
  return nl_transact(NETLINK_ROUTE, &req, NULL);
}
void mon_run(struct dev *d) {
  get_flags(d);
  if (d->up) set_flags(d, 1);
}
void mon_wait(struct dev *d) { get_link(d); }
void other(struct dev *d) { set_flags(d, 0); }`;
  const r = await analyze(src);
  const f = rules(r, 'rtnl-in-periodic-path');
  assert.deepEqual(f.map(brief), ['rtnl-in-periodic-path@13:rtnl_mutex', 'rtnl-in-periodic-path@15:rtnl_mutex']);
  assert.match(f[0]!.witness.map((s) => s.note).join(' | '), /kernel takes RTNL for SIOCSIFFLAGS/);
  assert.match(f[1]!.witness.map((s) => s.note).join(' | '), /RTM_GETLINK/);
  assert.deepEqual(fn(r, 'get_flags').acquires, []);
});

test('rcu-deref-unprotected: plain deref without reader; protected deref with its lock; check with lockdep cond', async () => {
  const src = `
struct tbl { int n; };
struct dp { struct mutex lock; struct tbl __rcu *t; };
int bad(struct dp *dp) { struct tbl *t = rcu_dereference(dp->t); return t->n; }
int good(struct dp *dp) { int n; rcu_read_lock(); n = rcu_dereference(dp->t)->n; rcu_read_unlock(); return n; }
int prot_bad(struct dp *dp) { return rcu_dereference_protected(dp->t, lockdep_is_held(&dp->lock))->n; }
int prot_ok(struct dp *dp) { int n; mutex_lock(&dp->lock); n = rcu_dereference_protected(dp->t, lockdep_is_held(&dp->lock))->n; mutex_unlock(&dp->lock); return n; }
int check_ok(struct dp *dp) { int n; mutex_lock(&dp->lock); n = rcu_dereference_check(dp->t, lockdep_is_held(&dp->lock))->n; mutex_unlock(&dp->lock); return n; }`;
  const r = await analyze(src);
  assert.deepEqual(rules(r).map(brief), ['rcu-deref-unprotected@4:rcu', 'rcu-deref-unprotected@6:struct dp.lock']);
});

test('seed 003 pattern: rcu_assign_pointer + kfree_rcu + rcu_dereference_ovsl is silent; the kfree variant fires', async () => {
  const ok = `
struct pids { u32 n; u32 ids[]; struct rcu_head rcu; };
struct datapath { struct pids __rcu *upcall_portids; };
int set_pids(struct datapath *dp, int n) {
  struct pids *old, *p;
  old = ovsl_dereference(dp->upcall_portids);
  p = kmalloc(sizeof(*p) + n, GFP_KERNEL);
  if (!p)
    return -ENOMEM;
  rcu_assign_pointer(dp->upcall_portids, p);
  kfree_rcu(old, rcu);
  return 0;
}
u32 get_pid(const struct datapath *dp, u32 cpu) {
  struct pids *p = rcu_dereference_ovsl(dp->upcall_portids);
  return p ? p->ids[cpu % p->n] : 0;
}
static DEFINE_MUTEX(ovs_mutex);
int dp_change(struct datapath *dp) { int e; mutex_lock(&ovs_mutex); e = set_pids(dp, 4); mutex_unlock(&ovs_mutex); return e; }
u32 process_packet(struct datapath *dp) { u32 r; rcu_read_lock(); r = get_pid(dp, 1); rcu_read_unlock(); return r; }
u32 dp_cmd_get(struct datapath *dp) { u32 r; mutex_lock(&ovs_mutex); r = get_pid(dp, 0); mutex_unlock(&ovs_mutex); return r; }`;
  const r = await analyze(ok);
  assert.deepEqual(rules(r, 'rcu-free-without-grace-period'), []);
  assert.deepEqual(rules(r, 'rcu-deref-unprotected'), [], 'callers hold ovs_mutex or an RCU read side');
  assert.deepEqual(fn(r, 'get_pid').entry, { must: [], may: ['ovs_mutex', 'rcu'] });
  const bad = await analyze(ok.replace('kfree_rcu(old, rcu);', 'kfree(old);'));
  assert.deepEqual(rules(bad, 'rcu-free-without-grace-period').map(brief), ['rcu-free-without-grace-period@11:']);
  const synced = await analyze(ok.replace('kfree_rcu(old, rcu);', 'synchronize_rcu();\n  kfree(old);'));
  assert.deepEqual(rules(synced, 'rcu-free-without-grace-period'), []);
});

test('seed 002 pattern: trylock of another ukey under the map mutex, OVS_TRY_LOCK hand-off, is silent', async () => {
  const src = `
struct umap { struct ovs_mutex mutex; };
struct ukey { struct ovs_mutex mutex; bool flow_exists; };
static void ukey_delete__(struct ukey *k);
static bool try_ukey_replace(struct umap *umap, struct ukey *old_ukey, struct ukey *new_ukey)
    OVS_REQUIRES(umap->mutex) OVS_TRY_LOCK(true, new_ukey->mutex)
{
    bool replaced = false;
    if (!ovs_mutex_trylock(&old_ukey->mutex)) {
        if (!old_ukey->flow_exists) {
            ovs_mutex_lock(&new_ukey->mutex);
            ovsrcu_postpone(ukey_delete__, old_ukey);
            replaced = true;
        }
        ovs_mutex_unlock(&old_ukey->mutex);
    }
    return replaced;
}
static bool ukey_install_start(struct umap *umap, struct ukey *old, struct ukey *new_ukey)
    OVS_TRY_LOCK(true, new_ukey->mutex)
{
    bool locked;
    ovs_mutex_lock(&umap->mutex);
    locked = try_ukey_replace(umap, old, new_ukey);
    ovs_mutex_unlock(&umap->mutex);
    return locked;
}`;
  assert.deepEqual(rules(await analyze(src)).map(brief), []);
});

test('sleep-in-atomic vs rcu-sleep-in-read-side; GFP_ATOMIC and SRCU are fine', async () => {
  const src = `
static DEFINE_SPINLOCK(l);
static DEFINE_MUTEX(m);
DEFINE_SRCU(my_srcu);
static void slow(void) { msleep(10); }
void a(void) { spin_lock_bh(&l); mutex_lock(&m); mutex_unlock(&m); spin_unlock_bh(&l); }
void b(void) { rcu_read_lock(); slow(); rcu_read_unlock(); }
void c(void) { void *p; spin_lock(&l); p = kmalloc(8, GFP_ATOMIC); spin_unlock(&l); kfree(p); }
void d(void) { int idx = srcu_read_lock(&my_srcu); slow(); srcu_read_unlock(&my_srcu, idx); }
void e(void) { void *p; spin_lock(&l); p = kzalloc(8, GFP_KERNEL); spin_unlock(&l); kfree(p); }
void f(void) { local_irq_disable(); slow(); local_irq_enable(); }`;
  const r = await analyze(src);
  assert.deepEqual(rules(r).map(brief), ['sleep-in-atomic@6:l', 'rcu-sleep-in-read-side@7:rcu', 'sleep-in-atomic@10:l', 'sleep-in-atomic@11:irq-disabled']);
  assert.equal(fn(r, 'slow').maySleep, true);
});

test('requires-violation: annotation, assert, excluded; satisfied by entry context', async () => {
  const src = `
static struct ovs_mutex om = OVS_MUTEX_INITIALIZER;
static DEFINE_MUTEX(km);
static void needs(void) OVS_REQUIRES(om) { }
static void asserts(void) { lockdep_assert_held(&km); }
static void excl(void) OVS_EXCLUDED(om) { }
void bad1(void) { needs(); }
void bad2(void) { asserts(); }
void bad3(void) { ovs_mutex_lock(&om); excl(); ovs_mutex_unlock(&om); }
static void mid(void) { needs(); }
void good(void) { ovs_mutex_lock(&om); mid(); ovs_mutex_unlock(&om); }`;
  const r = await analyze(src);
  assert.deepEqual(rules(r).map(brief), ['requires-violation@7:om', 'requires-violation@8:km', 'requires-violation@9:om']);
});

test('wait-under-lock: cancel_work_sync / xpthread_join on a function that takes the held lock', async () => {
  const src = `
struct work_struct { int x; };
struct dev { struct mutex lock; struct work_struct work; };
static struct ovs_mutex tm = OVS_MUTEX_INITIALIZER;
static pthread_t thr;
static void work_fn(struct work_struct *w) { struct dev *d = container_of(w, struct dev, work); mutex_lock(&d->lock); mutex_unlock(&d->lock); }
static void *thread_main(void *a) { ovs_mutex_lock(&tm); ovs_mutex_unlock(&tm); return NULL; }
void init(struct dev *d) { INIT_WORK(&d->work, work_fn); thr = ovs_thread_create("t", thread_main, NULL); }
void stop(struct dev *d) { mutex_lock(&d->lock); cancel_work_sync(&d->work); mutex_unlock(&d->lock); }
void stop_ok(struct dev *d) { cancel_work_sync(&d->work); mutex_lock(&d->lock); mutex_unlock(&d->lock); }
void join(void) { ovs_mutex_lock(&tm); xpthread_join(thr, NULL); ovs_mutex_unlock(&tm); }`;
  const r = await analyze(src);
  assert.deepEqual(rules(r).map(brief), ['wait-under-lock@9:struct dev.lock', 'wait-under-lock@11:tm']);
});

test('OVS_NO_THREAD_SAFETY_ANALYSIS functions report nothing but still summarise', async () => {
  const src = `
static struct ovs_mutex m = OVS_MUTEX_INITIALIZER;
int g;
void lock_it(int x) OVS_NO_THREAD_SAFETY_ANALYSIS { if (x) ovs_mutex_lock(&m); g++; }`;
  const r = await analyze(src);
  assert.deepEqual(rules(r), []);
  assert.deepEqual(fn(r, 'lock_it').acquires, ['m']);
});

test('user primitives from config merge over the catalog', async () => {
  const src = `
struct big { int x; };
void my_big_lock(void);
void my_big_unlock(void);
static DEFINE_MUTEX(inner);
void f(void) { my_big_lock(); mutex_lock(&inner); mutex_unlock(&inner); my_big_unlock(); }`;
  const r = await analyze(src, {
    primitives: [
      { name: 'my_big_lock', kind: 'acquire', lock: 'big_lock', lockType: 'mutex' },
      { name: 'my_big_unlock', kind: 'release', lock: 'big_lock' },
    ],
  });
  assert.ok(edge(r, 'big_lock', 'inner'));
  assert.deepEqual(rules(r), []);
});

test('findings carry line-independent fingerprints', async () => {
  const src = `static DEFINE_SPINLOCK(l);\nvoid f(void) { spin_lock(&l); msleep(1); spin_unlock(&l); }`;
  const a = rules(await analyze(src));
  const b = rules(await analyze(`\n\n/* moved */\n${src}`));
  assert.equal(a.length, 1);
  assert.notEqual(a[0]!.line, b[0]!.line);
  assert.equal(a[0]!.fingerprint, b[0]!.fingerprint);
});
