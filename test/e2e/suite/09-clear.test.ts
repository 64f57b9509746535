import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, lockLensDiagnostics, wsUri } from './util';

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
});
