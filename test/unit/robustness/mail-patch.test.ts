/**
 * Mail and patch inputs: random byte-level mutations of every mailbox in the repo, generated
 * unified diffs with hostile paths, a 5,000-hunk patch and a 500-message mbox. Properties: no
 * exception escapes, results are deterministic, no path can leave the tree, the caller's tree is
 * never mutated, and a patch that does not apply names the patch, file, hunk and line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readMailFile } from '../../../src/engine/series/mail';
import { assembleSeries } from '../../../src/engine/series/assemble';
import { parseUnifiedDiff } from '../../../src/engine/series/unified-diff';
import { applyPatch, type Tree } from '../../../src/engine/series/apply';
import { scanHunks } from '../../../src/engine/series/hunk-scan';
import { analyzeSeries } from '../../../src/engine/series/analyze-series';
import { CaseStats, ROOT, fcParams, mailSeedCorpus } from './harness';

const seeds = mailSeedCorpus();

function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(join(dir, r)).isDirectory()) walk(r);
      else out.set(r, readFileSync(join(dir, r), 'utf8'));
    }
  };
  walk('');
  return out;
}

/** Base trees the seed mailboxes apply to, so mutated patches exercise apply, not only parsing. */
const BASES = ['edge', 'flow-rtnl', 'netdev-flags', 'percpu-upcall', 'pernet-rtnl', 'ukey-replace']
  .map((d) => join(ROOT, 'test/fixtures/series', d, 'base'))
  .filter((d) => {
    try {
      return statSync(d).isDirectory();
    } catch {
      return false;
    }
  })
  .map(readTree);

const MAIL_FRAGMENTS = [
  '\n@@ -1,3 +1,4 @@\n',
  '\n@@ -999999999999,1 +1 @@\n',
  '\n@@ -0,0 +1,99999 @@\n',
  '\ndiff --git a/x.c b/x.c\n',
  '\ndiff --git a/../../etc/passwd b/../../etc/passwd\n',
  '\n--- a/.git/config\n+++ b/.git/config\n',
  '\n--- /etc/shadow\n+++ /etc/shadow\n',
  '\nrename from lib/counter.c\nrename to ../outside.c\n',
  '\nFrom 0123456789abcdef Mon Sep 17 00:00:00 2001\n',
  '\nSubject: [PATCH 99999999999/0] x\n',
  '\nSubject: =?utf-8?b?/////w==?=\n',
  '\nContent-Transfer-Encoding: base64\n\n!!!!\n',
  '\nContent-Type: multipart/mixed; boundary="b"\n\n--b\n',
  '\n\\ No newline at end of file\n',
  '\r\n',
  '\0',
  '\xff\xfe',
  '\n> ',
  '\n+',
  '\n-',
  '\n ',
  '\nGIT binary patch\nliteral 5\n',
] as const;

type Edit = [kind: number, a: number, b: number, c: number];
const editsArb = fc.array(fc.tuple(fc.nat(6), fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 });

/** Byte-level edits on the latin-1 view of the mailbox (each char is one byte). */
function mutateMail(bytes: Buffer, edits: readonly Edit[]): Buffer {
  let s = bytes.toString('latin1');
  for (const [k, a, b, c] of edits) {
    const p = a % (s.length + 1);
    const q = b % (s.length + 1);
    if (k === 0) s = s.slice(0, p) + MAIL_FRAGMENTS[c % MAIL_FRAGMENTS.length] + s.slice(p);
    else if (k === 1) s = s.slice(0, p) + s.slice(p + (c % 500));
    else if (k === 2) s = s.slice(0, p);
    else if (k === 3) s = s.slice(0, p) + s.slice(q, q + (c % 500)) + s.slice(p);
    else {
      const lines = s.split('\n');
      const i = a % lines.length;
      const j = b % lines.length;
      if (k === 4) [lines[i], lines[j]] = [lines[j], lines[i]];
      else if (k === 5) lines.splice(i, 1 + (c % 4));
      else lines.splice(i, 0, ...lines.slice(j, j + 1 + (c % 4)));
      s = lines.join('\n');
    }
  }
  return Buffer.from(s, 'latin1');
}

/** POSIX safety; Windows drive letters are checked by their own test below. */
function assertSafePath(p: string | null): void {
  if (p === null) return;
  assert.ok(!p.startsWith('/'), `absolute path ${p}`);
  assert.ok(!p.split('/').includes('..'), `path escapes: ${p}`);
  assert.ok(p.split('/')[0] !== '.git', `path inside .git: ${p}`);
  assert.ok(!p.includes('\0') && !p.includes('\\'), `odd path ${JSON.stringify(p)}`);
}

