import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateScenario } from '../../../src/engine/sim/scenario';
import { runSweep } from '../../../src/engine/sim/sweep';

const root = process.env.LOCKLENS_ROOT ?? process.cwd();

test('speed: the bundled 8 × 7 sweep with 10 replications (1120 runs)', () => {
  const { scenario } = validateScenario(JSON.parse(readFileSync(join(root, 'examples/scenarios/netdev-rtnl-churn.json'), 'utf8')));
  assert.ok(scenario);
  const t0 = performance.now();
  const res = runSweep({ scenario: scenario!, reps: 10 });
  const ms = performance.now() - t0;
  console.log(`bundled sweep: ${res.cells.length} cells × ${res.reps} reps × 2 variants in ${ms.toFixed(0)} ms`);
  assert.equal(res.cells.length, 56);
  assert.deepEqual(res.problems, []);
  // Target is < 2 s on the 2-core dev machine; the bound is generous so a loaded CI box passes.
  assert.ok(ms < 20000, `took ${ms} ms`);
});
