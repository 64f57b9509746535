// UI end-to-end test in a real VS Code (code-server 4.100.3) driven by playwright-core with
// Debian's chromium (recipe §4): the packaged .vsix is installed, then
//   palette → LockLens: Analyze Workspace → status bar summary → C file with after-line
//   decorations and CodeLens → hover → LockLens views → Show Lock Graph (webview draws) →
//   patch grammar on an mbox; screenshots in out/screenshots/. The workspace must be unchanged.
//   node test/e2e/run-ui-test.mjs [--keep] [--dev]     (--dev: load the unpacked extension)
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, cleanup, freePort, hashTree, installVsix, launchBrowser, log, makeSandbox, pipeConsole, repoRoot, startCodeServer } from './lib.mjs';
import { ensureCodeServer } from './setup-code-server.mjs';
import { packageVsix } from './package-vsix.mjs';

const keep = process.argv.includes('--keep');
const devMode = process.argv.includes('--dev');
const shots = join(repoRoot, 'out', 'screenshots');
const started = Date.now();
const checks = [];
/** Images this script writes (the numbered steps and a failure shot). */
const OWN_SHOT = /^(0\d-[\w-]+|failure)\.png$/;

function check(name, ok, detail = '') {
  checks.push({ name, ok, detail });
  console.log(`${ok ? '  ✔' : '  ✘'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (!ok) throw new Error(`check failed: ${name}${detail ? ` (${detail})` : ''}`);
}

async function palette(page, title) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget').waitFor({ state: 'visible' });
  await page.keyboard.type(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

async function openFile(page, name, marker) {
  const item = page.getByRole('treeitem', { name, exact: true });
  await item.waitFor();
  await item.dblclick();
  await page.locator('.view-lines', { hasText: marker }).first().waitFor();
}

/** TextMate scopes under the cursor, read from "Developer: Inspect Editor Tokens and Scopes". */
async function scopesAt(page, span) {
  await span.click();
  await palette(page, 'Developer: Inspect Editor Tokens and Scopes');
  const widget = page.locator('.token-inspect-widget');
  await widget.waitFor({ timeout: 10_000 });
  const text = await widget.innerText();
  await page.keyboard.press('Escape');
  return text;
}

/** After-line decoration texts: a `::after` pseudo element on generated `ced-*` classes (pitfall 7). */
function decorationTexts(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.monaco-editor .view-lines span[class*="ced-"]')]
      .map((el) => getComputedStyle(el, '::after').content)
      .filter((c) => c && c !== 'none' && c !== 'normal'),
  );
}

async function main() {
  ensureCodeServer();
  // out/screenshots is shared with other suites: replace only this test's own images.
  mkdirSync(shots, { recursive: true });
  for (const f of readdirSync(shots)) if (OWN_SHOT.test(f)) rmSync(join(shots, f), { force: true });
  const dirs = makeSandbox('ui');
  const before = hashTree(dirs.workspace);
  let server;
  let ctx;
  let failed = false;
  try {
    let devPayload = '';
    if (devMode) {
      build();
    } else {
      const { vsix } = packageVsix({ out: join(dirs.base, 'locklens.vsix') });
      build(); // back to the dev build (source maps) for everyone else using dist/
      const code = ensureCodeServer({ quiet: true });
      installVsix(code, dirs, vsix);
      log('vsix packaged and installed');
    }
    const port = await freePort();
    server = await startCodeServer(dirs, { port });
    log('code-server up');
    if (devMode) devPayload = `&payload=${encodeURIComponent(JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${repoRoot}`]]))}`;
    ctx = await launchBrowser(dirs);
    log('browser up');
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    const consoleLines = [];
    pipeConsole(page, (l) => consoleLines.push(l));
    await page.goto(`${server.base}/?folder=${encodeURIComponent(dirs.workspace)}${devPayload}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
    log('workbench loaded');
    await openFile(page, 'demo_core.c', 'demo_port_new');
    log('workbench ready, demo_core.c open');

    await palette(page, 'LockLens: Analyze Workspace');
    const status = page.locator('[aria-label^="LockLens: "][aria-label*="lock classes"]').first();
    await status.waitFor({ timeout: 30_000 });
    const label = await status.getAttribute('aria-label');
    check('status bar shows the summary', /LockLens: 4 lock classes, 3 findings/.test(label ?? ''), label ?? '');

    await page.waitForFunction(
      () => [...document.querySelectorAll('.monaco-editor .view-lines span[class*="ced-"]')].some((el) => getComputedStyle(el, '::after').content.includes('held:')),
      null,
      { timeout: 15_000 },
    );
    const decos = await decorationTexts(page);
    check('after-line decorations name the held locks', decos.some((d) => d.includes('held: demo_mutex → rtnl_mutex')), decos.join(' | '));
    const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: 'entered with rtnl_mutex held' }).first();
    await lens.waitFor({ timeout: 15_000 });
    check('CodeLens text visible', true, await lens.innerText());
    await page.screenshot({ path: join(shots, '01-editor-decorations-codelens.png') });

    // Hover on the first rtnl_lock() call.
    const call = page.locator('.view-lines .view-line span', { hasText: /^rtnl_lock\b/ }).first();
    await call.hover();
    const hover = page.locator('.monaco-hover', { hasText: 'LockLens' }).first();
    await hover.waitFor({ timeout: 10_000 });
    check('hover shows the lock class and nesting', /rtnl_mutex/.test(await hover.innerText()) && /Nests under/.test(await hover.innerText()));
    await page.screenshot({ path: join(shots, '02-hover.png') });
    await page.keyboard.press('Escape');
    const cScopes = await scopesAt(page, call);
    check('lock primitives are injected into C', cScopes.includes('support.function.lock.acquire.locklens'), cScopes.replace(/\s+/g, ' ').slice(0, 160));

    // The activity-bar container with the three views.
    await page.locator('.activitybar [aria-label^="LockLens"]').first().click();
    await page.getByRole('treeitem', { name: /rtnl_mutex/ }).first().waitFor({ timeout: 10_000 });
    await page.getByRole('treeitem', { name: /lock-order-cycle/ }).first().waitFor({ timeout: 10_000 });
    check('Locks and Findings views are filled', true);
    await page.screenshot({ path: join(shots, '03-views.png') });

    await palette(page, 'LockLens: Show Lock Graph');
    const inner = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await inner.locator('#lock-graph canvas').first().waitFor({ timeout: 20_000 });
    const summary = await inner.locator('text=/\\d+ lock classes · \\d+ nesting edges/').first().innerText({ timeout: 10_000 });
    check('graph webview drew the lock graph', /4 lock classes · 3 nesting edges/.test(summary), summary);
    const canvasSize = await inner.locator('#lock-graph canvas').first().boundingBox();
    check('graph canvas has a size', !!canvasSize && canvasSize.width > 100 && canvasSize.height > 100, JSON.stringify(canvasSize));
    await page.screenshot({ path: join(shots, '04-lock-graph.png') });
    await page.locator('iframe.webview.ready').first().screenshot({ path: join(shots, '05-lock-graph-webview.png') });

    // The patch grammar + lock-primitive injection on the series mbox.
    await page.locator('.activitybar [aria-label^="Explorer"]').first().click();
    await openFile(page, 'demo-series.mbox', 'Signed-off-by');
    const language = await page.locator('.statusbar [aria-label*="Patch series (LockLens)"], .statusbar-item:has-text("Patch series (LockLens)")').count();
    check('mbox opens as the LockLens patch language', language > 0);
    await page.screenshot({ path: join(shots, '06-patch-grammar.png') });
    const added = page.locator('.view-lines .view-line', { hasText: /^\+\s*spin_lock\(&queue_lock\)/ }).locator('span', { hasText: /^spin_lock$/ }).first();
    const diffScopes = await scopesAt(page, added);
    check(
      'lock primitives are injected into added diff lines',
      diffScopes.includes('support.function.lock.acquire.locklens') && diffScopes.includes('markup.inserted.diff'),
      diffScopes.replace(/\s+/g, ' ').slice(0, 200),
    );

    const browserErrors = consoleLines.filter((l) => /LockLens.*(error|failed)/i.test(l));
    check('no LockLens errors in the browser console', browserErrors.length === 0, browserErrors.slice(0, 3).join(' | '));
  } catch (e) {
    failed = true;
    console.error(`✘ UI test failed: ${e?.stack ?? e}`);
    try {
      await ctx?.pages()[0]?.screenshot({ path: join(shots, 'failure.png') });
      console.error(`  screenshot: ${join(shots, 'failure.png')}`);
    } catch {
      /* browser gone */
    }
  } finally {
    await ctx?.close().catch(() => undefined);
    server?.stop();
  }
  const after = hashTree(dirs.workspace);
  const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
  if (changed.length) {
    failed = true;
    console.error(`✘ files in the analysed workspace changed: ${changed.join(', ')}`);
  } else console.log('  ✔ workspace unchanged');
  cleanup(dirs, null, keep || failed);
  if (failed && !keep) console.error(`  (temp dir kept for inspection: ${dirs.base})`);
  log(`UI test ${failed ? 'FAILED' : 'passed'} (${checks.filter((c) => c.ok).length} checks) in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${shots}`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`✘ run-ui-test: ${e?.stack ?? e}`);
  process.exit(1);
});
