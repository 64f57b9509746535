// Hostile strings (from code comments, commit subjects, author names, file and lock names) must
// render as inert, literal text in the report, and the CSP must block inline handlers anyway.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import type { AnalysisResult, LockEdge } from '../../../src/engine/model';
import type { SeriesJson, SweepJson } from '../../../src/protocol/webview-messages';
import { renderHtmlReport } from '../../../src/host/html-report';
import { clickGraphElement, fixture, launch, openPage, shot, type PageLog, type Session } from './browser';

// Functions passed to page.evaluate() run in the browser; the Node tsconfig has no DOM lib.
declare const window: any;
declare const document: any;

const X = {
  lock: '<script>window.__pwned=1</script>',
  struct: '<img src=x onerror="window.__pwned=2">',
  file: '"><svg onload="window.__pwned=3">.c',
  fn: '<img src=x onerror=window.__pwned=4>',
  note: '</script><script>window.__pwned=5</script>',
  subject: '"><svg onload="window.__pwned=6">',
  author: '<img src=x onerror="window.__pwned=7"> <evil@example.org>',
  patch: '<script>window.__pwned=8</script>\u2028next',
  param: '<img src=x onerror=window.__pwned=9>',
  title: '</title><script>window.__pwned=10</script>',
  root: '"><script>window.__pwned=11</script>',
  message: '<b onmouseover="window.__pwned=12">bold</b> & \u2029 done',
};

function hostileData(): { analysis: AnalysisResult; series: SeriesJson; simulation: SweepJson } {
  const analysis = fixture<AnalysisResult>('analysis.json');
  const series = fixture<SeriesJson>('series.json');
  const sweep = fixture<SweepJson>('sweep.json');
  analysis.locks.push({ id: X.lock, kind: 'field', name: X.lock, struct: X.struct, lockType: 'spinlock', sites: 3, contended: false });
  const edge: LockEdge = {
    from: 'ovs_mutex',
    to: X.lock,
    count: 1,
    trylock: false,
    witnesses: [[{ file: X.file, line: 7, function: X.fn, note: X.note }]],
  };
  analysis.edges.push(edge);
  analysis.findings.push({ rule: 'lock-imbalance', severity: 'warning', message: X.message, file: X.file, line: 7, function: X.fn, locks: [X.lock], witness: edge.witnesses[0], fingerprint: 'hostile' });
  series.series.subject = X.subject;
  series.series.author = X.author;
  series.patches[0].subject = X.patch;
  series.patches[2].error = X.note;
  series.edges.added.push({ ...edge, from: X.lock, to: 'rcu', patch: 1 });
  sweep.cells = sweep.cells.map((c) => ({ ...c, params: { [X.param]: c.params.n, delay_us: c.params.delay_us } }));
  return { analysis, series, simulation: sweep };
}

describe('hostile strings in the report', () => {
  let s: Session;
  let page: Page;
  let log: PageLog;
  let html: string;

  before(async () => {
    s = await launch();
    html = renderHtmlReport({ title: X.title, sourceRoot: X.root, view: 'graph', ...hostileData() });
    const file = path.join(s.tmp, 'hostile.html');
    writeFileSync(file, html);
    ({ page, log } = await openPage(s.browser, pathToFileURL(file).href));
  });
  after(async () => {
    await s?.close();
  });

  test('the file carries no hostile markup outside escaped JSON', () => {
    for (const v of Object.values(X)) {
      if (/[<>]/.test(v)) assert.ok(!html.includes(v), `raw ${JSON.stringify(v)} must not appear in the HTML`);
    }
    assert.ok(!/[\u2028\u2029]/.test(html.slice(html.indexOf('id="locklens-data"'))));
    // Exactly two scripts in the file: the data block and the nonce'd bundle.
    assert.equal((html.match(/<script\b/g) ?? []).length, 2);
  });

  test('renders every hostile string as literal text and runs none of it', async () => {
    // Walk the UI through every place the strings appear.
    await clickGraphElement(page, 'graph', `n:${X.lock}`);
    const details = page.locator('#graph-details');
    assert.equal(await details.locator('h2').textContent(), X.lock);
    assert.match(await details.innerText(), /kind\s+field \(struct <img src=x onerror="window.__pwned=2">\)/);
    await details.getByRole('button', { name: `← ovs_mutex` }).click();
    const step = details.locator('button.step').first();
    assert.equal(await step.textContent(), `${X.fn} — ${X.file}:7`);
    assert.equal(await details.locator('.note').first().textContent(), X.note);
    await step.click();
    assert.match(await page.locator('#location').innerText(), new RegExp(`${X.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7`));
    await page.getByRole('button', { name: '← Overview' }).click();
    assert.ok((await page.locator('#graph-details').innerText()).includes('<b onmouseover="window.__pwned=12">bold</b> &'));
    await shot(page, 'hostile-graph');

    await page.click('#tab-series');
    await page.waitForFunction(() => (window as any).__locklens.seriesGraph !== null);
    assert.equal(await page.locator('.series-subject').textContent(), X.subject);
    assert.ok((await page.locator('.series-meta').textContent())!.includes(X.author));
    assert.ok((await page.locator('#patch-list').textContent())!.includes(X.patch));
    assert.ok((await page.locator('#patch-list li.failed .error-text').textContent())!.includes(X.note));
    await shot(page, 'hostile-series');

    await page.click('#tab-charts');
    await page.waitForFunction(() => (window as any).__locklens.charts.time !== null);
    assert.equal(await page.locator('#cells-table thead th').first().textContent(), X.param);
    assert.equal(await page.evaluate(() => (window as any).__locklens.charts.time.data.datasets[0].label), `${X.param}=10 · before`);
    await shot(page, 'hostile-charts');

    assert.equal(await page.evaluate(() => document.title), X.title);
    assert.equal(await page.locator('h1.title').textContent(), X.title);
    const state = await page.evaluate(() => ({
      pwned: (window as any).__pwned,
      scripts: document.scripts.length,
      active: document.querySelectorAll('img, svg, iframe, object, embed, b, [onerror], [onload], [onmouseover]').length,
    }));
    assert.deepEqual(state, { pwned: undefined, scripts: 2, active: 0 });
    // Nothing was even attempted: text never became markup, so the CSP had nothing to block.
    assert.deepEqual(await log.csp(), []);
    assert.deepEqual(log.errors, []);
  });

  test('the CSP blocks inline handlers and injected scripts even if markup got in', async () => {
    await page.evaluate(() => {
      const img = document.createElement('img');
      img.setAttribute('onerror', 'window.__pwned = "handler"');
      img.src = 'x';
      document.body.append(img);
      const sc = document.createElement('script');
      sc.textContent = 'window.__pwned = "script"';
      document.body.append(sc);
    });
    await page.waitForFunction(() => ((window as any).__csp as Array<{ directive: string }>).some((v) => v.directive === 'script-src-attr'));
    const csp = await log.csp();
    assert.equal(await page.evaluate(() => (window as any).__pwned), undefined);
    const directives = new Set(csp.map((v) => v.directive));
    assert.ok(directives.has('script-src-attr'), JSON.stringify(csp));
    assert.ok(directives.has('script-src-elem'), JSON.stringify(csp));
    assert.ok(directives.has('img-src'), 'the remote-looking image load is blocked too');
  });
});
