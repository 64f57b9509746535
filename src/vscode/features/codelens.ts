/**
 * CodeLens above each function with lock facts: entry context, what it acquires, finding count.
 * Clicking opens the witnesses (locklens.showWitnesses). Reads the store only; never analyses.
 * Setting: locklens.codeLens.enabled.
 */
import * as vscode from 'vscode';
import type { ResultsStore } from '../store';
import { functionLensTitle } from '../labels';
import { COMMANDS, SETTINGS } from '../ids';
import * as settings from '../settings';

class LockCodeLensProvider implements vscode.CodeLensProvider {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;

  constructor(private readonly store: ResultsStore) {}

  refresh(): void {
    this.emitter.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!settings.codeLensEnabled()) return [];
    const found = this.store.lookup(doc);
    if (!found) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const fn of found.index.forFile(found.rel).functions) {
      if (fn.line < 1 || fn.line > doc.lineCount) continue;
      const findings = found.index.findingsOf(fn.file, fn.name).length;
      const title = functionLensTitle(fn, findings);
      if (!title) continue;
      const range = doc.lineAt(fn.line - 1).range;
      lenses.push(
        new vscode.CodeLens(range, {
          title,
          tooltip: 'LockLens: show the witnesses for these facts',
          command: COMMANDS.showWitnesses,
          arguments: [{ file: fn.file, function: fn.name }],
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

export function registerCodeLens(store: ResultsStore): vscode.Disposable {
  const provider = new LockCodeLensProvider(store);
  const selector: vscode.DocumentSelector = [{ language: 'c' }, { scheme: 'locklens-series' }];
  return vscode.Disposable.from(
    provider,
    vscode.languages.registerCodeLensProvider(selector, provider),
    store.onDidChange(() => provider.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settings.affects(e, [SETTINGS.codeLensEnabled])) provider.refresh();
    }),
  );
}
