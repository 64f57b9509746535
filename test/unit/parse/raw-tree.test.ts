/**
 * Differential test for the raw-memory tree reader (wasm-raw-tree.ts): flat trees copied by
 * reading the WASM heap must equal those of the direct cursor exports (wasm-cursor.ts) and of the
 * public cursor API, array by array, on every C fixture, a generated corpus, hostile texts and
 * random mutations; the start-up layout check must reject wrong layouts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { flattenTopLevel, flattenTree, type FlatTree, type FlattenOptions, type TreeCursorLike } from '../../../src/engine/parse/tree/flat-tree';
import type { CParser, SyntaxNode } from '../../../src/engine/parse/tree/parser';
import { maskSource } from '../../../src/engine/parse/preprocess/macro-mask';
import { rawMemoryCursorFor, rawTreeApiFor, registerWasmRoot, wasmRootApiFor } from '../../../src/engine/parse/tree/wasm-cursor';
import { createWasmParser } from '../../../src/engine/parse/tree/wasm-parser';
import { compareWalk, DEFAULT_RAW_LAYOUT, RawLayoutError, verifyRawTreeLayout, walkRawTree, type RawTreeLayout } from '../../../src/engine/parse/tree/wasm-raw-tree';
import { generateCorpus } from '../../../src/host/bench/generator';
import { ROOT, wasmParser, broken, cFiles } from './helpers';


const ARRAYS = ['named', 'missing', 'start', 'end', 'row', 'col', 'parent', 'firstChild', 'nextSibling'] as const;

/** Every array of the first `n` nodes, type names included. */
function assertSameFlat(a: FlatTree, b: FlatTree, what: string): void {
  assert.equal(a.n, b.n, `${what}: node count`);
  for (let i = 0; i < a.n; i++) {
    if (a.type[i] !== b.type[i]) assert.fail(`${what}: node ${i} type ${a.type[i]} vs ${b.type[i]}`);
  }
  for (const k of ARRAYS) {
    const x = a[k];
    const y = b[k];
    assert.ok(x.length >= a.n && y.length >= b.n, `${what}: ${k} length`);
    for (let i = 0; i < a.n; i++) {
      if (x[i] !== y[i]) assert.fail(`${what}: node ${i} (${a.type[i]}) ${k} ${x[i]} vs ${y[i]}`);
    }
  }
}

/** Flattens `text` (masked like the extractor does) three ways and compares; returns the tree's hasError. */
function threeWay(wasm: CParser, name: string, text: string, masked = true): { error: boolean; nodes: number } {
  const src = masked ? maskSource(text).masked : text;
  const tree = wasm.parse(src);
  assert.ok(tree, name);
  try {
    const root = tree.rootNode;
    const flat = (o: FlattenOptions): FlatTree => flattenTree(root, src, Infinity, o);
    const mem = flat({});
    const cursor = flat({ noRawMemory: true });
    const pub = flat({ publicApiOnly: true });
    assertSameFlat(mem, cursor, `${name}: raw memory vs cursor exports`);
    assertSameFlat(mem, pub, `${name}: raw memory vs public cursor`);
    // Scratch builds (the extractor's) produce the same nodes.
    assertSameFlat(flat({ scratch: true }), cursor, `${name}: scratch`);
    // The cursor over raw memory (flattenTopLevel, document.ts) agrees with the public cursor on
    // every node and move, and a top-level copy of every item equals the whole copy.
    const pubCursor = (root as unknown as { walk: () => TreeCursorLike & { delete(): void } }).walk();
    try {
      assert.ok(compareWalk(rawTreeApiFor(root)!, root, pubCursor) >= 0, `${name}: raw memory cursor vs public cursor`);
    } finally {
      pubCursor.delete();
    }
    const top = flattenTopLevel(root, src, () => true);
    assert.ok(top, name);
    assertSameFlat(top.flat, mem, `${name}: flattenTopLevel`);
    return { error: root.hasError, nodes: mem.n };
  } finally {
    tree.delete();
  }
}


const fixtures = cFiles(join(ROOT, 'test/fixtures')).map((f): [string, string] => [f.slice(ROOT.length + 1), readFileSync(f, 'utf8')]);
const corpus = generateCorpus({ sizeBytes: 150_000, seed: 23, bigFileLines: 1500 }).files.map((f): [string, string] => [f.path, f.text]);

