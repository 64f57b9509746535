import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLoopMacroName, maskSource, splitArgs } from '../../../src/engine/parse/preprocess/macro-mask';
import { fixture } from './helpers';

/** Masking may only replace characters by spaces or rename to `while`; newlines never move. */
function assertOffsetsPreserved(text: string, masked: string): void {
  assert.equal(masked.length, text.length);
  for (let i = 0; i < text.length; i++) {
    const a = text.charCodeAt(i);
    const b = masked.charCodeAt(i);
    if (a === 10 || a === 13 || b === 10 || b === 13) assert.equal(b, a, `line break changed at ${i}`);
  }
}

test('masking keeps length and every newline on the fixtures', () => {
  for (const f of ['basic.c', 'kernel.c', 'ovs.c', 'broken.c', 'preproc.c']) {
    const text = fixture(f);
    const m = maskSource(text);
    assertOffsetsPreserved(text, m.masked);
  }
});

test('text without macros is returned unchanged (and flagged so)', () => {
  const text = 'int f(int a)\n{\n\treturn g(a) + 1;\n}\n';
  const m = maskSource(text);
  assert.equal(m.unchanged, true);
  assert.equal(m.masked, text);
});

test('annotation macros are blanked and recorded with kind, locks, ret and line', () => {
  const text = [
    'void a(void) OVS_REQUIRES(m);',
    'int b(struct x *x) OVS_TRY_LOCK(true, x->mutex, other);',
    'void c(void) __acquires(&lk) __releases(&lk2);',
    'int d(void) __cond_acquires(&dp->lock);',
    'int e(void) __cond_acquires(0, &dp->lock);',
    'void f(void) OVS_EXCLUDED(a, b(c, d));',
    'void g(void) OVS_NO_THREAD_SAFETY_ANALYSIS;',
    'void h(void) OVS_ACQ_RDLOCK(rw);',
  ].join('\n');
  const m = maskSource(text);
  assertOffsetsPreserved(text, m.masked);
  const got = m.annotations.map((a) => [a.kind, a.macro, a.locks, a.ret, a.line]);
  assert.deepEqual(got, [
    ['requires', 'OVS_REQUIRES', ['m'], null, 1],
    ['try', 'OVS_TRY_LOCK', ['x->mutex', 'other'], 'true', 2],
    ['acquires', '__acquires', ['&lk'], null, 3],
    ['releases', '__releases', ['&lk2'], null, 3],
    ['try', '__cond_acquires', ['&dp->lock'], 'nonzero', 4],
    ['try', '__cond_acquires', ['&dp->lock'], '0', 5],
    ['excluded', 'OVS_EXCLUDED', ['a', 'b(c, d)'], null, 6],
    ['no_analysis', 'OVS_NO_THREAD_SAFETY_ANALYSIS', [], null, 7],
    ['acquires_shared', 'OVS_ACQ_RDLOCK', ['rw'], null, 8],
  ]);
  assert.ok(!/OVS_|__acquires|__releases|__cond/.test(m.masked), m.masked);
  // The masked region is exactly the macro and its argument list.
  assert.ok(m.masked.startsWith('void a(void) ' + ' '.repeat('OVS_REQUIRES(m)'.length) + ';'), m.masked.split('\n')[0]);
});

test('macros inside comments, strings, char literals and directives are left alone', () => {
  const text = [
    '/* OVS_REQUIRES(x) in a comment */',
    '// __acquires(y) here too',
    'const char *s = "OVS_EXCLUDED(z) list_for_each(a, b) {";',
    "char c = '\\'';",
    '#define LOCKED OVS_REQUIRES(m)',
    '#define WALK(p, h) list_for_each_entry(p, h, node) {',
    'void f(void) { list_for_each_entry(p, &h, node) { g(p); } }',
  ].join('\n');
  const m = maskSource(text);
  assertOffsetsPreserved(text, m.masked);
  const lines = m.masked.split('\n');
  const orig = text.split('\n');
  for (let i = 0; i < 6; i++) assert.equal(lines[i], orig[i], `line ${i + 1} must be untouched`);
  assert.equal(m.annotations.length, 0);
  assert.equal(m.loopMacros.size, 1);
  assert.ok(lines[6].includes('while              (p, &h, node)'), lines[6]);
});

