/** Intra-procedural held sets: control flow, trylock polarity, guards, goto unwinding. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, brief, rules, sitesAt } from './helpers';

/** Line number of the first line containing `marker`. */
const lineOf = (src: string, marker: string): number => {
  const i = src.split('\n').findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`marker ${marker} not found`);
  return i + 1;
};
const heldAt = async (src: string, marker: string, cfg = {}) => {
  const r = await analyze(src, cfg);
  const s = sitesAt(r, lineOf(src, marker));
  assert.ok(s.length > 0, `no site at ${marker}`);
  return s[s.length - 1]!.heldAfter;
};

test('straight line: acquire, nested acquire, release', async () => {
  const src = `
static DEFINE_MUTEX(a);
static DEFINE_SPINLOCK(b);
void f(void) {
  mutex_lock(&a);   /* A */
  spin_lock(&b);    /* B */
  spin_unlock(&b);  /* C */
  mutex_unlock(&a); /* D */
}`;
  assert.deepEqual(await heldAt(src, '/* A */'), { must: ['a'], may: ['a'] });
  assert.deepEqual(await heldAt(src, '/* B */'), { must: ['a', 'b'], may: ['a', 'b'] });
  assert.deepEqual(await heldAt(src, '/* C */'), { must: ['a'], may: ['a'] });
  assert.deepEqual(await heldAt(src, '/* D */'), { must: [], may: [] });
});

test('if without else: lock held on some paths only (must vs may)', async () => {
  const src = `
static DEFINE_MUTEX(m);
int g;
void f(int x) {
  if (x)
    mutex_lock(&m);
  g = 1;
  rcu_read_lock();  /* P */
  rcu_read_unlock();
}`;
  const h = await heldAt(src, '/* P */');
  assert.deepEqual(h.must, ['rcu']);
  assert.deepEqual(h.may, ['m', 'rcu']);
});

test('kernel trylock: held on the success edge only', async () => {
  const src = `
static DEFINE_MUTEX(m);
int f(void) {
  if (!mutex_trylock(&m))
    return -EBUSY;
  rcu_read_lock();  /* OK */
  rcu_read_unlock();
  mutex_unlock(&m);
  return 0;
}`;
  const r = await analyze(src);
  assert.deepEqual(sitesAt(r, lineOf(src, '/* OK */'))[0]!.heldAfter.must, ['m', 'rcu']);
  assert.deepEqual(rules(r).map(brief), []);
});

test('OVS trylock polarity is inverted: 0 means acquired', async () => {
  const src = `
static struct ovs_mutex m = OVS_MUTEX_INITIALIZER;
int f(void) {
  if (ovs_mutex_trylock(&m)) {
    seq_change(s);  /* BUSY */
    return EBUSY;
  }
  seq_change(s);    /* GOT */
  ovs_mutex_unlock(&m);
  return 0;
}
void seq_change(void *s);`;
  const r = await analyze(src);
  // sites exist only for lock ops, so probe with a call-free marker: use line facts instead
  const lf = await analyze(src, {}, { lineFacts: true });
  const at = (m: string) => lf.lines!.find((l) => l.line === lineOf(src, m))!.held;
  assert.deepEqual(at('/* BUSY */').may, []);
  assert.deepEqual(at('/* GOT */').must, ['m']);
  assert.deepEqual(rules(r).map(brief), []);
});

test('interruptible lock: the error path holds nothing, result tested later', async () => {
  const src = `
static DEFINE_MUTEX(m);
int v;
int f(int x) {
  int ret;
  ret = mutex_lock_interruptible(&m);
  if (ret)
    return ret;      /* ERR */
  v = x;             /* OK */
  mutex_unlock(&m);
  return 0;
}`;
  const r = await analyze(src, {}, { lineFacts: true });
  const at = (m: string) => r.lines!.find((l) => l.line === lineOf(src, m))!.held;
  assert.deepEqual(at('/* ERR */').may, []);
  assert.deepEqual(at('/* OK */').must, ['m']);
  assert.deepEqual(rules(r).map(brief), []);
});

test('unlock on the failure branch of an interruptible lock is an imbalance', async () => {
  const src = `
static DEFINE_MUTEX(m);
int f(void) {
  if (mutex_lock_killable(&m)) {
    mutex_unlock(&m);
    return -EINTR;
  }
  mutex_unlock(&m);
  return 0;
}`;
  const r = await analyze(src);
  assert.deepEqual(rules(r).map(brief), ['lock-imbalance@5:m']);
});

test('goto error unwinding keeps every exit balanced', async () => {
  const src = `
static DEFINE_MUTEX(m);
int a(void); int b(void);
int f(void) {
  int err;
  mutex_lock(&m);
  err = a();
  if (err)
    goto out_unlock;
  err = b();
  if (err)
    goto out_unlock;
  mutex_unlock(&m);
  return 0;
out_unlock:
  mutex_unlock(&m);
  return err;
}`;
  const r = await analyze(src);
  assert.deepEqual(rules(r).map(brief), []);
});