/** Texts aimed at error recovery and offset arithmetic. */
const HOSTILE: [string, string][] = [
  ['empty', ''],
  ['whitespace only', ' \n\t\r\n  '],
  ['truncated function', 'static int f(struct s *p)\n{\n\tspin_lock(&p->lock);\n\tif (p->x'],
  ['garbage', '@@ ## !! }}} {{{ ;;; ))) ((( 123abc "unterminated \n \'x'],
  ['unbalanced braces', 'void f(void) { if (x) { g(); }\nvoid h(void) { } } }\nint y = { 1, 2 ;\n'],
  ['missing tokens', 'int f(void) { return 1 }\nint g(void) { int x = ; h( ; }\nstruct s { int a }\n'],
  ['crlf', 'int f(void)\r\n{\r\n\tint a = 1; /* c */\r\n\treturn a \\\r\n\t\t+ 2;\r\n}\r\n#define X(a) \\\r\n\t(a)\r\n'],
  ['non-ascii and surrogates', 'int f(void) { /* é 😀 ü */ const char *s = "x😀y\\u00e9"; g(\'é\'); return s[1]; } // 😀😀\nint g2(void) { return 0; }\n'],
  ['surrogates in errors', 'int f(void) { "😀 + ; 😀 } int 😀x = 1; char c = \'😀\';\n'],
  ['lone surrogates', 'int f(void) { const char *s = "\ud800x\udc00"; return 1 }\n'],
  ['long tokens and padding', `int ${'a'.repeat(400)} = 1;${' '.repeat(5000)}\n${'\n'.repeat(300)}int b;/* ${'c'.repeat(70_000)} */ int z;\n`],
  ['deep nesting', `int f(void) { return ${'('.repeat(300)}1${')'.repeat(300)}; }\n${'{'.repeat(200)}\n`],
  ['preprocessor', '#if X\nint a;\n#elif Y\nint b;\n#else\nint c\n#endif\n#define M(x, ...) do { x(__VA_ARGS__); } while (0)\n#include "x.h"\n#pragma once\n#error oops\n'],
];

test('the raw memory reader is on with the pinned web-tree-sitter (else the fast path is silently off)', async () => {
  const wasm = await wasmParser();
  const tree = wasm.parse('int f(void) { return g(1); }\n')!;
  try {
    assert.ok(rawTreeApiFor(tree.rootNode), 'layout verified and registered');
    assert.ok(rawMemoryCursorFor(tree.rootNode));
  } finally {
    tree.delete();
  }
  assert.equal(rawTreeApiFor({}), null);
  assert.equal(rawMemoryCursorFor({}), null);
});

test('flat trees: raw memory == cursor exports == public cursor on every C fixture, generated file and broken variant', async () => {
  const wasm = await wasmParser();
  assert.ok(fixtures.length >= 40, `found ${fixtures.length} C fixtures`);
  let errors = 0;
  let nodes = 0;
  for (const [name, text] of [...fixtures, ...corpus]) {
    for (const [k, variant] of [text, broken(text, name.length), broken(text, name.length * 7 + 1)].entries()) {
      const r = threeWay(wasm, `${name}#${k}`, variant);
      if (r.error) errors++;
      nodes += r.nodes;
    }
    // Unmasked too: preprocessor-heavy trees with more ERROR nodes.
    if (threeWay(wasm, `${name} unmasked`, text, false).error) errors++;
  }
  assert.ok(errors >= 40, `error recovery exercised (${errors} trees with errors)`);
  assert.ok(nodes > 200_000, `${nodes} nodes compared`);
});

test('flat trees: hostile texts (truncation, garbage, unbalanced braces, CRLF, non-BMP characters, long tokens)', async () => {
  const wasm = await wasmParser();
  let errors = 0;
  for (const [name, text] of HOSTILE) {
    for (const masked of [true, false]) if (threeWay(wasm, name, text, masked).error) errors++;
  }
  assert.ok(errors >= 8, `${errors} hostile trees with errors`);
});

