/**
 * Composition root: the objects every feature shares, created once at activation and
 * disposed together.
 */
import * as vscode from 'vscode';
import { Log } from './log';
import { ResultsStore } from './store';
import { EngineSession } from './engine-session';

export interface Services {
  context: vscode.ExtensionContext;
  log: Log;
  store: ResultsStore;
  session: EngineSession;
}

export function createServices(context: vscode.ExtensionContext): Services {
  const log = new Log();
  const store = new ResultsStore();
  const session = new EngineSession(vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath, store, log);
  context.subscriptions.push(log, store, session);
  return { context, log, store, session };
}
