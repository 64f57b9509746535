import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stmt } from '../../../src/engine/ir';
import { calleeNames, factsOf, factsOfText, fn, stmts } from './helpers';

test('functions: names, static, return type, params, lines', async () => {
  const f = await factsOf('basic.c');
  assert.deepEqual(f.functions.map((x) => x.name), ['sum', 'process', 'item_free']);
  const p = fn(f, 'process');
  assert.equal(p.isStatic, false);
  assert.equal(fn(f, 'sum').isStatic, true);
  assert.deepEqual(p.returnType, { base: 'int', struct: null, ptr: 0, rcu: false });
  assert.deepEqual(
    p.params.map((x) => [x.name, x.type.base, x.type.struct, x.type.ptr]),
    [
      ['head', 'item_t', 'item', 1], // typedef resolved to its struct
      ['limit', 'int', null, 0],
    ],
  );
  assert.equal(p.line, 34);
  assert.equal(p.endLine, 82);
  assert.equal(p.col, 0);
  assert.equal(p.hasErrors, false);
  assert.deepEqual(p.preproc, []);
  assert.equal(p.file, 'basic.c');
});

test('statements: locals, if/else chains, loops, switch/case, goto/label, return', async () => {
  const p = fn(await factsOf('basic.c'), 'process');
  assert.equal(p.body.k, 'block');
  const top = (p.body as Extract<Stmt, { k: 'block' }>).body;
  assert.deepEqual(
    top.map((s) => s.k),
    ['decl', 'decl', 'decl', 'decl', 'if', 'for', 'while', 'do', 'switch', 'for', 'expr', 'expr', 'label', 'expr', 'return'],
  );
  const decls = top.filter((s): s is Extract<Stmt, { k: 'decl' }> => s.k === 'decl');
  assert.deepEqual(decls.map((d) => [d.decl.name, d.decl.type.base, d.decl.type.ptr, d.init?.k ?? null]), [
    ['i', 'int', 0, null],
    ['total', 'int', 0, 'num'],
    ['it', 'item_t', 1, 'id'],
    ['c', 'counters_t', 0, 'init'],
  ]);
  // else-if chain: if → else → if → else block
  const iff = top[4] as Extract<Stmt, { k: 'if' }>;
  assert.equal(iff.then.k, 'return');
  assert.equal(iff.else?.k, 'if');
  const inner = iff.else as Extract<Stmt, { k: 'if' }>;
  assert.equal(inner.else?.k, 'block');
  // switch body: case markers followed by their statements in the same block
  const sw = top[8] as Extract<Stmt, { k: 'switch' }>;
  const swBody = (sw.body as Extract<Stmt, { k: 'block' }>).body.map((s) => s.k);
  assert.deepEqual(swBody, ['case', 'expr', 'case', 'case', 'expr', 'break', 'case', 'goto']);
  const cases = (sw.body as Extract<Stmt, { k: 'block' }>).body.filter((s): s is Extract<Stmt, { k: 'case' }> => s.k === 'case');
  assert.deepEqual(cases.map((c) => (c.value && c.value.k === 'num' ? c.value.text : c.value)), ['0', '1', '2', null]);
  const gotoStmt = stmts(p.body).find((s) => s.k === 'goto') as Extract<Stmt, { k: 'goto' }>;
  assert.equal(gotoStmt.label, 'out');
  const label = top[12] as Extract<Stmt, { k: 'label' }>;
  assert.equal(label.name, 'out');
  assert.equal(label.line, 79);
  // for with declaration init of two variables and a comma update
  const for2 = top[9] as Extract<Stmt, { k: 'for' }>;
  assert.equal(for2.init?.k, 'block');
  assert.equal(for2.update?.k, 'comma');
  const for1 = top[5] as Extract<Stmt, { k: 'for' }>;
  assert.equal(for1.init?.k, 'expr');
  assert.equal(for1.cond?.k, 'binary');
  assert.deepEqual(for1.update, { k: 'unary', op: 'post++', arg: { k: 'id', name: 'i', line: 48, col: '\tfor (i = 0; i < limit; '.length } });
});

