/**
 * Show Lock Graph: the webview panel's graph view over the current result, and the panel host
 * that answers its messages (open a witness step, "after patch k").
 */
import * as vscode from 'vscode';
import type { Services } from '../services';
import { LockLensPanel, type PanelHost } from '../webview/panel';
import type { FromWebview, SeriesJson, SweepJson, WebviewData } from '../../protocol/webview-messages';
import { COMMANDS } from '../ids';

/** What the panel shows besides the analysis; set by the series and simulation features. */
export interface PanelState {
  series?: SeriesJson;
  simulation?: SweepJson;
  onPatchSelected?: (index: number) => void;
}

export function panelData(s: Services, state: PanelState): WebviewData {
  const analysis = s.store.result ?? undefined;
  return { title: 'LockLens', analysis, series: state.series, simulation: state.simulation };
}

export function createPanelHost(s: Services, state: PanelState): PanelHost {
  return {
    extensionUri: s.context.extensionUri,
    log: s.log,
    currentData: () => panelData(s, state),
    onMessage: (msg: FromWebview) => {
      switch (msg.type) {
        case 'reveal':
          void vscode.commands.executeCommand(COMMANDS.revealStep, { file: msg.file, line: msg.line });
          break;
        case 'patchSelected':
          state.onPatchSelected?.(msg.index);
          break;
        case 'error':
          s.log.error(`webview: ${msg.message}`);
          break;
        default:
          break;
      }
    },
  };
}

export function registerGraph(s: Services, host: PanelHost, state: PanelState): vscode.Disposable {
  // Keep an open panel current as results change (edits, re-analysis, clear).
  const sync = s.store.onDidChange(() => LockLensPanel.active?.post({ type: 'setData', data: panelData(s, state) }));
  return vscode.Disposable.from(
    sync,
    LockLensPanel.registerSerializer(host),
    vscode.commands.registerCommand(COMMANDS.showGraph, async (lockId?: string) => {
      if (!s.store.result) {
        const pick = await vscode.window.showInformationMessage('LockLens: no results yet.', 'Analyze Workspace');
        if (pick) await vscode.commands.executeCommand(COMMANDS.analyzeWorkspace);
        if (!s.store.result) return false;
      }
      const panel = LockLensPanel.createOrShow(host, 'graph', panelData(s, state));
      if (typeof lockId === 'string') panel.post({ type: 'focusLock', id: lockId });
      return true;
    }),
  );
}
