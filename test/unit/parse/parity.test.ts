import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { extractFileFacts } from '../../../src/engine/parse/extract';
import { FIXTURES, fixture, nativeParser, untimed, wasmParser } from './helpers';

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.c') || f.endsWith('.h'));

test('backend parity: wasm and native produce deep-equal FileFacts on every fixture', async (t) => {
  const nat = nativeParser();
  if (!nat) {
    t.skip('native tree-sitter is not built for this Node version');
    return;
  }
  const wasm = await wasmParser();
  assert.ok(fixtures.length >= 6, `fixtures: ${fixtures.join(', ')}`);
  for (const name of fixtures) {
    const text = fixture(name);
    const a = extractFileFacts(wasm, name, text);
    const b = extractFileFacts(nat, name, text);
    assert.deepEqual(untimed(a), untimed(b), name);
    assert.ok(a.functions.length > 0, `${name} has functions`);
  }
});

test('backend parity on generated code, including broken code', async (t) => {
  const nat = nativeParser();
  if (!nat) {
    t.skip('native tree-sitter is not built for this Node version');
    return;
  }
  const wasm = await wasmParser();
  const stmt = fc.constantFrom(
    'mutex_lock(&dp->lock);',
    'mutex_unlock(&dp->lock);',
    'if (x) { a(); } else b();',
    'list_for_each_entry(p, &h, node) { c(p); }',
    'HMAP_FOR_EACH (n, node, &map) d(n);',
    'guard(rcu)();',
    'scoped_guard(spinlock, &l) { e(); }',
    'switch (x) { case 1: f(); break; default: g(); }',
    'goto out;',
    'out:',
    'return h(x) ? 1 : 0;',
    '#ifdef CONFIG_X\n\ti();\n#else\n\tj();\n#endif',
    'struct s *p __free(kfree) = k();',
    'x = ({ int y = l(); y; });',
    'broken @ m(1);',
    '} n();',
    '{',
    'for (;;) { o(); }',
  );
  const fnText = fc
    .tuple(fc.constantFrom('static int', 'void', 'struct dp *'), fc.array(stmt, { maxLength: 12 }), fc.constantFrom('', ' __must_hold(&dp->lock)', ' OVS_REQUIRES(m)'))
    .map(([ret, body, ann]: [string, string[], string]) => `${ret} fn(struct dp *dp, int x)${ann}\n{\n\t${body.join('\n\t')}\n}\n`);
  await fc.assert(
    fc.asyncProperty(fc.array(fnText, { minLength: 1, maxLength: 4 }), async (fns) => {
      const text = fns.join('\n');
      assert.deepEqual(untimed(extractFileFacts(wasm, 'g.c', text)), untimed(extractFileFacts(nat, 'g.c', text)));
    }),
    { numRuns: 60, seed: 20261121 },
  );
});