const frozen = (m: Map<string, string>): string => JSON.stringify([...m.entries()]);

test('mutated mailboxes: ingestion, apply and patch-only analysis never throw and are deterministic', async (t) => {
  assert.ok(seeds.length >= 10, `mail seeds: ${seeds.map((s) => s.name).join(', ')}`);
  const stats = new CaseStats();
  let applied = 0;
  let failedHunks = 0;
  await fc.assert(
    fc.asyncProperty(fc.nat(seeds.length - 1), editsArb, fc.nat(BASES.length - 1), async (si, edits, bi) => {
      const bytes = mutateMail(seeds[si].bytes, edits);
      const name = `${seeds[si].name} ${JSON.stringify(edits)}`;
      await stats.timeAsync(name, async () => {
        const msgs = await readMailFile(bytes, 'in.mbox');
        const series = assembleSeries(msgs);
        for (const p of series.problems) assert.ok(p.message.trim().length > 0, `empty message for ${p.code}`);
        const base = BASES[bi];
        const snapshot = frozen(base);
        let tree: Tree = base;
        for (const patch of series.patches) {
          for (const f of patch.files) {
            assertSafePath(f.oldPath);
            assertSafePath(f.newPath);
          }
          scanHunks(patch);
          const r = applyPatch(tree, patch);
          for (const p of r.problems) {
            assert.equal(p.patch, patch.index, `problem without its patch: ${p.message}`);
            assert.ok(p.file, `problem without a file: ${p.message}`);
            if (p.code === 'hunk-failed') {
              failedHunks++;
              assert.match(p.message, /hunk \d+\/\d+ \(@@ -\d+,\d+ \+\d+,\d+ @@\)/);
              assert.ok(Number.isInteger(p.line), `hunk-failed without a line: ${p.message}`);
            }
          }
          if (r.applied) applied++;
          for (const k of r.tree.keys()) assertSafePath(k);
          tree = r.tree;
        }
        assert.equal(frozen(base), snapshot, 'applyPatch mutated the caller tree');
        const report = analyzeSeries(series, null, null);
        assert.ok(JSON.stringify(report).length > 0);
        const again = assembleSeries(await readMailFile(bytes, 'in.mbox'));
        assert.deepEqual(again, series, 'ingestion is not deterministic');
      });
    }),
    fcParams(250),
  );
  t.diagnostic(`${stats.summary('mutated mail')}; ${applied} patches applied, ${failedHunks} hunk failures reported`);
  assert.ok(applied > 0 && failedHunks > 0, 'the property exercised both apply outcomes');
});

const segment = fc.oneof(
  fc.constantFrom('..', '.', '', '.git', 'lib', 'net', 'a', 'b', 'x.c', 'a b.c', '"q.c"', '\\..\\x', 'C:', '\\303\\251.c', '~', '\0'),
  fc.stringMatching(/^[a-z_]{1,8}(\.[ch])?$/),
);
const pathArb = fc.tuple(fc.constantFrom('', '/', 'a/', 'b/', '"a/', './'), fc.array(segment, { minLength: 1, maxLength: 5 })).map(([pre, segs]) => pre + segs.join('/'));
const hunkArb = fc
  .tuple(fc.nat(50), fc.nat(6), fc.nat(50), fc.nat(6), fc.array(fc.tuple(fc.constantFrom(' ', '-', '+', '\\', '', '@'), fc.string({ maxLength: 12 })), { maxLength: 10 }))
  .map(([os, ol, ns, nl, lines]) => `@@ -${os},${ol} +${ns},${nl} @@ fn()\n` + lines.map(([c, t]) => c + t).join('\n'));
const diffArb = fc
  .array(
    fc.tuple(pathArb, pathArb, fc.constantFrom('', 'new file mode 100644\n', 'deleted file mode 100644\n', 'rename from x\nrename to y\n', 'old mode 100644\nnew mode 100755\n', 'GIT binary patch\n'), fc.array(hunkArb, { maxLength: 4 })),
    { minLength: 1, maxLength: 4 },
  )
  .map((files) => files.map(([a, b, ext, hunks]) => `diff --git ${a} ${b}\n${ext}--- ${a}\n+++ ${b}\n${hunks.join('\n')}`).join('\n'));