test('early return with the lock held is an imbalance at that return', async () => {
  const src = `
static DEFINE_SPINLOCK(l);
int f(int x) {
  spin_lock(&l);
  if (x)
    return -1;
  spin_unlock(&l);
  return 0;
}`;
  const r = await analyze(src);
  assert.deepEqual(rules(r).map(brief), ['lock-imbalance@6:l']);
});

test('switch with fallthrough and break; loops with break/continue', async () => {
  const src = `
static DEFINE_MUTEX(m);
int g;
void f(int x, int n) {
  int i;
  switch (x) {
  case 1:
    mutex_lock(&m);
  case 2:
    g = 2;
    break;
  default:
    return;
  }
  for (i = 0; i < n; i++) {
    if (i == 3)
      continue;
    if (i == 5)
      break;
  }
  rcu_read_lock();    /* AFTER */
  rcu_read_unlock();
}`;
  const h = await heldAt(src, '/* AFTER */');
  assert.deepEqual(h.must, ['rcu']);
  assert.deepEqual(h.may, ['m', 'rcu']);
});

test('lock taken and released inside a loop body is not held after the loop', async () => {
  const src = `
static DEFINE_MUTEX(m);
int g;
void f(int n) {
  while (n--) {
    mutex_lock(&m);
    if (g)
      continue_work();
    mutex_unlock(&m);
  }
  rcu_read_lock();    /* AFTER */
  rcu_read_unlock();
}
void continue_work(void);`;
  assert.deepEqual(await heldAt(src, '/* AFTER */'), { must: ['rcu'], may: ['rcu'] });
});

test('guard() is released at every exit of its block; scoped_guard at the end of its body', async () => {
  const src = `
static DEFINE_MUTEX(m);
static DEFINE_SPINLOCK(l);
int g;
int f(int x) {
  {
    guard(mutex)(&m);
    if (x)
      return 1;
    g = 1;
  }
  scoped_guard(spinlock, &l) {
    g = 2;
  }
  rcu_read_lock();   /* AFTER */
  rcu_read_unlock();
  return 0;
}`;
  const r = await analyze(src);
  assert.deepEqual(sitesAt(r, lineOf(src, '/* AFTER */'))[0]!.heldAfter, { must: ['rcu'], may: ['rcu'] });
  const g = r.sites.find((s) => s.op === 'guard' && s.locks.includes('m'));
  assert.ok(g, 'guard site recorded');
  assert.deepEqual(rules(r).map(brief), []);
});

test('#ifdef arms are both analysed (non-deterministic choice)', async () => {
  const src = `
static DEFINE_MUTEX(m);
static DECLARE_RWSEM(s);
void f(void) {
#ifdef HAVE_NET_RWSEM
  down_read(&s);
#else
  mutex_lock(&m);
#endif
  rcu_read_lock();   /* AFTER */
  rcu_read_unlock();
}`;
  const h = await heldAt(src, '/* AFTER */');
  assert.deepEqual(h.may, ['m', 'rcu', 's']);
  assert.deepEqual(h.must, ['rcu']);
});

test('conditional lock/unlock on the same flag is correlated (no imbalance)', async () => {
  const src = `
static DEFINE_MUTEX(m);
int g;
void f(int locked) {
  if (!locked)
    mutex_lock(&m);
  g++;
  if (!locked)
    mutex_unlock(&m);
}`;
  const r = await analyze(src);
  assert.deepEqual(rules(r).map(brief), []);
});

test('double unlock is reported; a plain unlock of a never-taken lock makes a release wrapper instead', async () => {
  const src = `
static DEFINE_MUTEX(m);
void twice(void) {
  mutex_lock(&m);
  mutex_unlock(&m);
  mutex_unlock(&m);
}
void my_unlock(void) {
  mutex_unlock(&m);
}`;
  const r = await analyze(src);
  assert.deepEqual(rules(r).map(brief), ['lock-imbalance@6:m']);
});

test('RCU read side left open on one path', async () => {
  const src = `
int f(int x) {
  rcu_read_lock();
  if (x)
    return 0;
  rcu_read_unlock();
  return 1;
}`;
  assert.deepEqual(rules(await analyze(src)).map(brief), ['lock-imbalance@5:rcu']);
});

test('__cleanup locals run their cleanup function at every scope exit', async () => {
  const src = `
struct dev { struct mutex lock; int x; };
static void unlock_dev(struct mutex **m) { mutex_unlock(*m); }
int f(struct dev *d) {
  struct mutex *m __cleanup(unlock_dev) = &d->lock;
  mutex_lock(m);
  if (d->x)
    return 1;
  return 0;
}
int g(struct dev *d) {
  struct mutex *m = &d->lock;
  mutex_lock(m);
  if (d->x)
    return 1;
  mutex_unlock(m);
  return 0;
}`;
  const r = await analyze(src);
  // f is balanced thanks to the cleanup; g (same shape without it) leaks on the early return.
  assert.deepEqual(rules(r).map(brief), ['lock-imbalance@15:struct dev.lock']);
});
