// The test command (`npm test`): build, type-check, engine unit/golden tests with node's
// built-in runner, then the real-VS-Code suites (unless --unit-only).
//   node test/run-all.mjs [--unit-only] [--no-typecheck] [--filter SUBSTRING]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, rmSync, existsSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit-only');
const noTypecheck = args.includes('--no-typecheck');
const fi = args.indexOf('--filter');
const filter = fi >= 0 ? args[fi + 1] : null;

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`\n✘ ${cmd} ${argv.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

let buildFailed = false;
if (unitOnly) {
  // While iterating on one area, a bundle broken elsewhere must not hide this area's test results.
  const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
  buildFailed = r.status !== 0;
  if (buildFailed) console.error('\n✘ build failed (continuing with unit tests; the run will fail)');
} else run(process.execPath, ['esbuild.mjs']);
if (!noTypecheck) {
  run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']);
  if (existsSync(join(root, 'src/webview/main.ts'))) {
    run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'src/webview/tsconfig.json', '--noEmit']);
  }
}

// Tests are bundled (transpile only; tsc above does the type checking) so a broken file
// elsewhere cannot stop an unrelated test from running.
const tests = walk(join(root, 'test/unit')).filter((f) => !filter || relative(root, f).includes(filter));
// Per-run directory: concurrent runs (a watcher, a second terminal) must not delete each other's bundles.
const outDir = join(root, 'out', `test-unit-${process.pid}`);
rmSync(outDir, { recursive: true, force: true });
process.on('exit', () => rmSync(outDir, { recursive: true, force: true }));
if (tests.length === 0) {
  console.error('no unit tests matched');
  process.exit(1);
}
// One build per test file: a test whose imports do not resolve yet fails alone, loudly.
const common = {
  outdir: outDir,
  outbase: join(root, 'test/unit'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  packages: 'external',
  logLevel: 'error',
};
const builds = await Promise.allSettled(tests.map((t) => esbuild.build({ ...common, entryPoints: [t] })));
const unbuilt = tests.filter((_, i) => builds[i].status === 'rejected');
for (const t of unbuilt) console.error(`✘ could not bundle ${relative(root, t)} (see errors above)`);
const built = tests.filter((t) => !unbuilt.includes(t)).map((t) => join(outDir, relative(join(root, 'test/unit'), t)).replace(/\.ts$/, '.js'));
if (built.length) {
  run(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=spec', ...built], {
    env: { ...process.env, LOCKLENS_ROOT: root },
  });
}
if (unbuilt.length) {
  console.error(`\n✘ ${unbuilt.length} test file(s) could not be bundled`);
  process.exit(1);
}

if (buildFailed) process.exit(1);
if (!unitOnly) {
  for (const suite of ['test/e2e/run-ext-tests.mjs', 'test/e2e/run-ui-test.mjs']) {
    if (existsSync(join(root, suite))) run(process.execPath, [suite]);
  }
}
