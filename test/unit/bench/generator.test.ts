import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { generateCorpus, editableLines, applyEdit, CORPUS_PROFILES, type Corpus } from '../../../src/host/bench/generator';
import { createParser } from '../../../src/host/parsers';
import type { SyntaxNode } from '../../../src/engine/parse/tree/parser';

const MB = 1024 * 1024;

function corpusHash(c: Corpus): string {
  const h = createHash('sha256');
  for (const f of c.files) h.update(f.path).update('\0').update(f.text).update('\0');
  return h.digest('hex');
}

function countErrors(n: SyntaxNode): number {
  let k = n.type === 'ERROR' ? 1 : 0;
  if (!n.hasError) return k;
  for (let i = 0; i < n.childCount; i++) k += countErrors(n.child(i)!);
  return k;
}

for (const profile of CORPUS_PROFILES) {
  test(`${profile}: same seed and size give byte-identical corpora; another seed or size does not`, () => {
    const a = generateCorpus({ sizeBytes: 0.3 * MB, seed: 7, profile });
    const b = generateCorpus({ sizeBytes: 0.3 * MB, seed: 7, profile });
    const c = generateCorpus({ sizeBytes: 0.3 * MB, seed: 8, profile });
    const d = generateCorpus({ sizeBytes: 0.4 * MB, seed: 7, profile });
    assert.equal(a.profile, profile);
    assert.equal(corpusHash(a), corpusHash(b));
    assert.deepEqual(a.files.map((f) => f.path), b.files.map((f) => f.path));
    assert.notEqual(corpusHash(a), corpusHash(c));
    assert.notEqual(corpusHash(a), corpusHash(d));
  });

  test(`${profile}: corpus size is within ±10% of the requested size`, () => {
    for (const mb of [0.1, 0.5, 2, 5]) {
      const c = generateCorpus({ sizeBytes: mb * MB, seed: 1, profile });
      const actual = c.files.reduce((s, f) => s + Buffer.byteLength(f.text), 0);
      assert.equal(c.bytes, actual, 'reported bytes match the files');
      const ratio = actual / (mb * MB);
      assert.ok(ratio >= 0.9 && ratio <= 1.1, `${mb} MB: got ${actual} bytes (ratio ${ratio.toFixed(3)})`);
    }
  });
}

test('the default profile is realistic, and the profiles generate different trees', () => {
  const def = generateCorpus({ sizeBytes: 0.2 * MB, seed: 3 });
  assert.equal(def.profile, 'realistic');
  assert.equal(corpusHash(def), corpusHash(generateCorpus({ sizeBytes: 0.2 * MB, seed: 3, profile: 'realistic' })));
  assert.notEqual(corpusHash(def), corpusHash(generateCorpus({ sizeBytes: 0.2 * MB, seed: 3, profile: 'dense' })));
});

test('the dense profile is byte-for-byte the generator that produced the earlier measurements', () => {
  // Hashes of the generator before profiles existed (the corpus of the numbers in
  // docs/performance.md up to the calibration): dense must stay comparable with them.
  assert.equal(corpusHash(generateCorpus({ sizeBytes: 0.3 * MB, seed: 7, profile: 'dense' })), 'b09c9795e564e04260b8432a5c4fb173f6895f90e5e3345c627a2b430f48a2f2');
  assert.equal(corpusHash(generateCorpus({ sizeBytes: 1 * MB, seed: 1, profile: 'dense' })), 'ce1bbcc908d9331d9155b84c1f0bd8eff3dd47f0b253fb3e3f98007c7f21b9e8');
});

for (const profile of CORPUS_PROFILES) {
test(`${profile}: corpus mixes kernel and OVS styles and has the 7,000-line edit target at realistic sizes`, () => {
  const c = generateCorpus({ sizeBytes: 2 * MB, seed: 1, profile });
  assert.ok(c.kernelFiles >= 10 && c.ovsFiles >= 10, `kernel ${c.kernelFiles}, ovs ${c.ovsFiles}`);
  const big = c.files.find((f) => f.path === c.bigFile)!;
  const lines = big.text.split('\n').length;
  assert.ok(lines >= 7000 && lines < 7400, `big file has ${lines} lines`);
  assert.ok(c.files.some((f) => f.path.startsWith('lib/') || f.path.startsWith('ofproto/') || f.path.startsWith('vswitchd/')));
  assert.ok(c.files.some((f) => f.path.startsWith('net/')));
  assert.ok(c.files.some((f) => f.path.endsWith('.h')));
  // A small corpus caps the big file so it stays a minority of the bytes.
  const small = generateCorpus({ sizeBytes: 0.1 * MB, seed: 1, profile });
  const smallBig = small.files.find((f) => f.path === small.bigFile)!;
  assert.ok(Buffer.byteLength(smallBig.text) < 0.5 * small.bytes);
});
}

