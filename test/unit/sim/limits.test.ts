/**
 * Untrusted-input limits of the simulator: names resolve to own entries only (never to
 * Object.prototype), and nesting is bounded (operations, expressions, derived sections) with a
 * clear, path-named error instead of a stack overflow. Each limit is tested at and past its edge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisResult, FunctionFacts, LockSite } from '../../../src/engine/model';
import { MAX_EXPR_DEPTH, evalExpr, exprIdents, parseExpr } from '../../../src/engine/sim/expr';
import { MAX_OP_DEPTH, validateScenario, type Op } from '../../../src/engine/sim/scenario';
import { MAX_COMPILED_DEPTH, compileScenario } from '../../../src/engine/sim/compile';
import { MAX_DERIVED_DEPTH, deriveEntries, deriveOpsWithProblems } from '../../../src/engine/sim/derive';
import { scenario } from './helpers';

const messages = (json: unknown): string[] => validateScenario(json).problems.map((p) => p.message);
const valid = (json: unknown) => {
  const v = validateScenario(json);
  assert.ok(v.scenario, v.problems.map((p) => p.message).join(' | '));
  return v.scenario;
};
/** `k` repeats around a think: the think sits at nesting level k + 1. */
const nestedRepeats = (k: number): unknown => {
  let op: unknown = { think: 1 };
  for (let i = 0; i < k; i++) op = { repeat: 1, ops: [op] };
  return op;
};

// --- names -------------------------------------------------------------------------------------

test('inherited names are not functions; the real ones still are', () => {
  for (const name of ['toString', 'constructor', 'hasOwnProperty', '__defineGetter__', 'valueOf', '__proto__']) {
    const r = parseExpr(`${name}(1)`);
    assert.equal(r.expr, undefined, name);
    assert.equal(r.error, `unknown function '${name}' (known: ceil, floor, max, min, round, sqrt)`);
  }
  const ok = parseExpr('min(4, max(1, 2), floor(2.5), ceil(0.5), round(1.4), sqrt(9))');
  assert.equal(ok.error, undefined);
  assert.equal(evalExpr(ok.expr!, {}), 1);
});

test('an inherited function name is a validation error naming the field', () => {
  const msgs = messages(scenario([{ name: 'r', ops: [{ think: '__defineGetter__()' }] }]));
  assert.deepEqual(msgs, [
    "roles[0].ops[0].think: bad expression '__defineGetter__()': unknown function '__defineGetter__' (known: ceil, floor, max, min, round, sqrt)",
  ]);
});

test('inherited names are unknown parameters unless declared, then they are ordinary ones', () => {
  assert.deepEqual(messages(scenario([{ name: 'r', ops: [{ think: 'constructor + 1' }] }])), [
    "roles[0].ops[0].think: unknown parameter 'constructor' (known: none declared)",
  ]);
  assert.ok(Number.isNaN(evalExpr(parseExpr('toString').expr!, {})), 'inherited name evaluates to NaN, not a function');
  // JSON.parse makes "__proto__" an own key; it must work like any other parameter name.
  const json = JSON.parse('{"version":1,"name":"s","params":{"constructor":5,"__proto__":4},"roles":[{"name":"r","ops":[{"think":"constructor * 2 + __proto__"}]}]}');
  const s = valid(json);
  const c = compileScenario({ scenario: s, variant: 'before', overrides: { constructor: 6 } });
  assert.deepEqual(c.problems, []);
  assert.equal(c.program!.roles[0].ops[0].hold!.a, 16);
});

test('lock ids named like Object.prototype members use the own holds/locks entries only', () => {
  const s = valid(
    scenario([{ name: 'r', ops: [{ lock: 'constructor' }, { lock: 'toString' }, { rcuRead: 'valueOf' }] }], {
      holds: { default: 7, toString: 3 },
    }),
  );
  const c = compileScenario({ scenario: s, variant: 'before' });
  assert.deepEqual(c.problems, []);
  const p = c.program!;
  assert.deepEqual(p.roles[0].ops.map((o) => o.hold!.a), [7, 3, 7]); // constructor → default, toString → own entry
  assert.deepEqual(p.locks.map((l) => [l.id, l.type]), [['constructor', 'mutex'], ['toString', 'mutex'], ['valueOf', 'rcu']]);
  // Without any holds table: no hold at all (not Object.prototype.constructor as a "distribution").
  const bare = compileScenario({ scenario: valid(scenario([{ name: 'r', ops: [{ lock: 'constructor' }] }])), variant: 'before' });
  assert.equal(bare.program!.roles[0].ops[0].hold, null);
});

// --- operation nesting ----------------------------------------------------------------------------

test(`operations nest up to ${MAX_OP_DEPTH} levels; one more is an error at the deepest ops path`, () => {
  assert.equal(MAX_OP_DEPTH, 64);
  const s = valid(scenario([{ name: 'r', ops: [nestedRepeats(MAX_OP_DEPTH - 1)] }]));
  assert.deepEqual(compileScenario({ scenario: s, variant: 'before' }).problems, []);
  const path = `roles[0].ops${'[0].ops'.repeat(MAX_OP_DEPTH)}`;
  assert.deepEqual(messages(scenario([{ name: 'r', ops: [nestedRepeats(MAX_OP_DEPTH)] }])), [`${path}: nesting deeper than 64 levels of operations`]);
});

