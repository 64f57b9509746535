/** Tree view "Locks": lock class → acquisition sites (click opens the site). */
import * as vscode from 'vscode';
import type { LockClass, LockSite } from '../../engine/model';
import type { ResultsStore } from '../store';
import { ACQUIRE_OPS } from '../result-index';
import { formatHeld, heldAfterSite } from '../labels';
import { COMMANDS, VIEWS } from '../ids';
import { labelOf, type ViewRegistration } from './view-registration';

type Node = { kind: 'lock'; lock: LockClass } | { kind: 'site'; site: LockSite };

class LocksProvider implements vscode.TreeDataProvider<Node> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  constructor(private readonly store: ResultsStore) {}

  refresh(): void {
    this.emitter.fire();
  }

  getChildren(node?: Node): Node[] {
    const index = this.store.shownIndex;
    if (!index) return [];
    if (!node) {
      return [...index.result.locks]
        .sort((a, b) => Number(b.contended) - Number(a.contended) || b.sites - a.sites || a.id.localeCompare(b.id))
        .map((lock) => ({ kind: 'lock', lock }));
    }
    if (node.kind === 'lock') {
      return index
        .sitesOf(node.lock.id)
        .filter((s) => ACQUIRE_OPS.has(s.op))
        .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
        .map((site) => ({ kind: 'site', site }));
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'lock') {
      const l = node.lock;
      const item = new vscode.TreeItem(l.id, vscode.TreeItemCollapsibleState.Collapsed);
      item.description = `${l.lockType} · ${l.sites} site${l.sites === 1 ? '' : 's'}${l.contended ? ' · contended' : ''}`;
      item.iconPath = new vscode.ThemeIcon(l.contended ? 'flame' : 'lock');
      item.contextValue = 'lock';
      item.id = `lock:${l.id}`;
      return item;
    }
    const s = node.site;
    const item = new vscode.TreeItem(`${s.function}`, vscode.TreeItemCollapsibleState.None);
    item.description = `${s.file}:${s.line}`;
    const held = formatHeld(heldAfterSite(s));
    item.tooltip = `${s.text}\nheld after: ${held || 'nothing'}`;
    item.command = { command: COMMANDS.revealStep, title: 'Open', arguments: [{ file: s.file, line: s.line }] };
    item.contextValue = 'site';
    return item;
  }
}

export function registerLocksView(store: ResultsStore): ViewRegistration {
  const provider = new LocksProvider(store);
  const view = vscode.window.createTreeView(VIEWS.locks, { treeDataProvider: provider, showCollapseAll: true });
  const update = () => {
    provider.refresh();
    const n = store.shownIndex?.result.locks.length;
    view.description = n === undefined ? undefined : `${n}`;
  };
  const disposable = vscode.Disposable.from(view, store.onDidChange(update));
  return {
    dispose: () => disposable.dispose(),
    labels: () => provider.getChildren().map((n) => labelOf(provider.getTreeItem(n))),
  };
}