test('iterator macros become `while` only when a statement follows, and only inside bodies', () => {
  const text = [
    'int list_for_each_entry(int a);', // prototype at file scope: untouched
    'void f(void) {',
    '\tHMAP_FOR_EACH (n, node, &map) {',
    '\t}',
    '\tlist_for_each_entry_safe(p, t, &h, list)',
    '\t\tkfree(p);',
    '\tfor_each_possible_cpu(cpu) if (x) y();',
    '\tnla_for_each_nested(a, attr, rem);', // followed by `;`: a call, not a loop
    '\tx = hlist_for_each_fake(a) + 1;', // followed by an operator
    '}',
  ].join('\n');
  const m = maskSource(text);
  assertOffsetsPreserved(text, m.masked);
  assert.deepEqual([...m.loopMacros.values()], ['HMAP_FOR_EACH', 'list_for_each_entry_safe', 'for_each_possible_cpu']);
  const lines = m.masked.split('\n');
  assert.equal(lines[0], 'int list_for_each_entry(int a);');
  assert.equal(lines[2], '\twhile         (n, node, &map) {');
  assert.ok(lines[7].includes('nla_for_each_nested(a, attr, rem);'));
  assert.ok(lines[8].includes('hlist_for_each_fake(a) + 1'));
  for (const [off, name] of m.loopMacros) assert.equal(text.slice(off, off + name.length), name);
});

test('loop macro name recogniser', () => {
  for (const n of ['list_for_each_entry_rcu', 'HMAP_FOR_EACH_WITH_HASH', 'CMAP_FOR_EACH', 'for_each_netdev', 'xa_for_each', 'idr_for_each_entry', 'nla_for_each_attr']) {
    assert.ok(isLoopMacroName(n), n);
  }
  for (const n of ['list_add', 'for', 'hmap_insert', 'rcu_read_lock', 'foreach']) assert.ok(!isLoopMacroName(n), n);
});

test('scoped_guard / scoped_cond_guard headers are rewritten and the fail keyword recorded', () => {
  const text = 'void f(void) {\n\tscoped_guard(mutex, &m) { a(); }\n\tscoped_cond_guard(mutex_intr, return -EINTR, &m) b();\n}\n';
  const m = maskSource(text);
  assertOffsetsPreserved(text, m.masked);
  const marks = [...m.scopedGuards.values()];
  assert.deepEqual(marks, [
    { macro: 'scoped_guard', failKeyword: null },
    { macro: 'scoped_cond_guard', failKeyword: 'return' },
  ]);
  assert.ok(m.masked.includes('while       (mutex, &m) {'));
  assert.ok(m.masked.includes('while            (mutex_intr,        -EINTR, &m) b();'), m.masked);
});

test('__rcu, OVSRCU_TYPE, __free and OVS_GUARDED_BY are recorded at the right offsets', () => {
  const text = 'struct s {\n\tstruct t __rcu *p;\n\tOVSRCU_TYPE(struct u *) q;\n\tint c OVS_GUARDED_BY(mu);\n};\nvoid f(void) { struct t *x __free(kfree) = NULL; }\n';
  const m = maskSource(text);
  assertOffsetsPreserved(text, m.masked);
  assert.equal(m.rcuOffsets.length, 2);
  assert.equal(text.slice(m.rcuOffsets[0], m.rcuOffsets[0] + 5), '__rcu');
  assert.equal(text.slice(m.rcuOffsets[1], m.rcuOffsets[1] + 8), 'struct u', 'OVSRCU_TYPE is recorded at the wrapped type');
  assert.deepEqual(m.cleanups.map((c) => [c.macro, c.args]), [['__free', 'kfree']]);
  assert.deepEqual(m.guardedBy.map((c) => [c.macro, c.args]), [['OVS_GUARDED_BY', 'mu']]);
  assert.ok(m.masked.includes('\t            struct u *  q;'), m.masked);
});

test('splitArgs respects nesting and strings', () => {
  assert.deepEqual(splitArgs('a, b(c, d), "e,f", {g, h}'), ['a', 'b(c, d)', '"e,f"', '{g, h}']);
  assert.deepEqual(splitArgs(''), []);
  assert.deepEqual(splitArgs('  x  '), ['x']);
});

test('property: masking preserves length and line breaks for arbitrary C-ish text', () => {
  const atoms = fc.constantFrom(
    'OVS_REQUIRES(m)', '__acquires(x)', '__rcu', 'list_for_each_entry(p, h, n)', '{', '}', '(', ')', ';', '\n', '\r\n',
    '"str(\\"x"', "'c'", '/* c */', '// l\n', '#define X(a) a\\\n b\n', 'scoped_guard(m, &l)', 'int x', ' ', '\t', 'OVSRCU_TYPE(', '__free(', ',',
  );
  fc.assert(
    fc.property(fc.array(atoms, { maxLength: 60 }), (parts) => {
      const text = parts.join('');
      const m = maskSource(text);
      assertOffsetsPreserved(text, m.masked);
    }),
    { numRuns: 300, seed: 7 },
  );
});

/** CPU milliseconds of `fn` (wall time is meaningless on a loaded 2-core CI box). */
function cpuMs(fn: () => void): number {
  const u0 = process.cpuUsage();
  fn();
  const u = process.cpuUsage(u0);
  return (u.user + u.system) / 1000;
}