test('flat trees: random byte mutations of fixtures (property)', async () => {
  const wasm = await wasmParser();
  const seeds = fixtures.filter(([, t]) => t.length < 40_000);
  const bytes = fc.constantFrom(...' \n\r\t{}();,*&#"\'\\/é😀xab0'.split(/(?:)/u));
  const edit = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), del: fc.nat(8), ins: fc.array(bytes, { maxLength: 4 }) });
  let errors = 0;
  fc.assert(
    fc.property(fc.nat(seeds.length - 1), fc.array(edit, { minLength: 1, maxLength: 6 }), (seed, edits) => {
      let t = seeds[seed]![1];
      for (const e of edits) {
        const at = Math.floor(e.at * t.length);
        t = t.slice(0, at) + e.ins.join('') + t.slice(at + e.del);
      }
      if (threeWay(wasm, `${seeds[seed]![0]} mutated`, t, e0(edits)).error) errors++;
    }),
    { seed: 7, numRuns: 120 },
  );
  assert.ok(errors >= 30, `${errors} mutated trees with errors`);
});

/** Alternate masked/unmasked by the first edit (deterministic per case). */
function e0(edits: { del: number }[]): boolean {
  return edits[0]!.del % 2 === 0;
}

test('memory growth between parses: views are re-read per walk', async () => {
  const wasm = await wasmParser();
  const small = fixtures[0]![1];
  const first = wasm.parse(small)!;
  try {
    const before = flattenTree(first.rootNode, small);
    // A large parse grows the WASM memory (the old heap views are detached).
    const big = corpus.map(([, t]) => t).join('\n').repeat(6);
    const other = wasm.parse(big)!;
    try {
      assertSameFlat(flattenTree(other.rootNode, big), flattenTree(other.rootNode, big, Infinity, { noRawMemory: true }), 'big');
    } finally {
      other.delete();
    }
    assertSameFlat(flattenTree(first.rootNode, small), before, 'first tree after growth');
  } finally {
    first.delete();
  }
});

test('the start-up check rejects a wrong layout: every field matters, and such a parser uses the cursor exports', async () => {
  const wasm = await wasmParser();
  const probe = wasm.parse('int x;')!;
  const api = wasmRootApiFor(probe.rootNode)!;
  probe.delete();
  assert.ok(api.tree, 'the default layout passes');
  const module = api.tree.module;
  const parser = {
    parse: (t: string) => {
      const tree = wasm.parse(t);
      return tree ? { rootNode: tree.rootNode as unknown, delete: () => tree.delete() } : null;
    },
  };
  assert.ok(verifyRawTreeLayout(module, parser), 'default layout verified');
  const keys = Object.keys(DEFAULT_RAW_LAYOUT) as (keyof RawTreeLayout)[];
  assert.ok(keys.length >= 30);
  let tried = 0;
  for (const k of keys) {
    const v = DEFAULT_RAW_LAYOUT[k];
    // Bit masks move to a neighbouring bit; offsets by one field of their width (a misaligned
    // offset reads the same typed-array element, so it is not a different layout).
    const isMask = /^(inline|heap)(Visible|Named|Extra|Missing)$/.test(k);
    const step = /^heap(Symbol|ProductionId)$|MaxAlias/.test(k) ? 2 : /^(tree|lang)|^heap(Padding|Size|ChildCount|VisibleChildCount)/.test(k) ? 4 : 1;
    const wrongs = isMask ? [v << 1, v >> 1] : [v + step, v - step];
    for (const wrong of wrongs.filter((w) => w > 0 || (w === 0 && !isMask))) {
      const layout = { ...DEFAULT_RAW_LAYOUT, [k]: wrong };
      assert.equal(verifyRawTreeLayout(module, parser, layout), null, `layout with ${k} = ${wrong} (not ${v}) rejected`);
      tried++;
    }
  }
  assert.ok(tried >= 55, `${tried} wrong layouts`);
  assert.equal(verifyRawTreeLayout({}, parser), null, 'no heap views');
  assert.equal(verifyRawTreeLayout(module, { parse: () => null }), null, 'no trees');

  // A parser created with a wrong layout: no raw reader, and the copy is still exact.
  const bad = await createWasmParser({
    runtimeWasm: readFileSync(join(ROOT, 'node_modules/web-tree-sitter/tree-sitter.wasm')),
    languageWasm: readFileSync(join(ROOT, 'node_modules/tree-sitter-c/tree-sitter-c.wasm')),
    rawTreeLayout: { ...DEFAULT_RAW_LAYOUT, heapChildCount: 40 },
  });
  try {
    const text = corpus[0]![1];
    const t1 = bad.parse(text)!;
    const t2 = wasm.parse(text)!;
    try {
      assert.equal(rawTreeApiFor(t1.rootNode), null, 'reader off for the bad layout');
      assert.ok(wasmRootApiFor(t1.rootNode)?.cursor, 'cursor exports still on');
      assertSameFlat(flattenTree(t1.rootNode, text), flattenTree(t2.rootNode, text), 'bad-layout parser');
    } finally {
      t1.delete();
      t2.delete();
    }
  } finally {
    bad.delete();
  }
});

