/**
 * The CLI contract end to end through the bundled entry (dist/cli.js): JSON shape, exit codes,
 * clear errors, and that nothing is ever written into the analysed tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = process.env.LOCKLENS_ROOT!;
const bin = path.join(root, 'bin', 'locklens');

function cli(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Content, mode and mtime of every file below dir. */
function treeHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = statSync(p);
      h.update(`${path.relative(dir, p)}\0${st.mode}\0${st.mtimeMs}\0`);
      if (st.isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'locklens-cache-'));
const KERNEL_C = `
#include <linux/mutex.h>
static DEFINE_MUTEX(a_lock);
static DEFINE_MUTEX(b_lock);
void one(void) { mutex_lock(&a_lock); mutex_lock(&b_lock); mutex_unlock(&b_lock); mutex_unlock(&a_lock); }
void two(void) { mutex_lock(&b_lock); mutex_lock(&a_lock); mutex_unlock(&a_lock); mutex_unlock(&b_lock); }
`;

function makeTree(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'locklens-tree-'));
  writeFileSync(path.join(dir, 'abba.c'), KERNEL_C);
  return dir;
}

test('analyze --format json follows the documented contract', () => {
  const dir = makeTree();
  const r = cli(['analyze', dir, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.version, 1);
  assert.equal(j.files, 1);
  for (const k of ['functions', 'locks', 'edges', 'findings']) assert.ok(Array.isArray(j[k]), k);
  const fn = j.functions.find((f: { name: string }) => f.name === 'one');
  assert.ok(fn, 'function one reported');
  assert.equal(fn.file, 'abba.c', 'paths are relative to the analysed root');
  assert.deepEqual(Object.keys(fn.entry).sort(), ['may', 'must']);
  assert.ok(j.locks.some((l: { id: string; kind: string }) => l.id === 'a_lock' && l.kind === 'global'));
  const edge = j.edges.find((e: { from: string; to: string }) => e.from === 'a_lock' && e.to === 'b_lock');
  assert.ok(edge && edge.witnesses.length >= 1 && edge.witnesses[0].length >= 1, 'edge with witness');
  const cycle = j.findings.find((f: { rule: string }) => f.rule === 'lock-order-cycle');
  assert.ok(cycle, 'ABBA reported');
  for (const k of ['rule', 'severity', 'message', 'file', 'line', 'function', 'locks', 'witness']) assert.ok(k in cycle, k);
});

test('exit codes: 1 with --fail-on, 2 on bad usage and unreadable input', () => {
  const dir = makeTree();
  assert.equal(cli(['analyze', dir, '--fail-on', 'error']).code, 1);
  const missing = cli(['analyze', path.join(dir, 'nope')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read .*nope: no such file or directory/);
  const badFmt = cli(['analyze', dir, '--format', 'xml']);
  assert.equal(badFmt.code, 2);
  assert.match(badFmt.stderr, /--format: expected/);
  writeFileSync(path.join(dir, '.locklens.json'), '{"primitives": [{"name": "x", "kind": "nope"}]}');
  const badCfg = cli(['analyze', dir]);
  assert.equal(badCfg.code, 2);
  assert.match(badCfg.stderr, /\.locklens\.json\.primitives\[0\]\.kind/);
  assert.equal(cli(['frobnicate']).code, 2);
});

test('sarif output is SARIF 2.1.0 with code flows', () => {
  const dir = makeTree();
  const r = cli(['analyze', dir, '--format', 'sarif']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.version, '2.1.0');
  const res = s.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'lock-order-cycle');
  assert.ok(res.codeFlows[0].threadFlows[0].locations.length >= 1);
  assert.equal(s.runs[0].tool.driver.rules.length, 11);
});

test('nothing is written into the analysed tree (content, mode, mtime)', () => {
  const examples = path.join(root, 'examples');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'locklens-ex-'));
  if (existsSync(examples)) cpSync(examples, dir, { recursive: true, preserveTimestamps: true });
  writeFileSync(path.join(dir, 'abba.c'), KERNEL_C);
  const before = treeHash(dir);
  const out = mkdtempSync(path.join(os.tmpdir(), 'locklens-out-'));
  for (const fmt of ['text', 'json', 'sarif']) cli(['analyze', dir, '--format', fmt, '--out', path.join(out, `r.${fmt}`)]);
  cli(['analyze', dir, '--parser', 'native', '--jobs', '2']);
  assert.equal(treeHash(dir), before);
});
