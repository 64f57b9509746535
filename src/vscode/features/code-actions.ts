/**
 * Code actions for mechanical fixes: add the lock assertion/annotation a function's proven
 * entry context implies (see assertion-fix.ts for when it is offered).
 */
import * as vscode from 'vscode';
import type { ResultsStore } from '../store';
import { assertionEdits, detectFlavor } from '../assertion-fix';

export function registerCodeActions(store: ResultsStore): vscode.Disposable {
  const provider: vscode.CodeActionProvider = {
    provideCodeActions(doc, range) {
      if (doc.uri.scheme !== 'file' || !store.isCurrent(doc)) return [];
      const found = store.lookup(doc);
      if (!found) return [];
      const fn = found.index.functionAt(found.rel, range.start.line + 1);
      if (!fn || !fn.entry.must.length) return [];
      const lines = doc.getText().split(/\r?\n/);
      const flavor = detectFlavor(doc.getText());
      return assertionEdits(fn, found.index.locks, lines, flavor).map((e) => {
        const action = new vscode.CodeAction(`LockLens: ${e.title} (held on entry on all paths)`, vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.insert(doc.uri, new vscode.Position(e.line, e.col), e.text);
        return action;
      });
    },
  };
  return vscode.languages.registerCodeActionsProvider({ language: 'c', scheme: 'file' }, provider, {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  });
}
