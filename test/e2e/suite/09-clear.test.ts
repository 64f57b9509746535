import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, codeOf, lockLensDiagnostics, wsUri } from './util';

suite('Clear Results', () => {
  test('removes diagnostics, lenses, view items and the summary', async () => {
    assert.ok(lockLensDiagnostics().length > 0);
    await vscode.commands.executeCommand('locklens.clearResults');
    assert.equal(lockLensDiagnostics().length, 0);
    const a = await api();
    assert.equal(a.summary(), null);
    assert.deepEqual(a.viewLabels('locks'), []);
    assert.deepEqual(a.viewLabels('findings'), []);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', wsUri('demo_core.c'))) ?? [];
    assert.equal(lenses.filter((l) => l.command?.command === 'locklens.showWitnesses').length, 0);
    assert.equal(a.engineState().open, false);
  });

  test('Analyze Current File works without a workspace analysis, then clears again', async () => {
    const r = (await vscode.commands.executeCommand('locklens.analyzeFile', wsUri('demo_order.c'))) as { files: number; findings: number };
    assert.deepEqual({ files: r.files, findings: r.findings }, { files: 1, findings: 2 });
    assert.deepEqual(lockLensDiagnostics('demo_order.c').map(codeOf).sort(), ['lock-imbalance', 'lock-order-cycle']);
    assert.equal(lockLensDiagnostics('demo_core.c').length, 0);
    await vscode.commands.executeCommand('locklens.clearResults');
    assert.equal(lockLensDiagnostics().length, 0);
  });
});