test('every nesting op kind counts, and 20 000 levels give one error quickly', () => {
  let op: unknown = { think: 1 };
  const wrappers = [(o: unknown) => ({ lock: 'm', ops: [o] }), (o: unknown) => ({ trylock: 'm', else: [o] }), (o: unknown) => ({ only: 'before', ops: [o] }), (o: unknown) => ({ tryWait: 'e', ops: [o] }), (o: unknown) => ({ rcuRead: 'r', ops: [o] })];
  for (let i = 0; i < MAX_OP_DEPTH; i++) op = wrappers[i % wrappers.length](op);
  const msgs = messages(scenario([{ name: 'r', ops: [op] }]));
  assert.equal(msgs.length, 1, msgs.join(' | '));
  assert.match(msgs[0], /^roles\[0\]\.ops(\[0\]\.(ops|else)){64}: nesting deeper than 64 levels of operations$/);

  const t0 = performance.now();
  const deep = messages(scenario([{ name: 'r', ops: [nestedRepeats(20_000)] }]));
  assert.equal(deep.length, 1);
  assert.match(deep[0], /: nesting deeper than 64 levels of operations$/);
  assert.ok(performance.now() - t0 < 1000);
});

test('a deeply nested bad value is described, not serialised', () => {
  let v: unknown = 1;
  for (let i = 0; i < 200_000; i++) v = [v];
  assert.deepEqual(messages(scenario([{ name: 'r', ops: [{ think: { dist: v, mean: 1 } }] }])), [
    'roles[0].ops[0].think.dist: expected "fixed", "exp" or "lognormal", got an array',
  ]);
  assert.deepEqual(messages(scenario([{ name: 'r', ops: [{ think: { dist: 'weibull', mean: 1 } }] }])), [
    'roles[0].ops[0].think.dist: expected "fixed", "exp" or "lognormal", got "weibull"',
  ]);
});

// --- expression nesting -------------------------------------------------------------------------

test(`expressions nest up to ${MAX_EXPR_DEPTH} levels of parentheses, calls and signs`, () => {
  assert.equal(MAX_EXPR_DEPTH, 256);
  const tooDeep = `nesting deeper than 256 levels (parentheses, function calls, unary signs)`;
  const cases: [string, (n: number) => string][] = [
    ['parentheses', (n) => '('.repeat(n) + '2' + ')'.repeat(n)],
    ['calls', (n) => 'min('.repeat(n) + '2' + ')'.repeat(n)],
    ['unary minus', (n) => '-'.repeat(n) + '2'],
    ['mixed', (n) => '-('.repeat(n / 2) + '2' + ')'.repeat(n / 2)],
  ];
  for (const [what, make] of cases) {
    const ok = parseExpr(make(MAX_EXPR_DEPTH));
    assert.equal(ok.error, undefined, what);
    assert.equal(Math.abs(evalExpr(ok.expr!, {})), 2, what);
    assert.deepEqual(parseExpr(make(MAX_EXPR_DEPTH + 2)), { error: tooDeep }, what);
    assert.deepEqual(parseExpr(make(50_000)), { error: tooDeep }, what);
  }
  // In a scenario: the field path, and the expression cut short in the message.
  const msgs = messages(scenario([{ name: 'r', ops: [{ think: '('.repeat(20_000) + '1' + ')'.repeat(20_000) }] }]));
  assert.deepEqual(msgs, [`roles[0].ops[0].think: bad expression '${'('.repeat(60)}…': ${tooDeep}`]);
});

test('long flat expressions are not nesting: evaluated without recursion, same value', () => {
  // 20 000 terms overflowed the stack of a recursive evaluator (a left-deep tree).
  const n = 20_000;
  const sum = parseExpr('1+'.repeat(n) + 'x');
  assert.equal(sum.error, undefined);
  assert.equal(evalExpr(sum.expr!, { x: 0.5 }), n + 0.5);
  assert.deepEqual([...exprIdents(sum.expr!)], ['x']);
  // Left-associative, evaluated left to right: 0.1+0.2+0.3 is not 0.1+(0.2+0.3).
  assert.equal(evalExpr(parseExpr('0.1+0.2+0.3').expr!, {}), 0.1 + 0.2 + 0.3);
  assert.notEqual(0.1 + 0.2 + 0.3, 0.1 + (0.2 + 0.3));
  // 200 000 arguments overflowed Math.max(...args).
  const many = parseExpr(`max(${Array.from({ length: 200_000 }, (_, i) => i % 1000).join(',')}) + min(3, -0, 0)`);
  assert.equal(many.error, undefined);
  assert.ok(Object.is(evalExpr(many.expr!, {}), 999));
  assert.ok(Object.is(evalExpr(parseExpr('min(0, -0)').expr!, {}), -0));
  assert.ok(Object.is(evalExpr(parseExpr('max(-0, 0)').expr!, {}), 0));
  assert.ok(Number.isNaN(evalExpr(parseExpr('max(1, x, 2)').expr!, { x: NaN })));
  assert.equal(evalExpr(parseExpr('min()').expr!, {}), Infinity);
  assert.equal(evalExpr(parseExpr('floor(2.7, 9) + sqrt()').expr!, {}), NaN);
  const s = valid(scenario([{ name: 'r', ops: [{ think: '1+'.repeat(n) + '1' }] }]));
  assert.equal(compileScenario({ scenario: s, variant: 'before' }).program!.roles[0].ops[0].hold!.a, n + 1);
});

