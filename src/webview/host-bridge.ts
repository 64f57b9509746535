/**
 * The app's only link to its host. Inside VS Code it wraps `acquireVsCodeApi()` with the typed
 * message unions; in the standalone report (no such function) it is a no-op bridge and
 * `mode === 'report'`, which the views use to show locations instead of opening editors.
 */
import type { FromWebview, ToWebview } from '../protocol/webview-messages';
import { isToWebview } from '../protocol/webview-messages';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  // Provided by VS Code inside webviews only; may be called once.
  function acquireVsCodeApi(): VsCodeApi;
}

export interface HostBridge {
  mode: 'vscode' | 'report';
  post(msg: FromWebview): void;
  getState<T>(): Partial<T>;
  setState<T>(state: T): void;
  onMessage(handler: (msg: ToWebview) => void): void;
}

export function createHostBridge(): HostBridge {
  const api: VsCodeApi | null = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : null;
  if (!api) {
    return {
      mode: 'report',
      post: () => undefined,
      getState: () => ({}),
      setState: () => undefined,
      // A report has no host; messages from other frames/windows are ignored.
      onMessage: () => undefined,
    };
  }
  return {
    mode: 'vscode',
    post: (msg) => api.postMessage(msg),
    getState: <T>() => {
      const s = api.getState();
      return (typeof s === 'object' && s !== null ? s : {}) as Partial<T>;
    },
    setState: (state) => api.setState(state),
    onMessage: (handler) =>
      window.addEventListener('message', (ev: MessageEvent) => {
        // VS Code's outer webview frame relays host messages with postMessage(msg, window.origin);
        // it shares our origin. (Its API script sets window.parent = window, so `source` cannot
        // be compared with window.parent.) Anything from another origin is not ours.
        if (ev.origin !== window.origin) return;
        if (isToWebview(ev.data)) handler(ev.data);
      }),
  };
}