test('expressions: calls with positions and text, field/arrow, casts, conditional', async () => {
  const p = fn(await factsOf('basic.c'), 'process');
  // `it->cb(...)` has a field callee, so it is not in the identifier list.
  assert.deepEqual(calleeNames(p.body), ['sum', 'ITEM_OK', 'item_free', 'sum']);
  const all = stmts(p.body);
  const cbCall = all.find((s) => s.k === 'expr' && s.expr.k === 'call' && s.expr.text.startsWith('it->cb')) as Extract<Stmt, { k: 'expr' }>;
  assert.ok(cbCall);
  const call = cbCall.expr as Extract<typeof cbCall.expr, { k: 'call' }>;
  assert.equal(call.line, 77);
  assert.equal(call.col, 1);
  assert.equal(call.endLine, 77);
  assert.equal(call.text, 'it->cb(it, total)');
  assert.deepEqual(call.callee, { k: 'field', base: { k: 'id', name: 'it', line: 77, col: 1 }, field: 'cb', arrow: true });
  const assign = all.find((s) => s.k === 'expr' && s.line === 78) as Extract<Stmt, { k: 'expr' }>;
  assert.equal(assign.expr.k, 'assign');
  const rhs = (assign.expr as Extract<typeof assign.expr, { k: 'assign' }>).right;
  assert.equal(rhs.k, 'cond');
  const sumCall = (rhs as Extract<typeof rhs, { k: 'cond' }>).else;
  assert.equal(sumCall.k, 'call');
  const castArg = (sumCall as Extract<typeof sumCall, { k: 'call' }>).args[1];
  assert.equal(castArg.k, 'cast');
  assert.deepEqual((castArg as Extract<typeof castArg, { k: 'cast' }>).arg, {
    k: 'field',
    base: { k: 'id', name: 'c', line: 78, col: 46 },
    field: 'misses',
    arrow: false,
  });
});

test('structs, typedefs, globals, prototypes and #defines', async () => {
  const f = await factsOf('basic.c');
  const item = f.structs.find((s) => s.name === 'item')!;
  assert.deepEqual(
    item.fields.map((x) => [x.name, x.type.base, x.type.ptr]),
    [
      ['state', 'int', 0],
      ['next', 'struct item', 1],
      ['name', 'char', 1],
      ['cb', 'fnptr', 1],
      ['flags', 'unsigned long', 0],
    ],
  );
  assert.deepEqual(f.structs.find((s) => s.name === 'counters_t')?.fields.map((x) => x.name), ['hits', 'misses']);
  assert.deepEqual(f.typedefs.map((t) => [t.name, t.type.base, t.type.struct]), [
    ['item_t', 'struct item', 'item'],
    ['counters_t', 'struct <anon>', 'counters_t'],
  ]);
  assert.deepEqual(f.globals.map((g) => [g.name, g.isStatic, g.type.base, g.type.ptr, g.init?.k ?? null]), [
    ['n_items', true, 'int', 0, null],
    ['shared_total', false, 'int', 0, 'num'],
    ['table', true, 'item_t', 2, null],
  ]);
  assert.deepEqual(f.prototypes.map((p) => [p.name, p.isStatic, p.params.map((x) => x.name)]), [
    ['item_lookup', false, ['name']],
    ['item_free', true, ['it']],
  ]);
  assert.deepEqual(f.macros, [
    { name: 'MAX_ITEMS', params: null, body: '16', line: 4 },
    { name: 'ITEM_OK', params: ['it'], body: '((it)->state == 1)', line: 5 },
  ]);
  assert.equal(f.errorNodes, 0);
  assert.equal(f.errorNodesUnmasked, 0);
  assert.deepEqual(f.unmodeled, []);
  assert.deepEqual(f.problems, []);
});

test('file metadata: bytes (UTF-8), lines, sha1 hash, timings', async () => {
  const text = '// é\nint x;\n';
  const f = await factsOfText(text);
  assert.equal(f.bytes, Buffer.byteLength(text, 'utf8'));
  assert.equal(f.lines, 2);
  assert.equal(f.hash, (await import('node:crypto')).createHash('sha1').update(text, 'utf8').digest('hex'));
  assert.ok(f.parseMs >= 0 && f.extractMs >= 0);
  const given = await factsOfText(text, { hash: 'abc' });
  assert.equal(given.hash, 'abc', 'a caller-supplied hash is used as is');
});

test('columns are UTF-16 offsets into the original line, also after non-ASCII text', async () => {
  const f = await factsOfText('int f(void)\n{\n\t/* é😀 */ return g(1);\n}\n');
  const ret = stmts(fn(f, 'f').body).find((s) => s.k === 'return') as Extract<Stmt, { k: 'return' }>;
  const call = ret.expr as Extract<NonNullable<typeof ret.expr>, { k: 'call' }>;
  assert.equal(call.line, 3);
  assert.equal(call.col, '\t/* é😀 */ return '.length);
  assert.equal(call.text, 'g(1)');
});

test('a statement expression keeps its inner calls; GNU ?: keeps the test', async () => {
  const f = await factsOfText('int f(int a)\n{\n\tint x = ({ int y = g(a); y + h(); });\n\treturn a ?: k();\n}\n');
  assert.deepEqual(calleeNames(fn(f, 'f').body), ['g', 'h', 'k']);
});

test('a body macro call read as a declaration (`FOO(x);`) becomes a call', async () => {
  const f = await factsOfText('void f(void)\n{\n\tDEFINE_WAIT(wait);\n\tmy_type y;\n}\n');
  const body = (fn(f, 'f').body as Extract<Stmt, { k: 'block' }>).body;
  assert.equal(body[0].k, 'expr');
  assert.deepEqual(calleeNames(body[0]), ['DEFINE_WAIT']);
  assert.equal(body[1].k, 'decl', 'a plain declaration stays a declaration');
});
