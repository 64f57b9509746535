/**
 * Scenario JSON is untrusted input (users write it, the webview saves it). Random JSON and
 * random mutations of the example scenarios must never make validation or compilation throw;
 * every rejection names the field path; parameter expressions never run anything but arithmetic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { validateScenario } from '../../../src/engine/sim/scenario';
import { compileScenario } from '../../../src/engine/sim/compile';
import { parseExpr } from '../../../src/engine/sim/expr';
import { CaseStats, ROOT, fcParams } from './harness';

const EXAMPLES = readdirSync(join(ROOT, 'examples/scenarios'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ name: f, json: JSON.parse(readFileSync(join(ROOT, 'examples/scenarios', f), 'utf8')) as Record<string, unknown> }));

/** Validation then, if valid, compilation of both variants; must never throw. */
function check(input: unknown): { valid: boolean; messages: string[] } {
  const v = validateScenario(input);
  const messages = v.problems.map((p) => p.message);
  for (const p of v.problems) {
    assert.equal(p.code, 'invalid-scenario');
    // Every message is `<field path>: <reason>` (`roles[0].ops[2].hold: ...`, `(root): ...`);
    // user-chosen keys may hold any character, so only the shape is checked here.
    assert.match(p.message, /: \S/, p.message);
  }
  if (v.scenario) {
    for (const variant of ['before', 'after'] as const) {
      const c = compileScenario({ scenario: v.scenario, variant });
      for (const p of c.problems) assert.ok(p.message.trim().length > 0);
    }
  }
  return { valid: v.scenario !== null, messages };
}

test('the example scenarios are valid (control for the mutations below)', () => {
  assert.ok(EXAMPLES.length >= 1);
  for (const e of EXAMPLES) assert.deepEqual(check(e.json), { valid: true, messages: [] }, e.name);
});

test('random JSON values never make validation or compilation throw', () => {
  let rejected = 0;
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
      if (!check(v).valid) rejected++;
    }),
    fcParams(300),
  );
  assert.ok(rejected > 0);
});

/** Replace the value at a random path of an example with hostile JSON. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}
function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1]] = value;
  return copy;
}
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(-1, 0, 1e308, -1e308, 1.5, '', 'NaN', 'Infinity', '1/0', '((((', 'n_ifaces * ', 'toString()', 'constructor', '__proto__', null, [], {}, { dist: 'exp' }, { dist: 'lognormal', mean: 1 }),
);

test('mutated example scenarios: every rejection names the field; valid ones compile', (t) => {
  const stats = new CaseStats();
  let valid = 0;
  let invalid = 0;
  fc.assert(
    fc.property(fc.nat(EXAMPLES.length - 1), fc.nat(), hostileValue, (ei, pi, value) => {
      const base = EXAMPLES[ei].json;
      const all = paths(base);
      const path = all[pi % all.length];
      const mutated = setAt(base, path, value);
      const r = stats.time(`${EXAMPLES[ei].name} ${JSON.stringify(path)} = ${JSON.stringify(value)}`, () => check(mutated));
      if (r.valid) valid++;
      else {
        invalid++;
        // The complaint is about the field that was changed (or a parent/child of it, or a
        // cross-reference such as an expression naming a parameter that no longer exists).
        const dotted = path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').replace(/^\./, '');
        const top = String(path[0] ?? '');
        assert.ok(
          r.messages.some((m) => m.startsWith(dotted) || dotted.startsWith(m.split(':')[0]) || m.startsWith(top) || /unknown parameter|no measured role|sweep\./.test(m)),
          `changed ${dotted || '(root)'}, got: ${r.messages.join(' | ')}`,
        );
      }
    }),
    fcParams(300),
  );
  t.diagnostic(`${stats.summary('mutated scenarios')}; ${valid} still valid, ${invalid} rejected`);
  assert.ok(valid > 0 && invalid > 0);
});

test('a bad field is named precisely', () => {
  const s = structuredClone(EXAMPLES[0].json) as { roles: { ops: unknown[] }[] };
  s.roles[0].ops[0] = { lock: 'rtnl_mutex', hold: { dist: 'weibull', mean: 1 } };
  const msgs = check(s).messages;
  assert.ok(msgs.includes('roles[0].ops[0].hold.dist: expected "fixed", "exp" or "lognormal", got "weibull"'), msgs.join(' | '));
});

// ---------------------------------------------------------------------------------------------
// Known failures

test('functions inherited from Object.prototype are not scenario functions', () => {
  for (const e of ['toString()', 'constructor(1)', 'hasOwnProperty(1)', '__defineGetter__()', 'valueOf()']) {
    assert.ok(parseExpr(e).error, `${e} parsed as a function call`);
    const s = { version: 1, name: 's', params: {}, roles: [{ name: 'r', ops: [{ think: e }] }] };
    assert.doesNotThrow(() => check(s), e);
    assert.equal(check(s).valid, false, `${e} accepted`);
  }
});

test('deeply nested scenario input is rejected, not a stack overflow', () => {
  let op: unknown = { think: 1 };
  for (let i = 0; i < 20_000; i++) op = { repeat: 1, ops: [op] };
  assert.doesNotThrow(() => validateScenario({ version: 1, name: 's', params: {}, roles: [{ name: 'r', ops: [op] }] }));
  assert.doesNotThrow(() => parseExpr('('.repeat(20_000) + '1' + ')'.repeat(20_000)));
  assert.doesNotThrow(() => parseExpr('-'.repeat(50_000) + '1'));
});

test('control: moderately nested scenarios still validate', () => {
  let op: unknown = { think: 1 };
  for (let i = 0; i < 50; i++) op = { repeat: 1, ops: [op] };
  assert.equal(check({ version: 1, name: 's', params: {}, roles: [{ name: 'r', ops: [op] }] }).valid, true);
  assert.equal(parseExpr('('.repeat(200) + '1' + ')'.repeat(200)).error, undefined);
});
