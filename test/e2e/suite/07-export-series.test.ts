import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { api, sandbox, waitFor, wsUri } from './util';

suite('export and patch series', () => {
  test('Export Report writes Markdown and SARIF where asked (outside the workspace)', async () => {
    const md = vscode.Uri.file(path.join(sandbox(), 'report.md'));
    assert.equal(await vscode.commands.executeCommand('locklens.exportReport', 'markdown', md), md.toString());
    const text = readFileSync(md.fsPath, 'utf8');
    assert.match(text, /^# LockLens report — ws/);
    assert.match(text, /\*\*3 findings\*\*/);
    assert.match(text, /`demo_order\.c:21` in `demo_flush`/);
    const sarif = vscode.Uri.file(path.join(sandbox(), 'report.sarif'));
    await vscode.commands.executeCommand('locklens.exportReport', 'sarif', sarif);
    const log = JSON.parse(readFileSync(sarif.fsPath, 'utf8')) as { version: string; runs: { results: { ruleId: string }[] }[] };
    assert.equal(log.version, '2.1.0');
    assert.deepEqual(log.runs[0].results.map((r) => r.ruleId).sort(), ['contention-transfer', 'lock-imbalance', 'lock-order-cycle']);
    const html = vscode.Uri.file(path.join(sandbox(), 'report.html'));
    await vscode.commands.executeCommand('locklens.exportReport', 'html', html);
    assert.match(readFileSync(html.fsPath, 'utf8'), /Content-Security-Policy/);
  });

  test('a series from an mbox: per-patch verdicts, resolved finding, "after patch 1" overlay', async () => {
    const text = Buffer.from(await vscode.workspace.fs.readFile(wsUri('demo-series.mbox'))).toString('utf8');
    const r = (await vscode.commands.executeCommand('locklens.analyzeSeries', { kind: 'mbox', name: 'demo-series.mbox', text })) as {
      patches: number;
      introduced: number;
      resolved: number;
    };
    assert.deepEqual(r, { patches: 1, introduced: 0, resolved: 1 });
    const labels = (await api()).viewLabels('series');
    assert.equal(labels.length, 1);
    assert.match(labels[0], /^1\/1 demo: take the locks in one order in demo_flush — /);
    assert.match(labels[0], /1 finding resolved/);
    await vscode.commands.executeCommand('locklens.showAfterPatch', 1);
    const virt = await waitFor('the virtual document after patch 1', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'locklens-series'));
    assert.equal(virt.uri.path, '/demo_order.c');
    assert.match(virt.getText(), /spin_lock\(&table_lock\);\n\tspin_lock\(&queue_lock\);\n\tdev->queued = 0;/);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', virt.uri)) ?? [];
    assert.ok(lenses.some((l) => l.command?.title.includes('acquires')), 'the virtual document is annotated with the after-state');
    // The Findings view shows the after-patch state (no cycle); the base state comes back after.
    assert.ok(!(await api()).viewLabels('findings').some((l) => l.startsWith('lock-order-cycle')));
    await vscode.commands.executeCommand('locklens.showBaseTree');
    assert.ok((await api()).viewLabels('findings').some((l) => l.startsWith('lock-order-cycle')));
  });
});
