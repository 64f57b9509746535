import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { RULE_IDS } from '../../../src/engine/model';
import { api, codeOf, lockLensDiagnostics, waitFor, wsRoot } from './util';

suite('Analyze Workspace', () => {
  test('analyses the fixture workspace and reports a summary', async () => {
    const summary = (await vscode.commands.executeCommand('locklens.analyzeWorkspace')) as { files: number; locks: number; findings: number };
    assert.ok(summary, 'the command returned no summary');
    assert.equal(summary.files, 3);
    assert.equal(summary.locks, 4);
    assert.equal(summary.findings, 3);
    assert.deepEqual((await api()).summary(), summary);
  });

  test('findings are diagnostics: rule id as code, source LockLens, one related location per witness step', async () => {
    const all = await waitFor('diagnostics', () => (lockLensDiagnostics().length === 3 ? lockLensDiagnostics() : null));
    for (const d of all) assert.ok((RULE_IDS as readonly string[]).includes(codeOf(d)), `unknown code ${codeOf(d)}`);
    const order = lockLensDiagnostics('demo_order.c');
    const cycle = order.find((d) => codeOf(d) === 'lock-order-cycle');
    assert.ok(cycle, 'no lock-order-cycle diagnostic in demo_order.c');
    assert.equal(cycle.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(cycle.range.start.line, 20, 'reported at the inner spin_lock in demo_flush (line 21)');
    const related = cycle.relatedInformation ?? [];
    assert.equal(related.length, 4);
    assert.deepEqual(related.map((r) => r.location.range.start.line + 1), [20, 21, 11, 12]);
    for (const r of related) assert.ok(r.location.uri.fsPath.startsWith(wsRoot()));
    assert.match(related[0].message, /^demo_flush: /);
    const imbalance = order.find((d) => codeOf(d) === 'lock-imbalance');
    assert.equal(imbalance?.severity, vscode.DiagnosticSeverity.Warning);
    // .locklens.json in the workspace root names the hot path that makes this finding.
    const transfer = lockLensDiagnostics('demo_core.c').find((d) => codeOf(d) === 'contention-transfer');
    assert.ok(transfer, '.locklens.json hotPaths were not honoured');
  });
});