test('generated diffs with hostile paths: never throw, never yield a path outside the tree', () => {
  let files = 0;
  let refused = 0;
  fc.assert(
    fc.property(diffArb, (text) => {
      const d = parseUnifiedDiff(text, 1);
      for (const f of d.files) {
        files++;
        assertSafePath(f.oldPath);
        assertSafePath(f.newPath);
      }
      refused += d.problems.filter((p) => p.code === 'unsafe-path').length;
      const base = new Map([['lib/x.c', 'a\nb\nc\n']]);
      const r = applyPatch(base, { index: 1, files: d.files });
      for (const k of r.tree.keys()) assertSafePath(k);
      assert.deepEqual([...base.keys()], ['lib/x.c']);
      assert.deepEqual(parseUnifiedDiff(text, 1), d, 'not deterministic');
    }),
    fcParams(400),
  );
  assert.ok(files > 0 && refused > 0, `exercised both safe (${files}) and refused (${refused}) paths`);
});

function bigFile(lines: number): string {
  return Array.from({ length: lines }, (_, i) => `line ${i}`).join('\n') + '\n';
}

/** A patch with `n` one-line insertions, every 10 lines of `big.c`. */
function manyHunks(n: number): string {
  let p = 'diff --git a/big.c b/big.c\nindex 1111111..2222222 100644\n--- a/big.c\n+++ b/big.c\n';
  for (let h = 0; h < n; h++) {
    const at = h * 10 + 1;
    p += `@@ -${at},3 +${at + h},4 @@ f()\n line ${at - 1}\n line ${at}\n+added ${h}\n line ${at + 1}\n`;
  }
  return p;
}

test('a patch with 5,000 hunks parses and applies exactly, fast', (t) => {
  const t0 = performance.now();
  const d = parseUnifiedDiff(manyHunks(5000), 1);
  const t1 = performance.now();
  assert.deepEqual(d.problems, []);
  assert.equal(d.files[0].hunks.length, 5000);
  const r = applyPatch(new Map([['big.c', bigFile(50_000)]]), { index: 1, files: d.files });
  const t2 = performance.now();
  assert.ok(r.applied, JSON.stringify(r.problems.slice(0, 3)));
  const out = r.tree.get('big.c')!.split('\n');
  assert.equal(out.length, 55_001);
  assert.equal(out.filter((l) => l.startsWith('added ')).length, 5000);
  assert.equal(out[2], 'added 0', 'first insertion after line 1 (0-based 2)');
  t.diagnostic(`5,000 hunks: parse ${(t1 - t0).toFixed(0)} ms, apply ${(t2 - t1).toFixed(0)} ms`);
  assert.ok(t2 - t0 < 10_000);
});

test('a 500-message mbox assembles into 500 ordered patches', async (t) => {
  let mb = '';
  // Written in reverse order: assembly must sort by N/M, not by position.
  for (let m = 500; m >= 1; m--) {
    mb +=
      `From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\nFrom: Ada <ada@example.org>\n` +
      `Date: Mon, 27 Apr 2026 11:11:46 +0200\nSubject: [PATCH v2 ${m}/500] part ${m}\n\nBody ${m}.\n\nSigned-off-by: Ada <ada@example.org>\n---\n` +
      `diff --git a/f${m}.c b/f${m}.c\n--- a/f${m}.c\n+++ b/f${m}.c\n@@ -1,1 +1,2 @@\n a\n+b${m}\n-- \n2.39.5\n\n`;
  }
  const t0 = performance.now();
  const series = assembleSeries(await readMailFile(Buffer.from(mb), 'big.mbox'));
  const t1 = performance.now();
  assert.equal(series.patches.length, 500);
  assert.deepEqual(series.patches.map((p) => p.index), Array.from({ length: 500 }, (_, i) => i + 1));
  assert.equal(series.patches[41].subject, 'part 42');
  assert.deepEqual(series.problems, []);
  let tree: Tree = new Map(Array.from({ length: 500 }, (_, i) => [`f${i + 1}.c`, 'a\n'] as [string, string]));
  for (const p of series.patches) {
    const r = applyPatch(tree, p);
    assert.ok(r.applied, p.subject);
    tree = r.tree;
  }
  assert.equal(tree.get('f500.c'), 'a\nb500\n');
  const report = analyzeSeries(series, null, null);
  const t2 = performance.now();
  assert.ok(JSON.stringify(report).length > 0);
  t.diagnostic(`500 messages: ingest ${(t1 - t0).toFixed(0)} ms, apply + patch-only report ${(t2 - t1).toFixed(0)} ms`);
  assert.ok(t2 - t0 < 15_000);
});

