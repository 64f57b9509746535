/**
 * Findings in the Problems panel: one Diagnostic per finding, code = rule id, source
 * "LockLens", relatedInformation = the witness chain (one entry per step).
 */
import * as vscode from 'vscode';
import type { Finding, Severity } from '../../engine/model';
import type { ResultsStore } from '../store';
import { lineRange } from '../convert';

export const DIAGNOSTIC_SOURCE = 'LockLens';

export function toSeverity(s: Severity): vscode.DiagnosticSeverity {
  return s === 'error' ? vscode.DiagnosticSeverity.Error : s === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

export function registerDiagnostics(store: ResultsStore): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('locklens');
  const refresh = () => {
    collection.clear();
    const index = store.index;
    if (!index) return;
    const byFile = new Map<string, Finding[]>();
    for (const f of index.findings) {
      const a = byFile.get(f.file);
      if (a) a.push(f);
      else byFile.set(f.file, [f]);
    }
    const entries: [vscode.Uri, vscode.Diagnostic[]][] = [];
    for (const [file, findings] of byFile) {
      const uri = store.root ? vscode.Uri.joinPath(vscode.Uri.file(store.root), file) : null;
      if (!uri) continue;
      entries.push([uri, findings.map((f) => toDiagnostic(f, store))]);
    }
    collection.set(entries);
  };
  const sub = store.onDidChange(refresh);
  refresh();
  return vscode.Disposable.from(collection, sub);
}

function toDiagnostic(f: Finding, store: ResultsStore): vscode.Diagnostic {
  const d = new vscode.Diagnostic(lineRange(f.line), f.message, toSeverity(f.severity));
  d.source = DIAGNOSTIC_SOURCE;
  d.code = f.rule;
  d.relatedInformation = f.witness.map((s) => {
    const uri = vscode.Uri.joinPath(vscode.Uri.file(store.root!), s.file);
    return new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, lineRange(s.line)), `${s.function}: ${s.note}`);
  });
  return d;
}
