/**
 * `locklens bench [--size-mb N] [--scales 1,2,4] [--parser wasm|native] [--jobs N] [--path DIR]
 *   [--profile realistic|dense] [--json FILE] [--quick] [--seed N] [--edits N] [--edit-budget-s S] [--keep]`
 * `locklens bench --corpus-stats [--path DIR | --profile P --size-mb N --seed S] [--json FILE]`:
 * shape figures of a tree (function size, lock density, call depth...), for calibration.
 * Parse-only vs full-analysis timings, memory, incremental latency, series and simulator cost,
 * at several corpus sizes; prints a table with the performance targets and writes JSON.
 * Exit: 0 (targets are reported, not asserted), 2 bad usage, 3 when no configuration could run.
 * `bench --child <job-json>` is internal: one measured configuration in a fresh process.
 */
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError, type CliIO } from './io';
import { childScript, cpuMsSince, encodeResult, peakRssMb, runInChild, type ChildJob, type ChildOutcome } from '../host/bench/child';
import { measureFull, measureIncremental, measureParseOnly } from '../host/bench/measure';
import { runHarness, type BenchOptions, type Exec } from '../host/bench/harness';
import { isNa, renderReport, roundReport, type BenchReport } from '../host/bench/report';
import { CORPUS_PROFILES, generateCorpus, type CorpusProfile } from '../host/bench/generator';
import { measureCorpusStats, renderCorpusStats, roundStats } from '../host/bench/corpus-stats';
import { defaultJobs } from '../host/analyze-tree';
import { packageRoot } from '../host/dist-dir';

export const BENCH_USAGE = `usage: locklens bench [--size-mb N] [--scales 1,2,4] [--parser wasm|native] [--jobs N]
                      [--path DIR] [--profile realistic|dense] [--json FILE] [--quick] [--seed N]
                      [--edits N] [--edit-budget-s S] [--keep]
       locklens bench --corpus-stats [--path DIR | --profile P --size-mb N --seed N] [--json FILE]`;

const SIM_GRID: [string, number[]][] = [
  ['rtnl_delay_us', [0, 50, 100, 500, 1000, 5000, 10000]],
  ['n_ifaces', [10, 20, 30, 50, 70, 100, 150, 200]],
];
const QUICK_SIM_GRID: [string, number[]][] = [
  ['rtnl_delay_us', [0, 1000]],
  ['n_ifaces', [10, 20]],
];

function positive(name: string, raw: string | undefined, fallback: number, { integer = false, max = Infinity } = {}): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name}: expected a positive ${integer ? 'integer' : 'number'}${max < Infinity ? ` up to ${max}` : ''}, got "${raw}"`);
  }
  return n;
}

export function parseBenchArgs(argv: string[], cwd: string): BenchOptions & { json: string; jsonGiven: boolean; corpusStats: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        'size-mb': { type: 'string' },
        scales: { type: 'string' },
        parser: { type: 'string' },
        jobs: { type: 'string', short: 'j' },
        path: { type: 'string' },
        json: { type: 'string' },
        quick: { type: 'boolean' },
        seed: { type: 'string' },
        edits: { type: 'string' },
        'edit-budget-s': { type: 'string' },
        keep: { type: 'boolean' },
        profile: { type: 'string' },
        'corpus-stats': { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${BENCH_USAGE}`);
  }
  const v = parsed.values;
  const quick = !!v.quick;
  const parser = (v.parser ?? 'wasm') as 'wasm' | 'native';
  if (parser !== 'wasm' && parser !== 'native') throw new UsageError(`--parser: expected wasm or native, got "${v.parser}"`);
  const profile = (v.profile ?? 'realistic') as CorpusProfile;
  if (!CORPUS_PROFILES.includes(profile)) throw new UsageError(`--profile: expected ${CORPUS_PROFILES.join(' or ')}, got "${v.profile}"`);
  const scales = (v.scales ?? (quick ? '1,2' : '1,2,4')).split(',').map((s) => positive('scales', s.trim(), 1, { max: 64 }));
  let treePath: string | null = null;
  if (v.path !== undefined) {
    treePath = path.resolve(cwd, v.path);
    let isDir = false;
    try {
      isDir = statSync(treePath).isDirectory();
    } catch {
      /* reported below */
    }
    if (!isDir) throw new UsageError(`--path ${v.path}: not a directory`);
  }
  let scenario: string | null = null;
  try {
    scenario = path.join(packageRoot(), 'examples', 'scenarios', 'netdev-rtnl-churn.json');
  } catch {
    scenario = null;
  }
  return {
    sizeMb: positive('size-mb', v['size-mb'], quick ? 0.05 : 12, { max: 4096 }),
    scales,
    parser,
    jobs: positive('jobs', v.jobs, Math.min(2, defaultJobs()) || 1, { integer: true, max: 64 }),
    path: treePath,
    seed: positive('seed', v.seed, 1, { integer: true }),
    profile,
    quick,
    edits: positive('edits', v.edits, quick ? 5 : 100, { integer: true, max: 100000 }),
    seriesPatches: quick ? 2 : 5,
    simGrid: quick ? QUICK_SIM_GRID : SIM_GRID,
    simReps: quick ? 2 : 10,
    scenario,
    keep: !!v.keep,
    childTimeoutMs: quick ? 60_000 : 30 * 60_000,
    editBudgetMs: 1000 * positive('edit-budget-s', v['edit-budget-s'], quick ? 10 : 120, { max: 86400 }),
    json: path.resolve(cwd, v.json ?? path.join('.locklens-out', 'bench.json')),
    jsonGiven: v.json !== undefined,
    corpusStats: !!v['corpus-stats'],
  };
}

