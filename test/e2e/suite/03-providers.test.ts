import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { lineOf, waitFor, wsUri } from './util';

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

suite('editor providers', () => {
  test('CodeLens: entry context with caller count, acquisitions, clickable to the witnesses', async () => {
    const uri = wsUri('demo_core.c');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
    const mine = lenses.filter((l) => l.command?.command === 'locklens.showWitnesses');
    const titles = mine.map((l) => l.command!.title);
    const mtu = mine.find((l) => l.range.start.line === lineOf(doc, 'static void demo_update_mtu'));
    assert.equal(mtu?.command?.title, 'entered with rtnl_mutex held on 2/2 call paths', titles.join(' | '));
    const link = mine.find((l) => l.range.start.line === lineOf(doc, 'static int demo_link_add'));
    assert.equal(link?.command?.title, 'entered with demo_mutex held on 1/1 call paths · acquires rtnl_mutex');
    const hot = mine.find((l) => l.range.start.line === lineOf(doc, 'int demo_flow_install'));
    assert.equal(hot?.command?.title, 'acquires demo_mutex · 1 finding');
    assert.deepEqual(hot?.command?.arguments, [{ file: 'demo_core.c', function: 'demo_flow_install' }]);
  });

  test('hover on a lock call: class, acquisition sites, nesting edges with witness links', async () => {
    const uri = wsUri('demo_core.c');
    const doc = await vscode.workspace.openTextDocument(uri);
    const line = lineOf(doc, 'rtnl_lock();');
    const col = doc.lineAt(line).text.indexOf('rtnl_lock') + 2;
    const text = hoverText((await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, col))) ?? []);
    assert.match(text, /`rtnl_lock\(\)` — acquire; held after: `demo_mutex → rtnl_mutex`/);
    assert.match(text, /\*\*LockLens\*\* `rtnl_mutex` — mutex · global · contended/);
    assert.match(text, /Taken at 3 sites/);
    assert.match(text, /Nests under \(1\)/);
    assert.match(text, /`demo_mutex → rtnl_mutex`/);
    assert.match(text, /command:locklens\.showWitnesses/);
  });

  test('hover on a lock name elsewhere, and nothing on unrelated code', async () => {
    const uri = wsUri('demo_order.c');
    const doc = await vscode.workspace.openTextDocument(uri);
    const line = lineOf(doc, 'static DEFINE_SPINLOCK(queue_lock)');
    const at = new vscode.Position(line, doc.lineAt(line).text.indexOf('queue_lock') + 1);
    const text = hoverText((await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at)) ?? []);
    assert.match(text, /`queue_lock` — spinlock/);
    assert.match(text, /Nests under \(1\)[\s\S]*Taken inside it \(1\)/);
    const plain = lineOf(doc, 'dev->queued++');
    const none = hoverText((await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(plain, 3))) ?? []);
    assert.doesNotMatch(none, /LockLens/);
  });

  test('code action adds ASSERT_RTNL() where RTNL is held on entry on all paths, and only there', async () => {
    const uri = wsUri('demo_core.c');
    const doc = await vscode.workspace.openTextDocument(uri);
    const inMtu = new vscode.Range(lineOf(doc, 'dev->mtu = mtu'), 1, lineOf(doc, 'dev->mtu = mtu'), 1);
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, inMtu)) ?? [];
    const fix = actions.find((a) => a.title.startsWith('LockLens: Add ASSERT_RTNL()'));
    assert.ok(fix, actions.map((a) => a.title).join(' | '));
    const edits = fix.edit!.get(uri);
    assert.equal(edits.length, 1);
    assert.equal(edits[0].newText, '\n\tASSERT_RTNL();');
    assert.equal(edits[0].range.start.line, lineOf(doc, 'static void demo_update_mtu') + 1);
    const inSet = new vscode.Range(lineOf(doc, 'demo_update_mtu(dev, mtu);'), 1, lineOf(doc, 'demo_update_mtu(dev, mtu);'), 1);
    const none = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, inSet)) ?? [];
    assert.equal(none.filter((a) => a.title.startsWith('LockLens')).length, 0);
  });

  test('witness steps open where they point; a chain opens as a peek list', async () => {
    await vscode.commands.executeCommand('locklens.revealStep', { file: 'demo_order.c', line: 21 });
    const editor = await waitFor('the step to open', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.uri.fsPath.endsWith('demo_order.c') && e.selection.active.line === 20 ? e : null;
    });
    assert.match(editor.document.lineAt(20).text, /spin_lock\(&table_lock\)/);
    const steps = [
      { file: 'demo_order.c', line: 20, function: 'demo_flush', note: 'spin_lock(queue_lock)' },
      { file: 'demo_order.c', line: 11, function: 'demo_enqueue', note: 'spin_lock(table_lock)' },
    ];
    await vscode.commands.executeCommand('locklens.showWitnesses', { title: 'queue_lock → table_lock', steps });
    await vscode.commands.executeCommand('closeReferenceSearch');
  });
});
