import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api } from './util';

suite('tree views', () => {
  test('the LockLens container opens with Locks and Findings filled', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.locklens');
    const a = await api();
    const locks = a.viewLabels('locks');
    // Contended first, then by the engine's site count, then by name.
    assert.deepEqual(locks.map((l) => l.split(' — ')[0]), ['rtnl_mutex', 'table_lock', 'demo_mutex', 'queue_lock']);
    assert.match(locks[0], /^rtnl_mutex — mutex · \d+ sites · contended$/);
    assert.equal(locks[3], 'queue_lock — spinlock · 2 sites');
    assert.deepEqual(a.viewLabels('findings'), ['lock-order-cycle — 1', 'contention-transfer — 1', 'lock-imbalance — 1']);
    assert.deepEqual(a.viewLabels('series'), []);
  });
});
