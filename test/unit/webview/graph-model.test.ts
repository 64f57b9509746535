import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AnalysisResult, Finding } from '../../../src/engine/model';
import type { SeriesJson } from '../../../src/protocol/webview-messages';
import {
  buildAnalysisGraph,
  buildSeriesGraph,
  contentionMarks,
  edgeKey,
  findCycles,
  contentionAfterPatch,
  findingsAfterPatch,
  summarisePatches,
} from '../../../src/webview/graph/graph-model';
import { patchVerdict } from '../../../src/webview/series/verdict';

const ROOT = process.env.LOCKLENS_ROOT!;
const fx = <T>(n: string): T => JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/webview', n), 'utf8')) as T;
const E = (from: string, to: string, trylock = false) => ({ from, to, trylock });

test('findCycles: ABBA and longer cycles are found, a DAG has none', () => {
  const abba = findCycles(['a', 'b', 'c'], [E('a', 'b'), E('b', 'a'), E('b', 'c')]);
  assert.deepEqual([...abba.nodes].sort(), ['a', 'b']);
  assert.deepEqual([...abba.edges].sort(), [edgeKey('a', 'b'), edgeKey('b', 'a')]);
  const tri = findCycles([], [E('a', 'b'), E('b', 'c'), E('c', 'a'), E('c', 'd')]);
  assert.equal(tri.edges.size, 3);
  assert.ok(!tri.nodes.has('d'));
  const dag = findCycles(['a', 'b', 'c', 'd'], [E('a', 'b'), E('a', 'c'), E('b', 'd'), E('c', 'd')]);
  assert.equal(dag.edges.size + dag.nodes.size, 0);
});

test('findCycles: a trylock edge cannot close a cycle; a self-edge is a cycle', () => {
  const t = findCycles([], [E('map', 'ukey', true), E('ukey', 'map')]);
  assert.equal(t.edges.size, 0);
  const self = findCycles([], [E('a', 'a'), E('a', 'b')]);
  assert.deepEqual([...self.edges], [edgeKey('a', 'a')]);
});

test('findCycles handles a long chain without recursion limits', () => {
  const n = 20000;
  const edges = Array.from({ length: n }, (_, i) => E(`l${i}`, `l${(i + 1) % n}`));
  assert.equal(findCycles([], edges).nodes.size, n);
});

test('contentionMarks uses only contention rules, consecutive locks, both directions', () => {
  const f = (rule: string, locks: string[]) => ({ rule, locks }) as unknown as Finding;
  const m = contentionMarks([f('contention-transfer', ['ovs_mutex', 'rtnl_mutex']), f('lock-order-cycle', ['x', 'y'])]);
  assert.deepEqual([...m.nodes].sort(), ['ovs_mutex', 'rtnl_mutex']);
  assert.ok(m.pairs.has(edgeKey('ovs_mutex', 'rtnl_mutex')) && m.pairs.has(edgeKey('rtnl_mutex', 'ovs_mutex')));
  assert.ok(!m.pairs.has(edgeKey('x', 'y')));
});

test('buildAnalysisGraph marks cycles and contention from the fixture', () => {
  const g = buildAnalysisGraph(fx<AnalysisResult>('analysis.json'));
  assert.equal(g.nodes.length, 8);
  assert.equal(g.edges.length, 8);
  assert.deepEqual(g.edges.filter((e) => e.inCycle).map((e) => e.id).sort(), [
    edgeKey('struct sw_flow_stats.lock', 'struct vport.tx_lock'),
    edgeKey('struct vport.tx_lock', 'struct sw_flow_stats.lock'),
  ]);
  assert.deepEqual(g.edges.filter((e) => e.onContentionPath).map((e) => e.id), [edgeKey('ovs_mutex', 'rtnl_mutex')]);
  assert.ok(g.nodes.every((n) => !n.synthetic && n.status === 'same'));
});

test('buildAnalysisGraph invents a placeholder node for an edge endpoint without a lock class', () => {
  const a = fx<AnalysisResult>('analysis.json');
  a.edges.push({ from: 'ovs_mutex', to: '?dp->lock@x.c', witnesses: [], count: 1, trylock: false });
  const g = buildAnalysisGraph(a);
  const n = g.nodes.find((x) => x.id === '?dp->lock@x.c');
  assert.ok(n?.synthetic);
  assert.equal(n.lock.kind, 'other');
});

test('buildSeriesGraph follows "after patch k"', () => {
  const a = fx<AnalysisResult>('analysis.json');
  const s = fx<SeriesJson>('series.json');
  const base = buildSeriesGraph(a, s, 0);
  assert.deepEqual(
    base.nodes.map((n) => n.id),
    buildAnalysisGraph(a).nodes.map((n) => n.id),
  );
  assert.ok(base.edges.every((e) => e.status === 'same'));
  assert.equal(base.edges.filter((e) => e.onContentionPath).length, 1);

  const after2 = buildSeriesGraph(a, s, 2);
  const st = (id: string) => after2.edges.find((e) => e.id === id)?.status;
  assert.equal(st(edgeKey('struct flow_table.mutex', 'rcu')), 'added');
  assert.equal(st(edgeKey('ovs_mutex', 'rcu')), 'removed');
  assert.equal(st(edgeKey('ovs_mutex', 'rtnl_mutex')), 'same');
  assert.equal(after2.nodes.find((n) => n.id === 'struct flow_table.mutex')?.status, 'added');
  assert.equal(after2.edges.find((e) => e.id === edgeKey('struct flow_table.mutex', 'rcu'))?.patch, 2);
  // Patch 2 resolves the contention finding: the path is no longer highlighted.
  assert.equal(after2.edges.filter((e) => e.onContentionPath).length, 0);
  assert.ok(!after2.findings.some((f) => f.rule === 'contention-transfer'));

  const after1 = buildSeriesGraph(a, s, 1);
  assert.ok(!after1.nodes.some((n) => n.id === 'struct flow_table.mutex'));
  assert.ok(after1.edges.every((e) => e.status === 'same'));
});

