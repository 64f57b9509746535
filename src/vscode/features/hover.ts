/**
 * Hover on a lock call or a lock name: the class, where else it is taken, nesting edges in and
 * out, with `command:` links to the witness steps. Answers from the store; silent when the
 * document changed since the result it would describe.
 */
import * as vscode from 'vscode';
import type { ResultsStore } from '../store';
import { lockHoverMarkdown, siteHoverMarkdown } from '../labels';
import { commandUri } from '../convert';
import { COMMANDS } from '../ids';

const WORD = /[A-Za-z_][A-Za-z0-9_]*/;

export function registerHover(store: ResultsStore): vscode.Disposable {
  const provider: vscode.HoverProvider = {
    provideHover(doc, pos) {
      const found = store.lookup(doc);
      if (!found || !store.isCurrent(doc)) return null;
      const { index, rel } = found;
      const wordRange = doc.getWordRangeAtPosition(pos, WORD);
      const word = wordRange ? doc.getText(wordRange) : '';
      const sites = index.sitesAt(rel, pos.line + 1, pos.character);
      const lockIds = new Set<string>();
      for (const s of sites) s.locks.forEach((l) => lockIds.add(l));
      if (!sites.length && word) index.locksNamed(word).forEach((l) => lockIds.add(l.id));
      if (!lockIds.size && !sites.length) return null;
      const link = (title: string, command: string, args: unknown[]) => `[${title}](${commandUri(command, args)})`;
      const parts: string[] = [];
      for (const s of sites) parts.push(siteHoverMarkdown(s));
      for (const id of lockIds) {
        const md = lockHoverMarkdown(index, id, link, { reveal: COMMANDS.revealStep, witness: COMMANDS.showWitnesses });
        if (md) parts.push(md);
      }
      const md = new vscode.MarkdownString(parts.join('\n\n---\n\n'));
      md.isTrusted = { enabledCommands: [COMMANDS.revealStep, COMMANDS.showWitnesses] };
      return new vscode.Hover(md, wordRange);
    },
  };
  return vscode.languages.registerHoverProvider([{ language: 'c' }, { scheme: 'locklens-series' }], provider);
}
