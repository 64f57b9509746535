import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, mixSeed } from '../../../src/engine/sim/rng';
import { validateScenario } from '../../../src/engine/sim/scenario';
import { runSweep } from '../../../src/engine/sim/sweep';
import { run, scenario } from './helpers';

const root = process.env.LOCKLENS_ROOT ?? process.cwd();
const bundled = () => validateScenario(JSON.parse(readFileSync(join(root, 'examples/scenarios/netdev-rtnl-churn.json'), 'utf8'))).scenario!;

test('same seed ⇒ identical sweep JSON; another seed ⇒ different numbers', () => {
  const input = { scenario: bundled(), sweep: [['n_ifaces', [10, 20]], ['rtnl_delay_us', [0, 1000]]] as [string, number[]][], reps: 3 };
  const a = JSON.stringify(runSweep({ ...input, seed: 7 }));
  const b = JSON.stringify(runSweep({ ...input, seed: 7 }));
  const c = JSON.stringify(runSweep({ ...input, seed: 8 }));
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test('the sweep JSON follows the contract', () => {
  const res = runSweep({ scenario: bundled(), sweep: [['n_ifaces', [10]], ['rtnl_delay_us', [0, 500]]], reps: 2, seed: 3 });
  assert.equal(res.version, 1);
  assert.equal(res.cells.length, 2);
  for (const c of res.cells) {
    assert.deepEqual(Object.keys(c), ['params', 'before', 'after', 'deltaPct']);
    assert.deepEqual(Object.keys(c.params), ['n_ifaces', 'rtnl_delay_us']);
    for (const s of [c.before, c.after]) {
      assert.ok(s.mean > 0 && s.mean < 10, `seconds expected, got ${s.mean}`);
      assert.ok(s.std >= 0);
    }
    assert.equal(c.deltaPct, Math.round(((c.after.mean - c.before.mean) / c.before.mean) * 10000) / 100);
  }
});

test('rng: deterministic, uniform in [0,1), seeds decorrelated', () => {
  const a = createRng(42);
  const b = createRng(42);
  const xs = Array.from({ length: 20000 }, () => a.next());
  assert.deepEqual(xs.slice(0, 50), Array.from({ length: 50 }, () => b.next()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  assert.notEqual(createRng(1).next(), createRng(2).next());
  assert.notEqual(mixSeed(1, 0), mixSeed(1, 1));
  assert.notEqual(mixSeed(1, 2), mixSeed(2, 1));
});

test('distributions: fixed is exact; exp and lognormal have the requested mean and spread', () => {
  const mk = (d: unknown) => scenario([{ name: 'a', ops: [{ repeat: 20000, ops: [{ think: d }] }] }]);
  assert.equal(run(mk(7)).makespanUs, 140000);
  const exp = run(mk({ dist: 'exp', mean: 10 })).makespanUs / 20000;
  assert.ok(Math.abs(exp - 10) < 0.3, `exp mean ${exp}`);
  const ln = run(mk({ dist: 'lognormal', mean: 10, cv: 0.5 })).makespanUs / 20000;
  assert.ok(Math.abs(ln - 10) < 0.2, `lognormal mean ${ln}`);
  // Spread: cv 0 collapses to fixed, cv 0.5 does not.
  const cv0 = run(mk({ dist: 'lognormal', mean: 10, cv: 0 })).makespanUs;
  assert.ok(Math.abs(cv0 - 200000) < 1e-6);
});
