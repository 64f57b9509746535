import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stmt } from '../../../src/engine/ir';
import { extractFileFacts } from '../../../src/engine/parse/extract';
import type { CParser } from '../../../src/engine/parse/tree/parser';
import { calleeNames, factsOf, factsOfText, fn, nativeParser, stmts, wasmParser } from './helpers';

test('a function with a broken statement is recovered with all its calls, in order', async () => {
  const f = await factsOf('broken.c');
  assert.deepEqual(f.functions.map((x) => [x.name, x.hasErrors]), [
    ['demo_ok_before', false],
    ['demo_broken_stmt', true],
    ['demo_ok_after', false],
    ['demo_weird', true],
  ]);
  const b = fn(f, 'demo_broken_stmt');
  assert.deepEqual(calleeNames(b.body), ['mutex_lock', 'demo_prepare', 'demo_commit', 'mutex_unlock']);
  assert.ok(stmts(b.body).some((s) => s.k === 'unknown'), 'the unparsable part is an unknown statement');
  assert.deepEqual(calleeNames(fn(f, 'demo_weird').body), ['spin_lock', 'spin_unlock']);
  assert.ok(f.errorNodes > 0);
});

test('#if arms with unbalanced braces: the first arm is kept and the functions survive', async () => {
  const f = await factsOf('unbalanced.c');
  assert.deepEqual(f.functions.map((x) => [x.name, x.hasErrors]), [
    ['demo_split', false],
    ['demo_next', false],
    ['demo_last', false],
  ]);
  assert.deepEqual(calleeNames(fn(f, 'demo_split').body), ['mutex_lock', 'demo_do', 'mutex_unlock']);
  assert.deepEqual(calleeNames(fn(f, 'demo_next').body), ['rtnl_lock', 'demo_helper', 'rtnl_unlock']);
  assert.equal(f.errorNodes, 0);
  assert.ok(f.errorNodesUnmasked > 0);
  assert.deepEqual(f.problems.map((p) => [p.code, p.line]), [
    ['unbalanced-conditional', 4],
    ['unbalanced-conditional', 18],
    ['unbalanced-conditional', 24],
  ]);
});

test('stray statements after a premature `}` are reported as unmodeled with their calls', async () => {
  const text = 'static void a(void)\n{\n\t} }\n\trtnl_lock();\n}\n\nstatic int b(void)\n{\n\trtnl_unlock();\n\treturn 1;\n}\n';
  const f = await factsOfText(text);
  assert.deepEqual(f.functions.map((x) => x.name), ['a', 'b']);
  assert.equal(f.unmodeled.length, 1);
  assert.equal(f.unmodeled[0].line, 4);
  assert.match(f.unmodeled[0].reason, /rtnl_lock/);
  assert.deepEqual(calleeNames(fn(f, 'b').body), ['rtnl_unlock']);
});

test('a function swallowed by a top-level ERROR keeps its name and calls', async () => {
  // A K&R-ish header with a macro in the declarator confuses the grammar into an ERROR region.
  const text = 'int DEMO_API demo_api_fn(struct demo *d) DEMO_ATTR(x) y\n{\n\tmutex_lock(&d->m);\n\tdemo_inner(d);\n\tmutex_unlock(&d->m);\n}\n';
  const f = await factsOfText(text);
  const names = f.functions.map((x) => x.name);
  assert.ok(f.errorNodes > 0, 'the text must really produce an ERROR');
  const recovered = f.functions.find((x) => calleeNames(x.body).includes('demo_inner'));
  assert.ok(recovered, `functions: ${names.join(', ')}; unmodeled: ${JSON.stringify(f.unmodeled)}`);
  assert.deepEqual(calleeNames(recovered.body), ['mutex_lock', 'demo_inner', 'mutex_unlock']);
  assert.equal(recovered.hasErrors, true);
});

test('degenerate inputs never throw: empty, whitespace, binary noise, lone braces', async () => {
  for (const text of ['', '\n\n', '\u0000\u0001\uffff garbage ((((', '}}}}{{{{', '#if\n#else\n#endif\n#endif\n', 'int f(', '"unterminated\n']) {
    const f = await factsOfText(text);
    assert.ok(Array.isArray(f.functions));
    assert.ok(!f.problems.some((p) => p.code === 'extract-failed'), `${JSON.stringify(text)}: ${JSON.stringify(f.problems)}`);
  }
  assert.equal((await factsOfText('')).lines, 0);
});

