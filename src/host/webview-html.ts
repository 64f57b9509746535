/**
 * The one HTML shell of the LockLens webview, used by the VS Code panel (scripts/styles loaded
 * from webview URIs) and by the standalone report (script and CSS inlined). Pure string
 * building, no vscode import, so both hosts and the unit tests share it.
 *
 * Content Security Policy, directive by directive:
 * - `default-src 'none'`: nothing loads unless listed below (no fetch, frames, fonts, media).
 * - `script-src 'nonce-…'`: only our own bundle runs; no inline handlers, no eval.
 * - `style-src <cspSource> 'nonce-…'`: our stylesheet only. Libraries set `element.style`
 *   through the CSSOM, which CSP allows; injected `<style>` tags without the nonce are blocked.
 * - `img-src <cspSource> data:`: icons shipped with the extension, canvas exports.
 * - `base-uri 'none'; form-action 'none'`: no way to redirect relative URLs or submit forms.
 */
import { randomBytes } from 'node:crypto';
import { isWebviewView, type WebviewView } from '../protocol/webview-messages';

export interface WebviewHtmlOptions {
  scriptUri: string;
  styleUri?: string;
  cspSource: string;
  nonce: string;
  initialData: unknown;
  view: WebviewView;
  title?: string;
}

/** 128 random bits, base64: unguessable by content injected into the page. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<`, `>` and `&` cannot close the
 * element or start a comment, and U+2028/2029 cannot break older JS parsers. Still valid JSON,
 * read back with `JSON.parse(el.textContent)`.
 */
export function jsonForScriptTag(value: unknown): string {
  const json = JSON.stringify(value ?? null) ?? 'null';
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const NONCE_RE = /^[A-Za-z0-9+/=_-]{16,}$/;

export function buildCsp(opts: { nonce: string; cspSource?: string }): string {
  const src = opts.cspSource ? `${opts.cspSource} ` : '';
  const directives = [
    `default-src 'none'`,
    `script-src 'nonce-${opts.nonce}'`,
    `style-src ${src}'nonce-${opts.nonce}'`,
    `img-src ${src}data:`,
  ];
  if (opts.cspSource) directives.push(`font-src ${opts.cspSource}`);
  directives.push(`base-uri 'none'`, `form-action 'none'`);
  return directives.join('; ');
}

interface ShellParts {
  csp: string;
  nonce: string;
  title: string;
  view: WebviewView;
  initialData: unknown;
  /** Either `<link>`/`<script src>` tags (VS Code) or inlined content (report). */
  head: string;
  tail: string;
}

function shell(p: ShellParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(p.csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(p.title)}</title>
${p.head}
</head>
<body>
<div id="app" data-view="${p.view}"></div>
<script type="application/json" id="locklens-data">${jsonForScriptTag(p.initialData)}</script>
${p.tail}
</body>
</html>
`;
}

function checkNonce(nonce: string): void {
  // The nonce lands inside attributes and the CSP; refuse anything that could escape them.
  if (!NONCE_RE.test(nonce)) throw new Error('LockLens webview: invalid nonce (use makeNonce())');
}

/** HTML for the VS Code webview panel. */
export function buildWebviewHtml(opts: WebviewHtmlOptions): string {
  checkNonce(opts.nonce);
  const view = isWebviewView(opts.view) ? opts.view : 'graph';
  const n = escapeHtml(opts.nonce);
  const style = opts.styleUri ? `<link rel="stylesheet" href="${escapeHtml(opts.styleUri)}" nonce="${n}">` : '';
  return shell({
    csp: buildCsp({ nonce: opts.nonce, cspSource: opts.cspSource }),
    nonce: opts.nonce,
    title: opts.title ?? 'LockLens',
    view,
    initialData: opts.initialData,
    head: style,
    tail: `<script nonce="${n}" src="${escapeHtml(opts.scriptUri)}"></script>`,
  });
}

/** HTML with the bundle and stylesheet inlined: one self-contained file, no remote loads. */
export function buildInlineHtml(opts: {
  script: string;
  css: string;
  nonce: string;
  initialData: unknown;
  view: WebviewView;
  title: string;
}): string {
  checkNonce(opts.nonce);
  const n = escapeHtml(opts.nonce);
  // A literal `</script` or `</style` inside the bundle would end the element early.
  const script = opts.script.replace(/<\/(script)/gi, '<\\/$1');
  const css = opts.css.replace(/<\/(style)/gi, '<\\/$1');
  return shell({
    csp: buildCsp({ nonce: opts.nonce }),
    nonce: opts.nonce,
    title: opts.title,
    view: isWebviewView(opts.view) ? opts.view : 'graph',
    initialData: opts.initialData,
    head: `<style nonce="${n}">\n${css}\n</style>`,
    tail: `<script nonce="${n}">\n${script}\n</script>`,
  });
}
