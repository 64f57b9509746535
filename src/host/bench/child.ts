/**
 * Runs one measured configuration in a fresh Node process, so peak RSS (maxRSS) belongs to that
 * configuration alone and no JIT/heap state leaks from one measurement into the next. The child
 * is the bundled CLI itself (`dist/cli.js bench --child <json>`); it prints one marked JSON line.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { distDir } from '../dist-dir';

export const RESULT_MARK = '@@locklens-bench-result@@';

export type ChildJob =
  | { kind: 'parse'; root: string; backend: 'wasm' | 'native' }
  | { kind: 'full'; root: string; backend: 'wasm' | 'native'; jobs: number }
  | { kind: 'incremental'; root: string; backend: 'wasm' | 'native'; jobs: number; file: string; edits: number; budgetMs: number }
  /** A CLI sub-command run in-process in the child (series, simulate): timed end to end. */
  | { kind: 'cli'; argv: string[]; cwd: string };

export interface ChildOutcome<T = unknown> {
  ok: boolean;
  figures?: T;
  /** Peak resident set of the child, MB. */
  rssMb: number;
  /** Wall time of the job inside the child (excludes Node start-up). */
  jobMs: number;
  /**
   * CPU time (user + system, all threads) of the job. On a shared machine this is steadier than
   * wall time for single-threaded configurations, so the report shows both.
   */
  cpuMs: number;
  /** First lines of the error or of stderr, when !ok. */
  error?: string;
  exitCode?: number;
}

export interface ChildMessage {
  ok: boolean;
  figures?: unknown;
  rssMb: number;
  jobMs: number;
  cpuMs: number;
  error?: string;
  exitCode?: number;
}

/** Peak RSS of the current process in MB (resourceUsage reports KiB on every platform). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function childScript(): string | null {
  try {
    const p = path.join(distDir(), 'cli.js');
    return existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

/** CPU milliseconds (user + system) used by this process since `since`. */
export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

export function encodeResult(m: ChildMessage): string {
  return `\n${RESULT_MARK}${JSON.stringify(m)}\n`;
}

/** Finds the marked result line in a child's stdout. */
export function decodeResult(stdout: string): ChildMessage | null {
  const i = stdout.lastIndexOf(RESULT_MARK);
  if (i < 0) return null;
  const line = stdout.slice(i + RESULT_MARK.length).split('\n')[0]!;
  try {
    return JSON.parse(line) as ChildMessage;
  } catch {
    return null;
  }
}

export interface SpawnOptions {
  timeoutMs: number;
  /** Extra environment (e.g. a private XDG_CACHE_HOME so the user's fact cache is not touched). */
  env?: Record<string, string>;
}

export function runInChild<T>(script: string, job: ChildJob, opts: SpawnOptions): Promise<ChildOutcome<T>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, 'bench', '--child', JSON.stringify(job)], {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      // Only the tail matters (the result line); CLI jobs may print whole reports.
      stdout = (stdout + d).slice(-4 * 1024 * 1024);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-64 * 1024);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const m = decodeResult(stdout);
      if (m) {
        resolve({ ok: m.ok, figures: m.figures as T, rssMb: m.rssMb, jobMs: m.jobMs, cpuMs: m.cpuMs, error: m.error, exitCode: m.exitCode });
        return;
      }
      const why = signal === 'SIGKILL' ? `timed out after ${Math.round(opts.timeoutMs / 1000)} s` : `exit ${code ?? signal}`;
      resolve({ ok: false, rssMb: 0, jobMs: 0, cpuMs: 0, error: `child ${why}: ${firstLines(stderr) || 'no output'}` });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, rssMb: 0, jobMs: 0, cpuMs: 0, error: `cannot start child: ${e.message}` });
    });
  });
}

export function firstLines(s: string, n = 3): string {
  return s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, n)
    .join(' | ');
}
