/**
 * Patch series: "Analyze Patch Series…" (an mbox / .eml, .patch files, or a git range picked
 * from recent commits), the Series tree view (patch → verdict and changes), and "after patch k"
 * overlays: annotations of that state on open files, with the files the series changes shown
 * as read-only virtual documents (scheme locklens-series). Git never runs in an untrusted
 * workspace. Commands: locklens.analyzeSeries, locklens.showAfterPatch, locklens.showBaseTree.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Services } from '../services';
import type { SeriesSource } from '../../protocol/worker-messages';
import type { PatchReport, SeriesReport } from '../../engine/series/report-model';
import { isCancelled } from '../../host/worker/engine-client';
import { ResultIndex } from '../result-index';
import { patchChanges, patchVerdict, seriesSummary, type ChangeLine } from '../series-verdict';
import { LockLensPanel, type PanelHost } from '../webview/panel';
import { panelData, type PanelState } from './graph';
import { COMMANDS, CONTEXT, SERIES_SCHEME, VIEWS } from '../ids';
import * as settings from '../settings';
import { labelOf, type ViewRegistration } from '../views/view-registration';

type Node = { kind: 'patch'; patch: PatchReport } | { kind: 'change'; change: ChangeLine; patch: number };

const ICONS: Record<ChangeLine['icon'], string> = { add: 'diff-added', remove: 'diff-removed', warning: 'warning', pass: 'pass', info: 'info', error: 'error' };

class SeriesProvider implements vscode.TreeDataProvider<Node> {
  report: SeriesReport | null = null;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;

  refresh(): void {
    this.emitter.fire();
  }

  getChildren(node?: Node): Node[] {
    if (!this.report) return [];
    if (!node) return this.report.perPatch.map((patch) => ({ kind: 'patch', patch }));
    if (node.kind === 'patch') return patchChanges(node.patch).map((change) => ({ kind: 'change', change, patch: node.patch.index }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'patch') {
      const p = node.patch;
      const changes = patchChanges(p).length;
      const item = new vscode.TreeItem(`${p.index}/${p.total} ${p.subject}`, changes ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
      const verdict = patchVerdict(p);
      item.description = verdict;
      item.tooltip = new vscode.MarkdownString(`**[${p.index}/${p.total}] ${p.subject}**\n\n${p.author}\n\n${verdict}\n\nFiles: ${p.files.join(', ') || '—'}`);
      item.iconPath = new vscode.ThemeIcon(!p.applied ? 'error' : p.delta?.findingsIntroduced.length ? 'warning' : 'git-commit');
      item.contextValue = p.applied ? 'patch-applied' : 'patch';
      item.id = `patch:${p.index}`;
      return item;
    }
    const c = node.change;
    const item = new vscode.TreeItem(c.label, vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon(ICONS[c.icon]);
    if (c.file && c.line) {
      item.description = `${c.file}:${c.line}`;
      item.command = { command: COMMANDS.revealStep, title: 'Open', arguments: [{ file: c.file, line: c.line }] };
    }
    return item;
  }
}

/** Serves file text after patch k for `locklens-series:/<path>?patch=k`. */
class SeriesDocuments implements vscode.TextDocumentContentProvider {
  files = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.files.get(uri.path.replace(/^\/+/, '')) ?? '';
  }
}

async function pickSource(s: Services, root: string): Promise<SeriesSource | null> {
  const trusted = vscode.workspace.isTrusted;
  const items = [
    { label: '$(mail) Mailbox or message file…', detail: '.mbox, .eml, a saved list archive page', id: 'mbox' },
    { label: '$(diff) Patch files…', detail: 'one or more .patch / .diff files (git format-patch output)', id: 'patches' },
    {
      label: '$(git-commit) Git range…',
      detail: trusted ? 'pick the first commit of the series from recent history' : 'needs a trusted workspace (LockLens never runs git in restricted mode)',
      id: 'git',
    },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'LockLens: analyse a patch series from' });
  if (!pick) return null;
  if (pick.id === 'mbox' || pick.id === 'patches') {
    const uris = await vscode.window.showOpenDialog({
      canSelectMany: pick.id === 'patches',
      defaultUri: vscode.Uri.file(root),
      filters: pick.id === 'mbox' ? { Mail: ['mbox', 'eml', 'mbx', 'txt', 'patch'], All: ['*'] } : { Patches: ['patch', 'diff'], All: ['*'] },
      title: pick.id === 'mbox' ? 'Select the mailbox' : 'Select the patch files',
    });
    if (!uris?.length) return null;
    const read = async (u: vscode.Uri) => ({ name: path.basename(u.fsPath), text: Buffer.from(await vscode.workspace.fs.readFile(u)).toString('utf8') });
    if (pick.id === 'mbox') return { kind: 'mbox', ...(await read(uris[0])) };
    return { kind: 'patches', files: await Promise.all(uris.map(read)) };
  }
  if (!trusted) {
    void vscode.window.showWarningMessage('LockLens: git ranges need a trusted workspace; use a mailbox or patch files instead.');
    return null;
  }
  const commits = await s.session.request<'recentCommits'>('git log', { kind: 'recentCommits', root, count: settings.recentCommitCount(), allowProcesses: true });
  const qp = await vscode.window.showQuickPick(
    [
      { label: '$(edit) Enter a range…', description: 'e.g. origin/main..HEAD', hash: '' },
      ...commits.map((c) => ({ label: c.subject, description: `${c.hash.slice(0, 12)} · ${c.author} · ${c.date}`, hash: c.hash })),
    ],
    { title: 'LockLens: first commit of the series (the series runs from it to HEAD)', matchOnDescription: true },
  );
  if (!qp) return null;
  if (qp.hash) return { kind: 'git', range: `${qp.hash}~1..HEAD` };
  const range = await vscode.window.showInputBox({ title: 'LockLens: git range', placeHolder: 'origin/main..HEAD', validateInput: (v) => (/^[\w./~^@{}-]+\.\.[\w./~^@{}-]*$/.test(v.trim()) ? null : 'a range like base..tip') });
  return range ? { kind: 'git', range: range.trim() } : null;
}

