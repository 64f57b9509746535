import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sha1Hex } from '../../../src/engine/parse/sha1';

const ref = (s: string): string => createHash('sha1').update(s, 'utf8').digest('hex');

test('sha1 matches node:crypto at block boundaries and on non-ASCII text', () => {
  for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000]) assert.equal(sha1Hex('a'.repeat(n)), ref('a'.repeat(n)), `length ${n}`);
  assert.equal(sha1Hex('abc'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  assert.equal(sha1Hex('é€😀\n'.repeat(50)), ref('é€😀\n'.repeat(50)));
});

test('property: sha1 equals node:crypto for arbitrary strings', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => sha1Hex(s) === ref(s)), { numRuns: 200, seed: 11 });
});
