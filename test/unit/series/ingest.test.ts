/**
 * Ingestion and in-memory application over the fixture series (golden) and the mail forms
 * reviewers really save: cover letters, patchwork subjects, quoted replies, MIME, CRLF,
 * two versions in one mailbox, missing and damaged patches, binary diffs and renames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { applyAll, fixture, golden, parseMbox, readTree } from './helpers';
import { applyPatch } from '../../../src/engine/series/apply';
import { parseSubject, extractPatch } from '../../../src/engine/series/assemble';
import { parseArchivePage, readMailFile, splitMbox } from '../../../src/engine/series/mail';
import { assembleSeries } from '../../../src/engine/series/assemble';

const CASES: [string, string][] = [
  ['flow-rtnl', 'series.mbox'],
  ['netdev-flags', 'series.mbox'],
  ['ukey-replace', 'series.mbox'],
  ['percpu-upcall', 'quoted-reply.mbox'],
  ['percpu-upcall', 'variant-kfree.mbox'],
  ['pernet-rtnl', 'series.mbox'],
  ['edge', 'fail-apply.mbox'],
  ['edge', 'missing-patch.mbox'],
  ['edge', 'crlf.mbox'],
  ['edge', 'offset.mbox'],
  ['edge', 'binary.mbox'],
  ['edge', 'rename.mbox'],
  ['edge', 'two-versions.mbox'],
  ['edge', 'mime.mbox'],
];

for (const [dir, mbox] of CASES) {
  test(`golden ingest+apply: ${dir}/${mbox}`, async () => {
    const parsed = await parseMbox(dir, mbox);
    const { steps } = applyAll(parsed, readTree(fixture(dir, 'base')));
    golden(fixture(dir, mbox.replace(/\.mbox$/, '.ingest.golden.json')), {
      series: { ...parsed.series, cover: parsed.series.cover?.split('\n')[0] ?? null },
      notes: parsed.notes,
      problems: parsed.problems,
      patches: parsed.patches.map((p) => ({
        index: p.index,
        total: p.total,
        subject: p.subject,
        author: p.author,
        version: p.version,
        notes: p.notes,
        files: p.files.map((f) => ({ old: f.oldPath, new: f.newPath, status: f.status, binary: f.binary, hunks: f.hunks.map((h) => `-${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines}`) })),
      })),
      steps,
    });
  });
}

test('cover letter, version and numbering come from the subjects', async () => {
  const p = await parseMbox('flow-rtnl', 'series.mbox');
  assert.equal(p.series.subject, 'Decouple flow operations from RTNL');
  assert.equal(p.series.version, 3);
  assert.match(p.series.cover ?? '', /RTNL contention is transferred/);
  assert.doesNotMatch(p.series.cover ?? '', /Ada Lovelace \(2\):/, 'the shortlog is not part of the cover text');
  assert.deepEqual(p.patches.map((x) => `${x.index}/${x.total}`), ['1/2', '2/2']);
  assert.match(p.patches[0].message, /^The table is published/);
  assert.doesNotMatch(p.patches[0].message, /datapath\.c \|/, 'the diffstat below --- is not part of the message');
});

test('parseSubject: kernel, patchwork and reply forms', () => {
  assert.deepEqual(parseSubject('[ovs-dev] [PATCH v2 0/8] netdev-linux: Use event-driven'), { subject: 'netdev-linux: Use event-driven', version: 2, n: 0, m: 8, isPatch: true, isReply: false });
  assert.deepEqual(parseSubject('[v1,net-next,2/3] rtnetlink: Add helpers'), { subject: 'rtnetlink: Add helpers', version: 1, n: 2, m: 3, isPatch: true, isReply: false });
  assert.deepEqual(parseSubject('Re: [PATCH net-next] openvswitch: x'), { subject: 'openvswitch: x', version: 1, n: null, m: null, isPatch: true, isReply: true });
  assert.deepEqual(parseSubject('plain subject [not a tag]'), { subject: 'plain subject [not a tag]', version: 1, n: null, m: null, isPatch: false, isReply: false });
});

test('two versions in one mailbox: the newest is analysed and the report says so', async () => {
  const p = await parseMbox('edge', 'two-versions.mbox');
  assert.equal(p.series.version, 2);
  assert.ok(p.notes.some((n) => /versions v1, v2.*analysing v2/.test(n)), p.notes.join('\n'));
  assert.deepEqual(p.patches.map((x) => x.subject), ['counter: add counter_reset()', 'counter: hold the counter mutex while flushing']);
});

test('a missing patch is reported by number and the others still apply', async () => {
  const p = await parseMbox('edge', 'missing-patch.mbox');
  const missing = p.problems.filter((x) => x.code === 'missing-patch');
  assert.deepEqual(missing.map((x) => x.patch), [2]);
  assert.match(missing[0].message, /patch 2\/3 is missing/);
  const { steps } = applyAll(p, readTree(fixture('edge', 'base')));
  assert.deepEqual(steps.map((s) => [s.index, s.applied]), [[1, true], [3, true]]);
});

test('a damaged patch fails precisely: patch, file, hunk, line, why; later patches still apply', async () => {
  const p = await parseMbox('edge', 'fail-apply.mbox');
  const { steps } = applyAll(p, readTree(fixture('edge', 'base')));
  assert.deepEqual(steps.map((s) => s.applied), [true, false, true]);
  assert.equal(steps[1].problems.length, 1);
  assert.match(steps[1].problems[0], /^hunk-failed: lib\/counter\.c: hunk 1\/1 \(@@ -27,7 \+27,9 @@\) does not apply at line 27: line 30 is "global_total \+= counter_read\(c\);", the patch expects "global_total \+= counter_peek\(c\);"/);
});

test('quoted reply: the patch is unquoted, attributed to its author, and the note says so', async () => {
  const p = await parseMbox('percpu-upcall', 'quoted-reply.mbox');
  assert.equal(p.patches.length, 1);
  assert.equal(p.patches[0].author, 'Ada Lovelace');
  assert.deepEqual(p.patches[0].notes, ['extracted from a quoted reply']);
  assert.ok(p.notes.some((n) => /quotes it with "> ".*quoted by Rev Iewer/.test(n)));
  const { steps } = applyAll(p, readTree(fixture('percpu-upcall', 'base')));
  assert.equal(steps[0].applied, true, steps[0].problems.join('\n'));
  // Negative: a reply without a diff is not a patch.
  const none = assembleSeries([{ subject: 'Re: [PATCH] x', author: 'a', body: '> just words\nthanks', origin: 'm', archivePage: false, notes: [] }]);
  assert.equal(none.patches.length, 0);
  assert.equal(none.problems[0].code, 'no-patches');
});

test('a reply quoting a patch is ignored when the series itself is present', () => {
  const patch = 'msg\n---\ndiff --git a/f.c b/f.c\n--- a/f.c\n+++ b/f.c\n@@ -1 +1 @@\n-a\n+b\n';
  const s = assembleSeries([
    { subject: '[PATCH] f: b', author: 'A', body: patch, origin: 'm1', archivePage: false, notes: [] },
    { subject: 'Re: [PATCH] f: b', author: 'R', body: 'On Mon, A wrote:\n' + patch.split('\n').map((l) => '> ' + l).join('\n'), origin: 'm2', archivePage: false, notes: [] },
  ]);
  assert.equal(s.patches.length, 1);
  assert.equal(s.patches[0].origin, 'm1');
  assert.ok(s.notes.some((n) => /1 reply containing \(quoted\) diffs ignored/.test(n)));
});

test('MIME: quoted-printable latin-1, encoded-word folded subject, base64 attachment', async () => {
  const p = await parseMbox('edge', 'mime.mbox');
  assert.equal(p.patches.length, 2);
  assert.equal(p.patches[0].author, 'José González <jose@example.org>');
  assert.match(p.patches[0].subject, /^counter: add counter_reset\(\) – with a long subject that a mailer folds onto a second line$/);
  assert.match(p.patches[0].message, /Reviewed-by: José González/);
  assert.equal(p.patches[1].files[0].newPath, 'README');
  const { steps } = applyAll(p, readTree(fixture('edge', 'base')));
  assert.deepEqual(steps.map((s) => s.applied), [true, true]);
});

test('CRLF mail applies like the LF one', async () => {
  const crlf = applyAll(await parseMbox('edge', 'crlf.mbox'), readTree(fixture('edge', 'base')));
  const lf = applyAll(await parseMbox('edge', 'missing-patch.mbox'), readTree(fixture('edge', 'base')));
  assert.deepEqual(crlf.steps.map((s) => s.applied), [true, true, true]);
  assert.equal(crlf.tree.get('lib/counter.h'), lf.tree.get('lib/counter.h'));
});

test('binary diffs are skipped with a note; renames move the file', async () => {
  const bin = await parseMbox('edge', 'binary.mbox');
  const png = bin.patches[0].files.find((f) => f.newPath === 'docs/logo.png');
  assert.ok(png?.binary, 'binary file recognised');
  const r = applyPatch(readTree(fixture('edge', 'base')), bin.patches[0]);
  assert.equal(r.applied, true);
  assert.ok(r.notes.some((n) => /docs\/logo\.png: binary diff skipped/.test(n)));
  assert.equal(r.tree.has('docs/logo.png'), false);

  const ren = await parseMbox('edge', 'rename.mbox');
  assert.equal(ren.patches[0].files[0].status, 'renamed');
  const t = applyPatch(readTree(fixture('edge', 'base')), ren.patches[0]).tree;
  assert.equal(t.has('lib/counter.c'), false);
  assert.match(t.get('lib/counters.c') ?? '', /Small counters model/);
});

test('hunks apply at an offset, like git apply', async () => {
  const p = await parseMbox('edge', 'offset.mbox');
  // Made on a tree with 3 more lines: the base has 32 lines, so the hunk must move up by 3.
  assert.equal(p.patches[0].files[0].hunks[0].oldStart, 33);
  const r = applyPatch(readTree(fixture('edge', 'base')), p.patches[0]);
  assert.equal(r.applied, true);
  assert.deepEqual(r.notes, ['lib/counter.c: hunk 1 applied at line 30 (offset -3 lines)']);
  assert.match(r.tree.get('lib/counter.c') ?? '', /counter_reset\(struct counter \*c\)\n\{\n    ovs_mutex_lock/);
  // Negative: a hunk at its stated line gets no offset note.
  const exact = applyPatch(readTree(fixture('edge', 'base')), (await parseMbox('edge', 'missing-patch.mbox')).patches[0]);
  assert.deepEqual(exact.notes, []);
});

test('mbox splitting keeps From_ lines apart from body text and unescapes >From', () => {
  const mbox = 'From a@b Mon Apr 27 11:11:46 2026\nSubject: one\n\n>From here on\n\nFrom b@c Mon Apr 27 11:11:47 2026\nSubject: two\n\nbody\n';
  const parts = splitMbox(new TextEncoder().encode(mbox)).map((b) => new TextDecoder().decode(b));
  assert.equal(parts.length, 2);
  assert.match(parts[0], /^Subject: one\n\nFrom here on/);
  // Negative: "From " in a sentence after a non-blank line does not split.
  assert.equal(splitMbox(new TextEncoder().encode('Subject: x\n\ntext\nFrom a@b Mon Apr 27 11:11:46 2026\n')).length, 1);
});

test('archive pages: pipermail and LWN headers are guessed, and marked as guessed', () => {
  const pm = parseArchivePage('[ovs-dev] [PATCH] ofproto: thing\n\nJoe Bloggs joe at example.org\nWed Aug 24 02:18:50 UTC 2016\n\nbody', 'page.txt');
  assert.equal(pm.subject, '[ovs-dev] [PATCH] ofproto: thing');
  assert.equal(pm.author, 'Joe Bloggs <joe@example.org>');
  assert.equal(pm.archivePage, true);
  const lwn = parseArchivePage('Title\n\nFrom:  Ann Other <ann-AT-example.org>\nSubject:  [PATCH net-next v3 0/2] Thing\nDate: x\n', 'lwn.txt');
  assert.equal(lwn.author, 'Ann Other <ann@example.org>');
  assert.equal(lwn.subject, '[PATCH net-next v3 0/2] Thing');
});

test('extractPatch: no diff, no patch; a diff that is only prose-looking is not taken', () => {
  assert.equal(extractPatch('Hello\n--- \nbye\n'), null);
  assert.equal(extractPatch('see diff --git in the docs'), null);
  assert.ok(extractPatch('x\n---\ndiff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1 +1 @@\n-a\n+b\n'));
});

test('readMailFile: a single message without a From_ line is one message', async () => {
  const raw = readFileSync(fixture('edge', 'unsafe', '0001-evil.patch'));
  const msgs = await readMailFile(raw, 'evil.patch');
  assert.equal(msgs.length, 1);
  assert.equal(msgs[0].subject, '[PATCH] innocent cleanup');
  assert.equal(msgs[0].archivePage, false);
});

test('a pipermail archive page saved as text: headers guessed, patch applied', async () => {
  const p = await parseMbox('ukey-replace', 'archive-page.txt');
  assert.equal(p.series.subject, 'ofproto-dpif-upcall: Replace ukeys for deleted flows.');
  assert.equal(p.patches[0].author, 'Ada Lovelace <ada@example.org>');
  assert.deepEqual(p.patches[0].notes, ['read from an archive page']);
  assert.ok(p.notes.some((n) => /not an RFC 822 message; read as a saved archive page/.test(n)));
  const { steps } = applyAll(p, readTree(fixture('ukey-replace', 'base')));
  assert.equal(steps[0].applied, true, steps[0].problems.join('\n'));
  // The same patch from the mbox gives the same tree.
  const fromMbox = applyAll(await parseMbox('ukey-replace', 'series.mbox'), readTree(fixture('ukey-replace', 'base')));
  assert.equal(steps[0].treeHash, fromMbox.steps[0].treeHash);
});

test('in-body From:/Subject: (format-patch for another author) win over the mail headers, like git am', async () => {
  const raw = 'From: Sender <s@x>\nSubject: [PATCH 1/1] sent subject\n\nFrom: Real Author <ra@x>\nSubject: [PATCH 1/1] real subject\n\nWhy.\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n';
  const s = assembleSeries(await readMailFile(new TextEncoder().encode(raw), 'm.eml'));
  assert.equal(s.patches[0].author, 'Real Author <ra@x>');
  assert.equal(s.patches[0].subject, 'real subject');
  assert.equal(s.patches[0].message, 'Why.');
  // Negative: a body starting with prose keeps the header author.
  const plain = assembleSeries(await readMailFile(new TextEncoder().encode(raw.replace(/\nFrom: Real Author <ra@x>\nSubject: \[PATCH 1\/1\] real subject\n/, '\n')), 'm.eml'));
  assert.equal(plain.patches[0].author, 'Sender <s@x>');
});
