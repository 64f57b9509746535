import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import * as path from 'node:path';
import { writeFileSync } from 'node:fs';
import { sandbox, waitFor } from './util';

/** A two-role scenario: a hot path contends on a mutex that "after" holds for less time. */
const scenario = {
  version: 1,
  name: 'e2e-tiny',
  params: { hold_us: 50, n: 20 },
  variants: { after: { params: { hold_us: 10 } } },
  locks: { m: { type: 'mutex' } },
  roles: [
    { name: 'hot', iterations: 'n', ops: [{ lock: 'm', hold: 5 }, { think: 20 }] },
    { name: 'background', iterations: 'forever', ops: [{ lock: 'm', hold: 'hold_us' }, { think: 30 }] },
  ],
  sweep: { hold_us: [10, 50] },
  reps: 3,
};

suite('Simulate Contention', () => {
  test('runs a scenario sweep in the worker and opens the charts', async () => {
    const file = path.join(sandbox(), 'tiny.scenario.json');
    writeFileSync(file, JSON.stringify(scenario));
    const r = (await vscode.commands.executeCommand('locklens.simulate', vscode.Uri.file(file))) as { cells: number } | null;
    assert.deepEqual(r, { cells: 2 });
    await waitFor('the LockLens panel', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith('LockLens')),
    );
  });
});
