import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisResult, FunctionFacts, LockSite, SiteOp, WitnessStep } from '../../../src/engine/model';
import { deriveOps, deriveOpsWithProblems, lockTypesOf } from '../../../src/engine/sim/derive';
import { validateScenario } from '../../../src/engine/sim/scenario';
import { runSweep } from '../../../src/engine/sim/sweep';

const root = process.env.LOCKLENS_ROOT ?? process.cwd();
const fixture = (name: string): AnalysisResult => JSON.parse(readFileSync(join(root, 'test/fixtures/sim', name), 'utf8'));

// Minimal hand-written results: only the fields derivation reads carry meaning.
const F = 'net/core/x.c';
const fn = (name: string, line: number, acquires: string[]): FunctionFacts => ({
  name,
  file: F,
  line,
  endLine: line + 50,
  callers: 1,
  entry: { must: [], may: [] },
  acquires,
  returnsHolding: [],
  releasesUnheld: [],
  requires: [],
  maySleep: false,
  partial: false,
});
const site = (fnName: string, line: number, op: SiteOp, locks: string[], text: string, held: string[] = []): LockSite => ({
  file: F,
  line,
  col: 2,
  function: fnName,
  op,
  locks,
  heldAfter: { must: held, may: held },
  text,
});
const step = (fnName: string, line: number, note: string): WitnessStep => ({ file: F, line, function: fnName, note });
const result = (functions: FunctionFacts[], sites: LockSite[], chains: WitnessStep[][] = []): AnalysisResult => ({
  version: 1,
  files: 1,
  functions,
  locks: [],
  edges: chains.map((w) => ({ from: 'a', to: 'b', witnesses: [w], count: 1, trylock: false })),
  findings: [],
  sites,
  problems: [],
  stats: { files: 1, bytes: 0, functions: functions.length, unmodeledFunctions: 0, filesWithErrorNodes: 0, callSites: 0, indirectCallsResolved: 0, timings: {} },
});
/** Ops without notes, for readable expectations. */
const strip = (ops: unknown): unknown => JSON.parse(JSON.stringify(ops, (k, v) => (k === 'note' ? undefined : v)));

test('fixture series: before nests RTNL under the netdev mutex via a call; after takes only the mutex', () => {
  assert.deepEqual(strip(deriveOps(fixture('analysis-before.json'), 'port_poll_run')), [
    { lock: 'struct netdev.mutex', ops: [{ lock: 'rtnl_mutex' }] },
  ]);
  assert.deepEqual(strip(deriveOps(fixture('analysis-after.json'), 'port_poll_run')), [{ lock: 'struct netdev.mutex' }]);
  // Notes keep the evidence (file:line function) for each derived op.
  const [outer] = deriveOps(fixture('analysis-before.json'), 'port_poll_run') as { note?: string }[];
  assert.equal(outer.note, 'lib/netdev-poll.c:12 port_poll_run');
});

test('calls are expanded in line order, around the caller\'s own lock sites', () => {
  const r = result(
    [fn('entry', 1, ['A', 'B', 'C']), fn('takes_b', 100, ['B']), fn('takes_c', 200, ['C']), fn('lockless', 300, [])],
    [
      site('entry', 5, 'acquire', ['A'], 'spin_lock(&a)', ['A']),
      site('entry', 9, 'release', ['A'], 'spin_unlock(&a)'),
      site('takes_b', 110, 'acquire', ['B'], 'mutex_lock(&b)', ['B']),
      site('takes_b', 120, 'release', ['B'], 'mutex_unlock(&b)'),
      site('takes_c', 210, 'acquire', ['C'], 'mutex_lock(&c)', ['C']),
      site('takes_c', 220, 'release', ['C'], 'mutex_unlock(&c)'),
    ],
    [
      [step('entry', 12, 'calls takes_c()'), step('takes_c', 210, 'acquires C')],
      [step('entry', 7, 'calls takes_b()'), step('takes_b', 110, 'acquires B')],
      [step('entry', 8, 'calls lockless()')],
    ],
  );
  assert.deepEqual(strip(deriveOps(r, 'entry')), [{ lock: 'A', ops: [{ lock: 'B' }] }, { lock: 'C' }]);
});

test('RCU, grace periods, deferred frees, trylocks and read modes map to their ops', () => {
  const r = result(
    [fn('upd', 1, ['rcu', 'L', 'S'])],
    [
      site('upd', 2, 'rcu-read-lock', ['rcu'], 'rcu_read_lock()', ['rcu']),
      site('upd', 3, 'rcu-deref', [], 'rcu_dereference(p)', ['rcu']),
      site('upd', 4, 'rcu-read-unlock', ['rcu'], 'rcu_read_unlock()'),
      site('upd', 5, 'trylock', ['L'], 'spin_trylock(&l)', ['L']),
      site('upd', 6, 'release', ['L'], 'spin_unlock(&l)'),
      site('upd', 7, 'acquire', ['S'], 'down_read(&sem)', ['S']),
      site('upd', 8, 'release', ['S'], 'up_read(&sem)'),
      site('upd', 9, 'grace-period', [], 'synchronize_rcu()'),
      site('upd', 10, 'rcu-free', [], 'kfree_rcu(p, rcu)'),
    ],
  );
  assert.deepEqual(strip(deriveOps(r, 'upd')), [{ rcuRead: 'rcu' }, { trylock: 'L' }, { lock: 'S', mode: 'read' }, { synchronizeRcu: 'rcu' }, { callRcu: 'rcu' }]);
});

