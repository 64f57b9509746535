/**
 * `locklens series` end to end (runSeries with the real parser and analyser) on the fixture
 * series modelled on the five seeds, plus the CLI contract: JSON shape, exit codes, formats,
 * patch-only mode, unsafe patches, and that the base tree is never modified.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { failsOn, runSeries } from '../../../src/cli/series';
import type { SeriesReport } from '../../../src/engine/series/report-model';
import { FIX, fixture, golden, hashDir } from './helpers';

async function series(args: string[], cwd = FIX) {
  let stdout = '';
  let stderr = '';
  // --no-cache: tests must not write into the user's fact cache.
  const code = await runSeries([...args, '--no-cache'], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd });
  return { code, stdout, stderr };
}

async function json(args: string[]): Promise<SeriesReport> {
  const r = await series([...args, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as SeriesReport;
}

const keys = (xs: { from: string; to: string; patch: number }[]) => xs.map((e) => `${e.from} -> ${e.to} @${e.patch}`).sort();

test('seed "Decouple flow operations from RTNL": contention path removed in 2/2, table mutex added, no cycle', async () => {
  const r = await json(['--base', 'flow-rtnl/base', '--mbox', 'flow-rtnl/series.mbox']);
  assert.deepEqual(r.series, { subject: 'Decouple flow operations from RTNL', version: 3, author: 'Ada Lovelace <ada@example.org>' });
  assert.deepEqual(r.patches.map((p) => [p.index, p.applied]), [[1, true], [2, true]]);
  assert.ok(r.contention.removed.some((c) => c.key === 'rtnl_mutex ⇢ ovs_mutex ⇢ ovs_flow_cmd_new' && c.patch === 2), JSON.stringify(r.contention));
  assert.equal(r.contention.added.length, 0);
  assert.ok(r.locks.added.some((l) => l.id === 'struct flow_table.mutex' && l.patch === 2));
  assert.equal(r.findings.introduced.filter((f) => f.rule === 'lock-order-cycle').length, 0);
  assert.ok(r.findings.resolved.some((f) => f.rule === 'contention-transfer' && f.function === 'ovs_flow_cmd_new' && f.patch === 2));
  const ins = r.functions.entryChanged.find((f) => f.name === 'flow_tbl_insert');
  assert.deepEqual([ins?.before.must, ins?.after.must, ins?.patch], [['ovs_mutex'], ['struct flow_table.mutex'], 2]);
  assert.ok(r.rcu.added.some((x) => x.kind === 'rcu-pointer' && x.what === 'struct datapath.table' && x.patch === 1));
  assert.ok(r.rcu.added.some((x) => x.kind === 'rcu-publish' && x.patch === 1));
  // Patch 1 changes no lock order; every edge/lock change is patch 2's.
  assert.equal(r.perPatch[0].delta?.contentionRemoved.length, 0);
});

test('seed "event-driven netlink notifications": the RTNL round trip in the periodic path is resolved', async () => {
  const r = await json(['--base', 'netdev-flags/base', '--mbox', 'netdev-flags/series.mbox']);
  const resolved = r.findings.resolved.filter((f) => f.rule === 'rtnl-in-periodic-path');
  assert.deepEqual(resolved.map((f) => [f.function, f.patch]), [['netdev_linux_run', 2]]);
  assert.equal(r.findings.introduced.filter((f) => f.rule === 'rtnl-in-periodic-path').length, 0);
  assert.match(r.perPatch[0].delta ? 'ok' : '', /ok/);
});

test('seed "Replace ukeys for deleted flows": a map-mutex → ukey-mutex edge appears, no deadlock finding', async () => {
  const r = await json(['--base', 'ukey-replace/base', '--mbox', 'ukey-replace/series.mbox']);
  assert.deepEqual(keys(r.edges.added), ['struct umap.mutex -> struct udpif_key.mutex @1']);
  assert.equal(r.findings.introduced.filter((f) => f.rule === 'lock-order-cycle' || f.rule === 'recursive-acquire').length, 0, JSON.stringify(r.findings.introduced));
});

test('seed "per-cpu upcall dispatch" (quoted reply): kfree_rcu gives no RCU finding; the kfree variant does', async () => {
  const good = await json(['--base', 'percpu-upcall/base', '--mbox', 'percpu-upcall/quoted-reply.mbox']);
  assert.equal(good.patches[0].applied, true);
  assert.ok(good.notes.some((n) => /extracted from a reply that quotes it/.test(n)));
  assert.equal(good.findings.introduced.filter((f) => f.rule.startsWith('rcu-')).length, 0, JSON.stringify(good.findings.introduced));
  assert.ok(good.rcu.added.some((x) => x.kind === 'rcu-free' && /kfree_rcu/.test(x.what)));
  const bad = await json(['--base', 'percpu-upcall/base', '--mbox', 'percpu-upcall/variant-kfree.mbox']);
  assert.deepEqual(bad.findings.introduced.filter((f) => f.rule === 'rcu-free-without-grace-period').map((f) => [f.function, f.patch]), [['ovs_dp_set_upcall_portids', 1]]);
});

test('seed "Per-net RTNL": the edge moves from rtnl_mutex to rtnl_mutex[net]', async () => {
  const r = await json(['--base', 'pernet-rtnl/base', '--mbox', 'pernet-rtnl/series.mbox']);
  assert.equal(r.series.subject, 'rtnetlink: Per-net RTNL.');
  assert.ok(keys(r.edges.removed).includes('rtnl_mutex -> addr_hash_lock @3'), keys(r.edges.removed).join());
  assert.ok(r.edges.added.some((e) => e.from === 'rtnl_mutex[net]' && e.to === 'addr_hash_lock'));
  assert.ok(r.locks.added.some((l) => l.id === 'rtnl_mutex[net]' && l.kind === 'per-net'));
});

test('failures: a patch that does not apply, and a missing patch, are reported in JSON and Markdown', async () => {
  const fail = await json(['--base', 'edge/base', '--mbox', 'edge/fail-apply.mbox']);
  assert.deepEqual(fail.patches.map((p) => p.applied), [true, false, true]);
  assert.match(fail.patches[1].error!, /^lib\/counter\.c: hunk 1\/1 \(@@ -27,7 \+27,9 @@\) does not apply at line 27: line 30 is/);
  const md = await series(['--base', 'edge/base', '--mbox', 'edge/fail-apply.mbox', '--format', 'markdown']);
  assert.match(md.stdout, /### 2\/3 counter: hold the counter mutex while flushing\n- did NOT apply:\n  - lib\/counter\.c: hunk 1\/1/);
  const miss = await json(['--base', 'edge/base', '--mbox', 'edge/missing-patch.mbox']);
  assert.deepEqual(miss.patches.map((p) => [p.index, p.applied, p.error ?? null]), [[1, true, null], [2, false, 'patch 2/3 is missing from the input'], [3, true, null]]);
});

test('a folder of patches (format-patch files and a bare diff) is ordered by file name', async () => {
  const r = await json(['--base', 'edge/base', '--patches', 'edge/patches']);
  assert.deepEqual(r.patches.map((p) => [p.index, p.subject, p.applied]), [
    [1, 'counter: add counter_reset()', true],
    [2, 'counter: hold the counter mutex while flushing', true],
    [3, '0003-readme', true],
  ]);
  // Patch 2 takes c->mutex directly instead of through counter_read(): same edge, but
  // counter_read() is no longer entered under global_mutex.
  assert.deepEqual(keys(r.edges.added), []);
  assert.deepEqual(r.functions.entryChanged.map((f) => [f.name, f.before.must, f.after.must, f.patch]), [['counter_read', ['global_mutex'], [], 2]]);
});

test('a patch touching ../../etc/passwd is rejected with patch and file named; the tree is unchanged', async () => {
  const before = hashDir(fixture('edge', 'base'));
  const r = await json(['--base', 'edge/base', '--patches', 'edge/unsafe']);
  assert.equal(r.patches[0].applied, false);
  assert.match(r.patches[0].error!, /rejected file: path "\.\.\/\.\.\/etc\/passwd" escapes the base tree/);
  assert.ok(r.problems.some((p) => p.code === 'unsafe-path' && p.patch === 1 && p.file === '../../etc/passwd'));
  assert.equal(hashDir(fixture('edge', 'base')), before);
});

test('the fixture base trees are byte-identical after series runs in every format', async () => {
  const dirs = ['flow-rtnl', 'edge'];
  const before = dirs.map((d) => hashDir(fixture(d)));
  for (const f of ['text', 'markdown', 'json', 'sarif']) {
    await series(['--base', 'flow-rtnl/base', '--mbox', 'flow-rtnl/series.mbox', '--format', f]);
    await series(['--base', 'edge/base', '--mbox', 'edge/binary.mbox', '--format', f]);
  }
  assert.deepEqual(dirs.map((d) => hashDir(fixture(d))), before);
});

test('exit codes: 1 on introduced findings at/above --fail-on, 0 below it, 2 on bad usage', async () => {
  const args = ['--base', 'percpu-upcall/base', '--mbox', 'percpu-upcall/variant-kfree.mbox'];
  assert.equal((await series([...args, '--fail-on', 'info'])).code, 1);
  assert.equal((await series(args)).code, 0, 'no --fail-on, no failure');
  // The severity order itself, independent of the detectors' current severities.
  const warn = { findings: { introduced: [{ severity: 'warning' }] } } as unknown as SeriesReport;
  assert.deepEqual((['error', 'warning', 'info'] as const).map((s) => failsOn(warn, s)), [false, true, true]);
  // Resolved findings never fail a run.
  assert.equal((await series(['--base', 'netdev-flags/base', '--mbox', 'netdev-flags/series.mbox', '--fail-on', 'info'])).code, 0);
  for (const [bad, msg] of [
    [['--base', 'edge/base'], /missing input/],
    [['--mbox', 'a', '--patches', 'b'], /choose one input/],
    [['--mbox', 'nope.mbox'], /cannot read --mbox nope\.mbox/],
    [['--base', 'nope', '--mbox', 'edge/crlf.mbox'], /cannot read --base nope: not a directory/],
    [['--mbox', 'edge/crlf.mbox', '--format', 'pdf'], /--format: expected/],
    [['--mbox', 'edge/crlf.mbox', '--fail-on', 'fatal'], /--fail-on: expected/],
    [['--range', 'a..b', '--repo', os.tmpdir()], /not inside a git repository/],
    [['--mbox', 'edge/base/README'], /no patch found/],
  ] as [string[], RegExp][]) {
    const r = await series(bad);
    assert.equal(r.code, 2, bad.join(' '));
    assert.match(r.stderr, msg);
  }
});

test('SARIF holds only introduced findings; Markdown reads like a review reply', async () => {
  const r = await series(['--base', 'percpu-upcall/base', '--mbox', 'percpu-upcall/variant-kfree.mbox', '--format', 'sarif']);
  const sarif = JSON.parse(r.stdout) as { runs: { results: { ruleId: string }[] }[] };
  assert.deepEqual(sarif.runs[0].results.map((x) => x.ruleId), ['rcu-free-without-grace-period']);
  const none = JSON.parse((await series(['--base', 'netdev-flags/base', '--mbox', 'netdev-flags/series.mbox', '--format', 'sarif'])).stdout) as typeof sarif;
  assert.equal(none.runs[0].results.length, 0, 'resolved findings are not reported in SARIF');
  const md = (await series(['--base', 'flow-rtnl/base', '--mbox', 'flow-rtnl/series.mbox', '--format', 'markdown'])).stdout;
  assert.match(md, /^## LockLens review: Decouple flow operations from RTNL v3\n/);
  assert.match(md, /### 2\/2 net: dp: decouple flow_table from ovs_mutex\n/);
  assert.match(md, /- contention path removed `rtnl_mutex ⇢ ovs_mutex ⇢ ovs_flow_cmd_new` \(net\/dp\/datapath\.c:\d+\)/);
  assert.match(md, /- new lock class `struct flow_table\.mutex` \(mutex\)/);
  assert.match(md, /no new lock-order cycle/);
});

test('patch-only mode without --base: hunks alone, labelled partial (golden for every fixture series)', async () => {
  for (const [dir, mbox] of [
    ['flow-rtnl', 'series.mbox'],
    ['netdev-flags', 'series.mbox'],
    ['ukey-replace', 'series.mbox'],
    ['percpu-upcall', 'quoted-reply.mbox'],
    ['pernet-rtnl', 'series.mbox'],
    ['edge', 'two-versions.mbox'],
  ]) {
    const r = await series(['--mbox', `${dir}/${mbox}`, '--format', 'markdown']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Partial: patch-only mode/);
    golden(fixture(dir, mbox.replace(/\.mbox$/, '.patch-only.golden.md')), r.stdout);
  }
  const j = await json(['--mbox', 'flow-rtnl/series.mbox']);
  assert.equal(j.partial, true);
  assert.equal(j.mode, 'patch-only');
  assert.deepEqual(j.perPatch[1].hunks.calls.filter((c) => c.name === 'ovs_lock').map((c) => [c.call, c.removed]), [['ovs_lock()', 2]]);
});

test('--range in a git repository: the base is A read from git, the worktree is untouched', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'locklens-range-'));
  const repo = path.join(dir, 'repo');
  cpSync(fixture('flow-rtnl', 'base'), repo, { recursive: true });
  const git = (...a: string[]) => {
    const r = spawnSync('git', ['-C', repo, ...a], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@x' } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  git('tag', 'base');
  // git am stops at the cover letter (an empty patch): feed it the two patches only.
  const mbox = readFileSync(fixture('flow-rtnl', 'series.mbox'), 'utf8');
  const patchesOnly = mbox.split(/^(?=From [0-9a-f]{40} )/m).filter((m) => !/^Subject: \[PATCH[^\]]* 0\/2\]/m.test(m)).join('');
  writeFileSync(path.join(dir, 'patches.mbox'), patchesOnly);
  const am = spawnSync('git', ['-C', repo, 'am', '-q', path.join(dir, 'patches.mbox')], { encoding: 'utf8', env: { ...process.env, GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@x' } });
  assert.equal(am.status, 0, am.stderr);
  const before = hashDir(repo);
  const t0 = performance.now();
  const r = await series(['--range', 'base..HEAD', '--format', 'json'], repo);
  const ms = performance.now() - t0;
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as SeriesReport;
  assert.deepEqual(j.patches.map((p) => [p.subject, p.applied]), [['net: dp: make flow_table an rcu pointer', true], ['net: dp: decouple flow_table from ovs_mutex', true]]);
  assert.ok(j.contention.removed.some((c) => c.key === 'rtnl_mutex ⇢ ovs_mutex ⇢ ovs_flow_cmd_new' && c.patch === 2));
  assert.ok(j.notes.some((n) => /^base: [0-9a-f]{12} \(git\)$/.test(n)));
  assert.equal(hashDir(repo), before);
  assert.ok(ms < 20_000, `took ${ms} ms`);

  // --worktree: the uncommitted change is one patch on top of HEAD, read from git.
  const dp = path.join(repo, 'net/dp/datapath.c');
  writeFileSync(dp, readFileSync(dp, 'utf8').replace('\trtnl_lock();\n', '\trtnl_lock();\n\tovs_lock();\n'));
  const beforeWt = hashDir(repo);
  const wt = await series(['--worktree', '--format', 'json'], repo);
  assert.equal(wt.code, 0, wt.stderr);
  const w = JSON.parse(wt.stdout) as SeriesReport;
  assert.deepEqual(w.patches.map((p) => [p.subject, p.applied]), [['working-tree changes', true]]);
  assert.ok(w.edges.added.some((e) => e.from === 'rtnl_mutex' && e.to === 'ovs_mutex'), keys(w.edges.added).join());
  assert.ok(w.findings.introduced.some((f) => f.rule === 'lock-order-cycle' || f.rule === 'recursive-acquire'), JSON.stringify(w.findings.introduced.map((f) => f.rule)));
  assert.equal(hashDir(repo), beforeWt);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(existsSync(dir), false);
});

test('--format html renders the report, or says clearly that it is not available', async () => {
  const r = await series(['--base', 'ukey-replace/base', '--mbox', 'ukey-replace/series.mbox', '--format', 'html']);
  if (r.code === 0) assert.match(r.stdout, /<html/i);
  else {
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--format html is not available/);
  }
  assert.equal(readFileSync(fixture('ukey-replace', 'series.mbox'), 'utf8').length > 0, true);
});
