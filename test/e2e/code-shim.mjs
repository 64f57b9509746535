#!/usr/bin/env node
// Stand-in "VS Code executable" for @vscode/test-electron's runTests() (recipe §5): it receives
// `--extensionDevelopmentPath=… --extensionTestsPath=… <workspace>` and runs those tests in
// code-server's real node extension host, driven through the `payload` URL parameter, with
// chromium opened by playwright-core. Exit code = the tests' result (0 pass, 1 fail).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, launchBrowser, log, pipeConsole, startCodeServer } from './lib.mjs';

const TIMEOUT_MS = Number(process.env.LOCKLENS_E2E_TIMEOUT_MS ?? 150_000);

function parseArgs(argv) {
  const out = { dev: null, tests: null, positional: [] };
  for (const a of argv) {
    if (a.startsWith('--extensionDevelopmentPath=')) out.dev = a.slice(a.indexOf('=') + 1);
    else if (a.startsWith('--extensionTestsPath=')) out.tests = a.slice(a.indexOf('=') + 1);
    else if (!a.startsWith('-')) out.positional.push(a);
  }
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const sandboxFile = process.env.LOCKLENS_E2E_SANDBOX && join(process.env.LOCKLENS_E2E_SANDBOX, 'sandbox.json');
  if (!args.dev || !args.tests || !sandboxFile) {
    console.error('code-shim: expected --extensionDevelopmentPath, --extensionTestsPath and LOCKLENS_E2E_SANDBOX');
    return 2;
  }
  const dirs = JSON.parse(readFileSync(sandboxFile, 'utf8'));
  if (args.positional[0]) dirs.workspace = args.positional[0];
  const port = await freePort();
  const server = await startCodeServer(dirs, { port });
  let ctx;
  try {
    log(`code-server up on ${server.base}`);
    ctx = await launchBrowser(dirs);
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    pipeConsole(page);
    let settle;
    const done = new Promise((resolve) => (settle = resolve));
    await page.exposeFunction('codeAutomationExit', (code) => settle(Number(code)));
    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(args.dev)],
      ['extensionTestsPath', remote(args.tests)],
    ];
    await page.goto(`${server.base}/?folder=${encodeURIComponent(dirs.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS));
    const code = await Promise.race([done, timer]);
    if (code === 'timeout') {
      console.error(`code-shim: the extension tests did not finish within ${TIMEOUT_MS / 1000} s`);
      await page.screenshot({ path: join(dirs.base, 'timeout.png') }).catch(() => undefined);
      console.error(server.output.join('').slice(-4000));
      return 1;
    }
    return code;
  } finally {
    await ctx?.close().catch(() => undefined);
    server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`code-shim: ${e?.stack ?? e}`);
    process.exit(1);
  },
);
