import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { DocumentExtractor } from '../../../src/engine/parse/document';
import { extractFileFacts } from '../../../src/engine/parse/extract';
import type { CParser } from '../../../src/engine/parse/tree/parser';
import { FIXTURES, fixture, fn, nativeParser, untimed, wasmParser } from './helpers';

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.c') || f.endsWith('.h'));

function scratch(p: CParser, file: string, text: string): ReturnType<typeof untimed> {
  return untimed(extractFileFacts(p, file, text, { countUnmaskedErrors: false }));
}

/** Replaces the first occurrence of `from` (which must exist). */
function edit(text: string, from: string, to: string): string {
  const i = text.indexOf(from);
  assert.ok(i >= 0, `fixture contains ${JSON.stringify(from)}`);
  return text.slice(0, i) + to + text.slice(i + from.length);
}

test('an edit inside one function reuses every other FunctionIR object', async () => {
  const p = await wasmParser();
  const doc = new DocumentExtractor(p);
  const v0 = fixture('incremental.c');
  const a = doc.extract('inc.c', v0);
  assert.equal(doc.lastStats.mode, 'full');
  const v1 = edit(v0, 'e->n += 7;', 'e->n += 42;');
  const b = doc.extract('inc.c', v1);
  assert.equal(doc.lastStats.mode, 'incremental');
  assert.equal(doc.lastStats.rebuilt, 1, JSON.stringify(doc.lastStats));
  assert.deepEqual(untimed(b), scratch(p, 'inc.c', v1));
  assert.notEqual(fn(b, 'tbl_beta'), fn(a, 'tbl_beta'), 'the edited function is rebuilt');
  for (const name of ['tbl_add_locked', 'tbl_alpha', 'tbl_gamma', 'tbl_delta']) assert.equal(fn(b, name), fn(a, name), `${name} is the same object`);
  assert.equal(b.structs[0], a.structs[0]);
});

test('a line inserted in a function rebuilds the items after it, not those before', async () => {
  const p = await wasmParser();
  const doc = new DocumentExtractor(p);
  const v0 = fixture('incremental.c');
  const a = doc.extract('inc.c', v0);
  const v1 = edit(v0, '\tret = t->first->n;\n', '\tret = t->first->n;\n\ttbl_beta(t);\n');
  const b = doc.extract('inc.c', v1);
  assert.equal(doc.lastStats.mode, 'incremental');
  assert.deepEqual(untimed(b), scratch(p, 'inc.c', v1));
  assert.equal(fn(b, 'tbl_add_locked'), fn(a, 'tbl_add_locked'));
  assert.notEqual(fn(b, 'tbl_gamma'), fn(a, 'tbl_gamma'));
  assert.equal(fn(b, 'tbl_gamma').line, fn(a, 'tbl_gamma').line + 1);
});

test('edits that change other items’ meaning are still exact (typedef, annotation, comment)', async () => {
  const p = await wasmParser();
  const doc = new DocumentExtractor(p);
  let text = fixture('incremental.c');
  doc.extract('inc.c', text);
  const steps: [string, string][] = [
    // The typedef now names another struct: every `tbl_entry_t` reference resolves differently.
    ['typedef struct tbl_entry tbl_entry_t;', 'typedef struct tbl_other tbl_entry_t;'],
    // An annotation moves from one function to the prototype before it.
    ['\tOVS_REQUIRES(t->omutex);\n', '\tOVS_REQUIRES(t->omutex) OVS_EXCLUDED(tbl_global_lock);\n'],
    // A comment opened and never closed swallows the rest of the file.
    ['static void tbl_gamma(', '/* static void tbl_gamma('],
    ['/* static void tbl_gamma(', 'static void tbl_gamma('],
  ];
  for (const [from, to] of steps) {
    text = edit(text, from, to);
    assert.deepEqual(untimed(doc.extract('inc.c', text)), scratch(p, 'inc.c', text), `${from} → ${to}`);
  }
  const f = doc.extract('inc.c', text);
  assert.equal(fn(f, 'tbl_alpha').params[0]!.type.struct, 'tbl');
});

