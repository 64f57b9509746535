import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateScenario } from '../../../src/engine/sim/scenario';
import { runSweep } from '../../../src/engine/sim/sweep';

const root = process.env.LOCKLENS_ROOT ?? process.cwd();
const dir = join(root, 'examples/scenarios');
const load = (name: string) => validateScenario(JSON.parse(readFileSync(join(dir, name), 'utf8')));

test('every bundled scenario validates', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.ok(files.includes('netdev-rtnl-churn.json'));
  for (const f of files) assert.deepEqual(load(f).problems, [], f);
});

test('ovs-flow-install-rtnl: RTNL contention reaches flow installs through ovs_mutex only before the series', () => {
  const { scenario } = load('ovs-flow-install-rtnl.json');
  const res = runSweep({ scenario: scenario!, sweep: [['rtnl_hold_us', [0, 10000]]], set: { n_handlers: 2, flows_per_handler: 100 }, reps: 4 });
  const [calm, busy] = res.cells;
  assert.ok(Math.abs(calm.deltaPct) < 10, `no RTNL pressure, no difference: ${calm.deltaPct}`);
  assert.ok(busy.deltaPct < -50, `under pressure the decoupled path wins: ${busy.deltaPct}`);
  assert.ok(busy.before.mean > 2 * calm.before.mean);
  assert.ok(busy.after.mean < 1.2 * calm.after.mean, 'after the series flow installs ignore RTNL');
  // Negative control: without vport operations there is no ovs_mutex → RTNL path to transfer through.
  const noVport = runSweep({ scenario: scenario!, sweep: [['rtnl_hold_us', [10000]]], set: { n_handlers: 2, flows_per_handler: 100, vport_ops_gap_us: 1e12 }, reps: 4 });
  assert.ok(Math.abs(noVport.cells[0].deltaPct) < 10, `${noVport.cells[0].deltaPct}`);
});
