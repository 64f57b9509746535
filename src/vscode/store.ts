/**
 * The results currently shown: one `AnalysisResult` for the analysed root, its index, and the
 * document versions it was computed from. Every feature reads from here and listens to
 * `onDidChange`; only the engine session writes. A series "after patch k" overlay is a second,
 * temporary result that wins for the files it covers.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { AnalysisResult } from '../engine/model';
import { ResultIndex, type RuleSettings } from './result-index';
import { CONTEXT, SERIES_SCHEME } from './ids';

export interface SeriesOverlay {
  /** 1-based patch index the overlay shows the tree after. */
  patch: number;
  label: string;
  index: ResultIndex;
  /** Files the series changes up to `patch`, text after it (served as virtual documents). */
  files: Map<string, string>;
}

export class ResultsStore implements vscode.Disposable {
  private _result: AnalysisResult | null = null;
  private _index: ResultIndex | null = null;
  private _root: string | null = null;
  private _overlay: SeriesOverlay | null = null;
  private rules: RuleSettings = {};
  /** Document versions (by relative path) whose unsaved text went into the current result. */
  private versions = new Map<string, number>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  get root(): string | null {
    return this._root;
  }
  get result(): AnalysisResult | null {
    return this._result;
  }
  get index(): ResultIndex | null {
    return this._index;
  }
  get overlay(): SeriesOverlay | null {
    return this._overlay;
  }
  /** The index the views show: the series overlay's while one is active, else the analysis's. */
  get shownIndex(): ResultIndex | null {
    return this._overlay?.index ?? this._index;
  }

  set(root: string, result: AnalysisResult, versions?: Map<string, number>): void {
    this._root = root;
    this._result = result;
    this._index = new ResultIndex(result, this.rules);
    if (versions) for (const [k, v] of versions) this.versions.set(k, v);
    void vscode.commands.executeCommand('setContext', CONTEXT.hasResults, true);
    this.emitter.fire();
  }

  setRules(rules: RuleSettings): void {
    this.rules = rules;
    if (this._result) this._index = new ResultIndex(this._result, rules);
    this.emitter.fire();
  }

  setOverlay(o: SeriesOverlay | null): void {
    this._overlay = o;
    void vscode.commands.executeCommand('setContext', CONTEXT.seriesOverlay, o !== null);
    this.emitter.fire();
  }

  clear(): void {
    this._result = null;
    this._index = null;
    this._overlay = null;
    this.versions.clear();
    void vscode.commands.executeCommand('setContext', CONTEXT.hasResults, false);
    void vscode.commands.executeCommand('setContext', CONTEXT.seriesOverlay, false);
    this.emitter.fire();
  }

  /** Path relative to the analysed root with `/`, or null outside it (or no root yet). */
  relPath(uri: vscode.Uri, root = this._root): string | null {
    if (uri.scheme === SERIES_SCHEME) return uri.path.replace(/^\/+/, '');
    if (!root || uri.scheme !== 'file') return null;
    const rel = path.relative(root, uri.fsPath);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return null;
    return rel.split(path.sep).join('/');
  }

  uriOf(rel: string): vscode.Uri | null {
    if (this._overlay?.files.has(rel)) return vscode.Uri.from({ scheme: SERIES_SCHEME, path: `/${rel}`, query: `patch=${this._overlay.patch}` });
    return this._root ? vscode.Uri.file(path.join(this._root, ...rel.split('/'))) : null;
  }

  /** The index and relative path that annotate `doc`, or null when nothing applies. */
  lookup(doc: vscode.TextDocument): { index: ResultIndex; rel: string } | null {
    const rel = this.relPath(doc.uri);
    if (rel === null) return null;
    if (this._overlay && (doc.uri.scheme === SERIES_SCHEME || !this._overlay.files.has(rel))) return { index: this._overlay.index, rel };
    if (doc.uri.scheme === SERIES_SCHEME || !this._index) return null;
    return { index: this._index, rel };
  }

  /**
   * False when the document was edited after the result it would be annotated with (the
   * incremental update is still on its way): point queries then answer nothing rather than
   * something about lines that moved.
   */
  isCurrent(doc: vscode.TextDocument): boolean {
    if (doc.uri.scheme !== 'file') return true;
    const rel = this.relPath(doc.uri);
    if (rel === null) return false;
    const v = this.versions.get(rel);
    return v === undefined ? !doc.isDirty : v === doc.version;
  }

  noteVersion(rel: string, version: number): void {
    this.versions.set(rel, version);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
