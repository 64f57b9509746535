import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SweepCell, SweepJson } from '../../../src/protocol/webview-messages';
import { defaultXParam, formatPct, formatSeconds, paramNames, secondsTick, shapeSweep } from '../../../src/webview/charts/sweep-model';

const ROOT = process.env.LOCKLENS_ROOT!;
const sweep = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/webview/sweep.json'), 'utf8')) as SweepJson;
const cell = (params: Record<string, number | string>, before = 1, after = 1): SweepCell => ({
  params,
  before: { mean: before, std: 0.1 },
  after: { mean: after, std: 0.1 },
  deltaPct: ((after - before) / before) * 100,
});

test('defaultXParam prefers a varying delay-like parameter', () => {
  assert.equal(defaultXParam(sweep.cells), 'delay_us');
  assert.equal(defaultXParam([cell({ n: 1, hold_ms: 1 }), cell({ n: 2, hold_ms: 1 }), cell({ n: 3, hold_ms: 1 })]), 'n', 'a constant delay is not chosen');
  assert.equal(defaultXParam([cell({ a: 1, b: 1 }), cell({ a: 1, b: 2 }), cell({ a: 2, b: 3 })]), 'b', 'most distinct values otherwise');
  assert.equal(defaultXParam([]), null);
});

test('shapeSweep groups by the other parameters, sorted numerically', () => {
  const s = shapeSweep(sweep.cells, 'delay_us');
  assert.deepEqual(s.xValues, [0, 50, 100, 500, 1000, 5000, 10000]);
  assert.ok(s.numericX);
  assert.deepEqual(s.groups.map((g) => g.label), ['n=10', 'n=50', 'n=100']);
  assert.ok(s.groups.every((g) => g.points.length === 7));
  assert.deepEqual(s.groups[0].points.map((p) => p.x), s.xValues);
  const byN = shapeSweep(sweep.cells, 'n');
  assert.equal(byN.groups.length, 7);
  assert.deepEqual(byN.groups[0].points.map((p) => p.x), [10, 50, 100]);
  assert.equal(byN.groups[0].label, 'delay_us=0');
});

test('shapeSweep with a single parameter gives one "all" group; string values sort naturally', () => {
  const s = shapeSweep([cell({ scenario: 'b10' }), cell({ scenario: 'b2' })], 'scenario');
  assert.deepEqual(s.groups.map((g) => g.key), ['all']);
  assert.deepEqual(s.xValues, ['b2', 'b10']);
  assert.equal(s.numericX, false);
  assert.deepEqual(paramNames([cell({ a: 1 }), cell({ b: 2, a: 1 })]), ['a', 'b']);
});

test('formatSeconds and formatPct', () => {
  assert.equal(formatSeconds(3.106), '3.11 s');
  assert.equal(formatSeconds(0.111), '111 ms');
  assert.equal(formatSeconds(0.000042), '42.0 µs');
  assert.equal(formatSeconds(0), '0.00 s');
  assert.equal(formatPct(-28.8), '-28.8 %');
  assert.equal(formatPct(3), '+3.0 %');
});

test('secondsTick keeps one unit per axis', () => {
  const ms = secondsTick(0.25);
  assert.deepEqual([0, 0.02, 0.2].map(ms), ['0 ms', '20 ms', '200 ms']);
  assert.deepEqual([0, 2.5, 80].map(secondsTick(80)), ['0 s', '2.5 s', '80 s']);
  assert.equal(secondsTick(0.0005)(0.00012), '120 µs');
});
