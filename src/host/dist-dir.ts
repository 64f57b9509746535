/**
 * Where the built bundles and .wasm files live. Bundled code runs from dist/ itself; tests and
 * ts-node style runs find the repository through LOCKLENS_ROOT or by walking up to package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

let cached: string | null = null;

export function distDir(): string {
  if (cached) return cached;
  if (path.basename(__dirname) === 'dist' && existsSync(path.join(__dirname, 'tree-sitter-c.wasm'))) {
    return (cached = __dirname);
  }
  const env = process.env.LOCKLENS_ROOT;
  if (env && existsSync(path.join(env, 'dist'))) return (cached = path.join(env, 'dist'));
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'locklens') return (cached = path.join(dir, 'dist'));
      } catch {
        /* keep walking */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error('LockLens: cannot locate dist/ (run `node esbuild.mjs` first)');
}

/** Repository/extension root (parent of dist/). */
export function packageRoot(): string {
  return path.dirname(distDir());
}
