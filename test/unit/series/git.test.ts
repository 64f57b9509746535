/**
 * Git inputs are read-only and run no repository-configured code: a repository whose config
 * points fsmonitor, an external diff, a textconv driver and hooks at a marker-writing script
 * is read with --range and --worktree, and the marker never appears; the working tree and the
 * index are byte-identical afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_CONFIG } from '../../../src/engine/config';
import { readRange, readWorktree } from '../../../src/host/series-inputs';
import { resolveRange, GitError, runGit } from '../../../src/host/git';
import { hashDir } from './helpers';
import { runSeries } from '../../../src/cli/series';

function git(repo: string, ...args: string[]): string {
  const r = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@x' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function hostileRepo(): { repo: string; marker: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'locklens-git-'));
  const repo = path.join(dir, 'repo');
  const marker = path.join(dir, 'MARKER');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  const evil = path.join(dir, 'evil.sh');
  writeFileSync(evil, `#!/bin/sh\necho "$0 $*" >> '${marker}'\nexit 0\n`);
  chmodSync(evil, 0o755);
  mkdirSync(path.join(repo, 'src'));
  writeFileSync(path.join(repo, 'src/a.c'), 'int a(void)\n{\n\treturn 0;\n}\n');
  writeFileSync(path.join(repo, '.gitattributes'), '*.c diff=evil filter=evil\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'base');
  git(repo, 'tag', 'v0');
  writeFileSync(path.join(repo, 'src/a.c'), 'int a(void)\n{\n\tspin_lock(&l);\n\treturn 0;\n}\n');
  git(repo, 'commit', '-q', '-am', 'a: take the lock');
  // Every way a repository can make git run a program, pointed at the marker script.
  for (const [k, v] of [
    ['core.fsmonitor', evil],
    ['diff.external', evil],
    ['diff.evil.textconv', evil],
    ['diff.evil.command', evil],
    ['filter.evil.smudge', evil],
    ['filter.evil.clean', evil],
    ['core.pager', evil],
    ['pager.diff', evil],
    ['core.hooksPath', path.join(dir, 'hooks')],
  ]) git(repo, 'config', k, v);
  mkdirSync(path.join(dir, 'hooks'));
  for (const h of ['post-checkout', 'post-index-change', 'pre-commit', 'reference-transaction']) {
    writeFileSync(path.join(dir, 'hooks', h), `#!/bin/sh\n'${evil}' hook ${h}\n`);
    chmodSync(path.join(dir, 'hooks', h), 0o755);
  }
  return { repo, marker };
}

test('positive control: plain git in the hostile repository does run the configured program', () => {
  const { repo, marker } = hostileRepo();
  spawnSync('git', ['-C', repo, 'diff', 'v0', 'HEAD'], { encoding: 'utf8' });
  assert.ok(existsSync(marker), 'the fixture must be able to create the marker, or the real test proves nothing');
  rmSync(path.dirname(repo), { recursive: true, force: true });
});

test('--range and --worktree read a hostile repository without running its programs or touching it', async () => {
  const { repo, marker } = hostileRepo();
  writeFileSync(path.join(repo, 'src/a.c'), 'int a(void)\n{\n\tspin_lock(&l);\n\tb();\n\treturn 0;\n}\n');
  const before = hashDir(repo);
  const range = await readRange(repo, 'v0..HEAD', DEFAULT_CONFIG, true);
  assert.equal(range.parsed.patches.length, 1);
  assert.equal(range.parsed.patches[0].subject, 'a: take the lock');
  assert.equal(range.base?.get('src/a.c'), 'int a(void)\n{\n\treturn 0;\n}\n');
  assert.equal(range.parsed.patches[0].files[0].hunks.length, 1);
  const wt = await readWorktree(repo, DEFAULT_CONFIG, true);
  assert.equal(wt.parsed.patches.length, 1);
  assert.match(wt.base?.get('src/a.c') ?? '', /spin_lock/);
  assert.equal(existsSync(marker), false, existsSync(marker) ? readFileSync(marker, 'utf8') : '');
  assert.equal(hashDir(repo), before, 'working tree, index and .git unchanged');
  rmSync(path.dirname(repo), { recursive: true, force: true });
});

test('revisions that look like options, and A...B, are refused before git runs', async () => {
  const { repo } = hostileRepo();
  await assert.rejects(resolveRange(repo, '--output=/tmp/x..HEAD'), GitError);
  await assert.rejects(resolveRange(repo, 'v0...HEAD'), /expects A\.\.B/);
  await assert.rejects(resolveRange(repo, 'nope..HEAD'), /unknown revision "nope"/);
  await assert.rejects(runGit(repo, ['cat-file', '-p', 'deadbeef']), /failed/);
  rmSync(path.dirname(repo), { recursive: true, force: true });
});

test('`locklens series --range` and `--worktree` end to end in the hostile repository: no marker, no change', async () => {
  const { repo, marker } = hostileRepo();
  writeFileSync(path.join(repo, 'src/a.c'), 'int a(void)\n{\n\tspin_lock(&l);\n\treturn 1;\n}\n');
  const before = hashDir(repo);
  for (const args of [['--range', 'v0..HEAD', '--format', 'json'], ['--worktree', '--format', 'json'], ['--range', 'v0..HEAD', '--format', 'markdown']]) {
    let out = '';
    let err = '';
    const code = await runSeries([...args, '--no-cache'], { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd: repo });
    assert.equal(code, 0, err);
    assert.ok(out.length > 0);
  }
  assert.equal(existsSync(marker), false, existsSync(marker) ? readFileSync(marker, 'utf8') : '');
  assert.equal(hashDir(repo), before);
  rmSync(path.dirname(repo), { recursive: true, force: true });
});
