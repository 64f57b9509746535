import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { globToRegExp, matchesAny, nameMatcher } from '../../../src/engine/analysis/util';

test('nameMatcher answers like matchesAny over the compiled globs, for any list and name, memo or not', () => {
  const part = fc.constantFrom('a', 'b', '_', 'run', 'poll', '*', '?', '.', '(');
  const glob = fc.array(part, { minLength: 1, maxLength: 4 }).map((xs) => xs.join(''));
  const name = fc.array(fc.constantFrom('a', 'b', '_', 'run', 'poll', '.', 'x'), { maxLength: 5 }).map((xs) => xs.join(''));
  fc.assert(
    fc.property(fc.array(glob, { maxLength: 4 }), fc.array(name, { minLength: 1, maxLength: 6 }), (globs, names) => {
      const res = globs.map(globToRegExp);
      const m = nameMatcher(globs);
      // Twice: the second answer comes from the memo.
      for (const n of [...names, ...names]) assert.equal(m(n), matchesAny(n, res), `${JSON.stringify(globs)} ${n}`);
    }),
    { numRuns: 300 },
  );
});

test('memos of different glob lists do not leak into each other', () => {
  const run = nameMatcher(['*_run']);
  const poll = nameMatcher(['*_poll']);
  assert.equal(run('dp_run'), true);
  assert.equal(poll('dp_run'), false);
  assert.equal(poll('dp_poll'), true);
  assert.equal(run('dp_poll'), false);
  assert.equal(nameMatcher([])('dp_run'), false);
});
