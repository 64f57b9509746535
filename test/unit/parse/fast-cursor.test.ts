/**
 * Differential test for the extraction fast paths: the raw wasm cursor (wasm-cursor.ts) and the
 * leaf shortcuts in flat-tree.ts against the public cursor API (the original extractor), on every
 * C fixture of the repo, a generated kernel-like corpus and deterministically broken variants.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BudgetExceeded } from '../../../src/engine/parse/budget';
import { extractFileFacts } from '../../../src/engine/parse/extract';
import { flattenTree, TOKEN_TYPES, type FlatTree, type TreeCursorLike } from '../../../src/engine/parse/tree/flat-tree';
import { maskSource } from '../../../src/engine/parse/preprocess/macro-mask';
import { rawWasmCursorFor, wasmCursorExports } from '../../../src/engine/parse/tree/wasm-cursor';
import { generateCorpus } from '../../../src/host/bench/generator';
import { ROOT, nativeParser, untimed, wasmParser, broken, cFiles } from './helpers';



function assertSameFlat(a: FlatTree, b: FlatTree, what: string): void {
  assert.equal(a.n, b.n, `${what}: node count`);
  for (let i = 0; i < a.n; i++) {
    if (
      a.type[i] !== b.type[i] ||
      a.named[i] !== b.named[i] ||
      a.missing[i] !== b.missing[i] ||
      a.start[i] !== b.start[i] ||
      a.end[i] !== b.end[i] ||
      a.row[i] !== b.row[i] ||
      a.col[i] !== b.col[i] ||
      a.parent[i] !== b.parent[i] ||
      a.firstChild[i] !== b.firstChild[i] ||
      a.nextSibling[i] !== b.nextSibling[i]
    ) {
      assert.fail(`${what}: node ${i} differs (${a.type[i]} ${a.start[i]}-${a.end[i]} vs ${b.type[i]} ${b.start[i]}-${b.end[i]})`);
    }
  }
}

const fixtures = cFiles(join(ROOT, 'test/fixtures'));
const corpus = generateCorpus({ sizeBytes: 120_000, seed: 11, bigFileLines: 1500 }).files;

test('the raw wasm cursor is available with the pinned web-tree-sitter (else the fast path is silently off)', async () => {
  const wasm = await wasmParser();
  const tree = wasm.parse('int f(void) { return g(1); }\n');
  assert.ok(tree);
  try {
    const root = tree.rootNode as unknown as { walk: () => unknown };
    const raw = rawWasmCursorFor(tree.rootNode, () => root.walk());
    assert.ok(raw, 'wasm roots are registered and the exports were found');
    raw.delete();
  } finally {
    tree.delete();
  }
});

test('raw cursor is refused for foreign roots and modules', () => {
  assert.equal(rawWasmCursorFor({}, () => ({})), null);
  assert.equal(wasmCursorExports(null), null);
  assert.equal(wasmCursorExports({ HEAP32: new Int32Array(4) }), null);
  assert.equal(wasmCursorExports({ _ts_init: () => 16 }), null);
});

test('flat trees: raw wasm cursor == public cursor on every C fixture, generated file and broken variant', async () => {
  const wasm = await wasmParser();
  assert.ok(fixtures.length >= 40, `found ${fixtures.length} C fixtures`);
  const inputs: [string, string][] = [
    ...fixtures.map((f): [string, string] => [f, readFileSync(f, 'utf8')]),
    ...corpus.map((f): [string, string] => [f.path, f.text]),
  ];
  let withErrors = 0;
  for (const [name, text] of inputs) {
    for (const variant of [text, broken(text, name.length)]) {
      const masked = maskSource(variant).masked;
      const tree = wasm.parse(masked);
      assert.ok(tree, name);
      try {
        if (tree.rootNode.hasError) withErrors++;
        const fast = flattenTree(tree.rootNode, masked);
        const ref = flattenTree(tree.rootNode, masked, Infinity, { publicApiOnly: true });
        assertSameFlat(fast, ref, name);
        // The node API still works after a raw walk (the transfer buffer was handed back).
        assert.equal(tree.rootNode.childCount > 0, fast.firstChild[0]! >= 0, `${name}: root children`);
      } finally {
        tree.delete();
      }
    }
  }
  assert.ok(withErrors >= 20, `broken variants exercise error recovery (${withErrors})`);
});

test('FileFacts: new extractor == original (public cursor) extractor, wasm and native', async () => {
  const wasm = await wasmParser();
  const nat = nativeParser();
  const inputs = [...fixtures.map((f) => ({ path: f.slice(ROOT.length + 1), text: readFileSync(f, 'utf8') })), ...corpus];
  let functions = 0;
  for (const { path, text } of inputs) {
    for (const variant of [text, broken(text, path.length + 7)]) {
      const a = untimed(extractFileFacts(wasm, path, variant));
      const b = untimed(extractFileFacts(wasm, path, variant, { publicCursorApi: true }));
      assert.deepEqual(a, b, path);
      assert.equal(JSON.stringify(a), JSON.stringify(b), `${path}: byte-identical JSON`);
      if (nat) {
        const c = untimed(extractFileFacts(nat, path, variant, { publicCursorApi: true }));
        assert.equal(JSON.stringify(c), JSON.stringify(a), `${path}: native (original path) == wasm (fast path)`);
      }
      functions += a.functions.length;
    }
  }
  assert.ok(functions > 500, `the inputs contain real code (${functions} functions)`);
});

test('TOKEN_TYPES: the grammar defines each as a token (or an alias of one) and aliases to anonymous names only patterns', () => {
  const grammar = JSON.parse(readFileSync(join(ROOT, 'node_modules/tree-sitter-c/src/grammar.json'), 'utf8')) as {
    rules: Record<string, { type: string }>;
  };
  const tokenRule = (t: string | undefined): boolean => t === 'TOKEN' || t === 'IMMEDIATE_TOKEN' || t === 'PATTERN' || t === 'STRING';
  const aliases: { value: string; named: boolean; content: { type: string; name?: string } }[] = [];
  const visit = (r: unknown): void => {
    if (Array.isArray(r)) r.forEach(visit);
    else if (r && typeof r === 'object') {
      const o = r as { type?: string; value?: string; named?: boolean; content?: { type: string; name?: string } };
      if (o.type === 'ALIAS' && o.content) aliases.push({ value: o.value!, named: o.named === true, content: o.content });
      Object.values(o).forEach(visit);
    }
  };
  visit(grammar.rules);
  assert.ok(aliases.length > 20, 'aliases found');
  for (const a of aliases) {
    if (!a.named) assert.ok(tokenRule(a.content.type), `anonymous alias ${a.value} wraps a ${a.content.type}`);
  }
  const isToken = (name: string): boolean => tokenRule(grammar.rules[name]?.type);
  for (const name of TOKEN_TYPES) {
    const rule = grammar.rules[name];
    const viaAlias = aliases.filter((a) => a.named && a.value === name);
    assert.ok(rule || viaAlias.length, `${name} exists in the grammar`);
    if (rule) assert.ok(isToken(name), `${name} is a token rule (${rule.type})`);
    for (const a of viaAlias) {
      const ok = tokenRule(a.content.type) || (a.content.type === 'SYMBOL' && isToken(a.content.name!));
      assert.ok(ok, `alias ${name} of ${a.content.type} ${a.content.name ?? ''} is a token`);
    }
  }
  // Negative: the two look-alikes left out on purpose are not plain tokens.
  assert.equal(isToken('null'), false);
  assert.ok(aliases.some((a) => a.named && a.value === 'primitive_type' && !tokenRule(a.content.type)));
});

test('TOKEN_TYPES and anonymous nodes never have children in real trees (full public-cursor walk, incl. broken code)', async () => {
  const wasm = await wasmParser();
  let tokens = 0;
  let inner = 0;
  for (const f of fixtures) {
    const text = readFileSync(f, 'utf8');
    for (const variant of [text, broken(text, f.length + 3)]) {
      const tree = wasm.parse(maskSource(variant).masked);
      assert.ok(tree);
      const c = (tree.rootNode as unknown as { walk: () => TreeCursorLike }).walk();
      try {
        for (;;) {
          const token = !c.nodeIsNamed || TOKEN_TYPES.has(c.nodeType);
          if (c.gotoFirstChild()) {
            inner++;
            if (token) {
              c.gotoParent();
              assert.fail(`${f}: ${c.nodeType} at ${c.startIndex} has children`);
            }
            continue;
          }
          if (token) tokens++;
          let up = false;
          while (!c.gotoNextSibling()) {
            if (!c.gotoParent()) {
              up = true;
              break;
            }
          }
          if (up) break;
        }
      } finally {
        c.delete?.();
        tree.delete();
      }
    }
  }
  assert.ok(tokens > 20_000 && inner > 10_000, `walked ${tokens} tokens, ${inner} inner nodes`);
});

test('a time budget running out mid-walk frees the raw cursor and leaves the parser usable', async () => {
  const wasm = await wasmParser();
  const text = corpus.map((f) => f.text).join('\n');
  const masked = maskSource(text).masked;
  const tree = wasm.parse(masked);
  assert.ok(tree);
  try {
    // A deadline already in the past: the first deadline check (node 0) throws inside the walk.
    assert.throws(() => flattenTree(tree.rootNode, masked, performance.now() - 1), BudgetExceeded);
    // Same tree, node API and a second raw walk still work and agree with the reference walk.
    assert.equal(tree.rootNode.hasError, tree.rootNode.hasError);
    assertSameFlat(flattenTree(tree.rootNode, masked), flattenTree(tree.rootNode, masked, Infinity, { publicApiOnly: true }), 'after abort');
  } finally {
    tree.delete();
  }
  const again = extractFileFacts(wasm, 'x.c', corpus[0]!.text);
  assert.equal(JSON.stringify(untimed(again)), JSON.stringify(untimed(extractFileFacts(wasm, 'x.c', corpus[0]!.text, { publicCursorApi: true }))));
});
