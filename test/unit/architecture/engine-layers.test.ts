/**
 * The analysis is layered: pipeline/ (the phases) above detectors/ (the rules) above analysis/
 * (lock identity, call graph, summaries, dataflow). No import runs back up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const root = process.env.LOCKLENS_ROOT ?? process.cwd();
const engine = path.join(root, 'src/engine');
const LAYERS = ['analysis', 'detectors', 'pipeline'];

function walk(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n.endsWith('.ts')) out.push(p);
  }
  return out;
}

test('pipeline/ > detectors/ > analysis/: no import runs back up', () => {
  const bad: string[] = [];
  for (const [i, layer] of LAYERS.entries()) {
    for (const f of walk(path.join(engine, layer))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/from\s*'(\.[^']+)'/g)) {
        const target = path.relative(engine, path.resolve(path.dirname(f), m[1]!)).split(path.sep)[0]!;
        const j = LAYERS.indexOf(target);
        if (j > i) bad.push(`${path.relative(root, f)} imports ${m[1]}`);
      }
    }
  }
  assert.deepEqual(bad, []);
});
