// Builds the LockLens .vsix: production bundles, then `vsce package` (3.9.2) on a staging copy
// of exactly the files .vscodeignore allows.
//   node test/e2e/package-vsix.mjs [--out FILE] [--no-build]     (default: ./locklens-<version>.vsix)
//
// Why a staging copy: vsce refuses to package when devDependencies' @types/vscode (1.100.0,
// needed for the API typings) is newer than engines.vscode (^1.90.0, the supported range).
// The VSIX manifest does not need devDependencies or scripts, so the staged package.json drops
// them; everything else is the repository's manifest unchanged.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Files the VSIX ships (the allow-list of .vscodeignore, which vsce applies again). */
const SHIPPED = [
  'README.md',
  'CHANGELOG.md',
  'LICENSE',
  'LICENSE.md',
  '.vscodeignore',
  'dist/extension.js',
  'dist/worker.js',
  'dist/extract-worker.js',
  'dist/web-tree-sitter.wasm',
  'dist/tree-sitter-c.wasm',
  'media/icon.png',
  'media/locklens.svg',
  'media/dist/webview.js',
  'media/dist/webview.css',
  'syntaxes/locklens-patch.tmLanguage.json',
  'syntaxes/lock-primitives.injection.tmLanguage.json',
  'syntaxes/patch-language-configuration.json',
];
const REQUIRED = ['dist/extension.js', 'dist/worker.js', 'dist/extract-worker.js', 'dist/web-tree-sitter.wasm', 'dist/tree-sitter-c.wasm', 'media/dist/webview.js'];

export function packageVsix({ out, build = true } = {}) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const target = resolve(out ?? join(root, `locklens-${pkg.version}.vsix`));
  if (build) {
    const b = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`production build failed:\n${b.stdout}${b.stderr}`);
  }
  for (const f of REQUIRED) if (!existsSync(join(root, f))) throw new Error(`cannot package: ${f} is missing (build first)`);
  const stage = mkdtempSync(join(tmpdir(), 'locklens-vsix-'));
  try {
    for (const f of SHIPPED) {
      if (!existsSync(join(root, f))) continue;
      mkdirSync(dirname(join(stage, f)), { recursive: true });
      cpSync(join(root, f), join(stage, f));
    }
    const staged = { ...pkg };
    delete staged.devDependencies;
    delete staged.scripts;
    writeFileSync(join(stage, 'package.json'), JSON.stringify(staged, null, 2));
    const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    // README links point into the repository (docs/*.md); with no public repository URL they stay as written.
    const args = ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', target];
    if (!existsSync(join(stage, 'LICENSE')) && !existsSync(join(stage, 'LICENSE.md'))) args.push('--skip-license');
    const r = spawnSync(process.execPath, [vsce, ...args], { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    if (r.status !== 0) throw new Error(`vsce package failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    return { vsix: target, output: r.stdout.trim() };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--out');
  try {
    const { vsix, output } = packageVsix({ out: i >= 0 ? process.argv[i + 1] : undefined, build: !process.argv.includes('--no-build') });
    console.log(output);
    console.log(`✔ ${vsix}`);
  } catch (e) {
    console.error(`✘ ${e.message}`);
    process.exit(1);
  }
}
