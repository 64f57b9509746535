/**
 * The engine is pure: no vscode, no IO, no threads. This keeps it runnable in the CLI, the
 * extension's worker and plain unit tests alike, and deterministic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const root = process.env.LOCKLENS_ROOT!;
const FORBIDDEN = ['vscode', 'fs', 'path', 'child_process', 'worker_threads', 'os', 'crypto', 'net', 'http', 'https'];

function walk(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n.endsWith('.ts')) out.push(p);
  }
  return out;
}

function importsOf(src: string): string[] {
  const out: string[] = [];
  const rx = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m; (m = rx.exec(src)); ) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

test('src/engine imports no vscode, IO or thread modules', () => {
  const files = walk(path.join(root, 'src/engine'));
  assert.ok(files.length > 20);
  const bad: string[] = [];
  for (const f of files) {
    for (const spec of importsOf(readFileSync(f, 'utf8'))) {
      const bare = spec.replace(/^node:/, '').split('/')[0]!;
      if (FORBIDDEN.includes(bare)) bad.push(`${path.relative(root, f)} imports ${spec}`);
      if (spec.startsWith('.') && /(^|\/)(host|vscode|cli)(\/|$)/.test(path.relative(path.join(root, 'src/engine'), path.resolve(path.dirname(f), spec)))) {
        bad.push(`${path.relative(root, f)} reaches outside the engine: ${spec}`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

test('only src/vscode and src/extension.ts import vscode', () => {
  const bad: string[] = [];
  for (const f of walk(path.join(root, 'src'))) {
    const rel = path.relative(root, f);
    if (rel.startsWith('src/vscode/') || rel === 'src/extension.ts') continue;
    if (importsOf(readFileSync(f, 'utf8')).includes('vscode')) bad.push(rel);
  }
  assert.deepEqual(bad, []);
});

test('the import scanner sees the forms it must forbid', () => {
  assert.deepEqual(importsOf(`import * as fs from 'node:fs';\nconst x = require("vscode");\nexport { a } from './b';`), ['node:fs', 'vscode', './b']);
});
