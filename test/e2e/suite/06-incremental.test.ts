import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { unlinkSync, writeFileSync } from 'node:fs';
import { api, codeOf, lineOf, lockLensDiagnostics, waitFor, wsUri } from './util';

const imbalanced = () => lockLensDiagnostics('demo_order.c').some((d) => codeOf(d) === 'lock-imbalance');

suite('incremental re-analysis', () => {
  test('an unsaved edit updates findings; reverting brings them back; nothing is written', async () => {
    const uri = wsUri('demo_order.c');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    assert.ok(imbalanced(), 'precondition: lock-imbalance reported');
    const ret = lineOf(doc, 'return -1;');
    try {
      // Release before the early return: the imbalance is gone.
      const ok = await editor.edit((e) => e.replace(doc.lineAt(ret).range, '\t\t{ spin_unlock(&table_lock); return -1; }'));
      assert.ok(ok);
      assert.ok(doc.isDirty);
      await waitFor('lock-imbalance to disappear after the edit', () => !imbalanced(), 10_000);
      // Diagnostics of other files are unchanged.
      assert.ok(lockLensDiagnostics('demo_core.c').some((d) => codeOf(d) === 'contention-transfer'));
    } finally {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    assert.equal(doc.isDirty, false);
    await waitFor('lock-imbalance to come back after revert', () => imbalanced(), 10_000);
    assert.equal((await api()).summary()?.findings, 3);
  });

  test('rapid edits are debounced and the result matches the final text', async () => {
    const doc = await vscode.workspace.openTextDocument(wsUri('demo_order.c'));
    const editor = await vscode.window.showTextDocument(doc);
    const flush = lineOf(doc, 'void demo_flush');
    // Five keystroke-sized edits that end with the cycle removed (both spin_locks in one order).
    const first = lineOf(doc, 'spin_lock(&queue_lock);', flush);
    const second = lineOf(doc, 'spin_lock(&table_lock);', flush);
    try {
      await editor.edit((e) => e.replace(doc.lineAt(first).range, '\tspin_lock(&table_lock);'));
      await editor.edit((e) => e.replace(doc.lineAt(second).range, '\tspin_lock(&queue_lock);'));
      for (let i = 0; i < 3; i++) {
        await editor.edit((e) => e.insert(new vscode.Position(0, 0), ' '));
        await editor.edit((e) => e.delete(new vscode.Range(0, 0, 0, 1)));
      }
      await waitFor('the cycle to disappear', () => !lockLensDiagnostics('demo_order.c').some((d) => codeOf(d) === 'lock-order-cycle'), 10_000);
    } finally {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await waitFor('the cycle to come back', () => lockLensDiagnostics('demo_order.c').some((d) => codeOf(d) === 'lock-order-cycle'), 10_000);
  });

  test('visible editors keep their syntax trees in the engine; closing them drops the trees', async () => {
    const kept = async () => (await api()).engineState().keptTrees;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('no kept tree once every editor is closed', async () => (await kept()).length === 0, 10_000);
    const doc = await vscode.workspace.openTextDocument(wsUri('demo_core.c'));
    await vscode.window.showTextDocument(doc);
    await waitFor('the visible file to get a kept tree', async () => (await kept()).includes('demo_core.c'), 10_000);
    assert.deepEqual(await kept(), ['demo_core.c'], 'only the visible document');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('the tree to be dropped with its editor', async () => !(await kept()).includes('demo_core.c'), 10_000);
  });

  test('files created and deleted on disk are picked up by the watcher', async () => {
    const file = wsUri('extra_abba.c');
    const text = [
      'static DEFINE_MUTEX(a_lock);',
      'static DEFINE_MUTEX(b_lock);',
      'void ab(void) { mutex_lock(&a_lock); mutex_lock(&b_lock); mutex_unlock(&b_lock); mutex_unlock(&a_lock); }',
      'void ba(void) { mutex_lock(&b_lock); mutex_lock(&a_lock); mutex_unlock(&a_lock); mutex_unlock(&b_lock); }',
      '',
    ].join('\n');
    writeFileSync(file.fsPath, text);
    try {
      await waitFor('the new file to be analysed', () => lockLensDiagnostics('extra_abba.c').some((d) => codeOf(d) === 'lock-order-cycle'), 15_000);
    } finally {
      unlinkSync(file.fsPath);
    }
    await waitFor('the deleted file to drop out', async () => lockLensDiagnostics('extra_abba.c').length === 0 && (await api()).summary()?.files === 3, 15_000);
  });
});