test('a lock wrapper call (call-holding) is the acquisition; guards end with their function', () => {
  const r = result(
    [fn('cmd', 1, ['ovs_mutex', 'G']), fn('ovs_lock', 100, ['ovs_mutex']), fn('guarded', 200, ['G'])],
    [
      site('cmd', 3, 'call-holding', ['ovs_mutex'], 'ovs_lock()', ['ovs_mutex']),
      site('cmd', 9, 'call-holding', ['ovs_mutex'], 'ovs_unlock()', []),
      site('ovs_lock', 101, 'acquire', ['ovs_mutex'], 'mutex_lock(&ovs_mutex)', ['ovs_mutex']),
      site('guarded', 201, 'guard', ['G'], 'guard(mutex)(&g)', ['G']),
    ],
    [
      [step('cmd', 3, 'calls ovs_lock()'), step('ovs_lock', 101, 'acquires ovs_mutex')],
      [step('cmd', 5, 'calls guarded()'), step('guarded', 201, 'acquires G')],
    ],
  );
  // ovs_lock() is not expanded a second time; G's guard closes at the end of guarded().
  assert.deepEqual(strip(deriveOps(r, 'cmd')), [{ lock: 'ovs_mutex', ops: [{ lock: 'G' }] }]);
});

test('unknown entry points and unplaced locks are reported as problems', () => {
  const r = result([fn('netdev_run', 1, ['X', 'Y'])], [site('netdev_run', 2, 'acquire', ['X'], 'lock_x()', ['X'])]);
  const missing = deriveOpsWithProblems(r, 'netdev');
  assert.deepEqual(missing.ops, []);
  assert.equal(missing.problems[0].code, 'derive-entry-not-found');
  assert.match(missing.problems[0].message, /'netdev' is not a function of the analysis \(similar: netdev_run\)/);
  const partial = deriveOpsWithProblems(r, 'netdev_run');
  assert.deepEqual(strip(partial.ops), [{ lock: 'X' }, { lock: 'Y' }]);
  assert.deepEqual(partial.problems.map((p) => p.code), ['derive-order-unknown']);
  // Negative: when everything is placed there is no problem.
  const full = deriveOpsWithProblems(result([fn('f', 1, ['X'])], [site('f', 2, 'acquire', ['X'], 'lock_x()', ['X'])]), 'f');
  assert.deepEqual(full.problems, []);
});

test('recursive call chains terminate', () => {
  const r = result(
    [fn('walk', 1, ['N'])],
    [site('walk', 2, 'acquire', ['N'], 'mutex_lock(&n)', ['N']), site('walk', 4, 'release', ['N'], 'mutex_unlock(&n)')],
    [[step('walk', 3, 'calls walk()'), step('walk', 2, 'acquires N')]],
  );
  assert.deepEqual(strip(deriveOps(r, 'walk')), [{ lock: 'N' }]);
});

test('a derived scenario: the before/after timing difference comes from the code', () => {
  const json = JSON.parse(readFileSync(join(root, 'test/fixtures/sim/derived-scenario.json'), 'utf8'));
  const { scenario } = validateScenario(json);
  assert.ok(scenario);
  const before = fixture('analysis-before.json');
  const after = fixture('analysis-after.json');
  const derivedFor = (r: AnalysisResult) => new Map([['port_poll_run', deriveOps(r, 'port_poll_run')]]);
  const res = runSweep({
    scenario: scenario!,
    derived: { before: derivedFor(before), after: derivedFor(after) },
    lockTypes: { before: lockTypesOf(before), after: lockTypesOf(after) },
  });
  assert.deepEqual(res.problems, []);
  assert.equal(res.cells.length, 2);
  for (const c of res.cells) assert.ok(c.deltaPct < -50, `after should avoid the RTNL hog: ${JSON.stringify(c)}`);
  // Longer RTNL holds by the hog hurt "before" more.
  assert.ok(res.cells[1].before.mean > res.cells[0].before.mean * 3);
  // Negative control: deriving "after" from the before analysis gives no difference.
  const same = runSweep({ scenario: scenario!, derived: { before: derivedFor(before), after: derivedFor(before) } });
  for (const c of same.cells) assert.equal(c.deltaPct, 0);
  // Without derived ops the scenario cannot compile, and says why.
  const none = runSweep({ scenario: scenario!, reps: 1 });
  assert.match(none.problems[0].message, /no derived operations for entry point 'port_poll_run' in the before analysis/);
});