test('deep nesting is handled without a stack overflow', async () => {
  const depth = 3000;
  const text = 'int f(int x)\n{\n' + 'if (x) {\n'.repeat(depth) + 'deep_call(x);\n' + '}\n'.repeat(depth) + 'return g(x);\n}\n' +
    'int h(int x)\n{\n\treturn ' + '('.repeat(depth) + 'x' + ')'.repeat(depth) + ' + k();\n}\n';
  const f = await factsOfText(text, { timeoutMs: 20000 });
  assert.ok(!f.problems.some((p) => p.code === 'extract-failed'), JSON.stringify(f.problems));
  const names = calleeNames(fn(f, 'f').body);
  assert.ok(names.includes('deep_call') && names.includes('g'), names.join(','));
  assert.deepEqual(calleeNames(fn(f, 'h').body), ['k']);
});

test('parse timeout: both backends abort a long parse, and the file is skipped with a clear problem', async () => {
  const unit = 'static int fn_N(struct s *p)\n{\n\tif (p->a && p->b)\n\t\treturn call_N(p, 1, 2, 3);\n\treturn 0;\n}\n';
  let text = '';
  for (let i = 0; i < 20000; i++) text += unit.replace(/_N/g, '_' + i);
  const parsers: CParser[] = [await wasmParser()];
  const nat = nativeParser();
  if (nat) parsers.push(nat);
  for (const p of parsers) {
    assert.equal(p.parse(text, 1), null, `${p.backend}: a 1 ms parse of 1.2 MB must be cancelled`);
    // Only the parse is slow here: masking and hashing are left out of the budget.
    const slowParse: CParser = { backend: p.backend, parse: (t) => p.parse(t, 1), delete: () => undefined };
    const f = extractFileFacts(slowParse, 'big.c', text, { timeoutMs: 60000, hash: 'h' });
    assert.deepEqual(f.problems.map((x) => x.code), ['parse-timeout'], p.backend);
    assert.match(f.problems[0].message, /did not finish within the 60000 ms budget/);
    assert.equal(f.functions.length, 0);
    // The parser is usable afterwards (a cancelled parse must not leak into the next one).
    const ok = extractFileFacts(p, 'small.c', 'int f(void) { return g(); }\n');
    assert.deepEqual(ok.functions.map((x) => x.name), ['f'], p.backend);
  }
});

test('the per-file budget covers masking and the tree copy too, not only the parse', async () => {
  const text = 'static int f(struct dp *dp) OVS_REQUIRES(dp->m)\n{\n\tmutex_lock(&dp->lock);\n\treturn 0;\n}\n'.repeat(60000); // ~4.5 MB
  const u0 = process.cpuUsage();
  const f = extractFileFacts(await wasmParser(), 'huge.c', text, { timeoutMs: 50, hash: 'h' });
  const u = process.cpuUsage(u0);
  const cpuMs = (u.user + u.system) / 1000;
  assert.equal(f.problems.length, 1);
  assert.match(f.problems[0].code, /^(time-budget|parse-timeout)$/);
  assert.equal(f.functions.length, 0, 'no partial results');
  assert.ok(cpuMs < 1500, `a 50 ms budget cost ${cpuMs.toFixed(0)} ms of CPU`);
});

test('the extractor survives a parser that throws or returns null', () => {
  const throwing: CParser = { backend: 'wasm', parse: () => { throw new Error('boom'); }, delete: () => undefined };
  const f = extractFileFacts(throwing, 'x.c', 'int x;');
  assert.deepEqual(f.problems.map((p) => p.code), ['extract-failed']);
  assert.match(f.problems[0].message, /boom/);
  const nulling: CParser = { backend: 'wasm', parse: () => null, delete: () => undefined };
  assert.deepEqual(extractFileFacts(nulling, 'x.c', 'int x;').problems.map((p) => p.code), ['parse-timeout']);
});

