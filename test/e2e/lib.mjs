// Shared plumbing of the real-VS-Code e2e scripts (code-server 4.100.3 + Debian chromium +
// playwright-core), following /work/shared/design/vscode-e2e.md. Everything lives in one temp
// dir (profiles, XDG dirs, config, extensions, the workspace copy) removed at the end; the
// code-server process group is killed on exit.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { chromiumBin, ensureCodeServer } from './setup-code-server.mjs';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixtureWorkspace = join(repoRoot, 'test', 'fixtures', 'vscode-ws');

const t0 = Date.now();
export function log(msg) {
  console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
}

/** A fresh temp tree with isolated XDG dirs, user settings and a workspace copy. */
export function makeSandbox(name) {
  const base = mkdtempSync(join(tmpdir(), `locklens-${name}-`));
  const dirs = {
    base,
    userData: join(base, 'user-data'),
    extensions: join(base, 'extensions'),
    xdgConfig: join(base, 'xdg-config'),
    xdgData: join(base, 'xdg-data'),
    xdgCache: join(base, 'xdg-cache'),
    browserProfile: join(base, 'browser'),
    workspace: join(base, 'ws'),
    config: join(base, 'code-server.yaml'),
  };
  for (const d of [dirs.userData, dirs.extensions, dirs.xdgConfig, dirs.xdgData, dirs.xdgCache, dirs.browserProfile]) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(
    join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'git.enabled': false,
        'workbench.tips.enabled': false,
        'editor.codeLens': true,
        'window.restoreWindows': 'none',
        // The tests edit documents without saving; an auto-save would write into the workspace.
        'files.autoSave': 'off',
      },
      null,
      2,
    ),
  );
  writeFileSync(dirs.config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  cpSync(fixtureWorkspace, dirs.workspace, { recursive: true });
  return dirs;
}

/** Environment for code-server and chromium: nothing may land in the real home. */
export function isolatedEnv(dirs, extra = {}) {
  return {
    ...process.env,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    EXTENSIONS_GALLERY: '{}',
    LOCKLENS_TEST_HOOKS: '1',
    ...extra,
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Content hash of every file under dir (relative path → sha1), to prove nothing was written. */
export function hashTree(dir) {
  const out = {};
  const walk = (d) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha1').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

export function installVsix(bin, dirs, vsix) {
  const r = spawnSync(bin, ['--config', dirs.config, '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData, '--install-extension', vsix], {
    env: isolatedEnv(dirs),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`installing ${vsix} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/** Starts code-server in its own process group; resolves once /healthz answers. */
export async function startCodeServer(dirs, { port }) {
  const bin = ensureCodeServer({ quiet: true });
  const args = [
    '--config', dirs.config,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    dirs.workspace,
  ];
  const child = spawn(bin, args, { env: isolatedEnv(dirs), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  child.stdout.on('data', (b) => output.push(b.toString()));
  child.stderr.on('data', (b) => output.push(b.toString()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited early (${child.exitCode}):\n${output.join('')}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`code-server did not become healthy in 30 s:\n${output.join('')}`);
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    base,
    child,
    output,
    stop: () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    },
  };
}

export async function launchBrowser(dirs) {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(dirs.browserProfile, {
    executablePath: chromiumBin,
    headless: true,
    env: isolatedEnv(dirs),
    viewport: { width: 1400, height: 850 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Browser console → our stdout; mocha's `%c INFO` prefix is dropped. Known-harmless noise filtered. */
export function pipeConsole(page, sink = (line) => console.log(line)) {
  page.on('console', async (msg) => {
    let args;
    try {
      args = await Promise.all(msg.args().map((a) => a.jsonValue()));
    } catch {
      args = [msg.text()];
    }
    if (typeof args[0] === 'string' && args[0].startsWith('%c')) args = args.slice(2);
    const text = format(...args);
    if (/vsda|Failed to load resource|open-vsx|marketplace|\[Extension Host\] (?!.*LockLens)/i.test(text) && msg.type() !== 'log') return;
    sink(text);
  });
}

export function cleanup(dirs, server, keep) {
  server?.stop();
  if (!keep) rmSync(dirs.base, { recursive: true, force: true });
}

/** Builds the extension bundles (dev build); throws with esbuild's output on failure. */
export function build({ production = false } = {}) {
  const r = spawnSync(process.execPath, ['esbuild.mjs', ...(production ? ['--production'] : [])], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}${r.stderr}`);
}
