/**
 * Simulate Contention: pick a scenario JSON (workspace `*.scenario.json`, or browse), run its
 * before/after sweep in the worker, and show the timing charts in the panel.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Services } from '../services';
import { isCancelled } from '../../host/worker/engine-client';
import { LockLensPanel, type PanelHost } from '../webview/panel';
import { panelData, type PanelState } from './graph';
import { COMMANDS } from '../ids';

async function pickScenario(root: string | null): Promise<vscode.Uri | null> {
  const found = await vscode.workspace.findFiles('**/*.scenario.json', '**/node_modules/**', 50);
  const items: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = found.map((uri) => ({
    label: path.basename(uri.fsPath),
    description: root ? path.relative(root, path.dirname(uri.fsPath)) : undefined,
    uri,
  }));
  items.push({ label: '$(folder-opened) Browse…', detail: 'a scenario JSON (see docs/simulator.md)' });
  const pick = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'LockLens: contention scenario' });
  if (!pick) return null;
  if (pick.uri) return pick.uri;
  const uris = await vscode.window.showOpenDialog({ filters: { Scenario: ['json'] }, defaultUri: root ? vscode.Uri.file(root) : undefined });
  return uris?.[0] ?? null;
}

export function registerSimulate(s: Services, host: PanelHost, state: PanelState): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.simulate, async (scenarioUri?: vscode.Uri) => {
    const uri = scenarioUri ?? (await pickScenario(s.session.workspaceRoot()));
    if (!uri) return null;
    let scenario: unknown;
    try {
      scenario = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
    } catch (e) {
      void s.log.showError(`cannot read ${path.basename(uri.fsPath)}: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
    try {
      const sweep = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `LockLens: simulating ${path.basename(uri.fsPath)}`, cancellable: true },
        (_p, token) => {
          const ac = new AbortController();
          token.onCancellationRequested(() => ac.abort());
          return s.session.request<'simulate'>('simulate', { kind: 'simulate', scenario }, { signal: ac.signal });
        },
      );
      for (const p of sweep.problems) s.log.warn(`simulation ${p.code}: ${p.message}`);
      state.simulation = sweep;
      LockLensPanel.createOrShow(host, 'charts', panelData(s, state));
      return { cells: sweep.cells.length };
    } catch (e) {
      if (isCancelled(e)) return null;
      s.log.error('simulation failed', e);
      void s.log.showError(e instanceof Error ? e.message : String(e));
      return null;
    }
  });
}
