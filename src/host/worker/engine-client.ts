/**
 * Typed client for the engine worker thread: request ids, progress routing, cancellation by
 * AbortSignal, and restart after a crash. The extension host never runs the engine itself, so
 * a slow or crashing analysis can only cost a restart of this worker, never the editor.
 *
 * Node-only (no vscode import) so it can be unit-tested with a fake worker.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type {
  EngineErrorCode,
  EngineReplies,
  EngineRequest,
  EngineRequestKind,
  EngineResponse,
} from '../../protocol/worker-messages';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode | 'crashed',
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export function isCancelled(e: unknown): boolean {
  return e instanceof EngineError && e.code === 'cancelled';
}

/** A request as the caller writes it: the client assigns the id. */
export type RequestOf<K extends EngineRequestKind> = Omit<Extract<EngineRequest, { kind: K }>, 'id'>;

export interface RequestOptions {
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number; message: string }) => void;
}

export interface EngineClientOptions {
  /** Creates the worker; the default starts `scriptPath`. Tests pass an inline worker. */
  spawn?: () => Worker;
  scriptPath?: string;
  resourceLimits?: ResourceLimits;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Called once per crash, after pending requests were rejected. */
  onCrash?: (reason: string) => void;
  env?: NodeJS.ProcessEnv;
}

interface Pending {
  kind: EngineRequestKind;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: RequestOptions['onProgress'];
  started: number;
  timings?: Record<string, number>;
}

export class EngineClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;
  /** Timings reported with the last successful reply of each kind (for the log). */
  readonly lastTimings = new Map<EngineRequestKind, Record<string, number>>();
  crashes = 0;

  constructor(private readonly opts: EngineClientOptions) {}

  get running(): boolean {
    return this.worker !== null;
  }

  request<K extends EngineRequestKind>(req: RequestOf<K>, ro: RequestOptions = {}): Promise<EngineReplies[K]> {
    if (this.disposed) return Promise.reject(new EngineError('failed', 'engine client disposed'));
    if (ro.signal?.aborted) return Promise.reject(new EngineError('cancelled', 'cancelled'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<EngineReplies[K]>((resolve, reject) => {
      const entry: Pending = {
        kind: req.kind,
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: ro.onProgress,
        started: Date.now(),
      };
      this.pending.set(id, entry);
      if (ro.signal) {
        // Reject at once: the caller must never see state from a cancelled request, even if
        // the worker finishes it before noticing the cancel.
        const onAbort = () => {
          if (!this.pending.delete(id)) return;
          this.post({ kind: 'cancel', id: this.nextId++, target: id });
          reject(new EngineError('cancelled', 'cancelled'));
        };
        ro.signal.addEventListener('abort', onAbort, { once: true });
      }
      this.postTo(worker, { ...(req as object), id } as EngineRequest);
    });
  }

  /** Test hook: asks the worker to die (only honoured with LOCKLENS_TEST_HOOKS=1). */
  crashForTest(): void {
    this.post({ kind: 'crash', id: this.nextId++ });
  }

  dispose(): void {
    this.disposed = true;
    this.failAll(new EngineError('failed', 'engine stopped'));
    const w = this.worker;
    this.worker = null;
    if (w) {
      w.removeAllListeners();
      void w.terminate();
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = this.opts.spawn
      ? this.opts.spawn()
      : new Worker(this.opts.scriptPath!, { resourceLimits: this.opts.resourceLimits, env: this.opts.env ?? process.env });
    w.on('message', (m: EngineResponse) => this.onMessage(m));
    w.on('error', (e) => this.onDeath(w, `worker error: ${e instanceof Error ? e.message : String(e)}`));
    w.on('exit', (code) => this.onDeath(w, `worker exited with code ${code}`));
    this.worker = w;
    return w;
  }

  private onMessage(m: EngineResponse): void {
    if (m.kind === 'log') {
      this.opts.log?.(m.level, m.message);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return; // cancelled or unknown: drop
    if (m.kind === 'progress') {
      p.onProgress?.({ done: m.done, total: m.total, message: m.message });
      return;
    }
    this.pending.delete(m.id);
    if (m.kind === 'result') {
      const timings = { ...(m.timings ?? {}), roundTripMs: Date.now() - p.started };
      this.lastTimings.set(p.kind, timings);
      p.resolve(m.value);
    } else {
      p.reject(new EngineError(m.code, m.message));
    }
  }

  private onDeath(w: Worker, reason: string): void {
    if (this.worker !== w) return; // already handled (error is followed by exit)
    this.worker = null;
    if (this.disposed) return;
    this.crashes++;
    this.opts.log?.('error', `LockLens engine ${reason}; it will be restarted on the next request`);
    this.failAll(new EngineError('crashed', `the analysis engine stopped (${reason})`));
    this.opts.onCrash?.(reason);
  }

  private failAll(e: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }

  private post(m: EngineRequest): void {
    if (this.worker) this.postTo(this.worker, m);
  }

  private postTo(w: Worker, m: EngineRequest): void {
    w.postMessage(m);
  }
}