test('LRU: at most maxDocuments trees are kept; forget and dispose free them', async () => {
  const p = await wasmParser();
  const doc = new DocumentExtractor(p, 2);
  for (const name of ['basic.c', 'kernel.c', 'ovs.c']) doc.extract(name, fixture(name));
  assert.deepEqual(doc.documents, ['kernel.c', 'ovs.c']);
  doc.extract('kernel.c', fixture('kernel.c') + '\n');
  assert.deepEqual(doc.documents, ['ovs.c', 'kernel.c']);
  doc.forget('ovs.c');
  assert.deepEqual(doc.documents, ['kernel.c']);
  doc.dispose();
  assert.deepEqual(doc.documents, []);
  // A forgotten document is extracted from scratch again, and still correctly.
  const text = fixture('ovs.c');
  assert.deepEqual(untimed(doc.extract('ovs.c', text)), scratch(p, 'ovs.c', text));
  assert.equal(doc.lastStats.mode, 'full');
  doc.dispose();
});

test('a backend without reparse falls back to full extraction', async (t) => {
  const nat = nativeParser();
  if (!nat) {
    t.skip('native tree-sitter is not built for this Node version');
    return;
  }
  const doc = new DocumentExtractor(nat);
  const text = fixture('incremental.c');
  assert.deepEqual(untimed(doc.extract('inc.c', text)), untimed(extractFileFacts(nat, 'inc.c', text, { countUnmaskedErrors: false })));
  assert.equal(doc.lastStats.mode, nat.reparse ? 'full' : 'fallback');
  assert.deepEqual(doc.documents, nat.reparse ? ['inc.c'] : []);
});

test('a time budget that runs out reports the usual problem and keeps no tree', async () => {
  const p = await wasmParser();
  const doc = new DocumentExtractor(p);
  const big = fixture('incremental.c').repeat(40);
  doc.extract('big.c', big);
  const f = doc.extract('big.c', big.replace('e->n += 7;', 'e->n += 8;'), { timeoutMs: 0.001 });
  assert.equal(f.functions.length, 0);
  assert.ok(f.problems.some((x) => x.code === 'time-budget' || x.code === 'parse-timeout'), JSON.stringify(f.problems));
  assert.deepEqual(doc.documents, []);
});

const SNIPPETS = [
  '{',
  '}',
  '{ x(); }',
  '/*',
  '*/',
  '/* c */',
  '//',
  '\n',
  '\n\n',
  ' ',
  ';',
  '(',
  ')',
  'x',
  '12',
  '"s',
  '#ifdef CONFIG_Y\n',
  '#else\n',
  '#endif\n',
  '#define M(a) mutex_lock(a)\n',
  'mutex_lock(&t->lock);\n',
  'spin_unlock(&l);',
  ' OVS_REQUIRES(t->omutex)',
  ' __acquires(x)',
  ' __rcu',
  'list_for_each_entry(e, &h, node) ',
  'scoped_guard(mutex, &m) ',
  'typedef struct tbl tbl_entry_t;\n',
  'static DEFINE_MUTEX(new_lock);\n',
  'static void f(void)\n{\n\tg();\n}\n',
  '}\nint h(int a)\n{\n',
  'goto out;',
  ' __free(kfree)',
  '/* ä ö */',
  '"😀"',
];