for (const profile of CORPUS_PROFILES) {
test(`${profile}: corpus contains the lock patterns the analysis must handle`, () => {
  const c = generateCorpus({ sizeBytes: 1 * MB, seed: 3, profile });
  const all = c.files.map((f) => f.text).join('\n');
  const patterns: [string, RegExp][] = [
    ['goto error path', /goto err_\w+;[\s\S]*?err_\w+:\n\tmutex_unlock/],
    ['iterator macro', /list_for_each_entry_rcu\(/],
    ['OVS iterator macro', /HMAP_FOR_EACH(_SAFE|_WITH_HASH)? \(/],
    ['OVS_REQUIRES annotation', /\)\n {4}OVS_REQUIRES\(\w+\)\n\{/],
    ['guard()', /guard\(mutex\)\(&tbl->mutex\);/],
    ['scoped_guard', /scoped_guard\(spinlock_bh, /],
    ['rcu_dereference', /rcu_dereference\(obj->cfg\)/],
    ['kfree_rcu', /kfree_rcu\(obj, rcu\)/],
    ['trylock', /spin_trylock\(&obj->lock\)/],
    ['OVS trylock', /ovs_mutex_trylock\(&e->mutex\)/],
    ['RTNL', /rtnl_lock\(\);[\s\S]*?rtnl_unlock\(\);/],
    ['ovsrcu', /ovsrcu_postpone\(free, old\)/],
    ['ops table', /static const struct \w+_ops \w+_default_ops = \{\n\t\.open = /],
    ['indirect call', /tbl->ops->open\(obj\)/],
    ['wrapper macro', /#define \w+_for_each_obj\(pos, tbl\)/],
    ['#ifdef in body', /#ifdef CONFIG_\w+_DEBUG/],
  ];
  for (const [name, re] of patterns) assert.match(all, re, name);
  // Cross-file calls: some file calls an _api_ function that another file defines.
  const defs = new Map<string, string>();
  for (const f of c.files) for (const m of f.text.matchAll(/^(\w+_api_\d+)\(int id\)$|^int (\w+_api_\d+)\(int id\)$/gm)) defs.set(m[1] ?? m[2]!, f.path);
  let cross = 0;
  for (const f of c.files) {
    if (!f.path.endsWith('.c')) continue;
    for (const m of f.text.matchAll(/= (\w+_api_\d+)\((?:id|arg) \+ \d+\);|^\s+(\w+_api_\d+)\(\d+\);/gm)) {
      const def = defs.get(m[1] ?? m[2]!);
      if (def && def !== f.path) cross++;
    }
  }
  assert.ok(defs.size > 20, `${defs.size} API functions`);
  assert.ok(cross > 20, `${cross} cross-file calls`);
});
}

for (const profile of CORPUS_PROFILES) {
test(`${profile}: generated code parses with few ERROR nodes (only the macro forms real trees have too)`, async () => {
  const c = generateCorpus({ sizeBytes: 0.4 * MB, seed: 1, profile });
  const parser = await createParser('wasm');
  let errors = 0;
  let functions = 0;
  try {
    for (const f of c.files) {
      const tree = parser.parse(f.text)!;
      try {
        errors += countErrors(tree.rootNode);
        for (let i = 0; i < tree.rootNode.namedChildCount; i++) if (tree.rootNode.namedChild(i)!.type === 'function_definition') functions++;
      } finally {
        tree.delete();
      }
    }
  } finally {
    parser.delete();
  }
  const perKb = errors / (c.bytes / 1024);
  // Raw tree-sitter (no macro masking) trips on ovsrcu_get(type, ...) and struct fields with
  // __rcu; real OVS/kernel files show the same. A broken generator gives far more.
  assert.ok(perKb < 1.0, `${errors} ERROR nodes in ${(c.bytes / 1024).toFixed(0)} KB (${perKb.toFixed(2)}/KB)`);
  const fnDefs = c.files.reduce((s, f) => s + (f.text.match(/^\{$/gm) ?? []).length, 0);
  assert.ok(functions >= 0.9 * fnDefs, `${functions} top-level function_definition nodes for ${fnDefs} function bodies`);
});
}

test('benchmark edits change exactly one line, deterministically, on generated and real-style files', () => {
  const c = generateCorpus({ sizeBytes: 0.3 * MB, seed: 1 });
  const text = c.files.find((f) => f.path === c.bigFile)!.text;
  const cand = editableLines(text);
  assert.ok(cand.length > 50, `${cand.length} editable lines`);
  const before = text.split('\n');
  let cur = text;
  const changedLines = new Set<number>();
  for (let k = 0; k < 10; k++) {
    const next = applyEdit(cur, k, cand);
    assert.equal(applyEdit(cur, k, cand), next, 'deterministic');
    const a = cur.split('\n');
    const b = next.split('\n');
    assert.equal(a.length, b.length);
    const diff = a.map((l, i) => (l === b[i] ? -1 : i)).filter((i) => i >= 0);
    assert.ok(diff.length <= 1, `edit ${k} changed ${diff.length} lines`);
    diff.forEach((i) => changedLines.add(i));
    cur = next;
  }
  assert.ok(changedLines.size >= 5, 'edits spread over several lines');
  assert.equal(cur.split('\n').length, before.length);
  // A file without counter lines gets a trailing comment edit instead.
  const plain = 'int f(void)\n{\n\treturn 0;\n}\n';
  assert.deepEqual(editableLines(plain), []);
  const e1 = applyEdit(plain, 1, []);
  const e2 = applyEdit(e1, 2, []);
  assert.equal(e1, 'int f(void)\n{\n\treturn 0;\n} /* bench edit 1 */\n');
  assert.equal(e2, 'int f(void)\n{\n\treturn 0;\n} /* bench edit 2 */\n');
});
