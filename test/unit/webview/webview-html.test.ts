import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildCsp, buildInlineHtml, buildWebviewHtml, escapeHtml, jsonForScriptTag, makeNonce } from '../../../src/host/webview-html';
import { findWebviewAssets, renderHtmlReport } from '../../../src/host/html-report';

const NONCE = 'abcdefghijklmnopqrstuv==';

function dataBlock(html: string): string {
  const m = /<script type="application\/json" id="locklens-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'data block present');
  return m[1];
}

test('jsonForScriptTag escapes everything that could end the element, and stays valid JSON', () => {
  const value = { s: '</script><script>alert(1)</script><!-- & \u2028\u2029 >' };
  const out = jsonForScriptTag(value);
  assert.doesNotMatch(out, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(out), value);
  // Negative: plain JSON.stringify would not be safe here.
  assert.match(JSON.stringify(value), /<\/script>/);
  assert.equal(jsonForScriptTag(undefined), 'null');
});

test('escapeHtml neutralises markup and attribute quotes', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  assert.equal(escapeHtml('plain text'), 'plain text');
});

test('makeNonce gives 128 random bits, different every time', () => {
  const a = makeNonce();
  const b = makeNonce();
  assert.notEqual(a, b);
  assert.equal(Buffer.from(a, 'base64').length, 16);
});

test('CSP: nothing by default, nonce-only scripts, no unsafe-*', () => {
  const csp = buildCsp({ nonce: NONCE, cspSource: 'https://file+.vscode-resource.vscode-cdn.net' });
  const dirs = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
  assert.equal(dirs['default-src'], "'none'");
  assert.equal(dirs['script-src'], `'nonce-${NONCE}'`);
  assert.equal(dirs['style-src'], `https://file+.vscode-resource.vscode-cdn.net 'nonce-${NONCE}'`);
  assert.equal(dirs['base-uri'], "'none'");
  assert.doesNotMatch(csp, /unsafe/);
  // Report mode has no cspSource: styles by nonce only, no font-src at all.
  const report = buildCsp({ nonce: NONCE });
  assert.match(report, new RegExp(`style-src 'nonce-${NONCE}'`));
  assert.doesNotMatch(report, /font-src/);
});

test('buildWebviewHtml: one nonce on script and stylesheet, view and data embedded safely', () => {
  const html = buildWebviewHtml({
    scriptUri: 'https://x/webview.js?a=1&b="2"',
    styleUri: 'https://x/webview.css',
    cspSource: 'https://x',
    nonce: NONCE,
    initialData: { title: '</script><script>alert(1)</script>' },
    view: 'charts',
  });
  assert.match(html, new RegExp(`<script nonce="${NONCE}" src="https://x/webview.js\\?a=1&#38;b=&#34;2&#34;"></script>`));
  assert.match(html, new RegExp(`<link rel="stylesheet" href="https://x/webview.css" nonce="${NONCE}">`));
  assert.match(html, /<div id="app" data-view="charts"><\/div>/);
  assert.equal((html.match(/<script\b/g) ?? []).length, 2);
  assert.deepEqual(JSON.parse(dataBlock(html)), { title: '</script><script>alert(1)</script>' });
  // An unknown view falls back to the graph.
  const fallback = buildWebviewHtml({ scriptUri: 'a', cspSource: 'b', nonce: NONCE, initialData: null, view: 'evil' as never });
  assert.match(fallback, /data-view="graph"/);
});

test('buildWebviewHtml refuses a nonce that could break out of the attribute or CSP', () => {
  for (const nonce of ['short', `${NONCE}" onload="x`, `${NONCE}'; script-src *`]) {
    assert.throws(() => buildWebviewHtml({ scriptUri: 'a', cspSource: 'b', nonce, initialData: {}, view: 'graph' }), /invalid nonce/);
  }
});

test('buildInlineHtml keeps a `</script>` inside the bundle from closing the element', () => {
  const html = buildInlineHtml({ script: 'var s = "</script><b>";', css: 'a{content:"</style>"}', nonce: NONCE, initialData: {}, view: 'graph', title: '<T>' });
  assert.match(html, /var s = "<\\\/script><b>";/);
  assert.match(html, /content:"<\\\/style>"/);
  assert.match(html, /<title>&#60;T&#62;<\/title>/);
  assert.equal((html.match(/<\/script>/g) ?? []).length, 2);
});

test('renderHtmlReport inlines the built bundle and data; a missing bundle is a clear error', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'locklens-assets-'));
  try {
    writeFileSync(path.join(dir, 'webview.js'), 'window.__bundle = 1;');
    writeFileSync(path.join(dir, 'webview.css'), 'body{color:red}');
    const html = renderHtmlReport({ title: 'T', assetDir: dir, simulation: { version: 1, cells: [] } });
    assert.match(html, /<script nonce="[^"]+">\nwindow.__bundle = 1;\n<\/script>/);
    assert.match(html, /<style nonce="[^"]+">\nbody\{color:red\}\n<\/style>/);
    assert.match(html, /data-view="charts"/, 'simulation-only report opens on the charts');
    assert.deepEqual(JSON.parse(dataBlock(html)).simulation, { version: 1, cells: [] });
    assert.doesNotMatch(html, /\b(src|href)="https?:/);
    assert.throws(() => renderHtmlReport({ title: 'T', assetDir: path.join(dir, 'nope') }), /webview bundle \(webview\.js\) was not found.*node esbuild\.mjs/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('findWebviewAssets locates the repository build without options', () => {
  const found = findWebviewAssets();
  assert.ok(found.js.endsWith(path.join('media', 'dist', 'webview.js')));
});
