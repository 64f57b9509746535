import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, codeOf, lockLensDiagnostics, waitFor } from './util';

// User (global) settings: the sandbox's user-data dir, never the analysed workspace.
const cfg = () => vscode.workspace.getConfiguration('locklens');

suite('settings', () => {
  teardown(async () => {
    await cfg().update('rules', undefined, vscode.ConfigurationTarget.Global);
    await cfg().update('codeLens.enabled', undefined, vscode.ConfigurationTarget.Global);
  });

  test('a rule set to off disappears; a severity override applies; default restores', async () => {
    await cfg().update('rules', { 'lock-order-cycle': 'off', 'lock-imbalance': 'error' }, vscode.ConfigurationTarget.Global);
    await waitFor('lock-order-cycle hidden', () => !lockLensDiagnostics().some((d) => codeOf(d) === 'lock-order-cycle'));
    const imbalance = lockLensDiagnostics('demo_order.c').find((d) => codeOf(d) === 'lock-imbalance');
    assert.equal(imbalance?.severity, vscode.DiagnosticSeverity.Error);
    await cfg().update('rules', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('lock-order-cycle back', () => lockLensDiagnostics().some((d) => codeOf(d) === 'lock-order-cycle'));
    assert.equal(lockLensDiagnostics('demo_order.c').find((d) => codeOf(d) === 'lock-imbalance')?.severity, vscode.DiagnosticSeverity.Warning);
  });

  test('CodeLens can be switched off', async () => {
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'demo_core.c');
    const count = async () =>
      ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? []).filter((l) => l.command?.command === 'locklens.showWitnesses').length;
    assert.ok((await count()) > 0);
    await cfg().update('codeLens.enabled', false, vscode.ConfigurationTarget.Global);
    assert.equal(await count(), 0);
  });

  test('an engine setting re-runs the analysis with the new configuration', async () => {
    const a = await api();
    await cfg().update('exclude', ['**/demo_order.c'], vscode.ConfigurationTarget.Global);
    try {
      await waitFor('re-analysis without demo_order.c', () => a.summary()?.files === 2);
      assert.equal(lockLensDiagnostics('demo_order.c').length, 0);
      assert.ok(lockLensDiagnostics('demo_core.c').some((d) => codeOf(d) === 'contention-transfer'));
    } finally {
      await cfg().update('exclude', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor('re-analysis with demo_order.c again', () => a.summary()?.files === 3 && lockLensDiagnostics('demo_order.c').length === 2);
  });
});