/** Runs one configuration in this process and returns the figures (child side of the protocol). */
async function runJob(job: ChildJob): Promise<{ figures: unknown; exitCode?: number; error?: string }> {
  switch (job.kind) {
    case 'parse':
      return { figures: await measureParseOnly(job.root, job.backend) };
    case 'full':
      return { figures: await measureFull(job.root, job.backend, job.jobs) };
    case 'incremental':
      return { figures: await measureIncremental(job.root, job.backend, job.jobs, job.file, job.edits, job.budgetMs) };
    case 'cli': {
      const { main } = await import('../cli');
      let err = '';
      const code = await main(job.argv, { stdout: () => undefined, stderr: (s) => (err += s), cwd: job.cwd });
      // 1 = findings at/above --fail-on: a successful run for timing purposes.
      if (code > 1) return { figures: null, exitCode: code, error: `locklens ${job.argv[0]} exited ${code}: ${err.split('\n').filter(Boolean).slice(0, 2).join(' | ') || 'no message'}` };
      return { figures: { exitCode: code }, exitCode: code };
    }
  }
}

async function runChildMode(raw: string | undefined, io: CliIO): Promise<number> {
  if (!raw) throw new UsageError('--child needs a job');
  const job = JSON.parse(raw) as ChildJob;
  const t = performance.now();
  const c0 = process.cpuUsage();
  try {
    const r = await runJob(job);
    io.stdout(encodeResult({ ok: !r.error, figures: r.figures, rssMb: peakRssMb(), jobMs: performance.now() - t, cpuMs: cpuMsSince(c0), error: r.error, exitCode: r.exitCode }));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    io.stdout(encodeResult({ ok: false, rssMb: peakRssMb(), jobMs: performance.now() - t, cpuMs: cpuMsSince(c0), error: msg.split('\n')[0] }));
  }
  return 0;
}

/**
 * `--corpus-stats`: measures one tree in this process (no timing figures, so no child) and prints
 * its shape figures; JSON only with an explicit --json. A synthetic corpus goes to a temp dir
 * that is removed afterwards.
 */
