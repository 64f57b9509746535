import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { flattenTree, type FlatTree } from '../../../src/engine/parse/tree/flat-tree';
import type { CParser, SyntaxNode } from '../../../src/engine/parse/tree/parser';
import { maskSource } from '../../../src/engine/parse/preprocess/macro-mask';
import { FIXTURES, fixture, nativeParser, wasmParser } from './helpers';

/** The same root without a cursor: flattenTree then reads every offset through child(i). */
function withoutCursor(root: SyntaxNode): SyntaxNode {
  return new Proxy(root, { get: (o, k) => (k === 'walk' ? undefined : Reflect.get(o, k)) });
}

function assertSameTree(a: FlatTree, b: FlatTree, what: string): void {
  assert.equal(a.n, b.n, `${what}: node count`);
  for (let i = 0; i < a.n; i++) {
    if (a.type[i] !== b.type[i] || a.start[i] !== b.start[i] || a.end[i] !== b.end[i] || a.parent[i] !== b.parent[i] || a.missing[i] !== b.missing[i] || a.row[i] !== b.row[i] || a.col[i] !== b.col[i]) {
      assert.fail(`${what}: node ${i} differs: ${a.type[i]} ${a.start[i]}-${a.end[i]} vs ${b.type[i]} ${b.start[i]}-${b.end[i]}`);
    }
  }
}

const texts: [string, string][] = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.c'))
  .map((f) => [f, fixture(f)]);
texts.push(['comments and continuations', 'int a; /* c */ // d\nint \\\n b = 0x1e+2 + 1.5e-3 + \'x\' + L"s";\n#define M(x) \\\n  (x)\nvoid f(void) { g("a" "b", sizeof(int)); }\n']);
texts.push(['errors and MISSING nodes', 'void f(void) { int x = ; g( ; }\nint h(void) { return 1 }\n']);

test('the cursor copy (with computed leaf offsets) equals a copy reading every offset from tree-sitter', async () => {
  const parsers: CParser[] = [await wasmParser()];
  const nat = nativeParser();
  if (nat) parsers.push(nat);
  for (const p of parsers) {
    for (const [name, text] of texts) {
      const masked = maskSource(text).masked;
      const tree = p.parse(masked)!;
      try {
        assertSameTree(flattenTree(tree.rootNode, masked), flattenTree(withoutCursor(tree.rootNode), masked), `${p.backend} ${name}`);
      } finally {
        tree.delete();
      }
    }
  }
});

test('flat tree shape: pre-order, parent links, inner nodes span their children, rows/cols', async () => {
  const p = await wasmParser();
  const text = 'int f(int a)\n{\n\treturn g(a);\n}\n';
  const tree = p.parse(text)!;
  try {
    const t = flattenTree(tree.rootNode, text);
    assert.equal(t.type[0], 'translation_unit');
    assert.equal(t.parent[0], -1);
    for (let i = 1; i < t.n; i++) {
      assert.ok(t.parent[i] < i, 'parents precede children');
      assert.ok(t.start[i] >= t.start[t.parent[i]] && t.end[i] <= t.end[t.parent[i]], 'children inside parents');
    }
    const call = t.type.indexOf('call_expression');
    assert.equal(text.slice(t.start[call], t.end[call]), 'g(a)');
    assert.equal(t.row[call], 2);
    assert.equal(t.col[call], '\treturn '.length);
    assert.ok(t.type.includes('('), 'anonymous tokens are kept');
  } finally {
    tree.delete();
  }
});
