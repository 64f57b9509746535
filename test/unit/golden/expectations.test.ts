/** The golden harness's own logic: expectation syntax and the folder comparison semantics. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyKnownGaps, applyMutant, compareFindings, comparisonOk, formatComparison, parseExpectations, parseKnownGaps, parseMutants, snapshotOf, type GoldenFinding } from './expectations';

const RULES = ['lock-order-cycle', 'sleep-in-atomic', 'lock-imbalance'];

test('parses block and line expect comments, with and without locks', () => {
  const text = [
    'int a;',
    '\tspin_lock(&b);\t/* expect: lock-order-cycle locks=q_tx, q_rx */',
    '    f(); // expect: sleep-in-atomic',
    '\treturn 0;\t/* expect: lock-imbalance locks=struct li_port.lock */ /* expect: sleep-in-atomic */',
  ].join('\n');
  const { expectations, errors } = parseExpectations('x.c', text, RULES);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    expectations.map((e) => [e.line, e.rule, e.locks]),
    [
      [2, 'lock-order-cycle', ['q_rx', 'q_tx']],
      [3, 'sleep-in-atomic', null],
      [4, 'lock-imbalance', ['struct li_port.lock']],
      [4, 'sleep-in-atomic', null],
    ],
  );
});

test('rejects unknown rules and malformed bodies instead of ignoring them', () => {
  const text = 'a(); /* expect: no-such-rule */\nb(); /* expect: Lock Order */\nc(); /* expect: lock-imbalance locks=a,,b */';
  const { expectations, errors } = parseExpectations('y.c', text, RULES);
  assert.equal(expectations.length, 0);
  assert.deepEqual(
    errors.map((e) => e.line),
    [1, 2, 3],
  );
  assert.match(errors[0].message, /unknown rule id "no-such-rule"/);
});

const f = (rule: string, file: string, line: number, locks: string[] = ['m']): GoldenFinding => ({ rule, file, line, function: 'fn', locks });

test('comparison: matched expectations and findings of other rules in pos/neg files pass', () => {
  const { expectations } = parseExpectations('pos-a.c', 'x;\ny(); /* expect: sleep-in-atomic locks=m */', RULES);
  const c = compareFindings('sleep-in-atomic', expectations, [f('sleep-in-atomic', 'pos-a.c', 2), f('lock-imbalance', 'neg-b.c', 7)]);
  assert.ok(comparisonOk(c));
});

test('comparison: missing, wrong locks, unexpected and clean-file findings each fail', () => {
  const { expectations } = parseExpectations('pos-a.c', 'x;\ny(); /* expect: sleep-in-atomic locks=m */\nz(); /* expect: sleep-in-atomic */', RULES);
  const c = compareFindings('sleep-in-atomic', expectations, [
    f('sleep-in-atomic', 'pos-a.c', 2, ['other']),
    f('sleep-in-atomic', 'neg-b.c', 4),
    f('lock-imbalance', 'clean-c.c', 9),
  ]);
  assert.equal(comparisonOk(c), false);
  assert.deepEqual(c.missing.map((e) => e.line), [3]);
  assert.deepEqual(c.wrongLocks.map((w) => w.expectation.line), [2]);
  assert.deepEqual(c.unexpected.map((x) => `${x.file}:${x.line}`), ['neg-b.c:4']);
  assert.deepEqual(c.unclean.map((x) => `${x.file}:${x.line}`), ['clean-c.c:9']);
  const text = formatComparison('sleep-in-atomic', c, () => 'the source line');
  assert.match(text, /1 missing, 1 with other locks, 1 unexpected, 1 in clean files/);
  assert.match(text, /missing +pos-a\.c:3/);
  assert.match(text, /\+ unexpected +neg-b\.c:4 .*\n +\| the source line/);
});

test('comparison: a finding on an expected line of another rule is not "unexpected"; off-by-one lines are', () => {
  const { expectations } = parseExpectations('pos-a.c', 'a();\nb(); /* expect: lock-order-cycle */', RULES);
  const ok = compareFindings('lock-order-cycle', expectations, [f('lock-order-cycle', 'pos-a.c', 2)]);
  assert.ok(comparisonOk(ok));
  const off = compareFindings('lock-order-cycle', expectations, [f('lock-order-cycle', 'pos-a.c', 1)]);
  assert.equal(off.missing.length, 1);
  assert.equal(off.unexpected.length, 1);
});

