/** The unified-diff parser and the in-memory apply: edge cases and a round-trip property. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createTwoFilesPatch } from 'diff';
import { parseUnifiedDiff } from '../../../src/engine/series/unified-diff';
import { applyPatch } from '../../../src/engine/series/apply';
import { normalizePatchPath } from '../../../src/engine/series/safe-path';

const apply = (tree: Record<string, string>, diff: string) => {
  const parsed = parseUnifiedDiff(diff, 1);
  const r = applyPatch(new Map(Object.entries(tree)), { index: 1, files: parsed.files });
  return { ...r, parseProblems: parsed.problems, files: parsed.files };
};

test('new, deleted and mode-changed files', () => {
  const diff = [
    'diff --git a/new.c b/new.c',
    'new file mode 100644',
    'index 0000000..1111111',
    '--- /dev/null',
    '+++ b/new.c',
    '@@ -0,0 +1,2 @@',
    '+int x;',
    '+int y;',
    'diff --git a/old.c b/old.c',
    'deleted file mode 100644',
    '--- a/old.c',
    '+++ /dev/null',
    '@@ -1 +0,0 @@',
    '-gone',
    'diff --git a/run.sh b/run.sh',
    'old mode 100644',
    'new mode 100755',
    '',
  ].join('\n');
  const r = apply({ 'old.c': 'gone\n', 'run.sh': 'echo\n' }, diff);
  assert.equal(r.applied, true, JSON.stringify(r.problems));
  assert.equal(r.tree.get('new.c'), 'int x;\nint y;\n');
  assert.equal(r.tree.has('old.c'), false);
  assert.equal(r.tree.get('run.sh'), 'echo\n');
  assert.ok(r.notes.includes('run.sh: mode 100644 → 100755'));
  assert.deepEqual(r.touched, ['new.c', 'old.c', 'run.sh']);
  // Negative: creating a file that exists fails and leaves the tree alone.
  const again = apply({ 'new.c': 'x\n', 'old.c': 'gone\n', 'run.sh': 'echo\n' }, diff);
  assert.equal(again.applied, false);
  assert.match(again.problems[0].message, /new\.c is created by the patch but already exists/);
  assert.equal(again.tree.get('new.c'), 'x\n');
});

test('"\\ No newline at end of file" on either side', () => {
  const add = ['--- a/f', '+++ b/f', '@@ -1,2 +1,2 @@', ' a', '-b', '\\ No newline at end of file', '+b', ''].join('\n');
  assert.equal(apply({ f: 'a\nb' }, add).tree.get('f'), 'a\nb\n');
  const drop = ['--- a/f', '+++ b/f', '@@ -1,2 +1,2 @@', ' a', '-b', '+c', '\\ No newline at end of file', ''].join('\n');
  assert.equal(apply({ f: 'a\nb\n' }, drop).tree.get('f'), 'a\nc');
});

test('CRLF files keep their line endings when patched with LF hunks', () => {
  const diff = ['--- a/w.c', '+++ b/w.c', '@@ -1,3 +1,4 @@', ' one', ' two', '+two and a half', ' three', ''].join('\n');
  const r = apply({ 'w.c': 'one\r\ntwo\r\nthree\r\n' }, diff);
  assert.equal(r.applied, true);
  assert.equal(r.tree.get('w.c'), 'one\r\ntwo\r\ntwo and a half\r\nthree\r\n');
});

test('a blank context line whose space a mailer stripped still matches', () => {
  const diff = ['--- a/f', '+++ b/f', '@@ -1,3 +1,3 @@', ' a', '', '-c', '+C', ''].join('\n');
  const r = apply({ f: 'a\n\nc\n' }, diff);
  assert.equal(r.applied, true);
  assert.equal(r.tree.get('f'), 'a\n\nC\n');
});

test('a truncated hunk is reported and does not apply', () => {
  const diff = ['--- a/f', '+++ b/f', '@@ -1,4 +1,4 @@', ' a', '-b', '+B', 'a reviewer comment', ''].join('\n');
  const r = apply({ f: 'a\nb\nc\nd\n' }, diff);
  assert.equal(r.parseProblems[0].code, 'truncated-hunk');
  assert.equal(r.applied, false);
  assert.match(r.problems[0].message, /hunk 1\/1 .* is incomplete/);
});

test('a file the tree lacks is named', () => {
  const r = apply({}, ['--- a/missing.c', '+++ b/missing.c', '@@ -1 +1 @@', '-a', '+b', ''].join('\n'));
  assert.equal(r.applied, false);
  assert.match(r.problems[0].message, /missing\.c does not exist/);
});

test('hunks are searched after the previous one, never before it', () => {
  // Both hunks match line 1's text; the second must land on the later occurrence.
  const diff = ['--- a/f', '+++ b/f', '@@ -1 +1 @@', '-x', '+X1', '@@ -3 +3 @@', '-x', '+X2', ''].join('\n');
  const r = apply({ f: 'x\ny\nx\n' }, diff);
  assert.equal(r.tree.get('f'), 'X1\ny\nX2\n');
});

test('unsafe paths are rejected with the reason; safe ones are normalised', () => {
  for (const bad of ['../../etc/passwd', '/etc/passwd', 'a/../../b', '.git/config', 'C:\\x']) {
    const r = normalizePatchPath(bad);
    assert.equal(r.ok, false, bad);
  }
  assert.deepEqual(normalizePatchPath('./lib//x.c'), { ok: true, path: 'lib/x.c' });
  assert.deepEqual(normalizePatchPath('"lib/caf\\303\\251.c"'), { ok: true, path: 'lib/café.c' });
  const parsed = parseUnifiedDiff(['diff --git a/../../etc/passwd b/../../etc/passwd', '--- a/../../etc/passwd', '+++ b/../../etc/passwd', '@@ -1 +1,2 @@', ' root', '+evil', ''].join('\n'), 4);
  assert.equal(parsed.files.length, 0);
  assert.equal(parsed.problems[0].code, 'unsafe-path');
  assert.equal(parsed.problems[0].patch, 4);
  assert.equal(parsed.problems[0].file, '../../etc/passwd');
  assert.match(parsed.problems[0].message, /^rejected file: path "..\/..\/etc\/passwd" escapes the base tree \(".."\); the whole patch is refused$/);
});

test('property: applying jsdiff output of (a → b) onto a yields b', () => {
  const line = fc.constantFrom('a', 'b', 'c', '', '  x', 'lock();', 'unlock();', '}');
  const file = fc.array(line, { maxLength: 30 }).map((ls) => ls.join('\n') + (ls.length ? '\n' : ''));
  fc.assert(
    fc.property(file, file, fc.integer({ min: 0, max: 5 }), (a, b, ctx) => {
      if (a === b || a === '') return true;
      const diff = createTwoFilesPatch('a/f.c', 'b/f.c', a, b, '', '', { context: ctx });
      const r = apply({ 'f.c': a }, diff);
      assert.equal(r.applied, true, `${diff}\n${JSON.stringify(r.problems)}`);
      assert.equal(r.tree.get('f.c') ?? '', b);
      return true;
    }),
    { numRuns: 300, seed: 42 },
  );
});

test('plain diffs: the first path component is stripped like patch -p1, git a/ b/ prefixes exactly', () => {
  const plain = parseUnifiedDiff(['--- linux-6.1.orig/net/core/dev.c\t2026-01-01', '+++ linux-6.1/net/core/dev.c\t2026-01-02', '@@ -1 +1 @@', '-a', '+b', ''].join('\n'));
  assert.deepEqual([plain.files[0].oldPath, plain.files[0].newPath], ['net/core/dev.c', 'net/core/dev.c']);
  const single = parseUnifiedDiff(['--- dev.c', '+++ dev.c', '@@ -1 +1 @@', '-a', '+b', ''].join('\n'));
  assert.equal(single.files[0].newPath, 'dev.c');
  const git = parseUnifiedDiff(['diff --git a/x/y.c b/x/y.c', '--- a/x/y.c', '+++ b/x/y.c', '@@ -1 +1 @@', '-a', '+b', ''].join('\n'));
  assert.equal(git.files[0].newPath, 'x/y.c');
});
