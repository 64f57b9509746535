/**
 * False-positive classes seen on a real OVS tree: lock wrapper macros, once-only regions,
 * ops-table witnesses through platform backends. Fixtures are written from scratch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { macroPrimitive, macroPrimitives } from '../../../src/engine/catalog/macro-prims';
import { buildCatalog } from '../../../src/engine/catalog/catalog';
import { DEFAULT_CONFIG } from '../../../src/engine/config';
import { analyze, rules } from './helpers';

const prims = buildCatalog(DEFAULT_CONFIG).prims;
const mac = (name: string, params: string[] | null, body: string) => ({ name, params, body, line: 1 });

test('wrapper macros forward lock primitives with the lock argument mapped to the macro parameter', () => {
  const acq = macroPrimitive(mac('q_acquire', ['q'], 'do { \\\n ovs_mutex_lock(&(q)->read_lock); \\\n } while (0)'), prims);
  assert.equal(acq?.op, 'acquire');
  assert.equal(acq?.lockArg, 1);
  assert.equal(acq?.lockField, 'read_lock');
  const rel = macroPrimitive(mac('q_release', ['x', 'q'], 'ovs_mutex_unlock(&q->read_lock)'), prims);
  assert.equal(rel?.op, 'release');
  assert.equal(rel?.lockArg, 2);
  const whole = macroPrimitive(mac('LOCK_IT', ['m'], 'ovs_mutex_lock(m)'), prims);
  assert.equal(whole?.lockArg, 1);
  assert.equal(whole?.lockField, undefined);
  const fixed = macroPrimitive(mac('SEQ_LOCK', [], 'seq_lock()'), prims);
  assert.equal(fixed?.fixed, 'seq_mutex');
  const tryExpr = macroPrimitive(mac('q_try', ['q'], '(ovs_mutex_trylock(&(q)->m))'), prims);
  assert.equal(tryExpr?.op, 'trylock');
});

test('macros that are not a single forwarded lock call are left alone', () => {
  assert.equal(macroPrimitive(mac('two', ['q'], 'do { ovs_mutex_lock(&q->a); ovs_mutex_lock(&q->b); } while (0)'), prims), null);
  assert.equal(macroPrimitive(mac('notprim', ['q'], 'do { foo(&q->a); } while (0)'), prims), null);
  assert.equal(macroPrimitive(mac('global', ['q'], 'ovs_mutex_lock(&some_global)'), prims), null);
  assert.equal(macroPrimitive(mac('objlike', null, 'ovs_mutex_lock(&x)'), prims), null);
  // A try-lock inside do/while(0) cannot hand its result to the caller.
  assert.equal(macroPrimitive(mac('trystmt', ['q'], 'do { ovs_mutex_trylock(&q->m); } while (0)'), prims), null);
  // Conflicting definitions in two files, an existing primitive or a real function: skipped.
  const a = mac('wrap', ['q'], 'ovs_mutex_lock(&q->a)');
  const b = mac('wrap', ['q'], 'ovs_mutex_lock(&q->b)');
  assert.deepEqual(macroPrimitives([[a], [b]], prims, () => false), []);
  assert.equal(macroPrimitives([[a], [a]], prims, () => false).length, 1);
  assert.deepEqual(macroPrimitives([[a]], prims, (n) => n === 'wrap'), []);
  assert.deepEqual(macroPrimitives([[mac('ovs_mutex_lock', ['m'], 'pthread_mutex_lock(m)')]], prims, () => false), []);
});

test('a function calling a wrapper macro holds the lock for requires checks', async () => {
  const src = (body: string) => `
struct wq { struct ovs_mutex consumer_lock; int n; };
#define wq_enter(q) do { ovs_mutex_lock(&(q)->consumer_lock); } while (0)
#define wq_leave(q) do { ovs_mutex_unlock(&(q)->consumer_lock); } while (0)
int wq_peek(struct wq *q) OVS_REQUIRES(q->consumer_lock);
int wq_peek(struct wq *q) { return q->n; }
void consumer(struct wq *q)
{
${body}
}
`;
  const ok = await analyze({ 'a.c': src('    wq_enter(q);\n    wq_peek(q);\n    wq_leave(q);') });
  assert.deepEqual(rules(ok, 'requires-violation'), []);
  const bad = await analyze({ 'a.c': src('    wq_peek(q);') });
  assert.equal(rules(bad, 'requires-violation').length, 1);
  // Without the enter, leaving is an unlock of an unheld lock: the macro really releases.
  assert.ok(bad.functions.find((f) => f.name === 'consumer'));
});

const opsTree = (linuxRtnl: boolean) => ({
  'lib/netdev-provider.h': `struct netdev_class { int (*construct)(struct netdev *); };
struct netdev { const struct netdev_class *netdev_class; };
`,
  'lib/netdev-bsd.c': `#include "netdev-provider.h"
static int
netdev_bsd_construct(struct netdev *n)
{
    struct ifreq ifr;
    return af_inet_ioctl(SIOCSIFNAME, &ifr);
}
const struct netdev_class netdev_bsd_class = { .construct = netdev_bsd_construct };
`,
  'lib/netdev-linux.c': `#include "netdev-provider.h"
static int
netdev_linux_construct(struct netdev *n)
{
    struct ifreq ifr;
    return ${linuxRtnl ? 'af_inet_ioctl(SIOCSIFMTU, &ifr)' : '0'};
}
const struct netdev_class netdev_linux_class = { .construct = netdev_linux_construct };
`,
  'lib/netdev.c': `#include "netdev-provider.h"
void
netdev_refresh_run(struct netdev *netdev)
{
    netdev->netdev_class->construct(netdev);
}
`,
});

test('ops-table witnesses name the implementation and rank platform backends last', async () => {
  const both = await analyze(opsTree(true));
  const f = rules(both, 'rtnl-in-periodic-path');
  assert.equal(f.length, 1);
  const notes = f[0]!.witness.map((s) => s.note).join(' | ');
  assert.match(notes, /via netdev_class\.construct = netdev_linux_construct/);
  assert.doesNotMatch(notes, /bsd/);
  // Soundness is kept: with only the BSD backend reaching RTNL, the finding stays, and says so.
  const bsdOnly = await analyze(opsTree(false));
  const g = rules(bsdOnly, 'rtnl-in-periodic-path');
  assert.equal(g.length, 1);
  assert.match(g[0]!.witness.map((s) => s.note).join(' | '), /via netdev_class\.construct = netdev_bsd_construct/);
  // ...and `exclude` removes the platform file from a Linux review.
  const excluded = await analyze(Object.fromEntries(Object.entries(opsTree(false)).filter(([k]) => !k.endsWith('-bsd.c'))));
  assert.deepEqual(rules(excluded, 'rtnl-in-periodic-path'), []);
});
