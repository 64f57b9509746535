/**
 * Standalone HTML report (`--format html`): the webview app with its bundle, stylesheet and data
 * inlined into one file that works offline from file:// (no remote loads, strict CSP).
 * The bundle is read from disk at render time: media/dist/ next to dist/ when running from the
 * bundled CLI or the extension, or in the repository when running from tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AnalysisResult } from '../engine/model';
import type { SeriesJson, SweepJson, WebviewData, WebviewView } from '../protocol/webview-messages';
import { buildInlineHtml, makeNonce } from './webview-html';

export interface HtmlReportInput {
  analysis?: AnalysisResult;
  series?: SeriesJson;
  simulation?: SweepJson;
  title: string;
  /** View shown first; default: series if present, else graph if analysis, else charts. */
  view?: WebviewView;
  /** Absolute analysed root, to make witness steps `file://` links. */
  sourceRoot?: string;
  /** Directory holding webview.js and webview.css (default: located automatically). */
  assetDir?: string;
}

const ASSET_JS = 'webview.js';
const ASSET_CSS = 'webview.css';

/** Candidate media/dist directories, most specific first. */
function assetDirCandidates(): string[] {
  const out: string[] = [];
  const env = process.env.LOCKLENS_ROOT;
  if (env) out.push(path.join(env, 'media', 'dist'));
  // Walk up from this file's directory: dist/cli.js → <root>/media/dist; tests → repo root.
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    out.push(path.join(dir, 'media', 'dist'));
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return out;
}

export function findWebviewAssets(assetDir?: string): { js: string; css: string | null } {
  const dirs = assetDir ? [assetDir] : assetDirCandidates();
  for (const d of dirs) {
    const js = path.join(d, ASSET_JS);
    if (existsSync(js)) {
      const css = path.join(d, ASSET_CSS);
      return { js, css: existsSync(css) ? css : null };
    }
  }
  throw new Error(
    `LockLens: the webview bundle (${ASSET_JS}) was not found; looked in ${dirs.join(', ')}. ` +
      'Build it with `node esbuild.mjs`.',
  );
}

function defaultView(input: HtmlReportInput): WebviewView {
  if (input.view) return input.view;
  if (input.series) return 'series';
  if (input.analysis) return 'graph';
  if (input.simulation) return 'charts';
  return 'graph';
}

/** Renders the report; throws only when the webview bundle is missing (message says how to build it). */
export function renderHtmlReport(input: HtmlReportInput): string {
  const assets = findWebviewAssets(input.assetDir);
  const script = readFileSync(assets.js, 'utf8');
  const css = assets.css ? readFileSync(assets.css, 'utf8') : '';
  const data: WebviewData = {
    title: input.title,
    analysis: input.analysis,
    series: input.series,
    simulation: input.simulation,
    sourceRoot: input.sourceRoot,
  };
  return buildInlineHtml({ script, css, nonce: makeNonce(), initialData: data, view: defaultView(input), title: input.title });
}
