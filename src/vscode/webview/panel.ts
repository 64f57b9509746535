/**
 * The one LockLens webview panel (graph, series diff, timing charts), shared by Show Lock Graph,
 * series results and Simulate Contention. createOrShow reuses the panel; a serializer revives
 * it after a reload. Messages are the typed unions of protocol/webview-messages.ts, checked
 * with their guards on arrival. Resources load only from media/ and dist/.
 */
import * as vscode from 'vscode';
import { buildWebviewHtml, makeNonce } from '../../host/webview-html';
import { isFromWebview, type FromWebview, type ToWebview, type WebviewData, type WebviewView } from '../../protocol/webview-messages';
import { WEBVIEW_PANEL } from '../ids';
import type { Log } from '../log';

export interface PanelHost {
  extensionUri: vscode.Uri;
  log: Log;
  /** Data for a revived panel (after a window reload). */
  currentData(): WebviewData;
  onMessage(msg: FromWebview): void;
}

export class LockLensPanel {
  private static current: LockLensPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private queue: ToWebview[] = [];

  static createOrShow(host: PanelHost, view: WebviewView, data: WebviewData): LockLensPanel {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
    if (LockLensPanel.current) {
      const p = LockLensPanel.current;
      p.panel.reveal(column, true);
      p.post({ type: 'setData', data });
      p.post({ type: 'showView', view });
      return p;
    }
    const panel = vscode.window.createWebviewPanel(WEBVIEW_PANEL, titleOf(view), { viewColumn: column, preserveFocus: true }, {
      ...webviewOptions(host.extensionUri),
      retainContextWhenHidden: true,
    });
    LockLensPanel.current = new LockLensPanel(panel, host, view, data);
    return LockLensPanel.current;
  }

  static get active(): LockLensPanel | undefined {
    return LockLensPanel.current;
  }

  static registerSerializer(host: PanelHost): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(WEBVIEW_PANEL, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        panel.webview.options = webviewOptions(host.extensionUri);
        const view = (state as { view?: WebviewView } | undefined)?.view ?? 'graph';
        LockLensPanel.current?.dispose();
        LockLensPanel.current = new LockLensPanel(panel, host, view, host.currentData());
      },
    });
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly host: PanelHost,
    view: WebviewView,
    data: WebviewData,
  ) {
    const webview = panel.webview;
    const media = vscode.Uri.joinPath(host.extensionUri, 'media', 'dist');
    webview.html = buildWebviewHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'webview.css')).toString(),
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      initialData: data,
      view,
      title: titleOf(view),
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      webview.onDidReceiveMessage((msg: unknown) => {
        if (!isFromWebview(msg)) {
          host.log.warn(`webview sent an unexpected message: ${JSON.stringify(msg)?.slice(0, 200)}`);
          return;
        }
        if (msg.type === 'ready') this.flush();
        if (msg.type === 'ready' || msg.type === 'viewChanged') panel.title = titleOf(msg.view);
        host.onMessage(msg);
      }),
    );
  }

  /** Messages sent before the page said `ready` are queued, not lost. */
  post(msg: ToWebview): void {
    if (!this.ready) {
      this.queue.push(msg);
      return;
    }
    void this.panel.webview.postMessage(msg);
  }

  private flush(): void {
    this.ready = true;
    const q = this.queue;
    this.queue = [];
    for (const m of q) void this.panel.webview.postMessage(m);
  }

  dispose(): void {
    if (LockLensPanel.current === this) LockLensPanel.current = undefined;
    const ds = this.disposables.splice(0);
    for (const d of ds) d.dispose();
    this.panel.dispose();
  }
}

function titleOf(view: WebviewView): string {
  return view === 'graph' ? 'LockLens: Lock Graph' : view === 'series' ? 'LockLens: Series' : 'LockLens: Contention';
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
  };
}
