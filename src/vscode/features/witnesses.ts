/**
 * Showing evidence: `locklens.showWitnesses` (a function's findings and lock-order chains, or
 * one given chain, as a peek list of file:line steps) and `locklens.revealStep` (open a step).
 */
import * as vscode from 'vscode';
import type { WitnessStep } from '../../engine/model';
import type { ResultsStore } from '../store';
import { lineRange } from '../convert';
import { stepLabel } from '../labels';
import { COMMANDS } from '../ids';

interface Chain {
  title: string;
  steps: WitnessStep[];
}

type WitnessArgs = { file: string; function: string } | { title: string; steps: WitnessStep[]; focus?: WitnessStep };

export function chainsForFunction(store: ResultsStore, file: string, fn: string): Chain[] {
  const index = store.shownIndex;
  if (!index) return [];
  const chains: Chain[] = index.findingsOf(file, fn).map((f) => ({ title: `${f.rule}: ${f.message}`, steps: f.witness }));
  for (const e of index.result.edges) {
    for (const w of e.witnesses) {
      if (w.some((s) => s.function === fn && s.file === file)) {
        chains.push({ title: `${e.from} → ${e.to}`, steps: w });
        break;
      }
    }
  }
  return chains.filter((c) => c.steps.length > 0);
}

async function revealStep(store: ResultsStore, step: { file: string; line: number }): Promise<void> {
  const uri = store.uriOf(step.file);
  if (!uri) return;
  const doc = await vscode.workspace.openTextDocument(uri);
  const range = lineRange(step.line, doc);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(range.start, range.start), preserveFocus: false });
}

async function peekChain(store: ResultsStore, chain: Chain): Promise<void> {
  const locations = chain.steps.flatMap((s) => {
    const uri = store.uriOf(s.file);
    return uri ? [new vscode.Location(uri, lineRange(s.line))] : [];
  });
  if (!locations.length) return;
  const editor = vscode.window.activeTextEditor;
  if (!editor) return revealStep(store, chain.steps[0]);
  await vscode.commands.executeCommand('editor.action.peekLocations', editor.document.uri, editor.selection.active, locations, 'peek');
}

export function registerWitnesses(store: ResultsStore): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMANDS.revealStep, (step: { file: string; line: number }) => revealStep(store, step)),
    vscode.commands.registerCommand(COMMANDS.showWitnesses, async (args: WitnessArgs) => {
      if (!args) return;
      if ('steps' in args) {
        if (args.focus) return revealStep(store, args.focus);
        return peekChain(store, { title: args.title, steps: args.steps });
      }
      const chains = chainsForFunction(store, args.file, args.function);
      if (!chains.length) {
        void vscode.window.showInformationMessage(
          `LockLens: no finding or lock-order chain passes through ${args.function}; its entry context comes from its callers (see the hover on its locks).`,
        );
        return;
      }
      if (chains.length === 1) return peekChain(store, chains[0]);
      const pick = await vscode.window.showQuickPick(
        chains.map((c) => ({ label: c.title, detail: c.steps.map(stepLabel).join('  ⟶  '), chain: c })),
        { title: `LockLens: witnesses in ${args.function}`, matchOnDetail: true },
      );
      if (pick) await peekChain(store, pick.chain);
    }),
  );
}