test('a patch that does not apply names the patch, file, hunk and line', () => {
  const base = new Map([['lib/counter.c', 'int a;\nint b;\nint c;\nint d;\n']]);
  const d = parseUnifiedDiff('diff --git a/lib/counter.c b/lib/counter.c\n--- a/lib/counter.c\n+++ b/lib/counter.c\n@@ -1,2 +1,2 @@\n int a;\n-int b;\n+int bb;\n@@ -3,2 +3,3 @@\n int c;\n int WRONG;\n+int e;\n', 7);
  const r = applyPatch(base, { index: 7, files: d.files });
  assert.equal(r.applied, false);
  assert.equal(r.tree, base, 'all or nothing: the input tree comes back');
  assert.equal(r.problems.length, 1);
  const [p] = r.problems;
  assert.equal(p.code, 'hunk-failed');
  assert.equal(p.patch, 7);
  assert.equal(p.file, 'lib/counter.c');
  assert.equal(p.line, 3);
  assert.match(p.message, /hunk 2\/2/);
  assert.match(p.message, /line 4 is "int d;", the patch expects "int WRONG;"/);
  // Negative control: the same patch with the right context applies.
  const ok = applyPatch(base, { index: 7, files: parseUnifiedDiff('--- a/lib/counter.c\n+++ b/lib/counter.c\n@@ -3,2 +3,3 @@\n int c;\n int d;\n+int e;\n', 7).files });
  assert.ok(ok.applied);
  assert.equal(ok.tree.get('lib/counter.c'), 'int a;\nint b;\nint c;\nint d;\nint e;\n');
});

test('a missing file, a truncated hunk and an existing target are each named', () => {
  const base = new Map([['a.c', 'x\n'], ['b.c', 'y\n']]);
  const missing = applyPatch(base, { index: 2, files: parseUnifiedDiff('--- a/nope.c\n+++ b/nope.c\n@@ -1 +1 @@\n-x\n+z\n', 2).files });
  assert.match(missing.problems[0].message, /nope\.c does not exist/);
  assert.equal(missing.problems[0].patch, 2);
  const cut = parseUnifiedDiff('--- a/a.c\n+++ b/a.c\n@@ -1,5 +1,5 @@\n x\n', 3);
  assert.ok(cut.problems.some((p) => p.code === 'truncated-hunk' && p.file === 'a.c' && p.line === 3), JSON.stringify(cut.problems));
  const exists = applyPatch(base, { index: 4, files: parseUnifiedDiff('diff --git a/b.c b/b.c\nnew file mode 100644\n--- /dev/null\n+++ b/b.c\n@@ -0,0 +1 @@\n+n\n', 4).files });
  assert.match(exists.problems[0].message, /b\.c is created by the patch but already exists/);
});

test('a path that normalises to a Windows drive is refused', () => {
  for (const raw of ['./C:/Windows/win.ini', 'x/../C:/y', './c:\\boot.ini']) {
    const d = parseUnifiedDiff(`--- a/${raw}\n+++ b/${raw}\n@@ -1 +1 @@\n-a\n+b\n`, 1);
    for (const f of d.files) for (const p of [f.oldPath, f.newPath]) assert.ok(p === null || !/^[A-Za-z]:/.test(p), `accepted ${p}`);
  }
  // Control: the direct form is already refused.
  assert.equal(parseUnifiedDiff('--- a/C:/x.c\n+++ b/C:/x.c\n@@ -1 +1 @@\n-a\n+b\n', 1).files.length, 0);
});

test('failing hunks on a large file are reported quickly', (t) => {
  const d = parseUnifiedDiff(manyHunks(1000), 1);
  const wrong = bigFile(10_000).replace(/line/g, 'LINE');
  const t0 = performance.now();
  const r = applyPatch(new Map([['big.c', wrong]]), { index: 1, files: d.files });
  const ms = performance.now() - t0;
  t.diagnostic(`1,000 failing hunks on 10,000 lines: ${ms.toFixed(0)} ms`);
  assert.equal(r.applied, false);
  assert.ok(ms < 300, `took ${ms.toFixed(0)} ms`);
});
