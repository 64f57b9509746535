import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateScenario } from '../../../src/engine/sim/scenario';
import { compileScenario } from '../../../src/engine/sim/compile';

const root = process.env.LOCKLENS_ROOT ?? process.cwd();
const base = () => ({
  version: 1,
  name: 't',
  params: { n: 3 },
  roles: [
    { name: 'a', ops: [{ lock: 'm', hold: 10 }] },
    { name: 'b', ops: [{ think: 5 }] },
    { name: 'c', ops: [{ lock: 'm', hold: 10 }] },
  ],
});
const messages = (input: unknown): string[] => validateScenario(input).problems.map((p) => p.message);

test('a valid scenario has no problems; the bundled scenario is valid', () => {
  assert.deepEqual(messages(base()), []);
  const bundled = JSON.parse(readFileSync(join(root, 'examples/scenarios/netdev-rtnl-churn.json'), 'utf8'));
  assert.deepEqual(messages(bundled), []);
});

test('a bad hold names the field path: roles[2].ops[0].hold: expected a distribution', () => {
  const s = base();
  (s.roles[2].ops[0] as Record<string, unknown>).hold = { mean: 3 };
  const m = messages(s);
  assert.equal(m.length, 1);
  assert.match(m[0], /^roles\[2\]\.ops\[0\]\.hold: expected a distribution/);
  (s.roles[2].ops[0] as Record<string, unknown>).hold = true;
  assert.match(messages(s)[0], /^roles\[2\]\.ops\[0\]\.hold: expected a distribution/);
});

test('distribution details are checked', () => {
  const s = base();
  (s.roles[1].ops[0] as Record<string, unknown>).think = { dist: 'gamma', mean: 1 };
  assert.match(messages(s)[0], /^roles\[1\]\.ops\[0\]\.think\.dist: expected "fixed", "exp" or "lognormal"/);
  (s.roles[1].ops[0] as Record<string, unknown>).think = { dist: 'lognormal', mean: 1 };
  assert.match(messages(s)[0], /^roles\[1\]\.ops\[0\]\.think\.cv: missing/);
  (s.roles[1].ops[0] as Record<string, unknown>).think = { dist: 'exp', mean: 'n *' };
  assert.match(messages(s)[0], /^roles\[1\]\.ops\[0\]\.think\.mean: bad expression 'n \*'/);
});

test('unknown parameters in expressions are reported with the known ones', () => {
  const s = base();
  s.roles[0].ops = [{ repeat: 'n_iface * 2', ops: [{ think: 1 }] }] as never;
  assert.deepEqual(messages(s), ["roles[0].ops[0].repeat: unknown parameter 'n_iface' (known: n)"]);
});

test('structure errors: op keys, unknown fields, roles, version', () => {
  const s = base() as Record<string, unknown>;
  const roles = s.roles as { name: string; ops: unknown[] }[];
  roles[0].ops = [{ lock: 'm', think: 3 }];
  roles[1].ops = [{ nap: 3 }];
  roles[2].ops = [{ lock: 'm', hodl: 3 }];
  s.version = 2;
  s.extra = 1;
  const m = messages(s);
  assert.ok(m.includes('version: expected 1'), m.join('\n'));
  assert.ok(m.includes('extra: unknown field'));
  assert.ok(m.some((x) => x.startsWith('roles[0].ops[0]: has several operation keys (lock, think)')));
  assert.ok(m.some((x) => x.startsWith('roles[1].ops[0]: expected one of the keys lock, trylock')));
  assert.ok(m.includes("roles[2].ops[0].hodl: unknown field for a 'lock' operation"));
  assert.deepEqual(messages({ version: 1, name: 'x', roles: [] }), ['roles: expected a non-empty array of roles']);
  assert.deepEqual(messages([]), ['(root): expected a JSON object']);
});

test('a scenario without a measured role is rejected', () => {
  const m = messages({ version: 1, name: 'x', roles: [{ name: 'bg', iterations: 'forever', ops: [{ think: 1 }] }] });
  assert.match(m[0], /^roles: no measured role/);
});

test('duplicate role names, bad lock types, bad sweep and only', () => {
  const s = base() as Record<string, unknown>;
  (s.roles as { name: string }[])[1].name = 'a';
  s.locks = { m: { type: 'futex' } };
  s.sweep = { n: [], d: [1] };
  (s.roles as { ops: unknown[] }[])[2].ops = [{ only: 'during', ops: [] }];
  const m = messages(s);
  assert.ok(m.includes("roles[1].name: duplicate role name 'a'"), m.join('\n'));
  assert.ok(m.some((x) => x.startsWith('locks.m.type: expected one of mutex')));
  assert.ok(m.includes('sweep.n: expected a non-empty array of numbers'));
  assert.ok(m.includes("sweep.d: unknown parameter 'd'"));
  assert.ok(m.includes('roles[2].ops[0].only: expected "before" or "after"'));
});

test('compile-time errors: negative values and RCU misuse name the path', () => {
  const { scenario } = validateScenario({
    version: 1,
    name: 'x',
    params: { d: -5 },
    locks: { rcu: { type: 'rcu' } },
    roles: [{ name: 'a', ops: [{ think: 'd' }, { lock: 'rcu' }] }],
  });
  assert.ok(scenario);
  const { program, problems } = compileScenario({ scenario: scenario!, variant: 'before' });
  assert.equal(program, null);
  const m = problems.map((p) => p.message);
  assert.ok(m.includes('roles[0].ops[0].think: expected a time >= 0 µs, got -5'), m.join('\n'));
  assert.ok(m.some((x) => x.startsWith("roles[0].ops[1].lock: 'rcu' is a rcu")));
  // Overrides change the outcome: the same scenario compiles with d >= 0.
  assert.ok(compileScenario({ scenario: scenario!, variant: 'before', overrides: { d: 5 } }).problems.every((p) => !p.message.includes('think')));
});
