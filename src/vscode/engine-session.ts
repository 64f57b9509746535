/**
 * Runs the engine for the workspace: the worker client, "Analyze Workspace" with a cancellable
 * progress notification, incremental re-analysis of edits (debounced), saves and file-system
 * changes, and worker crash recovery. Results reach the store only when they are still current:
 * a reply computed from an older document version is dropped, never shown.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { EngineClient, EngineError, isCancelled, type RequestOf } from '../host/worker/engine-client';
import type { AnalysisResult } from '../engine/model';
import type { EngineReplies, EngineRequestKind, FileChange, WorkerAnalysisOptions } from '../protocol/worker-messages';
import type { Log } from './log';
import type { ResultsStore } from './store';
import * as settings from './settings';
import { CONTEXT } from './ids';

const EDIT_DEBOUNCE_MS = 300;
const C_FILE = /\.(c|h)$/;
/** More crashes than this within CRASH_WINDOW_MS stop automatic re-opening (no restart loop). */
const MAX_AUTO_RESTARTS = 3;
const CRASH_WINDOW_MS = 60_000;

export type SessionState = 'idle' | 'analyzing' | 'crashed';

export class EngineSession implements vscode.Disposable {
  readonly client: EngineClient;
  private projectOpen = false;
  private state: SessionState = 'idle';
  private readonly stateEmitter = new vscode.EventEmitter<SessionState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private pendingEdits = new Map<string, vscode.Uri>();
  private editTimer: NodeJS.Timeout | undefined;
  private documentsTimer: NodeJS.Timeout | undefined;
  /** Paths whose trees the engine keeps, as of its last `documents` reply (e2e tests, log). */
  keptTrees: string[] = [];
  /** Incremented per update request; only the newest reply may be applied. */
  private updateGeneration = 0;
  private crashTimes: number[] = [];
  /** The full analysis in flight; a new one supersedes it. */
  private fullRun: AbortController | null = null;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    workerScript: string,
    private readonly store: ResultsStore,
    private readonly log: Log,
  ) {
    this.client = new EngineClient({
      scriptPath: workerScript,
      // A runaway analysis hits this limit and kills the worker only (reported, restarted).
      resourceLimits: { maxOldGenerationSizeMb: 4096 },
      log: (level, msg) => (level === 'error' ? log.error(msg) : level === 'warn' ? log.warn(msg) : log.info(msg)),
      onCrash: (reason) => this.onCrash(reason),
    });
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.queueEdit(e.document.uri);
      }),
      vscode.workspace.onDidSaveTextDocument((d) => this.queueEdit(d.uri)),
      // Trees are kept for what is on screen: the first keystroke there is then incremental.
      vscode.window.onDidChangeVisibleTextEditors(() => this.queueOpenDocuments()),
      // Closing a dirty document discards its text: fall back to what is on disk.
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.isDirty) this.queueEdit(d.uri);
      }),
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{c,h}');
    this.disposables.push(
      watcher,
      watcher.onDidCreate((u) => this.queueEdit(u)),
      watcher.onDidChange((u) => this.queueEdit(u)),
      watcher.onDidDelete((u) => this.queueEdit(u)),
    );
  }

  get isOpen(): boolean {
    return this.projectOpen;
  }

  get currentState(): SessionState {
    return this.state;
  }

  private setState(s: SessionState): void {
    this.state = s;
    void vscode.commands.executeCommand('setContext', CONTEXT.analyzing, s === 'analyzing');
    this.stateEmitter.fire(s);
  }

  /** Folder to analyse: the one holding the active editor, else the first. */
  workspaceRoot(): string | null {
    const active = vscode.window.activeTextEditor?.document.uri;
    const folder = (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
    return folder && folder.uri.scheme === 'file' ? folder.uri.fsPath : null;
  }

  private options(root: string): { options: WorkerAnalysisOptions; versions: Map<string, number> } {
    const overlays: Record<string, string> = {};
    const versions = new Map<string, number>();
    for (const doc of vscode.workspace.textDocuments) {
      if (!doc.isDirty || !C_FILE.test(doc.uri.fsPath)) continue;
      const rel = this.store.relPath(doc.uri, root);
      if (rel === null) continue;
      overlays[rel] = doc.getText();
      versions.set(rel, doc.version);
    }
    return {
      options: {
        root,
        config: settings.engineConfig(vscode.Uri.file(root)),
        parser: settings.parserBackend(),
        jobs: settings.jobs(),
        lineFacts: false,
        overlays,
      },
      versions,
    };
  }

  private async timed<K extends EngineRequestKind>(label: string, req: RequestOf<K>, ro?: Parameters<EngineClient['request']>[1]): Promise<EngineReplies[K]> {
    const value = await this.client.request<K>(req, ro);
    this.log.timings(label, this.client.lastTimings.get(req.kind));
    return value;
  }

  /**
   * Full analysis of the workspace. `interactive` shows the notification with Cancel; a quiet
   * run (settings change, restart after a crash) uses the window progress only.
   */
  async analyzeWorkspace(interactive: boolean): Promise<AnalysisResult | null> {
    const root = this.workspaceRoot();
    if (!root) {
      if (interactive) void this.log.showError('open a folder to analyse');
      return null;
    }
    const { options, versions } = this.options(root);
    this.log.info(`analysing ${root} (parser=${options.parser}, config=${JSON.stringify(options.config)})`);
    this.setState('analyzing');
    this.fullRun?.abort();
    const ac = new AbortController();
    this.fullRun = ac;
    const run = (progress: vscode.Progress<{ message?: string; increment?: number }>, token?: vscode.CancellationToken) => {
      token?.onCancellationRequested(() => ac.abort());
      let reported = 0;
      return this.timed<'open'>('analyze workspace', { kind: 'open', options }, {
        signal: ac.signal,
        onProgress: (p) => {
          const pct = p.total ? Math.floor((100 * p.done) / p.total) : 0;
          progress.report({ increment: Math.max(0, pct - reported), message: `${p.done}/${p.total} files` });
          reported = Math.max(reported, pct);
        },
      });
    };
    try {
      // Edits made while the full run was in flight are re-sent after it (the generation bump
      // drops any older incremental reply).
      this.updateGeneration++;
      const result = interactive
        ? await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: 'LockLens: analysing workspace', cancellable: true },
            (progress, token) => run(progress, token),
          )
        : await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'LockLens' }, (progress) => run(progress));
      if (this.fullRun === ac) this.fullRun = null;
      this.projectOpen = true;
      this.store.set(root, result, versions);
      this.logSummary(result);
      this.setState('idle');
      this.flushStaleDocuments(versions, root);
      this.queueOpenDocuments();
      return result;
    } catch (e) {
      if (this.fullRun === ac) this.fullRun = null;
      // Superseded by a newer run: that one owns the state and the progress.
      if (isCancelled(e) && this.fullRun) return null;
      this.setState(this.state === 'crashed' ? 'crashed' : 'idle');
      if (isCancelled(e)) {
        this.log.info('workspace analysis cancelled; previous results kept');
        return null;
      }
      this.log.error('workspace analysis failed', e);
      if (interactive) void this.log.showError(e instanceof Error ? e.message : String(e));
      return null;
    }
  }

  /** Tells the engine which analysed documents are visible (debounced like edits). */
  private queueOpenDocuments(): void {
    if (!this.projectOpen) return;
    clearTimeout(this.documentsTimer);
    this.documentsTimer = setTimeout(() => void this.sendOpenDocuments(), EDIT_DEBOUNCE_MS);
  }

  private async sendOpenDocuments(): Promise<void> {
    if (!this.projectOpen) return;
    const open: { path: string; text: string }[] = [];
    const seen = new Set<string>();
    for (const editor of vscode.window.visibleTextEditors) {
      const doc = editor.document;
      if (doc.uri.scheme !== 'file' || !C_FILE.test(doc.uri.fsPath)) continue;
      const rel = this.store.relPath(doc.uri);
      if (rel === null || seen.has(rel)) continue;
      seen.add(rel);
      open.push({ path: rel, text: doc.getText() });
    }
    try {
      const r = await this.timed<'documents'>('keep trees of open documents', { kind: 'documents', open });
      this.keptTrees = r.kept;
      if (r.primed.length || r.dropped.length) this.log.debug(`trees kept for ${r.primed.join(', ') || '(none new)'}; dropped ${r.dropped.join(', ') || '(none)'}`);
    } catch (e) {
      if (e instanceof EngineError && (e.code === 'crashed' || e.code === 'not-open')) return;
      this.log.warn(`keeping trees of open documents failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Documents edited while a full analysis ran: send them now. */
  private flushStaleDocuments(sent: Map<string, number>, root: string): void {
    for (const doc of vscode.workspace.textDocuments) {
      const rel = this.store.relPath(doc.uri, root);
      if (rel === null || !C_FILE.test(rel)) continue;
      const v = sent.get(rel);
      if ((v !== undefined && v !== doc.version) || (v === undefined && doc.isDirty)) this.queueEdit(doc.uri);
    }
  }

  /** Analyse one file: through the open project if there is one, else a one-off run. */
  async analyzeFile(doc: vscode.TextDocument): Promise<AnalysisResult | null> {
    const root = (vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath ?? path.dirname(doc.uri.fsPath)) || null;
    if (!root || doc.uri.scheme !== 'file') {
      void this.log.showError('the current file is not on disk');
      return null;
    }
    const rel = this.store.relPath(doc.uri, root)!;
    if (this.projectOpen && this.store.root === root) {
      await this.sendUpdate(new Map([[rel, doc.uri]]));
      return this.store.result;
    }
    const { options } = this.options(root);
    options.overlays = { [rel]: doc.getText() };
    const version = doc.version;
    this.setState('analyzing');
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `LockLens: ${path.basename(rel)}` },
        () => this.timed<'analyzeFiles'>('analyze file', { kind: 'analyzeFiles', options, files: [rel] }),
      );
      if (doc.version !== version) return null; // edited meanwhile: the next edit re-runs
      this.store.set(root, result, new Map([[rel, version]]));
      this.logSummary(result);
      return result;
    } catch (e) {
      this.log.error('file analysis failed', e);
      void this.log.showError(e instanceof Error ? e.message : String(e));
      return null;
    } finally {
      this.setState(this.state === 'crashed' ? 'crashed' : 'idle');
    }
  }

  private queueEdit(uri: vscode.Uri): void {
    if (!this.projectOpen || !settings.reanalyzeOnEdit() || uri.scheme !== 'file' || !C_FILE.test(uri.fsPath)) return;
    const rel = this.store.relPath(uri);
    if (rel === null) return;
    this.pendingEdits.set(rel, uri);
    clearTimeout(this.editTimer);
    this.editTimer = setTimeout(() => {
      const batch = this.pendingEdits;
      this.pendingEdits = new Map();
      void this.sendUpdate(batch);
    }, EDIT_DEBOUNCE_MS);
  }

  private async sendUpdate(batch: Map<string, vscode.Uri>): Promise<void> {
    const changes: FileChange[] = [];
    const versions = new Map<string, number>();
    for (const [rel, uri] of batch) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (doc && !doc.isClosed) {
        changes.push({ path: rel, text: doc.getText() });
        versions.set(rel, doc.version);
        continue;
      }
      try {
        const bytes = await vscode.workspace.fs.readFile(uri);
        changes.push({ path: rel, text: Buffer.from(bytes).toString('utf8') });
      } catch {
        changes.push({ path: rel, text: null }); // deleted
      }
    }
    if (!changes.length) return;
    const generation = ++this.updateGeneration;
    try {
      const result = await this.timed<'update'>('incremental update', { kind: 'update', changes });
      if (generation !== this.updateGeneration) return; // a newer update or full run superseded it
      for (const [rel, v] of versions) {
        const doc = vscode.workspace.textDocuments.find((d) => this.store.relPath(d.uri) === rel);
        if (doc && doc.version !== v) return; // stale: the pending debounced edit will re-run
      }
      this.store.set(this.store.root!, result, versions);
    } catch (e) {
      if (e instanceof EngineError && (e.code === 'crashed' || e.code === 'not-open')) return; // recovery handles it
      this.log.error('incremental update failed', e);
    }
  }

  request<K extends EngineRequestKind>(label: string, req: RequestOf<K>, ro?: Parameters<EngineClient['request']>[1]): Promise<EngineReplies[K]> {
    return this.timed<K>(label, req, ro);
  }

  private logSummary(r: AnalysisResult): void {
    this.log.info(
      `${r.files} files, ${r.functions.length} functions, ${r.locks.length} lock classes, ${r.edges.length} edges, ${r.findings.length} findings, ${r.problems.length} problems`,
    );
    for (const p of r.problems.slice(0, 50)) this.log.debug(`problem ${p.code}: ${p.file ?? ''}${p.line ? `:${p.line}` : ''} ${p.message}`);
    if (r.problems.length > 50) this.log.debug(`… ${r.problems.length - 50} more problems`);
  }

  private onCrash(reason: string): void {
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    const wasOpen = this.projectOpen;
    this.projectOpen = false;
    this.keptTrees = [];
    this.setState('crashed');
    void vscode.window.showWarningMessage(`LockLens: the analysis engine stopped (${reason}). It was restarted.`, 'Show Log').then((pick) => {
      if (pick) this.log.channel.show(true);
    });
    if (wasOpen && this.crashTimes.length <= MAX_AUTO_RESTARTS) {
      // The previous results stay visible; a quiet re-run replaces them when done.
      void this.analyzeWorkspace(false);
    } else if (!wasOpen) {
      this.setState('idle');
    }
  }

  async clear(): Promise<void> {
    this.fullRun?.abort();
    this.fullRun = null;
    clearTimeout(this.editTimer);
    this.pendingEdits.clear();
    this.updateGeneration++;
    if (this.projectOpen) {
      this.projectOpen = false;
    this.keptTrees = [];
      try {
        await this.client.request({ kind: 'close' });
      } catch {
        /* worker gone: nothing to close */
      }
    }
  }

  /** Test hook for the e2e suite (LOCKLENS_TEST_HOOKS=1 in the worker environment). */
  crashForTest(): void {
    this.client.crashForTest();
  }

  dispose(): void {
    clearTimeout(this.editTimer);
    clearTimeout(this.documentsTimer);
    for (const d of this.disposables) d.dispose();
    this.stateEmitter.dispose();
    this.client.dispose();
  }
}