test('linear time: a large file and 10,000 nesting levels', () => {
  const unit = 'static void f(struct x *p) OVS_REQUIRES(p->m)\n{\n\tlist_for_each_entry(a, &b, c) {\n\t\tg("str", \'c\'); /* c */\n\t}\n}\n';
  const reps = Math.ceil((2 * 1024 * 1024) / unit.length); // ~2 MB
  const small = unit.repeat(reps >> 3);
  const big = unit.repeat(reps);
  let m: ReturnType<typeof maskSource> | null = null;
  maskSource(small); // warm up the JIT
  const smallMs = cpuMs(() => maskSource(small));
  const bigMs = cpuMs(() => (m = maskSource(big)));
  assert.equal(m!.masked.length, big.length);
  assert.equal(m!.loopMacros.size, reps);
  assert.equal(m!.annotations.length, reps);
  assert.ok(bigMs < 3000, `2 MB took ${bigMs.toFixed(0)} ms of CPU`);
  // 8x the input must not cost much more than 8x the time (quadratic would be 64x).
  assert.ok(bigMs < Math.max(50, smallMs) * 24, `small ${smallMs.toFixed(1)} ms, big ${bigMs.toFixed(1)} ms`);

  const deep = 'void f(void) {' + 'for_each_x('.repeat(10000) + ')'.repeat(10000) + ' { }' + '{'.repeat(10000) + '}'.repeat(10000) + '}';
  let d: ReturnType<typeof maskSource> | null = null;
  const deepMs = cpuMs(() => (d = maskSource(deep)));
  assert.equal(d!.masked.length, deep.length);
  assert.ok(deepMs < 1000, `deep nesting took ${deepMs.toFixed(0)} ms of CPU`);
});

test('file-scope definer macros are blanked (with `static`) and recorded; not inside bodies', () => {
  const text = 'static DEFINE_MUTEX(m1);\nDECLARE_WORK(w, fn);\nvoid f(void) { LIST_HEAD(local); }\nint DEFINE_MUTEX_x;\n';
  const m = maskSource(text);
  assertOffsetsPreserved(text, m.masked);
  assert.deepEqual(m.definers.map((d) => [d.macro, d.args.map((a) => a.text), d.isStatic, d.line]), [
    ['DEFINE_MUTEX', ['m1'], true, 1],
    ['DECLARE_WORK', ['w', 'fn'], false, 2],
  ]);
  const lines = m.masked.split('\n');
  assert.equal(lines[0].trim(), '');
  assert.equal(lines[1].trim(), '');
  assert.equal(lines[2], 'void f(void) { LIST_HEAD(local); }');
  for (const d of m.definers) for (const a of d.args) assert.equal(text.slice(a.offset, a.offset + a.text.length), a.text);
});

test('`struct` keywords are blanked only where a type is a macro argument inside code', () => {
  const text = [
    'struct ops { int (*open)(struct dev *d); };',
    'static int f(struct dev *d, struct net *n)',
    '{',
    '\tstruct priv *p = container_of(d, struct priv, dev);',
    '\tint s = sizeof(struct priv) + offsetof(struct priv, dev);',
    '\tg((struct priv *)d, list_entry(n, union u, node));',
    '\tfor (struct x *q = p; q; q = q->next) h(q);',
    '}',
  ].join('\n');
  const m = maskSource(text);
  assertOffsetsPreserved(text, m.masked);
  const lines = m.masked.split('\n');
  const orig = text.split('\n');
  assert.equal(lines[0], orig[0], 'struct body: parameter types untouched');
  assert.equal(lines[1], orig[1], 'function parameters untouched');
  assert.equal(lines[3], '\tstruct priv *p = container_of(d,        priv, dev);');
  assert.equal(lines[4], orig[4], 'sizeof/offsetof keep their types');
  assert.equal(lines[5], '\tg((struct priv *)d, list_entry(n,       u, node));');
  assert.equal(lines[6], orig[6], 'a for-declaration keeps its type');
});

test('any `NAME(args) {` inside code is an iterator; `*_walk*` names also without braces; keywords never', () => {
  const text = [
    'struct s { ATOMIC(int) n; };',
    'void f(void)',
    '{',
    '\tskb_list_walk_safe(segs, skb, nskb) {',
    '\t\tkfree_skb(skb);',
    '\t}',
    '\tskb_queue_walk(&q, skb)',
    '\t\tconsume_skb(skb);',
    '\tswitch (x) {',
    '\tcase 1: break;',
    '\t}',
    '\tATOMIC(int) counter;',
    '\tmy_helper(a, b);',
    '}',
  ].join('\n');
  const m = maskSource(text);
  assertOffsetsPreserved(text, m.masked);
  assert.deepEqual([...m.loopMacros.values()], ['skb_list_walk_safe', 'skb_queue_walk']);
  const lines = m.masked.split('\n');
  assert.equal(lines[8], '\tswitch (x) {');
  assert.equal(lines[11], '\tATOMIC(int) counter;');
  assert.equal(lines[0], 'struct s { ATOMIC(int) n; };');
});
