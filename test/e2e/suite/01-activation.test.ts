import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './util';

suite('activation', () => {
  test('activates and registers every contributed command', async () => {
    const a = await api();
    // Activation only registers things (the worker starts on the first request); the bound is
    // loose because CI machines are shared.
    assert.ok(a.activationMs < 2000, `activation took ${a.activationMs} ms`);
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const { command } of pkg.contributes.commands) assert.ok(registered.has(command), `${command} is not registered`);
  });

  test('starts quiet: no results, no diagnostics before Analyze Workspace', async () => {
    const a = await api();
    assert.equal(a.summary(), null);
    assert.equal(vscode.languages.getDiagnostics().flatMap(([, d]) => d.filter((x) => x.source === 'LockLens')).length, 0);
    assert.deepEqual(a.viewLabels('locks'), []);
  });
});
