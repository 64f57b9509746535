import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, waitFor } from './util';

suite('engine worker crash', () => {
  test('a crashed worker is reported, restarted, and the analysis re-opened', async () => {
    const a = await api();
    const before = a.engineState().crashes;
    a.crashWorkerForTest();
    await waitFor('the crash to be noticed', () => a.engineState().crashes === before + 1);
    await waitFor('the quiet re-analysis', () => a.engineState().open && a.engineState().state === 'idle', 30_000);
    assert.equal(a.summary()?.findings, 3);
    const again = (await vscode.commands.executeCommand('locklens.analyzeWorkspace')) as { findings: number };
    assert.equal(again.findings, 3);
  });
});
