/** Branch conditions decoded once per CFG node, and which edge acquires a pending trylock. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Expr } from '../../../src/engine/ir';
import { branchOutcome, decodeBranchTest } from '../../../src/engine/analysis/flow/branch-test';
import type { Pending } from '../../../src/engine/analysis/flow/state';

const id = (name: string): Expr => ({ k: 'id', name, line: 1, col: 0 }) as Expr;
const num = (text: string): Expr => ({ k: 'num', text }) as Expr;
const call = (name: string): Expr => ({ k: 'call', callee: id(name), args: [], line: 1, col: 0, endLine: 1, text: `${name}()` }) as Expr;
const bin = (op: string, left: Expr, right: Expr): Expr => ({ k: 'binary', op, left, right }) as Expr;
const not = (arg: Expr): Expr => ({ k: 'unary', op: '!', arg }) as Expr;
const assign = (v: string, right: Expr): Expr => ({ k: 'assign', op: '=', left: id(v), right }) as Expr;
const vars = new Set(['ret', 'locked']);

test('decode: call, negation, comparisons with zero, < 0 and >= 0', () => {
  assert.equal(decodeBranchTest(call('try'), vars).sense, 'truthy');
  assert.equal(decodeBranchTest(not(call('try')), vars).sense, 'falsy');
  assert.equal(decodeBranchTest(bin('==', call('try'), num('0')), vars).sense, 'falsy');
  assert.equal(decodeBranchTest(bin('!=', num('0'), call('try')), vars).sense, 'truthy');
  assert.equal(decodeBranchTest(bin('<', call('try'), num('0')), vars).sense, 'neg');
  assert.equal(decodeBranchTest(bin('>=', call('try'), num('0')), vars).sense, 'nonneg');
  assert.equal(decodeBranchTest(call('try'), vars).testedCall?.k, 'call');
  assert.equal(decodeBranchTest(bin('<', call('try'), num('1')), vars).testedCall, null, '< 1 is not understood');
});

test('decode: assigned call, tested variable, named value (locals are not names)', () => {
  const a = decodeBranchTest(assign('ret', call('try')), vars);
  assert.equal(a.assignVar, 'ret');
  assert.equal(a.testedCall?.k, 'call');
  const v = decodeBranchTest(not(id('locked')), vars);
  assert.deepEqual([v.testedVar, v.sense], ['locked', 'falsy']);
  const n = decodeBranchTest(bin('==', id('ret'), id('QUEUE_ITEM')), vars);
  assert.deepEqual(n.named, { value: 'QUEUE_ITEM', eq: true });
  assert.equal(n.testedVar, 'ret');
  assert.deepEqual(decodeBranchTest(not(bin('==', id('ret'), id('QUEUE_ITEM'))), vars).named, { value: 'QUEUE_ITEM', eq: false }, '!(r == NAME) folds the negation into the comparison');
  assert.equal(decodeBranchTest(bin('==', id('ret'), id('locked')), vars).named, null, 'two locals compared: no named value');
});

const pending = (over: Partial<Pending> = {}): Pending => ({ locks: [], success: 'nonzero', chain: [], blocks: false, ...over });

test('outcome: polarity of success zero / nonzero per sense', () => {
  assert.deepEqual(branchOutcome(pending(), 'truthy', null), { t: true, f: false });
  assert.deepEqual(branchOutcome(pending(), 'falsy', null), { t: false, f: true });
  assert.deepEqual(branchOutcome(pending({ success: 'zero' }), 'truthy', null), { t: false, f: true });
  assert.deepEqual(branchOutcome(pending({ success: 'zero' }), 'neg', null), { t: false, f: true });
  assert.deepEqual(branchOutcome(pending({ success: 'zero' }), 'nonneg', null), { t: true, f: false });
  assert.deepEqual(branchOutcome(pending(), 'neg', null), { t: null, f: null }, 'a negative nonzero-success result is unknown');
});

test('outcome: named success values', () => {
  const p = pending({ successValue: 'QUEUE_ITEM' });
  assert.deepEqual(branchOutcome(p, 'truthy', { value: 'QUEUE_ITEM', eq: true }), { t: true, f: false });
  assert.deepEqual(branchOutcome(p, 'truthy', { value: 'QUEUE_ITEM', eq: false }), { t: false, f: true });
  assert.deepEqual(branchOutcome(p, 'truthy', { value: 'OTHER', eq: true }), { t: false, f: null });
  assert.deepEqual(branchOutcome(p, 'truthy', null), { t: null, f: null }, 'truthiness says nothing about a named value');
  assert.deepEqual(branchOutcome(pending(), 'truthy', { value: 'X', eq: true }), { t: null, f: null });
});
