import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stmt } from '../../../src/engine/ir';
import { calleeNames, factsOf, fn, stmts } from './helpers';

type Alt = Extract<Stmt, { k: 'alt' }>;

test('top-level #ifdef/#elif/#else: all variants, conditions recorded; include guard ignored', async () => {
  const f = await factsOf('preproc.c');
  const v = f.functions.filter((x) => x.name === 'demo_sync');
  assert.deepEqual(v.map((x) => x.preproc), [
    ['defined(CONFIG_DEMO_SMP)'],
    ['defined(CONFIG_DEMO_UP)'],
    ['!(defined(CONFIG_DEMO_SMP) || defined(CONFIG_DEMO_UP))'],
  ]);
  assert.deepEqual(v.map((x) => calleeNames(x.body)), [['spin_lock', 'smp_mb', 'spin_unlock'], ['barrier'], []]);
  assert.deepEqual(fn(f, 'demo_body').preproc, []);
});

test('#ifdef/#ifndef/#else and nested #if in a body: alt statements, skip arm when there is no #else', async () => {
  const body = fn(await factsOf('preproc.c'), 'demo_body').body as Extract<Stmt, { k: 'block' }>;
  const alts = body.body.filter((s): s is Alt => s.k === 'alt');
  assert.equal(alts.length, 3);
  assert.deepEqual(alts[0].arms.map((a) => calleeNames(a)), [['spin_lock'], []], 'no #else: an empty arm');
  assert.deepEqual(alts[1].arms.map((a) => calleeNames(a)), [[], ['spin_unlock']]);
  assert.equal(alts[2].arms.length, 3);
  const nested = stmts(alts[2].arms[0]).filter((s): s is Alt => s.k === 'alt');
  assert.equal(nested.length, 1);
  assert.deepEqual(nested[0].arms.map((a) => calleeNames(a)), [['demo_ab'], []]);
  assert.deepEqual(alts.map((a) => a.line), [32, 36, 41]);
});

test('struct fields inside #if are kept', async () => {
  const f = await factsOf('preproc.c');
  assert.deepEqual(f.structs.map((s) => [s.name, s.fields.map((x) => x.name)]), [['demo_dev', ['lock', 'packets']]]);
});
