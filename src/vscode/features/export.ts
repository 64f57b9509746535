/**
 * Export Report (SARIF / Markdown / HTML): rendered in the worker from the open project, saved
 * where the user says (a save dialog; LockLens never writes into the tree on its own).
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Services } from '../services';
import type { ExportFormat } from '../../protocol/worker-messages';
import { COMMANDS } from '../ids';
import { renderMarkdownReport } from '../markdown-report';
import { renderSarif } from '../../engine/report/sarif';

async function render(s: Services, format: ExportFormat): Promise<{ text: string; extension: string }> {
  const result = s.store.result;
  const findings = s.store.index?.findings ?? [];
  if (!result) throw new Error('nothing to export');
  const version = (s.context.extension.packageJSON as { version?: string }).version ?? '0.0.0';
  const name = path.basename(s.store.root ?? 'workspace');
  if (format === 'markdown') return { text: renderMarkdownReport(result, findings, `LockLens report — ${name}`), extension: 'md' };
  if (format === 'sarif') return { text: JSON.stringify(renderSarif([...findings], version), null, 2), extension: 'sarif' };
  return s.session.request<'export'>('export html', { kind: 'export', format: 'html' });
}

const FORMATS: { label: string; format: ExportFormat; description: string; filter: Record<string, string[]> }[] = [
  { label: 'Markdown', format: 'markdown', description: 'reply-ready summary with file:line references', filter: { Markdown: ['md'] } },
  { label: 'SARIF', format: 'sarif', description: 'for code-scanning tools (SARIF 2.1.0)', filter: { SARIF: ['sarif', 'json'] } },
  { label: 'HTML', format: 'html', description: 'self-contained report with the lock graph', filter: { HTML: ['html'] } },
];

export function registerExport(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.exportReport, async (format?: ExportFormat, target?: vscode.Uri) => {
    if (!s.store.result) {
      void s.log.showError('nothing to export: run "LockLens: Analyze Workspace" first');
      return null;
    }
    const chosen = format ? FORMATS.find((f) => f.format === format) : await vscode.window.showQuickPick(FORMATS, { title: 'LockLens: export report as' });
    if (!chosen) return null;
    try {
      const out = await render(s, chosen.format);
      const root = s.store.root ?? '';
      const uri =
        target ??
        (await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.file(path.join(root, `locklens-report.${out.extension}`)),
          filters: chosen.filter,
          title: `Save LockLens ${chosen.label} report`,
        }));
      if (!uri) return null;
      await vscode.workspace.fs.writeFile(uri, Buffer.from(out.text, 'utf8'));
      s.log.info(`report written to ${uri.fsPath}`);
      if (!target) {
        const open = await vscode.window.showInformationMessage(`LockLens: report saved to ${path.basename(uri.fsPath)}`, 'Open');
        if (open) await vscode.commands.executeCommand('vscode.open', uri);
      }
      return uri.toString();
    } catch (e) {
      s.log.error('export failed', e);
      void s.log.showError(e instanceof Error ? e.message : String(e));
      return null;
    }
  });
}
