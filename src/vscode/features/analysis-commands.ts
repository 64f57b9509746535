/**
 * Commands: Analyze Workspace, Analyze Current File, Clear Results, Show Log. Also reacts to
 * settings: engine settings re-run an open analysis quietly, rule settings re-filter findings.
 */
import * as vscode from 'vscode';
import type { Services } from '../services';
import { COMMANDS, ENGINE_SETTINGS, SETTINGS } from '../ids';
import * as settings from '../settings';

export function registerAnalysisCommands(s: Services): vscode.Disposable {
  const { store, session, log } = s;
  store.setRules(settings.ruleSettings());
  let configTimer: NodeJS.Timeout | undefined;
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMANDS.analyzeWorkspace, async () => {
      const r = await session.analyzeWorkspace(true);
      return r ? { files: r.files, locks: r.locks.length, findings: store.index?.findings.length ?? 0 } : null;
    }),
    vscode.commands.registerCommand(COMMANDS.analyzeFile, async (uri?: vscode.Uri) => {
      const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
      if (!doc) {
        void log.showError('open a C file first');
        return null;
      }
      const r = await session.analyzeFile(doc);
      return r ? { files: r.files, locks: r.locks.length, findings: store.index?.findings.length ?? 0 } : null;
    }),
    vscode.commands.registerCommand(COMMANDS.clearResults, async () => {
      await session.clear();
      store.clear();
      log.info('results cleared');
    }),
    vscode.commands.registerCommand(COMMANDS.showLog, () => log.channel.show(true)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settings.affects(e, [SETTINGS.rules])) store.setRules(settings.ruleSettings());
      if (settings.affects(e, ENGINE_SETTINGS) && session.isOpen) {
        log.info('LockLens settings changed; re-analysing');
        clearTimeout(configTimer);
        // Several keys often change at once (settings sync, JSON edit): one re-run.
        configTimer = setTimeout(() => void session.analyzeWorkspace(false), 200);
      }
    }),
    { dispose: () => clearTimeout(configTimer) },
  );
}
