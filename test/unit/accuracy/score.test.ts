/**
 * The accuracy harness's own arithmetic: the seeded draw follows judging.md, and scoring counts
 * verdicts, gone findings and losses of right ones the way the closing notes report them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error plain ESM helper of the harness, no type declarations
import { drawSample } from '../../accuracy/draw.mjs';
// @ts-expect-error plain ESM helper of the harness, no type declarations
import { parseVerdicts, score, requiresRecall } from '../../accuracy/score.mjs';

const finding = (rule: string, i: number) => ({ rule, fingerprint: `${rule}-${i}`, file: 'a.c', line: i, function: `f${i}` });
const many = (rule: string, n: number) => Array.from({ length: n }, (_, i) => finding(rule, i));

test('draw: all of a rule with ≤ 8 findings, 8 of a larger one, 12 of the largest; deterministic per seed', () => {
  const findings = [...many('big', 40), ...many('mid', 9), ...many('small', 8)];
  const a = drawSample(findings, 'c', '1');
  const count = (r: string) => a.filter((f: { rule: string }) => f.rule === r).length;
  assert.equal(count('big'), 12);
  assert.equal(count('mid'), 8);
  assert.equal(count('small'), 8);
  assert.deepEqual(drawSample(findings, 'c', '1'), a);
  const b = drawSample(findings, 'c', '2');
  assert.notDeepEqual(b.map((f: { fingerprint: string }) => f.fingerprint), a.map((f: { fingerprint: string }) => f.fingerprint));
});

test('score: precision per rule, gone verdicts split into fixes and losses', () => {
  const verdicts = parseVerdicts(
    [
      { corpus: 'c', fingerprint: 'r-0', rule: 'r', verdict: 'right', reason: 'a.c:1 real' },
      { corpus: 'c', fingerprint: 'r-1', rule: 'r', verdict: 'wrong', cause: 'guard', reason: 'a.c:2 guarded' },
      { corpus: 'c', fingerprint: 'r-2', rule: 'r', verdict: 'right-annotation', reason: 'a.c:3' },
      { corpus: 'c', fingerprint: 'r-9', rule: 'r', verdict: 'wrong', cause: 'identity', reason: 'a.c:9 gone' },
      { corpus: 'c', fingerprint: 'q-0', rule: 'q', verdict: 'right', reason: 'a.c:4 lost' },
    ]
      .map((v) => JSON.stringify(v))
      .join('\n'),
  );
  const s = score([...many('r', 3), finding('q', 5)], verdicts);
  const r = s.rows.find((x: { rule: string }) => x.rule === 'r');
  assert.deepEqual([r.findings, r.judged, r.right, r.rightAnnotation, r.wrong, r.goneWrong], [3, 3, 1, 1, 1, 1]);
  assert.equal(s.total.judged, 3);
  assert.equal(s.total.precision, 2 / 3);
  assert.equal(s.lost.length, 1);
  assert.equal(s.lost[0].fingerprint, 'q-0');
});

test('verdict files: malformed lines are refused with their line number', () => {
  assert.throws(() => parseVerdicts('{"corpus":"c"}\n', 'v.jsonl'), /v\.jsonl:1: missing "fingerprint"/);
  assert.throws(() => parseVerdicts('{"corpus":"c","fingerprint":"x","rule":"r","verdict":"maybe","reason":"x"}', 'v'), /verdict "maybe"/);
  assert.throws(() => parseVerdicts('nope', 'v'), /v:1: not JSON/);
});

test('requires recall: must-held, may-held only, and missing', () => {
  const fn = (name: string, requires: string[], must: string[], may: string[]) => ({ name, file: 'a.c', line: 1, requires, entry: { must, may } });
  const annotated = { functions: [fn('f', ['A', 'B', 'C'], [], []), fn('g', ['A'], [], [])] };
  const bare = { functions: [fn('f', [], ['A'], ['A', 'B']), fn('g', [], [], [])] };
  assert.deepEqual(requiresRecall(annotated, bare), { facts: 4, must: 1, may: 1 });
});
