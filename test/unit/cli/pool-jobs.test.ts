/**
 * `locklens analyze --jobs N` through the bundled CLI on a tree big enough for extraction worker
 * threads: the JSON result is the same with 1 and 2 threads and from a warm fact cache, the cache
 * lands outside the tree (under XDG_CACHE_HOME), and the tree is never written.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PARALLEL_MIN_BYTES } from '../../../src/host/extract-pool';
import { writePoolTree } from '../robustness/pool-tree';

const root = process.env.LOCKLENS_ROOT!;
const tree = writePoolTree(PARALLEL_MIN_BYTES * 1.1);
const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'locklens-pool-xdg-'));

after(() => {
  rmSync(tree, { recursive: true, force: true });
  rmSync(cacheHome, { recursive: true, force: true });
});

function analyze(args: string[]): { result: Record<string, unknown>; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'locklens'), 'analyze', tree, '--format', 'json', ...args], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env: { ...process.env, XDG_CACHE_HOME: cacheHome },
  });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { stats: { timings: Record<string, number> } };
  result.stats.timings = {};
  return { result, stderr: r.stderr };
}

/** Names, sizes and mtimes of everything under dir. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .sort()
    .map((p) => {
      const st = statSync(path.join(dir, p));
      return `${p} ${st.size} ${st.mtimeMs}`;
    });
}

test('analyze --jobs 1 and --jobs 2 (cold and warm cache) print the same result; the tree is untouched', () => {
  const before = listing(tree);
  const one = analyze(['--jobs', '1', '--no-cache']).result;
  assert.ok((one.edges as unknown[]).length > 0, 'the tree has lock-order edges');
  const cold = analyze(['--jobs', '2']).result;
  assert.deepEqual(cold, one, 'jobs 2 (workers, cold cache) = jobs 1');
  const entries = readdirSync(cacheHome, { recursive: true }).map(String).filter((p) => p.endsWith('.json'));
  assert.ok(entries.length >= (one.files as number), `cache entries under XDG_CACHE_HOME: ${entries.length}`);
  const warm = analyze(['--jobs', '2']).result;
  assert.deepEqual(warm, one, 'jobs 2 from the warm cache = jobs 1');
  assert.deepEqual(listing(tree), before, 'nothing was written into the analysed tree');
});