test('a read outside the heap mid-walk falls back to the cursor exports (same flat tree)', async () => {
  const wasm = await wasmParser();
  const text = corpus[1]![1];
  const tree = wasm.parse(text)!;
  try {
    const root = tree.rootNode as SyntaxNode & object;
    const ref = flattenTree(root, text, Infinity, { noRawMemory: true });
    const api = wasmRootApiFor(root)!;
    const good = api.tree!.module;
    // A copy of the 32-bit view with one subtree pointer in the middle of the tree zeroed: the
    // walk fails there after copying part of the tree, as with a layout the check missed.
    type Node = SyntaxNode & { id: number; parent: Node | null };
    let mid: Node | null = (root as unknown as { descendantForIndex(i: number): Node }).descendantForIndex(text.length >> 1);
    while (mid && mid.childCount === 0) mid = mid.parent;
    assert.ok(mid && mid.type !== root.type, 'an inner node in the middle');
    const u32 = good.HEAPU32.slice();
    assert.notEqual(u32[mid.id >>> 2], 0);
    u32[mid.id >>> 2] = 0;
    const module = { HEAPU8: good.HEAPU8, HEAPU16: good.HEAPU16, HEAPU32: u32 };
    let before = 0;
    assert.throws(
      () => walkRawTree({ module, layout: DEFAULT_RAW_LAYOUT }, root, { begin() {}, node: () => (before++, true), down() {}, leaf() {}, up() {} }),
      RawLayoutError,
    );
    assert.ok(before > 0, `failed mid-walk (after ${before} nodes)`);
    registerWasmRoot(root, { cursor: api.cursor, tree: { module, layout: DEFAULT_RAW_LAYOUT } });
    assertSameFlat(flattenTree(root, text), ref, `fallback after ${before} nodes`);
    assertSameFlat(flattenTree(root, text, Infinity, { scratch: true }), ref, 'fallback (scratch)');
  } finally {
    tree.delete();
  }
});

test('reparsed trees (subtrees shared with the edited old tree) copy the same way', async () => {
  const wasm = await wasmParser();
  assert.ok(wasm.reparse);
  let [, text] = corpus[2]!;
  let tree = wasm.parse(text)!;
  const point = (s: string, i: number): { row: number; column: number } => {
    const before = s.slice(0, i);
    const nl = before.lastIndexOf('\n');
    return { row: before.split('\n').length - 1, column: i - nl - 1 };
  };
  try {
    let s = 5;
    for (let k = 0; k < 12; k++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const at = s % text.length;
      const del = k % 3 === 0 ? 0 : (s >>> 8) % 5;
      const ins = ['x', ' ', '{', ';', '/* é 😀 */', '\n', 'if (a) {', ''][k % 8]!;
      const next = text.slice(0, at) + ins + text.slice(at + del);
      const edit = {
        startIndex: at,
        oldEndIndex: at + del,
        newEndIndex: at + ins.length,
        startPosition: point(text, at),
        oldEndPosition: point(text, at + del),
        newEndPosition: point(next, at + ins.length),
      };
      const newer = wasm.reparse(next, tree, edit)!;
      assert.ok(newer);
      tree.delete();
      tree = newer;
      text = next;
      const root = tree.rootNode;
      const mem = flattenTree(root, text);
      assertSameFlat(mem, flattenTree(root, text, Infinity, { noRawMemory: true }), `edit ${k}: cursor exports`);
      assertSameFlat(mem, flattenTree(root, text, Infinity, { publicApiOnly: true }), `edit ${k}: public cursor`);
      const c = (root as unknown as { walk: () => TreeCursorLike & { delete(): void } }).walk();
      try {
        assert.ok(compareWalk(rawTreeApiFor(root)!, root, c) >= 0, `edit ${k}: raw memory cursor`);
      } finally {
        c.delete();
      }
    }
  } finally {
    tree.delete();
  }
});
