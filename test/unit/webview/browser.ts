// Shared helpers for the webview browser tests: launch Debian's chromium through playwright-core
// with an isolated profile, and collect what a page did (console, CSP violations, requests).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

// Functions passed to page.evaluate() run in the browser; the Node tsconfig has no DOM lib.
declare const window: any;
declare const document: any;

export const ROOT = process.env.LOCKLENS_ROOT ?? path.resolve(__dirname, '../../..');
export const SCREENSHOTS = path.join(ROOT, 'out', 'screenshots');
const CHROMIUM = process.env.LOCKLENS_CHROMIUM ?? '/usr/bin/chromium';

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/webview', name), 'utf8')) as T;
}

export interface Session {
  browser: Browser;
  tmp: string;
  close(): Promise<void>;
}

/** Fails (never skips) when chromium is missing: these tests are the only check of the real UI. */
export async function launch(): Promise<Session> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set LOCKLENS_CHROMIUM`);
  }
  const tmp = mkdtempSync(path.join(tmpdir(), 'locklens-webview-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'config'), XDG_CACHE_HOME: path.join(tmp, 'cache'), HOME: tmp },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    browser,
    tmp,
    async close() {
      await browser.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export interface PageLog {
  console: string[];
  errors: string[];
  requests: string[];
  csp(): Promise<Array<{ directive: string; blocked: string; sample: string }>>;
}

export async function openPage(
  browser: Browser,
  url: string,
  init?: () => void,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<{ page: Page; log: PageLog }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 }, colorScheme });
  const log: PageLog = {
    console: [],
    errors: [],
    requests: [],
    csp: () => page.evaluate(() => (window as unknown as { __csp?: [] }).__csp ?? []),
  };
  page.on('console', (m) => log.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.errors.push(e.message));
  page.on('request', (r) => log.requests.push(r.url()));
  // Init scripts are injected by the browser itself, before (and regardless of) the page's CSP.
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: unknown[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e: any) => w.__csp.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample }));
  });
  if (init) await page.addInitScript(init);
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { __locklens?: unknown }).__locklens !== undefined, null, { timeout: 30_000 });
  return { page, log };
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/**
 * Clicks a cytoscape element where it is drawn (real mouse event on the canvas). `frame` is the
 * frame holding the app when it is not the page itself; it must sit at the page's origin.
 */
export async function clickGraphElement(page: Page, which: 'graph' | 'seriesGraph', cyId: string, frame?: Frame): Promise<void> {
  const pos = await (frame ?? page).evaluate(
    ([w, id]) => {
      const cy = (window as unknown as { __locklens: Record<string, any> }).__locklens[w];
      const el = cy.getElementById(id);
      if (el.empty()) return null;
      const p = el.isNode() ? el.renderedPosition() : el.renderedMidpoint();
      const box = cy.container().getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    },
    [which, cyId] as const,
  );
  if (!pos) throw new Error(`graph element ${cyId} not found`);
  await page.mouse.click(pos.x, pos.y);
}
