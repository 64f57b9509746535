/**
 * Status-bar item: lock classes and findings of the current result, a spinner while analysing,
 * a warning after an engine crash. Clicking opens the lock graph.
 */
import * as vscode from 'vscode';
import type { ResultsStore } from '../store';
import type { EngineSession } from '../engine-session';
import { COMMANDS } from '../ids';
import { commandUri } from '../convert';

export function registerStatusBar(store: ResultsStore, session: EngineSession): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('locklens.status', vscode.StatusBarAlignment.Left, 10);
  item.name = 'LockLens';
  const update = () => {
    const index = store.index;
    const state = session.currentState;
    item.backgroundColor = state === 'crashed' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    if (state === 'analyzing') {
      item.text = '$(sync~spin) LockLens';
      item.accessibilityInformation = { label: 'LockLens: analysing' };
      item.tooltip = 'LockLens: analysing…';
      item.command = undefined;
      item.show();
      return;
    }
    if (!index) {
      item.text = state === 'crashed' ? '$(warning) LockLens' : '$(lock) LockLens';
      item.accessibilityInformation = { label: 'LockLens: no results' };
      item.tooltip = new vscode.MarkdownString(`LockLens: no results. [Analyze Workspace](${commandUri(COMMANDS.analyzeWorkspace, [])})`);
      item.tooltip.isTrusted = { enabledCommands: [COMMANDS.analyzeWorkspace] };
      item.command = COMMANDS.analyzeWorkspace;
      item.show();
      return;
    }
    const n = index.findings.length;
    const sev = index.countBySeverity();
    const overlay = store.overlay ? ` · after ${store.overlay.label}` : '';
    item.text = `$(lock) ${index.result.locks.length} · $(${n ? 'warning' : 'check'}) ${n}${overlay}`;
    item.accessibilityInformation = { label: `LockLens: ${index.result.locks.length} lock classes, ${n} findings${overlay}` };
    const md = new vscode.MarkdownString(
      [
        `**LockLens**: ${index.result.locks.length} lock classes · ${n} findings (${sev.error} errors, ${sev.warning} warnings, ${sev.info} info)`,
        `${index.result.files} files · ${index.result.functions.length} functions · ${index.result.edges.length} lock-order edges`,
        `[Show Lock Graph](${commandUri(COMMANDS.showGraph, [])}) · [Re-analyze](${commandUri(COMMANDS.analyzeWorkspace, [])}) · [Log](${commandUri(COMMANDS.showLog, [])})`,
      ].join('\n\n'),
    );
    md.isTrusted = { enabledCommands: [COMMANDS.showGraph, COMMANDS.analyzeWorkspace, COMMANDS.showLog] };
    item.tooltip = md;
    item.command = COMMANDS.showGraph;
    item.show();
  };
  update();
  return vscode.Disposable.from(item, store.onDidChange(update), session.onDidChangeState(update));
}
