/**
 * After-line held-set annotations at acquisition sites (`held: ovs_mutex → rtnl_mutex`).
 * Decoration types are created once; colours come from `contributes.colors` so themes can
 * restyle them. Command: locklens.toggleDecorations. Context key: locklens.decorationsVisible.
 * Settings: locklens.decorations.enabled, locklens.decorations.style.
 */
import * as vscode from 'vscode';
import type { LockSite } from '../../engine/model';
import type { ResultsStore } from '../store';
import { ACQUIRE_OPS } from '../result-index';
import { lineDecorationText } from '../labels';
import { COLORS, COMMANDS, CONTEXT, SETTINGS } from '../ids';
import * as settings from '../settings';

export function registerDecorations(store: ResultsStore): vscode.Disposable {
  const held = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor(COLORS.heldForeground), fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  const contended = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor(COLORS.contendedForeground), fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  let visible = settings.decorationsEnabled();
  void vscode.commands.executeCommand('setContext', CONTEXT.decorationsVisible, visible);

  const paint = (editor: vscode.TextEditor) => {
    const found = visible ? store.lookup(editor.document) : null;
    if (!found) {
      editor.setDecorations(held, []);
      editor.setDecorations(contended, []);
      return;
    }
    const style = settings.decorationStyle();
    const byLine = new Map<number, LockSite[]>();
    for (const s of found.index.forFile(found.rel).sites) {
      if (!ACQUIRE_OPS.has(s.op)) continue;
      const a = byLine.get(s.line);
      if (a) a.push(s);
      else byLine.set(s.line, [s]);
    }
    const plain: vscode.DecorationOptions[] = [];
    const hot: vscode.DecorationOptions[] = [];
    const doc = editor.document;
    for (const [line, sites] of byLine) {
      if (line < 1 || line > doc.lineCount) continue;
      const text = lineDecorationText(sites, style);
      if (!text) continue;
      const end = doc.lineAt(line - 1).range.end;
      const opt: vscode.DecorationOptions = { range: new vscode.Range(end, end), renderOptions: { after: { contentText: text } } };
      const isHot = sites.some((s) => s.locks.some((l) => found.index.locks.get(l)?.contended));
      (isHot ? hot : plain).push(opt);
    }
    editor.setDecorations(held, plain);
    editor.setDecorations(contended, hot);
  };
  const paintAll = () => vscode.window.visibleTextEditors.forEach(paint);

  const toggle = vscode.commands.registerCommand(COMMANDS.toggleDecorations, () => {
    visible = !visible;
    void vscode.commands.executeCommand('setContext', CONTEXT.decorationsVisible, visible);
    paintAll();
    return visible;
  });
  paintAll();
  return vscode.Disposable.from(
    held,
    contended,
    toggle,
    store.onDidChange(paintAll),
    vscode.window.onDidChangeVisibleTextEditors(paintAll),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settings.affects(e, [SETTINGS.decorationsEnabled])) {
        visible = settings.decorationsEnabled();
        void vscode.commands.executeCommand('setContext', CONTEXT.decorationsVisible, visible);
      }
      if (settings.affects(e, [SETTINGS.decorationsEnabled, SETTINGS.decorationStyle])) paintAll();
    }),
  );
}
