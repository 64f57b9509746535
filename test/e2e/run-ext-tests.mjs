// Mocha suites (test/e2e/suite/*.ts) inside the real extension host of code-server 4.100.3
// (= VS Code 1.100.3), launched through an unmodified @vscode/test-electron runTests() whose
// "VS Code executable" is code-shim.mjs (recipe §5). The fixture workspace is copied to a temp
// dir; its files are hashed before and compared after (LockLens must never write into it).
//   node test/e2e/run-ext-tests.mjs [--keep]      (--keep: leave the temp dir for inspection)
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { runTests } from '@vscode/test-electron';
import { build, cleanup, hashTree, log, makeSandbox, repoRoot } from './lib.mjs';
import { ensureCodeServer } from './setup-code-server.mjs';

const keep = process.argv.includes('--keep');
const started = Date.now();

async function compileSuites() {
  const suiteDir = join(repoRoot, 'test', 'e2e', 'suite');
  const outDir = join(repoRoot, 'out', 'e2e');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const entries = readdirSync(suiteDir).filter((f) => f.endsWith('.ts')).map((f) => join(suiteDir, f));
  await esbuild.build({
    entryPoints: entries,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    // vscode comes from the host; mocha from the repository's node_modules (out/ is inside it).
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return join(outDir, 'index.js');
}

async function main() {
  ensureCodeServer();
  build();
  const testsIndex = await compileSuites();
  const dirs = makeSandbox('ext');
  const before = hashTree(dirs.workspace);
  writeFileSync(join(dirs.base, 'hashes-before.json'), JSON.stringify(before));
  writeFileSync(join(dirs.base, 'sandbox.json'), JSON.stringify(dirs));
  // runTests spawns the executable directly: a tiny sh wrapper makes the .mjs shim one.
  const shim = join(dirs.base, 'code-shim.sh');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${join(repoRoot, 'test', 'e2e', 'code-shim.mjs')}" "$@"\n`);
  chmodSync(shim, 0o755);
  log(`workspace ${dirs.workspace} (${Object.keys(before).length} files)`);
  let failed = false;
  try {
    await runTests({
      vscodeExecutablePath: shim,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsIndex,
      launchArgs: [dirs.workspace],
      extensionTestsEnv: { LOCKLENS_E2E_SANDBOX: dirs.base },
      reuseMachineInstall: true,
    });
  } catch (e) {
    failed = true;
    console.error(`✘ extension-host tests failed: ${e?.message ?? e}`);
  }
  const after = hashTree(dirs.workspace);
  const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
  if (changed.length) {
    failed = true;
    console.error(`✘ files in the analysed workspace changed: ${changed.join(', ')}`);
  }
  cleanup(dirs, null, keep || failed);
  if (failed && !keep) console.error(`  (temp dir kept for inspection: ${dirs.base})`);
  log(`${failed ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`✘ run-ext-tests: ${e?.stack ?? e}`);
  process.exit(1);
});
