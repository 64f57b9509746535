/**
 * referencedNames decides which functions an incremental run re-analyses when a declaration
 * changes: it must find every identifier the regex /[A-Za-z_][A-Za-z0-9_]*\/g would (a missed
 * name would leave a stale result), and its hand-written scanner must not drift from that.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FunctionIR } from '../../../src/engine/ir';
import { referencedNames } from '../../../src/engine/analysis/scc-summaries';

/** The oracle: every string anywhere in the object, tokenised by the regex. */
const byRegex = (ir: unknown): Set<string> => {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') for (const m of v.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) out.add(m[0]);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(ir);
  return out;
};

const fakeIr = (name: string, texts: string[]): FunctionIR =>
  // Only the strings matter to the scan; the shape mimics nested statements.
  ({ name, body: { k: 'block', stmts: texts.map((t) => ({ k: 'expr', text: t, line: 1 })) } }) as unknown as FunctionIR;

test('identifiers found as the regex tokenises them (C-ish text, digits, non-ASCII)', () => {
  const ch = fc.constantFrom(...'aZ_9 0(->*&.,;"\'\\é€x_1'.split(''), 'rtnl_lock', '->', '9abc', 'a9');
  fc.assert(
    fc.property(fc.array(fc.array(ch, { maxLength: 30 }).map((a) => a.join('')), { maxLength: 6 }), (texts) => {
      const ir = fakeIr('fn_x', texts);
      assert.deepEqual([...referencedNames(ir)].sort(), [...byRegex(ir)].sort());
    }),
    { numRuns: 400, seed: 7 },
  );
});

test('concrete cases: digits start no identifier, a leading digit run is skipped, whole-string names', () => {
  const got = referencedNames(fakeIr('f', ['9abc x9 _y2+z', 'mutex_lock(&dev->lock)', 'ONLY']));
  for (const n of ['f', 'abc', 'x9', '_y2', 'z', 'mutex_lock', 'dev', 'lock', 'ONLY']) assert.ok(got.has(n), n);
  for (const n of ['9abc', '9', 'y2', 'bc']) assert.ok(!got.has(n), n);
});