test('property: incremental facts equal from-scratch facts after random edit sequences', async () => {
  const p = await wasmParser();
  const texts = fixtures.map((f) => [f, fixture(f)] as const);
  const editArb = fc.record({
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    lineStart: fc.boolean(),
    del: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 4, max: 80 })),
    ins: fc.oneof(fc.constantFrom(...SNIPPETS), fc.constant('')),
  });
  let incremental = 0;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: texts.length - 1 }), fc.array(editArb, { minLength: 1, maxLength: 4 }), (fi, edits) => {
      const [name, base] = texts[fi]!;
      const doc = new DocumentExtractor(p);
      try {
        let text = base;
        doc.extract(name, text);
        for (const e of edits) {
          let at = Math.floor(e.at * text.length);
          if (e.lineStart) at = text.lastIndexOf('\n', at - 1) + 1;
          text = text.slice(0, at) + e.ins + text.slice(Math.min(text.length, at + e.del));
          const got = untimed(doc.extract(name, text));
          if (doc.lastStats.mode === 'incremental') incremental++;
          assert.deepEqual(got, scratch(p, name, text));
        }
      } finally {
        doc.dispose();
      }
    }),
    { numRuns: 150, seed: 4242 },
  );
  // The property must exercise the reuse path, not only the full-rebuild fallbacks.
  assert.ok(incremental > 100, `incremental updates: ${incremental}`);
});

test('first edit without a kept tree: functions equal to the previous facts keep their identity', async () => {
  const p = await wasmParser();
  const v0 = fixture('incremental.c');
  const before = extractFileFacts(p, 'inc.c', v0, { countUnmaskedErrors: false });
  const doc = new DocumentExtractor(p);
  const v1 = edit(v0, 'e->n += 5;', 'e->n += 6;');
  const after = doc.extract('inc.c', v1, { previous: before });
  assert.deepEqual(untimed(after), scratch(p, 'inc.c', v1));
  assert.equal(doc.lastStats.mode, 'full');
  assert.equal(doc.lastStats.adopted, before.functions.length - 1, JSON.stringify(doc.lastStats));
  assert.equal(fn(after, 'tbl_alpha'), fn(before, 'tbl_alpha'));
  assert.notEqual(fn(after, 'tbl_gamma'), fn(before, 'tbl_gamma'), 'the edited function is new');
  // The next edit reuses through the kept tree, adopted objects included.
  const after2 = doc.extract('inc.c', edit(v1, 'e->n += 7;', 'e->n += 8;'));
  assert.equal(doc.lastStats.mode, 'incremental');
  assert.equal(fn(after2, 'tbl_alpha'), fn(before, 'tbl_alpha'));
  doc.dispose();
});

test('Project.update re-extracts through the kept tree and matches a fresh open of the edited tree', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { Project } = await import('../../../src/host/project');
  const v0 = fixture('incremental.c');
  const v1 = edit(v0, '\tret = t->first->n;\n', '\tret = t->first->n;\n\tmutex_lock(&t->lock);\n');
  const a = mkdtempSync(join(tmpdir(), 'locklens-doc-a-'));
  const b = mkdtempSync(join(tmpdir(), 'locklens-doc-b-'));
  try {
    writeFileSync(join(a, 'inc.c'), v0);
    writeFileSync(join(b, 'inc.c'), v1);
    const pa = await Project.open({ root: a, jobs: 1, cacheDir: null });
    const pb = await Project.open({ root: b, jobs: 1, cacheDir: null });
    try {
      pa.update([{ path: 'inc.c', text: v1 }]);
      const r = pa.update([{ path: 'inc.c', text: v0 }]); // and back: the second edit is incremental
      const p0 = await Project.open({ root: a, jobs: 1, cacheDir: null });
      const r0 = p0.result;
      p0.dispose();
      const strip = (x: typeof r): unknown => ({ ...x, stats: { ...x.stats, timings: {} } });
      assert.deepEqual(strip(r), strip(r0));
      const r1 = pa.update([{ path: 'inc.c', text: v1 }]);
      assert.deepEqual(strip(r1), strip(pb.result));
      assert.ok(r1.findings.length > 0 || r1.edges.length > 0, 'the edit changes the analysis');
    } finally {
      pa.dispose();
      pb.dispose();
    }
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});
