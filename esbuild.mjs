// One build script for every bundle. Entries whose source file does not exist yet are skipped,
// so the build works while features land one by one.
//   node esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // Native tree-sitter is an optional fast path: resolved at run time, never bundled.
  external: ['vscode', 'tree-sitter', 'tree-sitter-c'],
};

const entries = [
  { ...node, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js' },
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/host/worker/engine-worker.ts'], outfile: 'dist/worker.js' },
  { ...node, entryPoints: ['src/host/worker/extract-worker.ts'], outfile: 'dist/extract-worker.js' },
  {
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    sourcemap: false,
    // Always minified: the standalone HTML report inlines this bundle (0.75 MB instead of 1.8 MB).
    minify: true,
    logLevel: 'warning',
    entryPoints: ['src/webview/main.ts'],
    outfile: 'media/dist/webview.js',
    loader: { '.css': 'css' },
  },
].filter((e) => existsSync(join(root, e.entryPoints[0])));

function copyWasm() {
  mkdirSync(join(root, 'dist'), { recursive: true });
  // web-tree-sitter 0.25 ships its runtime as tree-sitter.wasm; dist/ keeps one stable name.
  copyFileSync(join(root, 'node_modules/web-tree-sitter/tree-sitter.wasm'), join(root, 'dist/web-tree-sitter.wasm'));
  copyFileSync(join(root, 'node_modules/tree-sitter-c/tree-sitter-c.wasm'), join(root, 'dist/tree-sitter-c.wasm'));
}

const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((r) => {
      for (const e of r.errors) console.error(`✘ [ERROR] ${e.text}\n    ${e.location?.file}:${e.location?.line}:${e.location?.column}`);
      if (watch) console.log('[watch] build finished');
    });
  },
};

copyWasm();
if (watch) {
  for (const e of entries) (await esbuild.context({ ...e, plugins: [problemMatcher] })).watch();
} else {
  // Build every entry even if one fails, so one broken bundle does not hide the others' errors.
  const results = await Promise.allSettled(entries.map((e) => esbuild.build({ ...e, plugins: [problemMatcher] })));
  const failed = results.filter((r) => r.status === 'rejected').length;
  if (failed) {
    console.error(`esbuild: ${failed} of ${entries.length} bundles failed`);
    process.exit(1);
  }
}