export function registerSeries(s: Services, host: PanelHost, state: PanelState): ViewRegistration {
  const provider = new SeriesProvider();
  const docs = new SeriesDocuments();
  const view = vscode.window.createTreeView(VIEWS.series, { treeDataProvider: provider, showCollapseAll: true });

  const showAfter = async (index: number) => {
    const report = provider.report;
    if (!report) return;
    if (index <= 0) {
      s.store.setOverlay(null);
      docs.files.clear();
      return;
    }
    const patch = report.perPatch.find((p) => p.index === index);
    try {
      const st = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `LockLens: after patch ${index}` }, () =>
        s.session.request<'seriesState'>('series state', { kind: 'seriesState', patch: index }),
      );
      docs.files = new Map(Object.entries(st.files));
      s.store.setOverlay({ patch: index, label: `${index}/${patch?.total ?? report.perPatch.length}`, index: new ResultIndex(st.result, settings.ruleSettings()), files: docs.files });
      // Open the first changed file of that patch as a virtual document, so the state is visible.
      const first = patch?.files.find((f) => docs.files.has(f));
      if (first) {
        const uri = vscode.Uri.from({ scheme: SERIES_SCHEME, path: `/${first}`, query: `patch=${index}` });
        const doc = await vscode.workspace.openTextDocument(uri);
        if (doc.languageId !== 'c') await vscode.languages.setTextDocumentLanguage(doc, 'c');
        await vscode.window.showTextDocument(doc, { preview: true, preserveFocus: true });
      }
      LockLensPanel.active?.post({ type: 'selectPatch', index });
    } catch (e) {
      s.log.error(`after patch ${index} failed`, e);
      void s.log.showError(e instanceof Error ? e.message : String(e));
    }
  };
  state.onPatchSelected = (i) => void showAfter(i);

  const disposable = vscode.Disposable.from(
    view,
    vscode.workspace.registerTextDocumentContentProvider(SERIES_SCHEME, docs),
    vscode.commands.registerCommand(COMMANDS.analyzeSeries, async (given?: SeriesSource) => {
      const root = s.session.workspaceRoot();
      if (!root) {
        void s.log.showError('open a folder first: the series is applied onto it');
        return null;
      }
      try {
        const source = given ?? (await pickSource(s, root));
        if (!source) return null;
        if (source.kind === 'git' && !vscode.workspace.isTrusted) return null;
        const report = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'LockLens: analysing patch series', cancellable: true },
          (progress, token) => {
            const ac = new AbortController();
            token.onCancellationRequested(() => ac.abort());
            return s.session.request<'series'>(
              'series',
              { kind: 'series', root, source, allowProcesses: vscode.workspace.isTrusted, config: settings.engineConfig(vscode.Uri.file(root)) },
              { signal: ac.signal, onProgress: (p) => progress.report({ message: p.message }) },
            );
          },
        );
        provider.report = report;
        provider.refresh();
        state.series = report;
        s.store.setOverlay(null);
        view.description = `${report.perPatch.length} patches`;
        view.message = seriesSummary(report);
        void vscode.commands.executeCommand('setContext', CONTEXT.hasSeries, true);
        s.log.info(`series: ${seriesSummary(report)}`);
        for (const p of report.perPatch) s.log.info(`  ${p.index}/${p.total}: ${patchVerdict(p)}`);
        await vscode.commands.executeCommand(`${VIEWS.series}.focus`);
        LockLensPanel.createOrShow(host, 'series', panelData(s, state));
        return { patches: report.perPatch.length, introduced: report.findings.introduced.length, resolved: report.findings.resolved.length };
      } catch (e) {
        if (isCancelled(e)) return null;
        s.log.error('series analysis failed', e);
        void s.log.showError(e instanceof Error ? e.message : String(e));
        return null;
      }
    }),
    vscode.commands.registerCommand(COMMANDS.showAfterPatch, async (arg?: Node | number) => {
      const index = typeof arg === 'number' ? arg : arg?.kind === 'patch' ? arg.patch.index : undefined;
      if (index === undefined) return;
      await showAfter(index);
    }),
    vscode.commands.registerCommand(COMMANDS.showBaseTree, () => showAfter(0)),
  );
  return {
    dispose: () => disposable.dispose(),
    labels: () => provider.getChildren().map((n) => labelOf(provider.getTreeItem(n))),
  };
}
