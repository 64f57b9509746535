/**
 * The one place engine positions become VS Code positions: engine lines are 1-based, columns
 * 0-based UTF-16 (the same unit as VS Code), so only the line shifts.
 */
import * as vscode from 'vscode';

/** Whole-line range for a 1-based line; clamped to the document when one is given. */
export function lineRange(line: number, doc?: vscode.TextDocument): vscode.Range {
  const l = Math.max(0, line - 1);
  if (doc) {
    if (l >= doc.lineCount) return new vscode.Range(doc.lineCount - 1, 0, doc.lineCount - 1, 0);
    const tl = doc.lineAt(l);
    return new vscode.Range(l, tl.firstNonWhitespaceCharacterIndex, l, tl.range.end.character);
  }
  return new vscode.Range(l, 0, l, Number.MAX_SAFE_INTEGER);
}

export function position(line: number, col: number): vscode.Position {
  return new vscode.Position(Math.max(0, line - 1), Math.max(0, col));
}

/** `command:` URI for markdown links (args JSON-encoded as VS Code expects). */
export function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}
