// The VS Code shell (buildWebviewHtml) in chromium, set up like a real VS Code webview: the app
// runs in an inner frame served over http from the same origin as its host frame; the host frame
// relays messages with postMessage(msg, origin), and the stand-in acquireVsCodeApi script sets
// window.parent = window exactly as VS Code's does. The app must post typed messages (ready,
// reveal, viewChanged, patchSelected) and obey host messages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { AnalysisResult } from '../../../src/engine/model';
import type { FromWebview, SeriesJson, SweepJson, ToWebview } from '../../../src/protocol/webview-messages';
import { isFromWebview } from '../../../src/protocol/webview-messages';
import { buildWebviewHtml, makeNonce } from '../../../src/host/webview-html';
import { clickGraphElement, fixture, launch, ROOT, shot, type Session } from './browser';

// Functions passed to evaluate() run in the browser; the Node tsconfig has no DOM lib.
declare const window: any;
declare const document: any;

const analysis = fixture<AnalysisResult>('analysis.json');
const series = fixture<SeriesJson>('series.json');
const simulation = fixture<SweepJson>('sweep.json');

/**
 * Outer frame = VS Code's webview host: holds the API's message sink and relays host messages.
 * A second, cross-origin frame (localhost vs 127.0.0.1) plays a page that should not be obeyed.
 */
const hostPage = (port: string) => `<!DOCTYPE html><html><body style="margin:0">
<iframe id="active-frame" src="/panel.html" style="position:absolute;left:0;top:0;width:100%;height:100%;border:0"></iframe>
<iframe id="foreign" src="http://localhost:${port}/foreign.html" style="display:none"></iframe>
</body></html>`;

