/** What a tree-view feature returns: its disposable plus a top-level snapshot for the e2e suite. */
import type * as vscode from 'vscode';

export interface ViewRegistration extends vscode.Disposable {
  /** Labels of the top-level items, as the view shows them. */
  labels(): string[];
}

export function labelOf(item: vscode.TreeItem): string {
  const l = item.label;
  const text = typeof l === 'string' ? l : l?.label ?? '';
  return item.description && typeof item.description === 'string' ? `${text} — ${item.description}` : text;
}
