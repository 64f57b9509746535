/**
 * Messages and data shared by the extension host and the LockLens webview (graph, series
 * diff, timing charts). The same `WebviewData` is embedded in the standalone HTML report.
 *
 * Types plus small runtime guards: both sides receive these objects from an untrusted
 * channel (postMessage), so each side checks the shape before acting on it.
 */
import type { AnalysisResult, Finding, LockClass, LockEdge, LockSet } from '../engine/model';

export const WEBVIEW_VIEWS = ['graph', 'series', 'charts'] as const;
export type WebviewView = (typeof WEBVIEW_VIEWS)[number];

// ---- Series JSON (`locklens series --format json`, see docs/series.md) -------------------

export interface SeriesPatch {
  /** 1-based position in the series (`N` of `N/M`). */
  index: number;
  subject: string;
  applied: boolean;
  error?: string;
  /** The input lacks this patch (e.g. 2/3 absent from the mbox). */
  missing?: boolean;
}

/** An edge / finding / lock of the series diff; `patch` = index of the patch that added or removed it. */
export type SeriesEdge = LockEdge & { patch: number };
export type SeriesFinding = Finding & { patch?: number };
export type SeriesLock = LockClass & { patch?: number };

export interface EntryContextChange {
  name: string;
  file: string;
  before: LockSet;
  after: LockSet;
  patch?: number;
}

/** A contention path: `contended` ⇢ `via`… ⇢ `function` (e.g. RTNL ⇢ ovs_mutex ⇢ flow install). */
export interface SeriesContentionPath {
  key: string;
  contended: string;
  via: string[];
  function: string;
  file: string;
  line: number;
  patch: number;
}

/** An RCU change: a pointer that became `__rcu`, a new publish / free / grace-period site. */
export interface SeriesRcuItem {
  key: string;
  kind: string;
  what: string;
  function: string;
  file: string;
  line: number;
  patch: number;
}

export interface SeriesJson {
  version: 1;
  series: { subject: string; version?: string | number | null; author?: string | null };
  patches: SeriesPatch[];
  findings: { introduced: SeriesFinding[]; resolved: SeriesFinding[]; persisting: SeriesFinding[] };
  edges: { added: SeriesEdge[]; removed: SeriesEdge[] };
  locks: { added: SeriesLock[]; removed: SeriesLock[] };
  functions: { entryChanged: EntryContextChange[] };
  /** True in patch-only mode (no base tree): the diff covers the hunks alone. */
  partial?: boolean;
  contention?: { added: SeriesContentionPath[]; removed: SeriesContentionPath[] };
  rcu?: { added: SeriesRcuItem[]; removed: SeriesRcuItem[] };
}

// ---- Simulation sweep JSON (`locklens simulate --sweep`), times in seconds ---------------

export interface SweepStat {
  mean: number;
  std: number;
}

export interface SweepCell {
  /** Swept parameters of this cell, e.g. `{ "n": 10, "delay_us": 500 }`. */
  params: Record<string, number | string>;
  before: SweepStat;
  after: SweepStat;
  deltaPct: number;
}

export interface SweepJson {
  version: 1;
  cells: SweepCell[];
  /** Informative: scenario name, repetitions per cell and seed of the run. */
  scenario?: string;
  reps?: number;
  seed?: number;
}

/** Everything the app can show; any part may be absent (the view then says so). */
export interface WebviewData {
  title?: string;
  analysis?: AnalysisResult;
  series?: SeriesJson;
  simulation?: SweepJson;
  /**
   * Absolute path of the analysed root. Only the standalone report uses it, to turn a witness
   * step into a `file://` link; inside VS Code the host resolves paths itself.
   */
  sourceRoot?: string;
}

// ---- Extension → webview -----------------------------------------------------------------

export type ToWebview =
  /** Replace the data shown (e.g. after re-analysis). */
  | { type: 'setData'; data: WebviewData }
  /** Switch to a view. */
  | { type: 'showView'; view: WebviewView }
  /** Select a lock class in the graph view (e.g. from a hover's "show in graph"). */
  | { type: 'focusLock'; id: string }
  /** Select "after patch k" in the series view (0 = base tree). */
  | { type: 'selectPatch'; index: number };

// ---- Webview → extension -----------------------------------------------------------------

export type FromWebview =
  /** The app has started and listens for messages. */
  | { type: 'ready'; view: WebviewView }
  /** Open `file` (relative to the analysed root) at 1-based `line`. */
  | { type: 'reveal'; file: string; line: number }
  | { type: 'viewChanged'; view: WebviewView }
  /** The user chose "after patch k" (0 = base); the host may re-annotate editors. */
  | { type: 'patchSelected'; index: number }
  /** Something went wrong in the webview; the host logs it. */
  | { type: 'error'; message: string };

// ---- Guards --------------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isWebviewView(v: unknown): v is WebviewView {
  return typeof v === 'string' && (WEBVIEW_VIEWS as readonly string[]).includes(v);
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

export function isToWebview(msg: unknown): msg is ToWebview {
  if (!isObject(msg)) return false;
  switch (msg.type) {
    case 'setData':
      return isObject(msg.data);
    case 'showView':
      return isWebviewView(msg.view);
    case 'focusLock':
      return typeof msg.id === 'string';
    case 'selectPatch':
      return isNonNegativeInt(msg.index);
    default:
      return false;
  }
}

export function isFromWebview(msg: unknown): msg is FromWebview {
  if (!isObject(msg)) return false;
  switch (msg.type) {
    case 'ready':
    case 'viewChanged':
      return isWebviewView(msg.view);
    case 'reveal':
      return typeof msg.file === 'string' && msg.file.length > 0 && isNonNegativeInt(msg.line) && msg.line >= 1;
    case 'patchSelected':
      return isNonNegativeInt(msg.index);
    case 'error':
      return typeof msg.message === 'string';
    default:
      return false;
  }
}