describe('VS Code webview shell', () => {
  let s: Session;
  let server: Server;
  let page: Page;
  let app: Frame;
  const errors: string[] = [];

  const posted = async (): Promise<FromWebview[]> => page.evaluate(() => window.__posted);
  /** What VS Code's host frame does for webview.postMessage(). */
  const send = (msg: ToWebview | Record<string, unknown>) =>
    page.evaluate((m) => document.getElementById('active-frame').contentWindow.postMessage(m, window.origin), msg);
  const dbg = <T>(fn: string): Promise<T> => app.evaluate(`window.__locklens.${fn}`) as Promise<T>;

  before(async () => {
    s = await launch();
    const panelHtml = (origin: string) =>
      buildWebviewHtml({
        scriptUri: `${origin}/media/webview.js`,
        styleUri: `${origin}/media/webview.css`,
        cspSource: origin,
        nonce: makeNonce(),
        initialData: { title: 'In VS Code', analysis, series, simulation },
        view: 'series',
      });
    server = createServer((req, res) => {
      const origin = `http://${req.headers.host}`;
      const url = req.url ?? '/';
      const send200 = (type: string, body: string | Buffer) => res.writeHead(200, { 'content-type': type }).end(body);
      if (url === '/') return send200('text/html', hostPage(String(req.headers.host).split(':')[1]));
      if (url === '/foreign.html') return send200('text/html', '<!DOCTYPE html><p>foreign</p>');
      if (url === '/panel.html') return send200('text/html', panelHtml(origin));
      if (url === '/media/webview.js') return send200('text/javascript', readFileSync(path.join(ROOT, 'media/dist/webview.js')));
      if (url === '/media/webview.css') return send200('text/css', readFileSync(path.join(ROOT, 'media/dist/webview.css')));
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    page = await s.browser.newPage({ viewport: { width: 1400, height: 860 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(() => {
      const w = window;
      if (w === w.top) {
        w.__posted = [];
        w.__state = undefined;
        return;
      }
      if (w.location.pathname !== '/panel.html') return;
      w.__csp = [];
      document.addEventListener('securitypolicyviolation', (e: any) => w.__csp.push({ directive: e.violatedDirective, sample: e.sample }));
      const host = w.parent;
      w.acquireVsCodeApi = () => ({
        postMessage: (m: unknown) => host.__posted.push(JSON.parse(JSON.stringify(m))),
        getState: () => host.__state,
        setState: (st: unknown) => (host.__state = JSON.parse(JSON.stringify(st))),
      });
      // As in VS Code's webview API script.
      w.parent = w;
      w.top = w;
    });
    await page.goto(`${base}/`);
    const frame = page.frame({ url: /\/panel\.html$/ });
    assert.ok(frame, 'panel frame loaded');
    app = frame;
    await app.waitForFunction(() => window.__locklens !== undefined);
  });
  after(async () => {
    await s?.close();
    server?.close();
  });

  test('starts on the requested view, says ready, and loads the stylesheet under the CSP', async () => {
    const msgs = await posted();
    assert.deepEqual(msgs[0], { type: 'ready', view: 'series' });
    assert.ok(msgs.every(isFromWebview));
    assert.equal(await dbg('mode'), 'vscode');
    assert.equal(await dbg('view'), 'series');
    // The linked stylesheet applied (grid layout), and nothing was blocked.
    assert.equal(await app.evaluate(() => window.getComputedStyle(document.querySelector('.series-layout')).display), 'grid');
    assert.deepEqual(await app.evaluate(() => window.__csp), []);
    await shot(page, 'vscode-series');
  });

  test('a witness step posts a reveal message instead of showing a location', async () => {
    await app.click('#tab-graph');
    await app.waitForFunction(() => window.__locklens.graph !== null);
    await clickGraphElement(page, 'graph', 'e:ovs_mutex\u2192rtnl_mutex', app);
    await app.locator('#graph-details button.step').nth(5).click();
    const msgs = await posted();
    assert.deepEqual(msgs.filter((m) => m.type === 'reveal'), [{ type: 'reveal', file: 'net/openvswitch/vport-netdev.c', line: 84 }]);
    assert.ok(msgs.some((m) => m.type === 'viewChanged' && m.view === 'graph'));
    assert.equal(await app.locator('#location').isVisible(), false);
  });

  test('obeys host messages and ignores malformed or foreign ones', async () => {
    const before = (await posted()).length;
    await send({ type: 'showView', view: 'evil' });
    await send({ type: 'selectPatch', index: -1 });
    await send({ type: 'nonsense' });
    // A well-formed message from another origin is ignored.
    const foreign = page.frame({ url: /\/foreign\.html$/ });
    assert.ok(foreign);
    await foreign.evaluate(() => window.parent.frames[0].postMessage({ type: 'selectPatch', index: 2 }, '*'));
    // Sentinel: a valid message whose reply shows the ones before it were seen.
    await send({ type: 'showView', view: 'graph' });
    await page.waitForFunction((n) => window.__posted.length > n, before);
    await page.waitForTimeout(150);
    assert.equal(await dbg('view'), 'graph');
    assert.equal(await dbg('seriesPatch'), 3);
    assert.deepEqual((await posted()).slice(before), [{ type: 'viewChanged', view: 'graph' }]);

    await send({ type: 'selectPatch', index: 1 });
    await app.waitForFunction(() => window.__locklens.seriesPatch === 1);
    assert.equal(await dbg('view'), 'series');
    assert.deepEqual((await posted()).filter((m) => m.type === 'patchSelected').at(-1), { type: 'patchSelected', index: 1 });
    assert.deepEqual(await page.evaluate(() => window.__state), { view: 'series', patch: 1 });

    await send({ type: 'focusLock', id: 'rtnl_mutex' });
    await app.locator('#graph-details h2', { hasText: 'rtnl_mutex' }).waitFor();
    assert.equal(await dbg('graph.$(":selected").id()'), 'n:rtnl_mutex');

    const smaller = { ...analysis, locks: analysis.locks.slice(0, 2), edges: analysis.edges.slice(0, 1) };
    await send({ type: 'setData', data: { title: 'Re-analysed', analysis: smaller } });
    await app.waitForFunction(() => window.__locklens.graph?.nodes().length === 2);
    assert.equal(await app.locator('h1.title').textContent(), 'Re-analysed');

    // Many never-nested classes: hidden by default behind a toggle.
    const lonely = Array.from({ length: 25 }, (_, i) => ({ ...analysis.locks[0], id: `lonely_${i}`, name: `lonely_${i}` }));
    await send({ type: 'setData', data: { analysis: { ...smaller, locks: [...smaller.locks, ...lonely] } } });
    await app.waitForFunction(() => window.__locklens.graph?.nodes().length === 27);
    const hidden = () => app.evaluate(() => window.__locklens.graph.nodes().filter((n: any) => n.style('display') === 'none').length);
    assert.equal(await hidden(), 25);
    assert.equal(await app.locator('#show-isolated').isChecked(), false);
    assert.match(await app.locator('label', { has: app.locator('#show-isolated') }).innerText(), /25 unnested locks/);
    await app.locator('#show-isolated').check();
    assert.equal(await hidden(), 0);

    await send({ type: 'showView', view: 'charts' });
    await app.locator('#pane-charts .empty').waitFor();
    assert.deepEqual(errors, []);
    assert.deepEqual(await app.evaluate(() => window.__csp), []);
  });
});
