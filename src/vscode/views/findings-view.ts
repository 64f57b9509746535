/** Tree view "Findings": rule (by worst severity) → finding → witness steps. */
import * as vscode from 'vscode';
import type { Finding, Severity, WitnessStep } from '../../engine/model';
import { SEVERITIES } from '../../engine/model';
import type { ResultsStore } from '../store';
import { COMMANDS, VIEWS } from '../ids';
import { labelOf, type ViewRegistration } from './view-registration';

type Node =
  | { kind: 'rule'; rule: string; findings: Finding[]; worst: Severity }
  | { kind: 'finding'; finding: Finding }
  | { kind: 'step'; step: WitnessStep; n: number };

const ICON: Record<Severity, vscode.ThemeIcon> = {
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  info: new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground')),
};

const rank = (s: Severity) => SEVERITIES.indexOf(s);

class FindingsProvider implements vscode.TreeDataProvider<Node> {
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
      const byRule = new Map<string, Finding[]>();
      for (const f of index.findings) {
        const a = byRule.get(f.rule);
        if (a) a.push(f);
        else byRule.set(f.rule, [f]);
      }
      return [...byRule.entries()]
        .map(([rule, findings]) => ({
          kind: 'rule' as const,
          rule,
          findings: findings.sort((a, b) => rank(a.severity) - rank(b.severity) || a.file.localeCompare(b.file) || a.line - b.line),
          worst: findings.reduce<Severity>((w, f) => (rank(f.severity) < rank(w) ? f.severity : w), 'info'),
        }))
        .sort((a, b) => rank(a.worst) - rank(b.worst) || a.rule.localeCompare(b.rule));
    }
    if (node.kind === 'rule') return node.findings.map((finding) => ({ kind: 'finding', finding }));
    if (node.kind === 'finding') return node.finding.witness.map((step, n) => ({ kind: 'step', step, n }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'rule') {
      const item = new vscode.TreeItem(node.rule, vscode.TreeItemCollapsibleState.Expanded);
      item.description = `${node.findings.length}`;
      item.iconPath = ICON[node.worst];
      item.id = `rule:${node.rule}`;
      return item;
    }
    if (node.kind === 'finding') {
      const f = node.finding;
      const item = new vscode.TreeItem(f.message, f.witness.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
      item.description = `${f.file}:${f.line}`;
      item.tooltip = `${f.severity} · ${f.rule}\n${f.message}\n${f.file}:${f.line} in ${f.function}`;
      item.iconPath = ICON[f.severity];
      item.command = { command: COMMANDS.revealStep, title: 'Open', arguments: [{ file: f.file, line: f.line }] };
      item.contextValue = 'finding';
      return item;
    }
    const s = node.step;
    const item = new vscode.TreeItem(`${node.n + 1}. ${s.function}`, vscode.TreeItemCollapsibleState.None);
    item.description = `${s.file}:${s.line} ${s.note}`;
    item.command = { command: COMMANDS.revealStep, title: 'Open', arguments: [{ file: s.file, line: s.line }] };
    return item;
  }
}

export function registerFindingsView(store: ResultsStore): ViewRegistration {
  const provider = new FindingsProvider(store);
  const view = vscode.window.createTreeView(VIEWS.findings, { treeDataProvider: provider, showCollapseAll: true });
  const update = () => {
    provider.refresh();
    const n = store.shownIndex?.findings.length;
    view.description = n === undefined ? undefined : `${n}`;
  };
  const disposable = vscode.Disposable.from(view, store.onDidChange(update));
  return {
    dispose: () => disposable.dispose(),
    labels: () => provider.getChildren().map((n) => labelOf(provider.getTreeItem(n))),
  };
}
