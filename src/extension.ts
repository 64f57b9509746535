/**
 * LockLens extension entry: builds the shared services and registers each feature. All the
 * work happens in the engine worker; activation only wires things up (and logs how long it took).
 */
import * as vscode from 'vscode';
import { createServices } from './vscode/services';
import { registerAnalysisCommands } from './vscode/features/analysis-commands';
import { registerDiagnostics } from './vscode/features/diagnostics';
import { registerDecorations } from './vscode/features/decorations';
import { registerCodeLens } from './vscode/features/codelens';
import { registerHover } from './vscode/features/hover';
import { registerCodeActions } from './vscode/features/code-actions';
import { registerWitnesses } from './vscode/features/witnesses';
import { registerStatusBar } from './vscode/features/status-bar';
import { createPanelHost, registerGraph, type PanelState } from './vscode/features/graph';
import { registerExport } from './vscode/features/export';
import { registerSeries } from './vscode/features/series';
import { registerSimulate } from './vscode/features/simulate';
import { registerLocksView } from './vscode/views/locks-view';
import { registerFindingsView } from './vscode/views/findings-view';
import { analyzeOnStartup } from './vscode/settings';

export interface LockLensApi {
  /** For the e2e suite: the current result summary and a worker crash hook. */
  summary(): { files: number; locks: number; findings: number } | null;
  /** Top-level labels of a LockLens tree view. */
  viewLabels(view: 'locks' | 'findings' | 'series'): string[];
  crashWorkerForTest(): void;
  /** Current engine state (idle / analyzing / crashed) and worker crash count. */
  engineState(): { state: string; crashes: number; open: boolean; keptTrees: string[] };
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): LockLensApi {
  const t0 = performance.now();
  const s = createServices(context);
  const panelState: PanelState = {};
  const host = createPanelHost(s, panelState);
  const views = {
    locks: registerLocksView(s.store),
    findings: registerFindingsView(s.store),
    series: registerSeries(s, host, panelState),
  };
  context.subscriptions.push(
    views.locks,
    views.findings,
    views.series,
    registerAnalysisCommands(s),
    registerDiagnostics(s.store),
    registerDecorations(s.store),
    registerCodeLens(s.store),
    registerHover(s.store),
    registerCodeActions(s.store),
    registerWitnesses(s.store),
    registerStatusBar(s.store, s.session),
    registerGraph(s, host, panelState),
    registerExport(s),
    registerSimulate(s, host, panelState),
  );
  const activationMs = performance.now() - t0;
  const ext = context.extension.packageJSON as { version?: string };
  s.log.info(`LockLens ${ext.version ?? '?'} activated in ${activationMs.toFixed(1)} ms (trusted workspace: ${vscode.workspace.isTrusted})`);
  if (analyzeOnStartup()) void s.session.analyzeWorkspace(false);
  return {
    summary: () => {
      const r = s.store.result;
      return r ? { files: r.files, locks: r.locks.length, findings: s.store.index?.findings.length ?? 0 } : null;
    },
    viewLabels: (view) => views[view].labels(),
    crashWorkerForTest: () => s.session.crashForTest(),
    engineState: () => ({ state: s.session.currentState, crashes: s.session.client.crashes, open: s.session.isOpen, keptTrees: s.session.keptTrees }),
    activationMs,
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions (worker terminated by EngineSession.dispose).
}
