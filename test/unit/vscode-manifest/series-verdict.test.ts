import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patchChanges, patchVerdict } from '../../../src/vscode/series-verdict';
import type { PatchReport } from '../../../src/engine/series/report-model';
import type { LockDelta } from '../../../src/engine/series/lock-diff';

const emptyDelta = (): LockDelta => ({
  edgesAdded: [], edgesRemoved: [], locksAdded: [], locksRemoved: [], entryChanged: [],
  findingsIntroduced: [], findingsResolved: [], findingsPersisting: [],
  contentionAdded: [], contentionRemoved: [], rcuAdded: [], rcuRemoved: [],
});

function patch(extra: Partial<PatchReport>): PatchReport {
  return {
    index: 2, total: 2, subject: 'decouple flow_table from ovs_mutex', author: 'A', origin: 'message 3', applied: true,
    files: ['net/openvswitch/datapath.c'], notes: [], problems: [], hunks: {} as PatchReport['hunks'], delta: emptyDelta(), ms: 1, ...extra,
  };
}

test('verdicts summarise the lock change of a patch', () => {
  const d = emptyDelta();
  d.entryChanged = [1, 2, 3, 4, 5].map((i) => ({ name: `f${i}`, file: 'a.c', line: i, before: { must: ['ovs_mutex'], may: [] }, after: { must: [], may: [] } }));
  d.locksAdded = [{ id: 'struct flow_table.mutex', kind: 'field', name: 'mutex', struct: 'flow_table', lockType: 'mutex', sites: 3, contended: false }];
  d.contentionRemoved = [{ key: 'k', contended: 'rtnl_mutex', via: ['ovs_mutex', 'flow install'], function: 'f', file: 'a.c', line: 1 }];
  const v = patchVerdict(patch({ delta: d }));
  assert.match(v, /entry context changed in 5 functions/);
  assert.match(v, /new lock class struct flow_table\.mutex/);
  assert.match(v, /contention path removed: rtnl_mutex ⇢ ovs_mutex ⇢ flow install/);
  assert.match(v, /no new cycle/);
});

test('no lock change, not applied, missing and patch-only are each said plainly', () => {
  assert.equal(patchVerdict(patch({})), 'no lock change');
  assert.equal(patchVerdict(patch({ applied: false, error: 'hunk 2 of a.c failed at line 40' })), 'does not apply: hunk 2 of a.c failed at line 40');
  assert.equal(patchVerdict(patch({ missing: true, applied: false })), 'missing from the series');
  assert.match(patchVerdict(patch({ delta: null })), /patch-only: 1 file changed/);
});

test('a new cycle is not hidden by "no new cycle"', () => {
  const d = emptyDelta();
  d.edgesAdded = [{ from: 'a', to: 'b', witnesses: [], count: 1, trylock: false }];
  d.findingsIntroduced = [{ rule: 'lock-order-cycle', severity: 'error', message: 'a → b → a', file: 'x.c', line: 3, function: 'g', locks: ['a', 'b'], witness: [], fingerprint: 'f' }];
  const v = patchVerdict(patch({ delta: d }));
  assert.match(v, /1 new finding/);
  assert.doesNotMatch(v, /no new cycle/);
  const changes = patchChanges(patch({ delta: d }));
  assert.ok(changes.some((c) => c.icon === 'warning' && c.file === 'x.c' && c.line === 3));
  assert.ok(changes.some((c) => c.label === 'edge a → b'));
});
