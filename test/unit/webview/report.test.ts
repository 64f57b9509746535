// The standalone HTML report in a real browser (Debian chromium via playwright-core): graph,
// witnesses, series diff, charts, view switching, CSP and offline behaviour. Screenshots go to
// out/screenshots/ for a human to look at.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import type { AnalysisResult } from '../../../src/engine/model';
import type { SeriesJson, SweepJson } from '../../../src/protocol/webview-messages';
import { renderHtmlReport } from '../../../src/host/html-report';
import { clickGraphElement, fixture, launch, openPage, shot, type PageLog, type Session } from './browser';

// Functions passed to page.evaluate() run in the browser; the Node tsconfig has no DOM lib.
declare const window: any;
declare const document: any;

const analysis = fixture<AnalysisResult>('analysis.json');
const series = fixture<SeriesJson>('series.json');
const sweep = fixture<SweepJson>('sweep.json');

type Dbg = Record<string, any>;
const dbg = <T>(page: Page, fn: (d: Dbg) => T): Promise<T> =>
  page.evaluate(`(${fn.toString()})(window.__locklens)`) as Promise<T>;

// One browser for the whole file; each block opens its own pages.
let s: Session;
before(async () => {
  s = await launch();
});
after(async () => {
  await s?.close();
});

describe('standalone HTML report in chromium', () => {
  let url: string;
  let page: Page;
  let log: PageLog;

  before(async () => {
    const file = path.join(s.tmp, 'report.html');
    writeFileSync(file, renderHtmlReport({ title: 'LockLens report — flow-table series', analysis, series, simulation: sweep, view: 'graph', sourceRoot: '/src/linux' }));
    url = pathToFileURL(file).href;
    ({ page, log } = await openPage(s.browser, url));
  });
  after(async () => {
    await page?.close();
  });

  test('draws one cytoscape node per lock class and one edge per nesting', async () => {
    await page.waitForFunction(() => (window as any).__locklens.graph !== null);
    const counts = await dbg(page, (d) => ({ nodes: d.graph.nodes().length, edges: d.graph.edges().length }));
    assert.deepEqual(counts, { nodes: analysis.locks.length, edges: analysis.edges.length });
    const cls = await dbg(page, (d) => ({
      cycle: d.graph.edges('.cycle').map((e: any) => e.data('edgeKey')).sort(),
      contention: d.graph.edges('.contention').map((e: any) => e.data('edgeKey')),
      trylock: d.graph.edges('.trylock').map((e: any) => e.data('edgeKey')),
      // A laid-out graph: nodes are spread out, not all at the origin.
      spread: new Set(d.graph.nodes().map((n: any) => `${Math.round(n.position('x'))},${Math.round(n.position('y'))}`)).size,
    }));
    assert.deepEqual(cls.cycle, ['struct sw_flow_stats.lock\u2192struct vport.tx_lock', 'struct vport.tx_lock\u2192struct sw_flow_stats.lock']);
    assert.deepEqual(cls.contention, ['ovs_mutex\u2192rtnl_mutex']);
    assert.deepEqual(cls.trylock, ['struct dp_meter_table.lock\u2192struct dp_meter.lock']);
    assert.equal(cls.spread, analysis.locks.length);
    await shot(page, 'report-graph');
  });

  test('clicking a node lists its edges; an edge lists witnesses; a step shows its location', async () => {
    await clickGraphElement(page, 'graph', 'n:ovs_mutex');
    const details = page.locator('#graph-details');
    await details.locator('h2', { hasText: 'ovs_mutex' }).waitFor();
    assert.equal(await dbg(page, (d) => d.graph.$(':selected').id()), 'n:ovs_mutex');
    await details.getByRole('button', { name: '→ rtnl_mutex' }).click();
    await details.locator('h3', { hasText: 'Witness 2' }).waitFor();
    const steps = await details.locator('button.step').allTextContents();
    assert.equal(steps.length, 9);
    assert.equal(steps[5], 'ovs_netdev_link — net/openvswitch/vport-netdev.c:84');
    await details.locator('button.step').nth(5).click();
    const location = page.locator('#location');
    await location.waitFor({ state: 'visible' });
    assert.match(await location.innerText(), /net\/openvswitch\/vport-netdev\.c:84 in ovs_netdev_link/);
    assert.equal(await location.locator('a').getAttribute('href'), 'file:///src/linux/net/openvswitch/vport-netdev.c');
    await shot(page, 'report-graph-witness');

    // An edge clicked on the canvas opens the same witness list.
    await page.getByRole('button', { name: '← Overview' }).click();
    await clickGraphElement(page, 'graph', 'e:struct dp_meter_table.lock\u2192struct dp_meter.lock');
    await details.locator('text=trylock (cannot deadlock by itself)').waitFor();
  });

  test('the find box selects a lock class; unknown names are flagged', async () => {
    await page.click('#tab-graph');
    await page.fill('#lock-search', 'rcu');
    await page.press('#lock-search', 'Enter');
    await page.locator('#graph-details h2', { hasText: 'rcu' }).waitFor();
    assert.equal(await dbg(page, (d) => d.graph.$(':selected').id()), 'n:rcu');
    await page.fill('#lock-search', 'no_such_lock');
    await page.press('#lock-search', 'Enter');
    assert.equal(await page.evaluate(() => document.querySelector('#lock-search').validity.valid), false);
    // Every lock class is offered, and the small fixture shows no "unnested" toggle.
    assert.equal(await page.locator('#lock-ids option').count(), analysis.locks.length);
    assert.equal(await page.locator('#show-isolated').isVisible(), false);
  });

  test('series view colours added/removed edges and follows "after patch k"', async () => {
    await page.click('#tab-series');
    await page.waitForFunction(() => (window as any).__locklens.seriesGraph !== null);
    const at = () =>
      dbg(page, (d) => ({
        k: d.seriesPatch,
        added: d.seriesGraph.elements('.added').map((e: any) => e.id()).sort(),
        removed: d.seriesGraph.elements('.removed').map((e: any) => e.id()).sort(),
        nodes: d.seriesGraph.nodes().length,
        contention: d.seriesGraph.edges('.contention').length,
        addedColour: d.seriesGraph.edges('.added').first().style('line-color'),
        removedColour: d.seriesGraph.edges('.removed').first().style('line-color'),
        sameColour: d.seriesGraph
          .edges()
          .filter((e: any) => !['added', 'removed', 'cycle', 'contention'].some((c) => e.hasClass(c)))
          .first()
          .style('line-color'),
      }));
    const last = await at();
    assert.equal(last.k, 3);
    assert.deepEqual(last.added, [
      'e:struct flow_table.mutex\u2192rcu',
      'e:struct flow_table.mutex\u2192struct sw_flow_stats.lock',
      'n:struct flow_table.mutex',
    ]);
    assert.deepEqual(last.removed, ['e:ovs_mutex\u2192rcu', 'e:ovs_mutex\u2192struct sw_flow_stats.lock']);
    assert.equal(last.contention, 0, 'the RTNL ⇢ ovs_mutex contention path is resolved by patch 2');
    assert.notEqual(last.addedColour, last.removedColour);
    assert.notEqual(last.addedColour, last.sameColour);
    assert.notEqual(last.removedColour, last.sameColour);
    // Patch list: base + 3 patches, the failed one says why.
    assert.equal(await page.locator('#patch-list li.patch').count(), 4);
    assert.match(await page.locator('#patch-list li.failed').innerText(), /Does not apply: patch 3\/3, .*hunk 2/);
    await shot(page, 'report-series-after-3');

    await page.locator('#patch-list button.patch-select[data-patch="1"]').click();
    const one = await at();
    assert.equal(one.k, 1);
    assert.deepEqual([one.added, one.removed], [[], []]);
    assert.equal(one.nodes, analysis.locks.length);
    assert.equal(one.contention, 1);
    await shot(page, 'report-series-after-1');

    await page.locator('#patch-list button.patch-select[data-patch="2"]').click();
    assert.equal((await at()).added.length, 3);
    // Selecting an added edge says which patch added it.
    await page.locator('.change-list.added button', { hasText: 'struct flow_table.mutex → rcu' }).click();
    await page.locator('#series-details p.status-added', { hasText: 'Added by patch 2/3' }).waitFor();
  });

  test('charts: one before/after pair per N with error bars, delta bars, table, tooltips, toggles', async () => {
    await page.click('#tab-charts');
    await page.waitForFunction(() => (window as any).__locklens.charts.time !== null);
    const shape = () =>
      dbg(page, (d) => ({
        time: d.charts.time.data.datasets.map((ds: any) => [ds.label, ds.data.length]),
        delta: d.charts.delta.data.datasets.map((ds: any) => [ds.label, ds.data.filter((v: any) => v !== null).length]),
        rows: document.querySelectorAll('#cells-table tbody tr').length,
      }));
    const byDelay = await shape();
    assert.deepEqual(byDelay.time, [
      ['n=10 · before', 7],
      ['n=10 · after', 7],
      ['n=50 · before', 7],
      ['n=50 · after', 7],
      ['n=100 · before', 7],
      ['n=100 · after', 7],
    ]);
    assert.deepEqual(byDelay.delta, [['n=10', 7], ['n=50', 7], ['n=100', 7]]);
    assert.equal(byDelay.rows, sweep.cells.length);
    await shot(page, 'report-charts');

    // Hover a point: the tooltip shows mean ± std.
    const pt = await dbg(page, (d) => {
      const el = d.charts.time.getDatasetMeta(1).data[6];
      const box = d.charts.time.canvas.getBoundingClientRect();
      return { x: box.left + el.x, y: box.top + el.y };
    });
    await page.mouse.move(pt.x, pt.y);
    await page.waitForFunction(() => (window as any).__locklens.charts.time.tooltip.getActiveElements().length > 0);
    const tip = await dbg(page, (d) => d.charts.time.tooltip.body.flatMap((b: any) => b.lines));
    assert.ok(tip.some((l: string) => /^n=10 · after: 3\.11 s ± 111 ms$/.test(l)), tip.join('\n'));

    // Click the first legend entry: that series is hidden.
    const hit = await dbg(page, (d) => {
      const b = d.charts.time.legend.legendHitBoxes[0];
      const box = d.charts.time.canvas.getBoundingClientRect();
      return { x: box.left + b.left + b.width / 2, y: box.top + b.top + b.height / 2 };
    });
    await page.mouse.click(hit.x, hit.y);
    // chart.js handles DOM events on the next animation frame.
    await page.waitForFunction(() => !(window as any).__locklens.charts.time.isDatasetVisible(0), null, { timeout: 10_000 });
    assert.equal(await dbg(page, (d) => d.charts.time.isDatasetVisible(1)), true);

    // Choose the other x parameter: one series per delay, 3 points (N) each.
    await page.selectOption('#x-param', 'n');
    const byN = await shape();
    assert.equal(byN.time.length, 14);
    assert.ok(byN.time.every(([, n]: [string, number]) => n === 3));
    assert.equal(byN.time[0][0], 'delay_us=0 · before');
    await page.selectOption('#y-scale', 'log');
    assert.equal(await dbg(page, (d) => d.charts.time.scales.y.type), 'logarithmic');
    await shot(page, 'report-charts-by-n-log');
  });

  test('view switching shows exactly one pane', async () => {
    for (const v of ['graph', 'charts', 'series', 'graph']) {
      await page.click(`#tab-${v}`);
      const state = await page.evaluate(() => ({
        view: (window as any).__locklens.view,
        visible: [...document.querySelectorAll('section.pane')].filter((p: any) => !p.hidden).map((p: any) => p.id),
        selected: document.querySelector('.tab[aria-selected="true"]')?.id,
      }));
      assert.deepEqual(state, { view: v, visible: [`pane-${v}`], selected: `tab-${v}` });
    }
    // The graph survives being hidden and shown again.
    assert.equal(await dbg(page, (d) => d.graph.nodes().length), analysis.locks.length);
  });

  test('follows the OS dark preference when not inside VS Code', async () => {
    const dark = await openPage(s.browser, url, undefined, 'dark');
    try {
      const colours = await dark.page.evaluate(() => ({
        bg: window.getComputedStyle(document.body).backgroundColor,
        fg: window.getComputedStyle(document.body).color,
      }));
      assert.deepEqual(colours, { bg: 'rgb(30, 30, 30)', fg: 'rgb(212, 212, 212)' });
      await shot(dark.page, 'report-graph-dark');
      await dark.page.click('#tab-series');
      await dark.page.waitForFunction(() => window.__locklens.seriesGraph !== null);
      await shot(dark.page, 'report-series-dark');
      await dark.page.click('#tab-charts');
      await dark.page.waitForFunction(() => window.__locklens.charts.time !== null);
      await shot(dark.page, 'report-charts-dark');
      assert.deepEqual(await dark.log.csp(), []);
    } finally {
      await dark.page.close();
    }
  });

  test('offline and clean: no request besides the file itself, no CSP violation, no errors', async () => {
    assert.deepEqual(log.requests, [url]);
    assert.deepEqual(await log.csp(), []);
    assert.deepEqual(log.errors, []);
    assert.deepEqual(log.console.filter((l) => /^(error|warning)/.test(l)), []);
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(csp ?? '', /^default-src 'none'; script-src 'nonce-[A-Za-z0-9+/=]+'; style-src 'nonce-/);
    assert.doesNotMatch(csp ?? '', /unsafe-inline|unsafe-eval/);
  });
});

// Real engine output of examples/ (regenerate: see docs/webview.md) renders the same way.
describe('report from real engine output of examples/', () => {
  const real = <T>(n: string) => fixture<T>(`real/${n}`);
  const kdp = real<AnalysisResult>('kdp-analysis.json');
  const kdpSeries = real<SeriesJson>('kdp-series.json');
  const sim = real<SweepJson>('ovs-flow-install-sweep.json');
  let page: Page;
  let log: PageLog;

  before(async () => {
    const file = path.join(s.tmp, 'real.html');
    writeFileSync(file, renderHtmlReport({ title: 'kernel-dp', analysis: kdp, series: kdpSeries, simulation: sim, view: 'graph' }));
    ({ page, log } = await openPage(s.browser, pathToFileURL(file).href));
  });
  after(async () => {
    await page?.close();
  });

  test('graph, series diff and charts', async () => {
    await page.waitForFunction(() => window.__locklens.graph !== null);
    assert.equal(await dbg(page, (d) => d.graph.nodes().length), kdp.locks.length);
    assert.equal(await dbg(page, (d) => d.graph.edges().length), kdp.edges.length);
    assert.deepEqual(await dbg(page, (d) => d.graph.edges('.cycle').map((e: any) => e.data('edgeKey')).sort()), [
      'kdp_mutex\u2192struct kdp_datapath.stats_mutex',
      'struct kdp_datapath.stats_mutex\u2192kdp_mutex',
    ]);
    assert.ok((await dbg(page, (d) => d.graph.edges('.contention').map((e: any) => e.data('edgeKey')))).includes('kdp_mutex\u2192rtnl_mutex'));
    await shot(page, 'real-graph');

    await page.click('#tab-series');
    await page.waitForFunction(() => window.__locklens.seriesGraph !== null);
    assert.deepEqual(await dbg(page, (d) => d.seriesGraph.elements('.added').map((e: any) => e.id()).sort()), [
      'e:kdp_mutex\u2192struct kdp_flow_table.mutex',
      'n:struct kdp_flow_table.mutex',
    ]);
    const changes = await page.locator('.changes').innerText();
    assert.match(changes, /Contention paths removed \(2\)/);
    assert.match(changes, /rtnl_mutex ⇢ kdp_mutex ⇢ kdp_flow_cmd_new/);
    await shot(page, 'real-series');

    await page.click('#tab-charts');
    await page.waitForFunction(() => window.__locklens.charts.time !== null);
    assert.equal(await page.locator('#x-param').inputValue(), 'rtnl_hold_us');
    assert.deepEqual(await dbg(page, (d) => d.charts.time.data.datasets.map((ds: any) => `${ds.label}:${ds.data.length}`)), [
      'n_handlers=1 · before:5',
      'n_handlers=1 · after:5',
      'n_handlers=4 · before:5',
      'n_handlers=4 · after:5',
      'n_handlers=8 · before:5',
      'n_handlers=8 · after:5',
    ]);
    await shot(page, 'real-charts');
    assert.deepEqual(await log.csp(), []);
    assert.deepEqual(log.errors, []);
  });
});

describe('report edge cases', () => {
  const open = async (name: string, input: Parameters<typeof renderHtmlReport>[0]) => {
    const file = path.join(s.tmp, `${name}.html`);
    writeFileSync(file, renderHtmlReport(input));
    return openPage(s.browser, pathToFileURL(file).href);
  };

  test('no data at all: every view says what to run, nothing breaks', async () => {
    const { page, log } = await open('empty', { title: 'empty' });
    for (const v of ['graph', 'series', 'charts']) {
      await page.click(`#tab-${v}`);
      assert.match(await page.locator(`#pane-${v} .empty`).innerText(), /No (analysis|patch series|simulation)/);
    }
    assert.deepEqual(log.errors, []);
    await page.close();
  });

  test('series without a base analysis draws only what the series changes, and says so', async () => {
    const kdpSeries = fixture<SeriesJson>('real/kdp-series.json');
    const { page, log } = await open('series-only', { title: 'series only', series: kdpSeries });
    await page.waitForFunction(() => window.__locklens.seriesGraph !== null);
    assert.match(await page.locator('.series-side').innerText(), /No base analysis loaded/);
    assert.deepEqual(await dbg(page, (d) => d.seriesGraph.nodes().map((n: any) => n.id()).sort()), ['n:kdp_mutex', 'n:struct kdp_flow_table.mutex']);
    await page.locator('#patch-list button.patch-select[data-patch="0"]').click();
    assert.equal(await dbg(page, (d) => d.seriesGraph.nodes().length), 0);
    assert.deepEqual(log.errors, []);
    await page.close();
  });

  test('a large graph falls back to a linear-time layout and stays usable', async () => {
    const n = 320;
    const locks = Array.from({ length: n }, (_, i) => ({ ...analysis.locks[0], id: `lock_${i}`, name: `lock_${i}`, contended: false }));
    const edges = locks.slice(1).map((l, i) => ({ from: locks[Math.floor(i / 2)].id, to: l.id, witnesses: [], count: 1, trylock: false }));
    const big = { ...analysis, locks, edges, findings: [] };
    const t0 = Date.now();
    const { page, log } = await open('large', { title: 'large', analysis: big });
    await page.waitForFunction(() => window.__locklens.graph !== null);
    const ms = Date.now() - t0;
    assert.equal(await dbg(page, (d) => d.graphLayout), 'breadthfirst');
    assert.equal(await dbg(page, (d) => d.graph.nodes().length), n);
    // Reading one lock: its neighbourhood alone, laid out afresh; then back to everything.
    await page.fill('#lock-search', 'lock_5');
    await page.press('#lock-search', 'Enter');
    await page.click('#focus-lock');
    const visible = () => dbg(page, (d) => d.graph.nodes(':visible').map((x: any) => x.id()).sort());
    assert.deepEqual(await visible(), ['n:lock_11', 'n:lock_12', 'n:lock_2', 'n:lock_5']);
    await shot(page, 'large-graph-focus');
    await page.click('#show-whole');
    assert.equal((await visible()).length, n);
    assert.ok(ms < 20_000, `rendered in ${ms} ms`);
    await shot(page, 'large-graph');
    assert.deepEqual(log.errors, []);
    await page.close();
  });
});
