/**
 * IR memory layout (parse/ir/shared-values.ts): position-free leaves and TypeRefs are one shared, frozen object
 * per value; empty lists are one frozen array; the facts still equal their JSON form (what the
 * fact cache and the extraction workers hand over), also after incremental re-extraction.
 * Spare array capacity cannot be observed from JS: the heap-snapshot figures are in the report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileFacts, TypeRef } from '../../../src/engine/ir';
import { extractFileFacts } from '../../../src/engine/parse/extract';
import { DocumentExtractor } from '../../../src/engine/parse/document';
import { EMPTY } from '../../../src/engine/parse/ir/shared-values';
import { fixture, fn, untimed, wasmParser } from './helpers';

const FIXTURES = ['kernel.c', 'ovs.c', 'kernel-idioms.c', 'basic.c', 'broken.c', 'preproc.c', 'incremental.c', 'unbalanced.c'];

const isTypeRef = (o: object): o is TypeRef => !Array.isArray(o) && 'base' in o && 'struct' in o && 'ptr' in o && 'rcu' in o;
const typeKey = (t: TypeRef): string => JSON.stringify([t.base, t.struct, t.ptr, t.rcu]);

/** Every object and array reachable from `v` (shared ones once per reference). */
function eachObject(v: unknown, visit: (o: object) => void): void {
  if (v === null || typeof v !== 'object') return;
  visit(v);
  if (Array.isArray(v)) for (const x of v) eachObject(x, visit);
  else for (const k of Object.keys(v)) eachObject((v as Record<string, unknown>)[k], visit);
}

/** Objects per value key, for the leaves that are meant to be shared. */
function sharedLeaves(facts: FileFacts[]): Map<string, Set<object>> {
  const by = new Map<string, Set<object>>();
  const add = (key: string, o: object): void => {
    let s = by.get(key);
    if (!s) by.set(key, (s = new Set()));
    s.add(o);
  };
  // The IR items; the file's own lists stay plain arrays (callers append problems to them).
  const items = facts.flatMap((f) => [...f.functions, ...f.prototypes, ...f.structs, ...f.typedefs, ...f.globals, ...f.macros]);
  for (const item of items) {
    eachObject(item, (o) => {
      if (isTypeRef(o)) add(`type ${typeKey(o)}`, o);
      else if (Array.isArray(o)) {
        if (o.length === 0) add('[]', o);
      } else {
        const e = o as { k?: string; text?: string; sub?: unknown[] };
        if (e.k === 'num') add(`num ${e.text}`, o);
        else if (e.k === 'str' || e.k === 'sizeof') add(e.k, o);
        else if (e.k === 'other' && e.sub?.length === 0) add(`other ${e.text}`, o);
      }
    });
  }
  return by;
}

async function extractAll(names: string[]): Promise<FileFacts[]> {
  const p = await wasmParser();
  return names.map((n) => extractFileFacts(p, n, fixture(n)));
}

test('equal nums, strings, sizeofs, leaf `other`s, TypeRefs and empty lists are one frozen object, across files', async () => {
  const facts = await extractAll(FIXTURES);
  const by = sharedLeaves(facts);
  const kinds = new Set([...by.keys()].map((k) => k.split(' ')[0]));
  for (const k of ['type', 'num', 'str', 'sizeof', '[]']) assert.ok(kinds.has(k), `the fixtures have ${k} leaves`);
  let types = 0;
  for (const [key, objs] of by) {
    assert.equal(objs.size, 1, `${key}: ${objs.size} distinct objects`);
    const [o] = objs;
    assert.ok(Object.isFrozen(o), `${key} is frozen`);
    if (key.startsWith('type ')) types++;
  }
  assert.equal(by.get('[]')!.values().next().value, EMPTY);
  assert.ok(types > 20, `the fixtures have many TypeRef values (${types})`);
  // `void demo_lock(void)`: no parameters. A stray write into a shared value fails loudly
  // instead of changing other files' IR.
  const params = fn(facts[0]!, 'demo_lock').params;
  assert.equal(params, EMPTY);
  assert.throws(() => (params as unknown[]).push(1), TypeError);
  assert.throws(() => {
    (fn(facts[0]!, 'demo_walk').params[0]!.type as { ptr: number }).ptr = 9;
  }, TypeError);
});

test('a typedef after its uses still resolves them, only in its own file', async () => {
  const p = await wasmParser();
  const other = 'foo_t *b(foo_t *p)\n{\n\treturn (foo_t *)p;\n}\n';
  const own = 'foo_t *a(foo_t *p)\n{\n\tfoo_t *q = (foo_t *)p;\n\treturn q;\n}\ntypedef struct foo foo_t;\n';
  const before = extractFileFacts(p, 'b.c', other);
  const a = extractFileFacts(p, 'a.c', own);
  const after = extractFileFacts(p, 'b.c', other);
  assert.deepEqual(untimed(after), untimed(before), 'resolving a.c changed nothing shared with b.c');
  const fa = fn(a, 'a');
  const fb = fn(before, 'b');
  assert.deepEqual(fa.returnType, { base: 'foo_t', struct: 'foo', ptr: 1, rcu: false });
  assert.deepEqual(fb.returnType, { base: 'foo_t', struct: null, ptr: 1, rcu: false });
  const refs = new Set<object>();
  eachObject(a.functions, (o) => {
    if (isTypeRef(o)) refs.add(o);
  });
  assert.equal(refs.size, 1, 'return, parameter, local and cast types of a.c are one object');
  assert.equal(fa.returnType, fa.params[0]!.type);
  assert.equal(fb.returnType, fn(after, 'b').returnType, 'shared across extractions');
  assert.ok(Object.isFrozen(fa.returnType) && Object.isFrozen(fb.returnType));
});

test('extracted facts equal their JSON round trip (fact cache, worker transfer)', async () => {
  for (const f of await extractAll(FIXTURES)) assert.deepStrictEqual(JSON.parse(JSON.stringify(f)), f, f.file);
});

test('incremental re-extraction shares the same objects as a fresh extraction', async () => {
  const p = await wasmParser();
  const text = fixture('kernel.c');
  const doc = new DocumentExtractor(p);
  try {
    doc.extract('kernel.c', text);
    // An edit inside demo_walk: the items before it are reused, it and those after are rebuilt
    // (the edit adds a line).
    const at = text.indexOf('{', text.indexOf('static int demo_walk(')) + 2;
    const edited = `${text.slice(0, at)}\tdp->n = (u32)sizeof(int) + 7;\n${text.slice(at)}`;
    const inc = doc.extract('kernel.c', edited);
    assert.equal(doc.lastStats.mode, 'incremental');
    assert.ok(doc.lastStats.reused > 0 && doc.lastStats.rebuilt > 0, JSON.stringify(doc.lastStats));
    const fresh = extractFileFacts(p, 'kernel.c', edited, { countUnmaskedErrors: false });
    assert.deepStrictEqual(untimed(inc), untimed(fresh));
    const by = sharedLeaves([inc, fresh]);
    for (const [key, objs] of by) assert.equal(objs.size, 1, `${key}: ${objs.size} distinct objects`);
    for (const [key, objs] of by) assert.ok(Object.isFrozen([...objs][0]), `${key} is frozen`);
  } finally {
    doc.dispose();
  }
});
