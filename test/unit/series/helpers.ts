/** Shared helpers for the series tests: fixture paths, base trees, golden files. */
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { readMailFile } from '../../../src/engine/series/mail';
import { assembleSeries } from '../../../src/engine/series/assemble';
import { applyPatch, type Tree } from '../../../src/engine/series/apply';
import type { ParsedSeries } from '../../../src/engine/series/types';

export const ROOT = process.env.LOCKLENS_ROOT ?? path.resolve(__dirname, '../../..');
export const FIX = path.join(ROOT, 'test/fixtures/series');
export const fixture = (...p: string[]) => path.join(FIX, ...p);

export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(path.join(dir, r)).isDirectory()) walk(r);
      else out.set(r, readFileSync(path.join(dir, r), 'utf8'));
    }
  };
  walk('');
  return out;
}

/** Hash of every file (path + bytes) under dir: proves a run left the tree untouched. */
export function hashDir(dir: string): string {
  const h = createHash('sha256');
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(path.join(dir, r));
      h.update(`${r}\0${st.mode}\0`);
      if (st.isDirectory()) walk(r);
      else h.update(readFileSync(path.join(dir, r)));
    }
  };
  walk('');
  return h.digest('hex');
}

export async function parseMbox(...p: string[]): Promise<ParsedSeries> {
  const file = fixture(...p);
  return assembleSeries(await readMailFile(readFileSync(file), path.basename(file)));
}

export const sha = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 12);

/** Applies every patch in order; the tree hash after each, for golden comparison. */
export function applyAll(parsed: ParsedSeries, base: Tree): { tree: Tree; steps: { index: number; applied: boolean; touched: string[]; problems: string[]; treeHash: string }[] } {
  let tree = base;
  const steps = parsed.patches.map((p) => {
    const r = applyPatch(tree, p);
    tree = r.tree;
    const treeHash = sha([...tree.entries()].sort().map(([k, v]) => `${k}\0${v}`).join('\0'));
    return { index: p.index, applied: r.applied, touched: r.touched, problems: r.problems.map((x) => `${x.code}: ${x.file}: ${x.message}`), treeHash };
  });
  return { tree, steps };
}

/** Compares with a golden JSON file; LOCKLENS_UPDATE_GOLDEN=1 rewrites it. */
export function golden(file: string, actual: unknown): void {
  const raw = typeof actual === 'string';
  const text = raw ? actual : JSON.stringify(actual, null, 2) + '\n';
  if (process.env.LOCKLENS_UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.LOCKLENS_UPDATE_GOLDEN !== '1') assert.fail(`golden file ${path.relative(ROOT, file)} is missing; run with LOCKLENS_UPDATE_GOLDEN=1 and review it`);
    writeFileSync(file, text);
    return;
  }
  const want = readFileSync(file, 'utf8');
  const msg = `differs from ${path.relative(ROOT, file)} (LOCKLENS_UPDATE_GOLDEN=1 to accept)`;
  if (raw) assert.equal(text, want, msg);
  else assert.deepEqual(JSON.parse(text), JSON.parse(want), msg);
}
