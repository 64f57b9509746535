import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isFromWebview, isToWebview } from '../../../src/protocol/webview-messages';
import { normaliseData } from '../../../src/webview/data';

const ROOT = process.env.LOCKLENS_ROOT!;
const fx = (n: string): unknown => JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/webview', n), 'utf8'));

test('isToWebview accepts each message kind and rejects malformed ones', () => {
  for (const ok of [
    { type: 'setData', data: {} },
    { type: 'showView', view: 'charts' },
    { type: 'focusLock', id: 'rtnl_mutex' },
    { type: 'selectPatch', index: 0 },
  ]) assert.ok(isToWebview(ok), JSON.stringify(ok));
  for (const bad of [
    null,
    'showView',
    [],
    { type: 'showView', view: 'evil' },
    { type: 'setData', data: [] },
    { type: 'selectPatch', index: 1.5 },
    { type: 'selectPatch', index: -1 },
    { type: 'focusLock', id: 3 },
    { type: 'reveal', file: 'a.c', line: 1 },
  ]) assert.ok(!isToWebview(bad), JSON.stringify(bad));
});

test('isFromWebview accepts each message kind and rejects malformed ones', () => {
  for (const ok of [
    { type: 'ready', view: 'graph' },
    { type: 'reveal', file: 'net/core/dev.c', line: 12 },
    { type: 'viewChanged', view: 'series' },
    { type: 'patchSelected', index: 2 },
    { type: 'error', message: 'x' },
  ]) assert.ok(isFromWebview(ok), JSON.stringify(ok));
  for (const bad of [
    undefined,
    { type: 'reveal', file: '', line: 1 },
    { type: 'reveal', file: 'a.c', line: 0 },
    { type: 'reveal', file: 'a.c', line: '3' },
    { type: 'ready', view: 'nope' },
    { type: 'showView', view: 'graph' },
    { type: 'error' },
  ]) assert.ok(!isFromWebview(bad), JSON.stringify(bad));
});

test('normaliseData keeps well-formed fixtures intact', () => {
  const raw = { title: 'T', analysis: fx('analysis.json'), series: fx('series.json'), simulation: fx('sweep.json') };
  const { data, notes } = normaliseData(raw);
  assert.deepEqual(notes, []);
  assert.deepEqual(data.analysis?.locks, (raw.analysis as { locks: unknown }).locks);
  assert.deepEqual(data.analysis?.edges, (raw.analysis as { edges: unknown }).edges);
  assert.deepEqual(data.series?.edges, (raw.series as { edges: unknown }).edges);
  assert.deepEqual(data.simulation, raw.simulation);
});

test('normaliseData drops malformed parts with a note instead of throwing', () => {
  const { data, notes } = normaliseData({
    analysis: { locks: [{ id: 'ok' }, { nope: 1 }, null], edges: [{ from: 'ok', to: 'x', witnesses: [[{ file: 'a.c', line: 'x' }], 'junk'] }, 7], findings: 'no' },
    series: { patches: [{ index: 2, subject: 'b' }, { index: 1, subject: 'a', applied: false, error: 'hunk 1' }], edges: { added: [{ from: 'a', to: 'b', witnesses: [] }] } },
    simulation: { cells: [{ params: { n: 1, bad: {} }, before: { mean: 2, std: -0.5 }, after: { mean: 1, std: 0 } }, { params: {} }] },
  });
  assert.deepEqual(data.analysis?.locks.map((l) => [l.id, l.kind, l.sites]), [['ok', 'other', 0]]);
  assert.equal(data.analysis?.edges.length, 1);
  assert.deepEqual(data.analysis?.edges[0].witnesses, [[{ file: 'a.c', line: 0, function: '', note: '' }]]);
  assert.deepEqual(data.analysis?.findings, []);
  assert.deepEqual(data.series?.patches.map((p) => [p.index, p.applied]), [[1, false], [2, true]]);
  // An added edge without `patch` is attributed to the last patch.
  assert.equal(data.series?.edges.added[0].patch, 2);
  assert.deepEqual(data.simulation?.cells, [{ params: { n: 1 }, before: { mean: 2, std: 0.5 }, after: { mean: 1, std: 0 }, deltaPct: -50 }]);
  assert.deepEqual(notes.sort(), ['1 malformed lock edges ignored', '1 malformed simulation cells ignored', '2 malformed lock classes ignored'].sort());
});

test('normaliseData on junk input', () => {
  assert.deepEqual(normaliseData(null), { data: {}, notes: [] });
  assert.deepEqual(normaliseData(42).notes, ['data is not an object; ignored']);
  assert.deepEqual(normaliseData('embedded data is not valid JSON').notes, ['embedded data is not valid JSON']);
  assert.deepEqual(normaliseData({ analysis: [1], series: 'x' }).notes, ['analysis data is not an object; ignored', 'series data is not an object; ignored']);
});