test('buildSeriesGraph: removed edges no longer close a cycle', () => {
  const a = fx<AnalysisResult>('analysis.json');
  const s = fx<SeriesJson>('series.json');
  const cyc = a.edges.find((e) => e.from === 'struct sw_flow_stats.lock')!;
  s.edges.removed.push({ ...cyc, patch: 1 });
  assert.equal(buildSeriesGraph(a, s, 0).edges.filter((e) => e.inCycle).length, 2);
  assert.equal(buildSeriesGraph(a, s, 1).edges.filter((e) => e.inCycle).length, 0);
});

test('buildSeriesGraph without a base analysis shows only the changed part', () => {
  const s = fx<SeriesJson>('series.json');
  const g0 = buildSeriesGraph(undefined, s, 0);
  // Before the series: the edges it will remove exist; the added ones do not yet.
  assert.deepEqual(g0.edges.map((e) => [e.id, e.status]), [
    [edgeKey('ovs_mutex', 'rcu'), 'same'],
    [edgeKey('ovs_mutex', 'struct sw_flow_stats.lock'), 'same'],
  ]);
  assert.ok(!g0.nodes.some((n) => n.id === 'struct flow_table.mutex'));
  const g3 = buildSeriesGraph(undefined, s, 3);
  assert.equal(g3.edges.filter((e) => e.status === 'added').length, 2);
  assert.equal(g3.edges.filter((e) => e.status === 'removed').length, 2);
  assert.deepEqual(g3.nodes.map((n) => n.id).sort(), ['ovs_mutex', 'rcu', 'struct flow_table.mutex', 'struct sw_flow_stats.lock']);
});

test('findingsAfterPatch matches findings by fingerprint, not by line', () => {
  const a = fx<AnalysisResult>('analysis.json');
  const s = fx<SeriesJson>('series.json');
  const moved = { ...s.findings.resolved[0], line: 999 };
  s.findings.resolved = [moved];
  assert.equal(findingsAfterPatch(a, s, 1).length, 2);
  assert.equal(findingsAfterPatch(a, s, 2).length, 1);
  const intro = { ...a.findings[1], fingerprint: 'new-one', patch: 3 };
  s.findings.introduced = [intro];
  assert.equal(findingsAfterPatch(a, s, 2).length, 1);
  assert.equal(findingsAfterPatch(a, s, 3).length, 2);
});

test('summarisePatches and patchVerdict describe each patch', () => {
  const s = fx<SeriesJson>('series.json');
  const sums = summarisePatches(s);
  assert.deepEqual(sums.map(patchVerdict), [
    '2 RCU changes',
    '+2 edges, −2 edges, +1 lock class, 1 contention path removed, entry context changed in 5 functions, 1 finding resolved',
    'no lock change',
  ]);
});

test('contentionAfterPatch: removed paths exist until their patch, added ones from theirs', () => {
  const s = fx<SeriesJson>('series.json');
  assert.deepEqual(contentionAfterPatch(s, 1), [['rtnl_mutex', 'ovs_mutex']]);
  assert.deepEqual(contentionAfterPatch(s, 2), []);
  s.contention!.added.push({ key: 'k', contended: 'rtnl_mutex', via: ['struct flow_table.mutex'], function: 'f', file: 'a.c', line: 1, patch: 3 });
  assert.deepEqual(contentionAfterPatch(s, 2), []);
  assert.deepEqual(contentionAfterPatch(s, 3), [['rtnl_mutex', 'struct flow_table.mutex']]);
  delete s.contention;
  assert.deepEqual(contentionAfterPatch(s, 3), []);
});

test('buildSeriesGraph highlights a contention path the series adds, without a base analysis', () => {
  const s = fx<SeriesJson>('series.json');
  s.findings.resolved = [];
  s.contention = { added: [{ key: 'k', contended: 'rtnl_mutex', via: ['ovs_mutex'], function: 'f', file: 'a.c', line: 1, patch: 2 }], removed: [] };
  s.edges.added.push({ from: 'ovs_mutex', to: 'rtnl_mutex', witnesses: [], count: 1, trylock: false, patch: 2 });
  const on = (k: number) => buildSeriesGraph(undefined, s, k).edges.filter((e) => e.onContentionPath).map((e) => e.id);
  assert.deepEqual(on(1), []);
  assert.deepEqual(on(2), [edgeKey('ovs_mutex', 'rtnl_mutex')]);
});