test('every tree is deleted, also when extraction fails midway', async () => {
  const real = await wasmParser();
  let created = 0;
  let deleted = 0;
  const counting: CParser = {
    backend: 'wasm',
    parse(text, t) {
      const tree = real.parse(text, t);
      if (!tree) return null;
      created++;
      return { rootNode: tree.rootNode, delete: () => { deleted++; tree.delete(); } };
    },
    delete: () => undefined,
  };
  extractFileFacts(counting, 'k.c', 'void f(void) __acquires(x) { g(); }\n');
  assert.equal(created, 2, 'masked + unmasked parse');
  assert.equal(deleted, created);
  // A root node whose traversal throws: the tree is still freed.
  const failing: CParser = {
    backend: 'wasm',
    parse(text, t) {
      const tree = real.parse(text, t)!;
      created++;
      const root = new Proxy(tree.rootNode, {
        get: (o, k) => {
          if (k === 'walk') return () => { throw new Error('cursor'); };
          return Reflect.get(o, k);
        },
      });
      return { rootNode: root, delete: () => { deleted++; tree.delete(); } };
    },
    delete: () => undefined,
  };
  const f = extractFileFacts(failing, 'k.c', 'int x;');
  assert.deepEqual(f.problems.map((p) => p.code), ['extract-failed']);
  assert.equal(deleted, created);
});

test('unknown statements keep the calls of an unparsable region in order', async () => {
  const f = await factsOfText('void f(void)\n{\n\ta();\n\tb(c(1)) @ `d(2);\n\te();\n}\n');
  const body = fn(f, 'f').body;
  assert.deepEqual(calleeNames(body), ['a', 'b', 'c', 'd', 'e']);
  const unknown = stmts(body).filter((s): s is Extract<Stmt, { k: 'unknown' }> => s.k === 'unknown');
  assert.ok(unknown.length >= 1);
});

test('pathological depth: nested #if (file scope and body), initialisers, structs, calls, anonymous members', async () => {
  const fnOf = (body: string): string => `void f(struct dp *dp)\n{\n${body}\n}\n`;
  const cases: [string, string][] = [
    ['#if at file scope', '#if A\n'.repeat(2500) + 'void f(void) { g(); }\n' + '#endif\n'.repeat(2500)],
    ['#if in a body', fnOf('#if A\n'.repeat(2500) + 'g();\n' + '#endif\n'.repeat(2500))],
    ['initialisers', 'int x = ' + '{'.repeat(2500) + '1' + '}'.repeat(2500) + ';\n'],
    ['structs', 'struct a { '.repeat(2500) + 'int x;' + ' } f;'.repeat(2500) + '\n'],
    ['anonymous members', 'struct a { ' + 'struct { '.repeat(2500) + 'int x;' + ' };'.repeat(2500) + ' };\n'],
    ['calls', fnOf('x = ' + 'g('.repeat(5000) + 'mutex_lock(&dp->lock)' + ')'.repeat(5000) + ';')],
    ['blocks', fnOf('{'.repeat(5000) + 'h();' + '}'.repeat(5000))],
  ];
  for (const [name, text] of cases) {
    const f = await factsOfText(text, { timeoutMs: 30000 });
    assert.deepEqual(f.problems.filter((p) => p.code === 'extract-failed' || p.code === 'parse-timeout'), [], name);
    // 256 statement levels at most; each level is a few objects deep (alt → arms → block → body).
    assert.ok(irDepth(f) <= 1100, `${name}: IR depth ${irDepth(f)}`);
  }
  // Calls past the depth limit are kept flat, with simple lock arguments.
  const deep = await factsOfText(fnOf('x = ' + 'g('.repeat(5000) + 'mutex_lock(&dp->lock)' + ')'.repeat(5000) + ';'));
  const names = calleeNames(fn(deep, 'f').body);
  assert.ok(names.includes('mutex_lock'), 'the innermost call survives');
  assert.equal(names.filter((n) => n === 'g').length, 5000);
  const f2 = await factsOfText('#if A\n'.repeat(2500) + 'void f(void) { g(); }\n' + '#endif\n'.repeat(2500));
  assert.equal(f2.functions.length, 1);
  assert.equal(f2.functions[0].preproc.length, 2500);
});

/** Maximum nesting depth of the IR (objects inside objects), measured iteratively. */
function irDepth(f: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[f, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > max) max = d;
    if (v && typeof v === 'object') for (const x of Object.values(v as object)) if (x && typeof x === 'object') stack.push([x, d + 1]);
  }
  return max;
}
