import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entryContextText, formatHeld, functionLensTitle, lineDecorationText, lockHoverMarkdown, siteDecorationText } from '../../../src/vscode/labels';
import { ResultIndex, applyRuleSettings } from '../../../src/vscode/result-index';
import { renderMarkdownReport } from '../../../src/vscode/markdown-report';
import { fn, sampleResult, site } from './fixtures';

test('held sets: must locks in order, may-only locks marked', () => {
  assert.equal(formatHeld({ must: ['ovs_mutex', 'rtnl_mutex'], may: ['ovs_mutex', 'rtnl_mutex'] }), 'ovs_mutex → rtnl_mutex');
  assert.equal(formatHeld({ must: ['ovs_mutex'], may: ['ovs_mutex', 'rtnl_mutex'] }), 'ovs_mutex → rtnl_mutex?');
  assert.equal(formatHeld({ must: [], may: [] }), '');
});

test('decoration text per style, none when nothing is held', () => {
  const s = site(1, 0, 'acquire', ['rtnl_mutex'], ['ovs_mutex', 'rtnl_mutex']);
  assert.equal(siteDecorationText(s, 'held'), 'held: ovs_mutex → rtnl_mutex');
  assert.equal(siteDecorationText(s, 'compact'), 'ovs_mutex → rtnl_mutex');
  assert.equal(siteDecorationText(s, 'acquired'), 'takes rtnl_mutex');
  assert.equal(siteDecorationText(site(1, 0, 'acquire', [], [], []), 'held'), null);
  // The site's own lock is part of what is held after it, whether or not the engine listed it.
  assert.equal(siteDecorationText(site(1, 0, 'acquire', ['b'], ['a'], ['a']), 'held'), 'held: a → b');
  assert.equal(siteDecorationText(site(1, 0, 'trylock', ['b'], ['a'], ['a']), 'held'), 'held: a → b?');
  assert.equal(siteDecorationText(site(1, 0, 'release', ['b'], [], []), 'held'), null);
  // Two sites on one line: the rightmost statement's held set is what holds after the line.
  const a = site(3, 2, 'acquire', ['a'], ['a']);
  const b = site(3, 20, 'acquire', ['b'], ['a', 'b']);
  assert.equal(lineDecorationText([b, a], 'held'), 'held: a → b');
  assert.equal(lineDecorationText([b, a], 'acquired'), 'takes a, b');
});

test('CodeLens titles: entry context with caller count, acquisitions, findings; nothing for plain functions', () => {
  const f = fn('x', 1, 2, { callers: 3, entry: { must: ['rtnl_mutex'], may: ['rtnl_mutex'] }, acquires: ['ovs_mutex'] });
  assert.equal(entryContextText(f), 'entered with rtnl_mutex held on 3/3 call paths');
  assert.equal(functionLensTitle(f, 2), 'entered with rtnl_mutex held on 3/3 call paths · acquires ovs_mutex · 2 findings');
  assert.equal(functionLensTitle(fn('y', 1, 2), 0), null);
  assert.equal(functionLensTitle(fn('y', 1, 2), 1), '1 finding');
  assert.equal(entryContextText(fn('z', 1, 2, { entry: { must: [], may: ['a'] } })), 'entered with a held on some call paths');
  assert.equal(functionLensTitle(fn('r', 1, 2, { requires: ['m'] }), 0), 'requires m');
});

test('rule settings: off removes, a level overrides, default keeps', () => {
  const r = sampleResult();
  const out = applyRuleSettings(r.findings, { 'lock-imbalance': 'off', 'contention-transfer': 'info' });
  assert.equal(out.length, 1);
  assert.equal(out[0].rule, 'contention-transfer');
  assert.equal(out[0].severity, 'info');
  assert.equal(r.findings[0].severity, 'warning', 'input not mutated');
  assert.deepEqual(applyRuleSettings(r.findings, { 'lock-imbalance': 'default' }).map((f) => f.severity), ['warning', 'error']);
});

test('result index answers by file, line, column, lock and function', () => {
  const idx = new ResultIndex(sampleResult());
  assert.equal(idx.forFile('net/dp.c').sites.length, 4);
  assert.equal(idx.forFile('other.c').sites.length, 0);
  assert.equal(idx.functionAt('net/dp.c', 12)?.name, 'new_vport');
  assert.equal(idx.functionAt('net/dp.c', 25), undefined);
  assert.equal(idx.sitesAt('net/dp.c', 15, 3).length, 1);
  assert.equal(idx.sitesAt('net/dp.c', 15, 40).length, 0, 'column beyond the call text');
  assert.equal(idx.sitesOf('ovs_mutex').length, 2);
  assert.equal(idx.edgesOut('ovs_mutex')[0].to, 'rtnl_mutex');
  assert.equal(idx.edgesIn('ovs_mutex').length, 0);
  assert.equal(idx.findingsOf('net/dp.c', 'flow_cmd').length, 1);
  assert.deepEqual(idx.locksNamed('lock').map((l) => l.id), ['struct datapath.lock']);
  assert.deepEqual(idx.countBySeverity(), { error: 1, warning: 1, info: 0 });
  assert.equal(new ResultIndex(sampleResult(), { 'lock-imbalance': 'off' }).findings.length, 1);
});

test('lock hover: class traits, sites with links, edges both ways', () => {
  const idx = new ResultIndex(sampleResult());
  const links: unknown[][] = [];
  const link = (title: string, cmd: string, args: unknown[]) => {
    links.push([cmd, args]);
    return `[${title}](${cmd})`;
  };
  const md = lockHoverMarkdown(idx, 'rtnl_mutex', link, { reveal: 'R', witness: 'W' })!;
  assert.match(md, /`rtnl_mutex` — mutex · global · contended/);
  assert.match(md, /Taken at 1 site/);
  assert.match(md, /Nests under \(1\)/);
  assert.match(md, /`ovs_mutex → rtnl_mutex` \(2 paths\): \[flow\\_cmd:42\]\(W\) → \[new\\_vport:15\]\(W\)/);
  assert.ok(links.some(([cmd]) => cmd === 'W'), 'witness steps are links');
  assert.ok(links.some(([cmd]) => cmd === 'R'), 'sites are links');
  const md2 = lockHoverMarkdown(idx, 'struct datapath.lock', link, { reveal: 'R', witness: 'W' })!;
  assert.match(md2, /field of struct datapath/);
  assert.match(md2, /No nesting/);
  assert.equal(lockHoverMarkdown(idx, 'nope', link, { reveal: 'R', witness: 'W' }), null);
});

test('markdown report lists findings by severity with file:line and the lock order', () => {
  const r = sampleResult();
  const md = renderMarkdownReport(r, r.findings, 'T');
  assert.match(md, /^# T/);
  assert.match(md, /\*\*2 findings\*\* \(1 errors, 1 warnings, 0 info\)/);
  assert.ok(md.indexOf('lock-imbalance') < md.indexOf('contention-transfer'), 'errors first');
  assert.match(md, /`net\/dp.c:15` in `new_vport`/);
  assert.match(md, /`ovs_mutex → rtnl_mutex` — 2 paths: flow_cmd \(`net\/dp.c:42`\) → new_vport/);
  const none = renderMarkdownReport(r, [], 'T');
  assert.ok(!none.includes('## Findings'));
});