async function runCorpusStats(opts: ReturnType<typeof parseBenchArgs>, io: { stdout: (s: string) => void; stderr: (s: string) => void; cwd: string }): Promise<number> {
  let root = opts.path;
  let tmp: string | null = null;
  let name = root ? path.basename(root) : '';
  try {
    if (!root) {
      tmp = mkdtempSync(path.join(os.tmpdir(), 'locklens-bench-'));
      const corpus = generateCorpus({ sizeBytes: Math.round(opts.sizeMb * 1024 * 1024), seed: opts.seed, profile: opts.profile });
      for (const f of corpus.files) {
        const abs = path.join(tmp, f.path);
        mkdirSync(path.dirname(abs), { recursive: true });
        writeFileSync(abs, f.text);
      }
      root = tmp;
      name = `${opts.profile} ${opts.sizeMb} MB`;
    }
    io.stderr(`bench: measuring corpus statistics of ${opts.path ?? name}…\n`);
    const stats = await measureCorpusStats(root, { parser: opts.parser, jobs: opts.jobs });
    io.stdout(renderCorpusStats([{ name, stats }]));
    if (opts.jsonGiven) {
      mkdirSync(path.dirname(opts.json), { recursive: true });
      const source = opts.path ? { path: opts.path } : { profile: opts.profile, sizeMb: opts.sizeMb, seed: opts.seed };
      writeFileSync(opts.json, JSON.stringify({ version: 1, kind: 'corpus-stats', source, stats: roundStats(stats) }, null, 2) + '\n');
      io.stderr(`wrote ${path.relative(io.cwd, opts.json) || opts.json}\n`);
    }
    return 0;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

export async function runBench(argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void; cwd: string }): Promise<number> {
  if (argv[0] === '--child') return runChildMode(argv[1], io);
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(`${BENCH_USAGE}\n\nDefaults: --size-mb 12 --scales 1,2,4 --parser wasm --jobs 2 --profile realistic --json .locklens-out/bench.json.\n--profile dense: the stress corpus (3× the functions, 10× the lock classes and edges per MB).\n--corpus-stats: shape figures of --path or of the synthetic corpus, no timings.\n--quick: 0.05 MB, scales 1,2, 5 edits, a 2-patch series, a 2×2 simulator sweep (for tests/CI). See docs/performance.md.\n`);
    return 0;
  }
  const opts = parseBenchArgs(argv, io.cwd);
  if (opts.corpusStats) return runCorpusStats(opts, io);
  const script = childScript();
  let exec: Exec;
  if (script) {
    exec = <T>(job: ChildJob, env?: Record<string, string>) => runInChild<T>(script, job, { timeoutMs: opts.childTimeoutMs, env });
  } else {
    // No bundle to spawn (unbuilt checkout): measure in this process and say that RSS is shared.
    io.stderr('locklens bench: dist/cli.js not found; measuring in-process (peak RSS is cumulative, not per configuration)\n');
    exec = async <T>(job: ChildJob) => {
      const t = performance.now();
      const c0 = process.cpuUsage();
      try {
        const r = await runJob(job);
        return { ok: !r.error, figures: r.figures as T, rssMb: peakRssMb(), jobMs: performance.now() - t, cpuMs: cpuMsSince(c0), error: r.error, exitCode: r.exitCode } as ChildOutcome<T>;
      } catch (e) {
        return { ok: false, rssMb: peakRssMb(), jobMs: performance.now() - t, cpuMs: cpuMsSince(c0), error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
      }
    };
  }
  const save = (r: BenchReport) => {
    mkdirSync(path.dirname(opts.json), { recursive: true });
    writeFileSync(opts.json, JSON.stringify(roundReport(r), null, 2) + '\n');
  };
  const report = await runHarness(opts, exec, (s) => io.stderr(`bench: ${s}\n`), save);
  if (!script) report.notes.push('measured in-process (no dist/cli.js): peak RSS figures are cumulative.');
  save(report);
  io.stdout(renderReport(report));
  io.stderr(`wrote ${path.relative(io.cwd, opts.json) || opts.json}\n`);
  const anyRan = report.runs.some((r) => !isNa(r.parseOnly) || !isNa(r.full1));
  if (!anyRan) {
    const why = report.runs.map((r) => (isNa(r.full1) ? r.full1.na : '')).find(Boolean);
    io.stderr(`locklens bench: no configuration could be measured${why ? `: ${why}` : ''}\n`);
    return 3;
  }
  return existsSync(opts.json) ? 0 : 3;
}