test('snapshot keeps only the folder rule, de-duplicates and sorts by file, line, function', () => {
  const snap = snapshotOf('lock-imbalance', [
    f('lock-imbalance', 'pos-b.c', 3),
    f('sleep-in-atomic', 'pos-a.c', 1),
    f('lock-imbalance', 'pos-a.c', 9),
    f('lock-imbalance', 'pos-a.c', 9),
    f('lock-imbalance', 'pos-a.c', 2),
  ]);
  assert.deepEqual(snap.map((s) => `${s.file}:${s.line}`), ['pos-a.c:2', 'pos-a.c:9', 'pos-b.c:3']);
});

test("comparison with rule '*' (examples) reports unexpected findings of every rule", () => {
  const { expectations } = parseExpectations('kdp.c', 'a();\nb(); /* expect: lock-imbalance */', RULES);
  const c = compareFindings('*', expectations, [f('lock-imbalance', 'kdp.c', 2), f('sleep-in-atomic', 'kdp.c', 1)]);
  assert.deepEqual(c.unexpected.map((x) => x.rule), ['sleep-in-atomic']);
  assert.equal(c.missing.length, 0);
});

test('known gaps remove exactly their own mismatch and are reported stale once fixed', () => {
  const { expectations } = parseExpectations('pos-a.c', 'a(); /* expect: lock-imbalance */\nb(); /* expect: lock-imbalance */', RULES);
  const c = compareFindings('lock-imbalance', expectations, [f('lock-imbalance', 'neg-b.c', 5)]);
  const gaps = parseKnownGaps([
    { kind: 'missing', file: 'pos-a.c', line: 1, reason: 'engine: goto merge' },
    { kind: 'unexpected', file: 'neg-b.c', line: 5, reason: 'engine: read-read' },
    { kind: 'unexpected', file: 'neg-b.c', line: 9, reason: 'already fixed' },
  ]);
  const { comparison, stale } = applyKnownGaps(c, gaps);
  assert.deepEqual(comparison.missing.map((e) => e.line), [2]);
  assert.equal(comparison.unexpected.length, 0);
  assert.deepEqual(stale.map((g) => g.line), [9]);
  assert.throws(() => parseKnownGaps([{ kind: 'missing', file: 'x.c', line: 1 }]), /reason/);
  const withMutant = applyKnownGaps(c, parseKnownGaps([{ kind: 'mutant', file: 'neg-b.c', line: 3, reason: 'r' }]));
  assert.deepEqual(withMutant.stale, [], 'mutant gaps are checked where mutants run, not here');
});

test('mutants: single-line, grouped and empty replacements apply to the code only', () => {
  const text = [
    '\tx = kmalloc(n, GFP_ATOMIC);\t/* mutant: GFP_ATOMIC => GFP_KERNEL */',
    '\tread_lock(&a);\t/* mutant(rw): read_lock => write_lock */',
    '\tread_lock(&b);\t/* mutant(rw): read_lock => write_lock */',
    '\tsynchronize_rcu();\t/* mutant: synchronize_rcu(); => */',
  ].join('\n');
  const { mutants, errors } = parseMutants('neg-x.c', text);
  assert.deepEqual(errors, []);
  assert.deepEqual(mutants.map((m) => [m.name, m.edits.length]), [['line 1', 1], ['rw', 2], ['line 4', 1]]);
  const rw = applyMutant(text, mutants[1]).split('\n');
  assert.match(rw[1], /^\twrite_lock\(&a\);\t\/\* mutant\(rw\): read_lock => write_lock \*\/$/);
  assert.match(rw[2], /^\twrite_lock\(&b\);/);
  assert.match(applyMutant(text, mutants[2]).split('\n')[3], /^\t\t\/\* mutant/);
  const bad = parseMutants('neg-y.c', 'f(); /* mutant: g() => h() */');
  assert.match(bad.errors[0].message, /does not occur/);
  const onComment = parseMutants('neg-z.c', ' * uses GFP_ATOMIC. /* mutant: GFP_ATOMIC => GFP_KERNEL */');
  assert.match(onComment.errors[0].message, /comment line/);
});
