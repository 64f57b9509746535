/**
 * The series pipeline with a stand-in analyser: incremental re-extraction, per-patch deltas,
 * attribution of every whole-series change to the patch that made it, failures and patch-only mode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSeries } from '../../../src/engine/series/analyze-series';
import { assembleSeries } from '../../../src/engine/series/assemble';
import { contentionPaths, diffStates } from '../../../src/engine/series/lock-diff';
import { renderSeriesMarkdown, renderSeriesText } from '../../../src/engine/series/render-series';
import type { MailMessage } from '../../../src/engine/series/mail';
import { fakeAnalyze, fakeAnalyzer, fakeFacts } from './fake-analyzer';

function mail(n: number, m: number, subject: string, diff: string): MailMessage {
  return { subject: `[PATCH v2 ${n}/${m}] ${subject}`, author: 'A <a@x>', body: `why\n---\n${diff}`, origin: `m${n}`, archivePage: false, notes: [] };
}
const edit = (file: string, oldLines: string[], newLines: string[], start = 1) =>
  [`diff --git a/${file} b/${file}`, `--- a/${file}`, `+++ b/${file}`, `@@ -${start},${oldLines.length} +${start},${newLines.length} @@`, ...oldLines.map((l) => '-' + l), ...newLines.map((l) => '+' + l), ''].join('\n');

const BASE = new Map([
  ['dp.c', 'LOCK rtnl contended\nLOCK ovs\nEDGE ovs rtnl vport_new\nENTRY flow_new - ovs\nENTRY flow_ins ovs\nFIND contention-transfer fp-ct flow_new\n'],
  ['other.c', 'LOCK other\n'],
  ['README', 'doc\n'],
]);

test('per-patch deltas, whole-series diff and attribution to the patch that made each change', () => {
  const a = fakeAnalyzer();
  const parsed = assembleSeries([
    mail(1, 2, 'rcu pointer', edit('dp.c', ['LOCK rtnl contended'], ['LOCK rtnl contended', 'RCU dp table', 'SITE rcu-publish dp_new rcu_assign_pointer(dp->table, t)'])),
    mail(2, 2, 'table mutex', edit('dp.c', ['ENTRY flow_new - ovs', 'ENTRY flow_ins ovs', 'FIND contention-transfer fp-ct flow_new'], ['LOCK tbl', 'ENTRY flow_new - tbl', 'ENTRY flow_ins tbl', 'FIND wait-under-lock fp-new flow_new error'], 4)),
  ]);
  const r = analyzeSeries(parsed, BASE, a);
  assert.equal(r.mode, 'full');
  assert.deepEqual(r.patches, [{ index: 1, subject: 'rcu pointer', applied: true }, { index: 2, subject: 'table mutex', applied: true }]);
  // Incremental: base extracts the two sources once, each patch only dp.c; README is never parsed.
  assert.deepEqual(a.extracted, ['dp.c', 'other.c', 'dp.c', 'dp.c']);
  assert.equal(r.stats.reparsedFiles, 2);

  const p1 = r.perPatch[0].delta!;
  assert.deepEqual(p1.rcuAdded.map((x) => x.key).sort(), ['rcu-pointer|struct dp.table', 'rcu-publish|dp_new|rcu_assign_pointer(dp->table, t)']);
  assert.equal(p1.edgesAdded.length + p1.findingsIntroduced.length + p1.contentionRemoved.length, 0);

  const p2 = r.perPatch[1].delta!;
  assert.deepEqual(p2.locksAdded.map((l) => l.id), ['tbl']);
  assert.deepEqual(p2.contentionRemoved.map((c) => c.key), ['rtnl ⇢ ovs ⇢ flow_new']);
  assert.deepEqual(p2.entryChanged.map((c) => [c.name, c.before.must, c.after.must]), [['flow_ins', ['ovs'], ['tbl']]]);

  assert.deepEqual(r.findings.introduced.map((f) => [f.fingerprint, f.patch]), [['fp-new', 2]]);
  assert.deepEqual(r.findings.resolved.map((f) => [f.fingerprint, f.patch]), [['fp-ct', 2]]);
  assert.deepEqual(r.findings.persisting, []);
  assert.deepEqual(r.locks.added.map((l) => [l.id, l.patch]), [['tbl', 2]]);
  assert.deepEqual(r.contention.removed.map((c) => [c.key, c.patch]), [['rtnl ⇢ ovs ⇢ flow_new', 2]]);
  assert.deepEqual(r.rcu.added.map((c) => [c.kind, c.patch]).sort(), [['rcu-pointer', 1], ['rcu-publish', 1]]);
  assert.deepEqual(r.functions.entryChanged.map((c) => [c.name, c.patch]), [['flow_ins', 2]]);
  assert.deepEqual(r.edges.added, []);

  const md = renderSeriesMarkdown(r);
  assert.match(md, /### 2\/2 table mutex\n- new lock class `tbl` \(mutex\)/);
  assert.match(md, /contention path removed `rtnl ⇢ ovs ⇢ flow_new` \(dp\.c:6\)/);
  assert.match(md, /introduced in 2\/2: \[error\] `wait-under-lock`/);
  assert.match(md, /`struct dp\.table` is now `__rcu` \(dp\.c:1\)/);
  const txt = renderSeriesText(r);
  assert.match(txt, /^LockLens review: rcu pointer v2/);
  assert.doesNotMatch(txt, /`/);
});

test('a patch that fails is reported, skipped, and the rest of the series still analysed', () => {
  const parsed = assembleSeries([
    mail(1, 3, 'bad', edit('dp.c', ['NOT THERE'], ['X'])),
    mail(3, 3, 'good', edit('other.c', ['LOCK other'], ['LOCK other', 'EDGE other ovs f'])),
  ]);
  const r = analyzeSeries(parsed, BASE, fakeAnalyzer());
  assert.deepEqual(r.patches.map((p) => [p.index, p.applied]), [[1, false], [2, false], [3, true]]);
  assert.match(r.patches[0].error!, /^dp\.c: hunk 1\/1 \(@@ -1,1 \+1,1 @@\) does not apply at line 1: line 1 is "LOCK rtnl contended", the patch expects "NOT THERE"/);
  assert.equal(r.patches[1].error, 'patch 2/3 is missing from the input');
  assert.deepEqual(r.edges.added.map((e) => [`${e.from}->${e.to}`, e.patch]), [['other->ovs', 3]]);
  const md = renderSeriesMarkdown(r);
  assert.match(md, /### 1\/3 bad\n- did NOT apply:\n  - dp\.c: hunk 1\/1/);
  assert.match(md, /### 2\/3 \(missing\)\n- missing from the input/);
});

test('a patch naming ../ paths is refused as a whole', () => {
  const evil = edit('README', ['doc'], ['doc', 'more']) + [`diff --git a/../../etc/passwd b/../../etc/passwd`, '--- a/../../etc/passwd', '+++ b/../../etc/passwd', '@@ -1 +1 @@', '-root', '+evil', ''].join('\n');
  const r = analyzeSeries(assembleSeries([mail(1, 1, 'evil', evil)]), BASE, fakeAnalyzer());
  assert.equal(r.patches[0].applied, false);
  assert.match(r.patches[0].error!, /^rejected: rejected file: path "..\/..\/etc\/passwd" escapes the base tree/);
});

test('patch-only mode: no base, hunks alone, clearly partial', () => {
  const diff = [
    'diff --git a/net/dp.c b/net/dp.c',
    '--- a/net/dp.c',
    '+++ b/net/dp.c',
    '@@ -10,6 +10,7 @@ static int ovs_flow_cmd_new(struct sk_buff *skb)',
    ' {',
    '-\tovs_lock();',
    '+\tmutex_lock(&table->mutex);',
    '+\tkfree_rcu(old, rcu);',
    ' \terr = insert(table);',
    '-\tovs_unlock();',
    '+\tmutex_unlock(&table->mutex);',
    ' \treturn err;',
    ' }',
    '@@ -40,3 +41,3 @@ struct datapath {',
    '-\tstruct flow_table table;',
    '+\tstruct flow_table __rcu *table;',
    ' };',
    ' ',
    '',
  ].join('\n');
  const r = analyzeSeries(assembleSeries([mail(1, 1, 'decouple', diff)]), null, null, { partialReason: 'no --base given' });
  assert.equal(r.mode, 'patch-only');
  assert.equal(r.partial, true);
  assert.equal(r.patches[0].applied, false);
  assert.match(r.patches[0].error!, /patch-only mode/);
  const h = r.perPatch[0].hunks;
  assert.deepEqual(h.functions, ['ovs_flow_cmd_new']);
  assert.deepEqual(h.calls.map((c) => [c.call, c.added, c.removed]), [
    ['kfree_rcu(old, rcu)', 1, 0],
    ['mutex_lock(&table->mutex)', 1, 0],
    ['mutex_unlock(&table->mutex)', 1, 0],
    ['ovs_lock()', 0, 1],
    ['ovs_unlock()', 0, 1],
  ]);
  assert.deepEqual(h.rcuPointersAdded.map((x) => [x.file, x.line, x.text]), [['net/dp.c', 41, 'struct flow_table __rcu *table;']]);
  assert.equal(h.rcuPointersRemoved.length, 0);
  const md = renderSeriesMarkdown(r);
  assert.match(md, /Partial: patch-only mode/);
  assert.match(md, /lock\/RCU calls removed: `ovs_lock\(\)`, `ovs_unlock\(\)`/);
  assert.deepEqual(r.edges, { added: [], removed: [] });
});

test('moved code is not a change: keys are location-free', () => {
  const before = { result: fakeAnalyze([fakeFacts('a.c', 'LOCK a\nEDGE a b f\nFIND lock-order-cycle fp1 f')]), facts: [] };
  const after = { result: fakeAnalyze([fakeFacts('a.c', '\n\n\nLOCK a\nEDGE a b f\nFIND lock-order-cycle fp1 f')]), facts: [] };
  const d = diffStates(before, after);
  assert.equal(d.edgesAdded.length + d.edgesRemoved.length + d.findingsIntroduced.length + d.findingsResolved.length, 0);
  assert.equal(d.findingsPersisting.length, 1);
  // Negative: a different fingerprint at the same place is a new finding.
  const other = { result: fakeAnalyze([fakeFacts('a.c', 'LOCK a\nEDGE a b f\nFIND lock-order-cycle fp2 f')]), facts: [] };
  const d2 = diffStates(before, other);
  assert.deepEqual([d2.findingsIntroduced.map((f) => f.fingerprint), d2.findingsResolved.map((f) => f.fingerprint)], [['fp2'], ['fp1']]);
});

test('contention paths: trylock edges and users of the contended lock are not victims', () => {
  // port uses rtnl itself; tflow's lock reaches rtnl only by trylock; helper is entered holding m.
  const r = fakeAnalyze([fakeFacts('a.c', 'LOCK rtnl contended\nLOCK m\nLOCK t\nEDGE m rtnl port\nEDGE t rtnl f try\nENTRY port - m,rtnl\nENTRY flow - m\nENTRY tflow - t\nENTRY helper m m')]);
  assert.deepEqual(contentionPaths(r).map((p) => p.key), ['rtnl ⇢ m ⇢ flow']);
  // Negative: without the edge into the contended lock there is no path at all.
  const none = fakeAnalyze([fakeFacts('a.c', 'LOCK rtnl contended\nLOCK m\nENTRY flow - m')]);
  assert.deepEqual(contentionPaths(none), []);
});

test('a patch touching no analysed file is applied without re-analysis; base facts can be supplied', () => {
  const a = fakeAnalyzer();
  const parsed = assembleSeries([mail(1, 2, 'docs', edit('README', ['doc'], ['doc', 'more'])), mail(2, 2, 'code', edit('other.c', ['LOCK other'], ['LOCK other2']))]);
  const pre = new Map([['dp.c', fakeFacts('dp.c', BASE.get('dp.c')!)]]);
  const r = analyzeSeries(parsed, BASE, a, { baseFacts: pre });
  assert.equal(a.analyses, 2, 'base + patch 2 only');
  assert.deepEqual(a.extracted, ['other.c', 'other.c'], 'dp.c came from the supplied base facts');
  assert.deepEqual(r.perPatch[0].notes, ['no analysed source file touched; lock graph unchanged']);
  assert.deepEqual(r.locks.added.map((l) => [l.id, l.patch]), [['other2', 2]]);
  assert.deepEqual(r.locks.removed.map((l) => [l.id, l.patch]), [['other', 2]]);
});
