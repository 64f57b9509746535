// Installs code-server 4.100.3 (= VS Code 1.100.3) from npm into a cache directory outside the
// repository, following /work/shared/design/vscode-e2e.md §1. Idempotent: does nothing when the
// install is already there. Prints the exact apt-get command when a system prerequisite is missing.
//   node test/e2e/setup-code-server.mjs [--check]      (--check: report only, install nothing)
// Exports `ensureCodeServer()` for the other e2e scripts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
// Versions pinned by code-server 4.100.3's dependency tree (see the recipe, §1a).
const RIPGREP_PKG_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export const cacheRoot = process.env.LOCKLENS_E2E_CACHE ?? join(homedir(), '.cache', 'locklens-e2e');
export const codeServerDir = join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
export const codeServerBin = join(codeServerDir, 'node_modules', '.bin', 'code-server');
export const chromiumBin = process.env.LOCKLENS_CHROMIUM ?? '/usr/bin/chromium';

const APT_PACKAGES = ['ripgrep', 'chromium', 'libkrb5-dev', 'build-essential', 'python3', 'pkg-config'];

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Returns the missing apt packages (checked by the files they provide). */
export function missingPrerequisites() {
  const checks = {
    ripgrep: () => have('rg'),
    chromium: () => existsSync(chromiumBin),
    'libkrb5-dev': () => existsSync('/usr/include/krb5.h') || existsSync('/usr/include/krb5/krb5.h'),
    'build-essential': () => have('g++') && have('make'),
    python3: () => have('python3'),
    'pkg-config': () => have('pkg-config'),
  };
  return APT_PACKAGES.filter((p) => !checks[p]());
}

function versionOk() {
  if (!existsSync(codeServerBin)) return false;
  // Even `--version` writes ~/.config/code-server/config.yaml: keep it in a temp dir.
  const home = mkdtempSync(join(tmpdir(), 'locklens-cs-version-'));
  try {
    const env = { ...process.env, XDG_CONFIG_HOME: join(home, 'c'), XDG_DATA_HOME: join(home, 'd'), XDG_CACHE_HOME: join(home, 'k') };
    const r = spawnSync(codeServerBin, ['--version'], { encoding: 'utf8', timeout: 60_000, env });
    return r.status === 0 && r.stdout.split('\n').some((l) => l.startsWith(`${CODE_SERVER_VERSION} `));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** @vscode/ripgrep's postinstall downloads from GitHub; pre-seed its cache with Debian's rg. */
function seedRipgrepCache() {
  const dir = join(tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}`);
  const tarball = join(dir, RIPGREP_ASSET);
  if (existsSync(tarball)) return;
  mkdirSync(dir, { recursive: true });
  const stage = mkdtempSync(join(tmpdir(), 'locklens-rg-'));
  try {
    const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
    copyFileSync(rg, join(stage, 'rg'));
    const t = spawnSync('tar', ['czf', tarball, '-C', stage, 'rg'], { stdio: 'inherit' });
    if (t.status !== 0) throw new Error('could not build the ripgrep cache tarball');
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

export function ensureCodeServer({ quiet = false } = {}) {
  const missing = missingPrerequisites();
  if (missing.length) {
    throw new Error(
      `e2e prerequisites missing: ${missing.join(', ')}\n  install them with:\n    apt-get install -y ${missing.join(' ')}`,
    );
  }
  if (versionOk()) {
    if (!quiet) console.log(`code-server ${CODE_SERVER_VERSION} present in ${codeServerDir}`);
    return codeServerBin;
  }
  console.log(`installing code-server ${CODE_SERVER_VERSION} into ${codeServerDir} (one-off, ~70 s)`);
  seedRipgrepCache();
  mkdirSync(codeServerDir, { recursive: true });
  if (!existsSync(join(codeServerDir, 'package.json'))) {
    writeFileSync(join(codeServerDir, 'package.json'), JSON.stringify({ name: 'locklens-e2e-code-server', private: true }, null, 2));
  }
  const t0 = Date.now();
  const r = spawnSync('npm', ['install', '--no-save', '--unsafe-perm', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: codeServerDir,
    stdio: 'inherit',
    // node-pty's post-install runs `npx node-gyp`; ~/.npmrc has yes=false (recipe pitfall 2).
    env: { ...process.env, npm_config_yes: 'true' },
  });
  if (r.status !== 0 || !versionOk()) {
    throw new Error(`code-server install failed (npm exit ${r.status}); see the output above and /work/shared/design/vscode-e2e.md §7`);
  }
  console.log(`code-server installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return codeServerBin;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const missing = missingPrerequisites();
    console.log(missing.length ? `missing apt packages: apt-get install -y ${missing.join(' ')}` : 'apt prerequisites present');
    console.log(versionOk() ? `code-server ${CODE_SERVER_VERSION} present` : `code-server ${CODE_SERVER_VERSION} not installed`);
    process.exit(missing.length || !versionOk() ? 1 : 0);
  }
  try {
    ensureCodeServer();
  } catch (e) {
    console.error(`✘ ${e.message}`);
    process.exit(1);
  }
}