// --- compile and derive ----------------------------------------------------------------------------

test(`compile stops at ${MAX_COMPILED_DEPTH} levels after derive expansion, and on derive chains`, () => {
  const nestLocks = (k: number): Op[] => {
    let ops: Op[] = [{ think: 1 }];
    for (let i = 0; i < k; i++) ops = [{ lock: 'm', ops }];
    return ops;
  };
  const s = valid(scenario([{ name: 'r', ops: [{ repeat: 1, ops: [{ derive: 'entry' }] }] }]));
  const compile = (derived: Map<string, Op[]>) => compileScenario({ scenario: s, variant: 'before', derived });
  // repeat (1) > its ops (2) > derive (3) > derived sections.
  assert.deepEqual(compile(new Map([['entry', nestLocks(MAX_COMPILED_DEPTH - 3)]])).problems, []);
  const deep = compile(new Map([['entry', nestLocks(20_000)]]));
  assert.equal(deep.program, null);
  assert.equal(deep.problems.length, 1);
  assert.match(deep.problems[0].message, /^roles\[0\]\.ops\[0\]\.ops\[0\]<derive entry>(\[0\]\.ops)+: nesting deeper than 256 levels of operations \(after derive expansion\)$/);
  const chain = new Map<string, Op[]>(Array.from({ length: 20_000 }, (_, i) => [i === 0 ? 'entry' : `e${i}`, [{ derive: `e${i + 1}` }]]));
  const c = compile(chain);
  assert.equal(c.program, null);
  assert.match(c.problems[0].message, /nesting deeper than 256/);
  // Something that is not an op (only possible in programmatic derived maps) is a problem too.
  const notOp = compile(new Map([['entry', [{ nothing: 1 } as unknown as Op]]]));
  assert.deepEqual(notOp.problems.map((p) => p.message), ['roles[0].ops[0].ops[0]<derive entry>[0]: not an operation']);
});

test(`derived lock sections nest up to ${MAX_DERIVED_DEPTH} levels; deeper is an error problem`, () => {
  const F = 'x.c';
  const analysis = (depth: number): AnalysisResult => {
    const fn: FunctionFacts = { name: 'f', file: F, line: 1, endLine: 10 * depth + 10, callers: 0, entry: { must: [], may: [] }, acquires: ['m0'], returnsHolding: [], releasesUnheld: [], requires: [], maySleep: false, partial: false };
    const site = (line: number, op: 'acquire' | 'release', lock: string): LockSite => ({ file: F, line, col: 1, function: 'f', op, locks: [lock], heldAfter: { must: [], may: [] }, text: `${op}(${lock})` });
    const sites: LockSite[] = [];
    for (let i = 0; i < depth; i++) sites.push(site(2 + i, 'acquire', `m${i}`));
    for (let i = depth - 1; i >= 0; i--) sites.push(site(2 * depth + 10 - i, 'release', `m${i}`));
    return { functions: [fn], sites, edges: [], findings: [], locks: [] } as unknown as AnalysisResult;
  };
  const depthOf = (ops: Op[]): number => {
    let d = 0;
    for (let cur: Op[] | undefined = ops; cur && cur.length; cur = (cur[0] as { ops?: Op[] }).ops) d++;
    return d;
  };
  const ok = deriveOpsWithProblems(analysis(MAX_DERIVED_DEPTH), 'f');
  assert.deepEqual(ok.problems.filter((p) => p.severity === 'error'), []);
  assert.equal(depthOf(ok.ops), MAX_DERIVED_DEPTH);
  const deep = deriveOpsWithProblems(analysis(5_000), 'f');
  assert.deepEqual(deep.problems.filter((p) => p.severity === 'error').map((p) => [p.code, p.message]), [
    ['derive-depth', 'derive f: lock sections nest deeper than 128 levels; the analysis is not usable for simulation'],
  ]);
  assert.ok(depthOf(deep.ops) <= MAX_DERIVED_DEPTH);
});

test('deriveEntries walks any nesting in document order without recursion', () => {
  let op: unknown = { derive: 'inner' };
  for (let i = 0; i < 100_000; i++) op = { repeat: 1, ops: [op] };
  const ops = [{ derive: 'first' }, { trylock: 'm', ops: [{ derive: 'a' }], else: [{ derive: 'b' }] }, op, { derive: 'last' }] as Op[];
  assert.deepEqual([...deriveEntries(ops)], ['first', 'a', 'b', 'inner', 'last']);
  assert.deepEqual([...deriveEntries([{ think: 1 }])], []);
});
