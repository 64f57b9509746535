/** Helpers shared by the extension-host suites. Waits poll a condition; they never sleep blindly. */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import type { LockLensApi } from '../../../src/extension';

export const EXTENSION_ID = 'locklens.locklens';

export async function api(): Promise<LockLensApi> {
  const ext = vscode.extensions.getExtension<LockLensApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed`);
  return ext.isActive ? ext.exports : ext.activate();
}

export function wsRoot(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('no workspace folder open');
  return f.uri.fsPath;
}

export function wsUri(rel: string): vscode.Uri {
  return vscode.Uri.file(path.join(wsRoot(), rel));
}

export async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function lockLensDiagnostics(rel?: string): vscode.Diagnostic[] {
  const all = rel ? [[wsUri(rel), vscode.languages.getDiagnostics(wsUri(rel))] as const] : vscode.languages.getDiagnostics();
  return all.flatMap(([, ds]) => ds.filter((d) => d.source === 'LockLens'));
}

export function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

export function sandbox(): string {
  const s = process.env.LOCKLENS_E2E_SANDBOX;
  if (!s) throw new Error('LOCKLENS_E2E_SANDBOX is not set');
  return s;
}

export function hashesBefore(): Record<string, string> {
  return JSON.parse(readFileSync(path.join(sandbox(), 'hashes-before.json'), 'utf8'));
}

export function lineOf(doc: vscode.TextDocument, needle: string, from = 0): number {
  for (let i = from; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(needle)) return i;
  throw new Error(`"${needle}" not found in ${doc.uri.fsPath}`);
}
