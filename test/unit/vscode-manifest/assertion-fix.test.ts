import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertionEdits, detectFlavor } from '../../../src/vscode/assertion-fix';
import type { LockClass } from '../../../src/engine/model';
import { fn } from './fixtures';

const lock = (id: string, kind: LockClass['kind'] = 'global', name = id): LockClass => ({ id, kind, name, struct: null, lockType: 'mutex', sites: 1, contended: false });
const locks = new Map([lock('rtnl_mutex'), lock('ovs_mutex'), lock('struct dp.lock', 'field', 'lock'), lock('rcu', 'rcu')].map((l) => [l.id, l]));

const kernel = ['static int dp_fill(struct dp *dp)', '{', '\tint err = 0;', '\treturn err;', '}'];

test('flavour: OVS userspace vs kernel', () => {
  assert.equal(detectFlavor('#include "openvswitch/thread.h"\nvoid f(void) OVS_REQUIRES(m) {}'), 'ovs');
  assert.equal(detectFlavor('ovs_mutex_lock(&m);'), 'ovs');
  assert.equal(detectFlavor('#include <linux/rtnetlink.h>\nASSERT_RTNL();'), 'kernel');
});

test('kernel: ASSERT_RTNL for RTNL, lockdep_assert_held for other globals, inserted after the brace', () => {
  const f = fn('dp_fill', 1, 5, { entry: { must: ['rtnl_mutex', 'ovs_mutex'], may: [] } });
  const edits = assertionEdits(f, locks, kernel, 'kernel');
  assert.deepEqual(edits.map((e) => e.title), ['Add ASSERT_RTNL()', 'Add lockdep_assert_held(&ovs_mutex)']);
  assert.deepEqual([edits[0].line, edits[0].col], [1, 1]);
  assert.equal(edits[0].text, '\n\tASSERT_RTNL();');
});

test('nothing offered when the lock is only held on some paths, already required, already asserted, or not mechanical', () => {
  assert.deepEqual(assertionEdits(fn('f', 1, 5, { entry: { must: [], may: ['rtnl_mutex'] } }), locks, kernel, 'kernel'), []);
  assert.deepEqual(assertionEdits(fn('f', 1, 5, { entry: { must: ['rtnl_mutex'], may: [] }, requires: ['rtnl_mutex'] }), locks, kernel, 'kernel'), []);
  const asserted = ['void f(void)', '{', '\tASSERT_RTNL();', '}'];
  assert.deepEqual(assertionEdits(fn('f', 1, 4, { entry: { must: ['rtnl_mutex'], may: [] } }), locks, asserted, 'kernel'), []);
  assert.deepEqual(assertionEdits(fn('f', 1, 5, { entry: { must: ['struct dp.lock', 'rcu'], may: [] } }), locks, kernel, 'kernel'), []);
  assert.deepEqual(assertionEdits(fn('f', 1, 3, { entry: { must: ['rtnl_mutex'], may: [] } }), locks, ['int f(void);', '', ''], 'kernel'), []);
});

test('OVS: OVS_REQUIRES on the declarator, same line or line before a lone brace', () => {
  const sameLine = ['static void run(struct x *x) {', '    go(x);', '}'];
  const e1 = assertionEdits(fn('run', 1, 3, { entry: { must: ['ovs_mutex'], may: [] } }), locks, sameLine, 'ovs');
  assert.equal(e1.length, 1);
  assert.equal(e1[0].text, 'OVS_REQUIRES(ovs_mutex) ');
  assert.deepEqual([e1[0].line, e1[0].col], [0, sameLine[0].indexOf('{')]);
  const own = ['static void', 'run(struct x *x)', '{', '    go(x);', '}'];
  const e2 = assertionEdits(fn('run', 1, 5, { entry: { must: ['ovs_mutex'], may: [] } }), locks, own, 'ovs');
  assert.deepEqual([e2[0].line, e2[0].col, e2[0].text], [1, own[1].length, '\n    OVS_REQUIRES(ovs_mutex)']);
  const annotated = ['static void run(void)', '    OVS_REQUIRES(ovs_mutex)', '{', '}'];
  assert.deepEqual(assertionEdits(fn('run', 1, 4, { entry: { must: ['ovs_mutex'], may: [] } }), locks, annotated, 'ovs'), []);
});
