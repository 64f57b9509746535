/**
 * The "LockLens" LogOutputChannel (levels, timestamps): timings per phase, engine problems and
 * errors go here, never into popups. Popups are reserved for commands the user started.
 */
import * as vscode from 'vscode';
import { OUTPUT_CHANNEL } from './ids';

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL, { log: true });
  }

  info(msg: string): void {
    this.channel.info(msg);
  }
  warn(msg: string): void {
    this.channel.warn(msg);
  }
  error(msg: string, e?: unknown): void {
    this.channel.error(e instanceof Error ? `${msg}: ${e.stack ?? e.message}` : e !== undefined ? `${msg}: ${String(e)}` : msg);
  }
  debug(msg: string): void {
    this.channel.debug(msg);
  }

  /** `phase=12ms phase2=40ms`, rounded; the stable format tests and users grep for. */
  timings(label: string, t: Record<string, number> | undefined): void {
    if (!t) return;
    const parts = Object.entries(t).map(([k, v]) => `${k}=${Math.round(v)}ms`);
    this.channel.info(`${label} timings: ${parts.join(' ')}`);
  }

  /** Error popup for a user-started command, with a way to the details. */
  async showError(message: string): Promise<void> {
    const pick = await vscode.window.showErrorMessage(`LockLens: ${message}`, 'Show Log');
    if (pick === 'Show Log') this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
