/**
 * Benchmark orchestration: generate (or take) a tree per scale, run every measured configuration
 * through `exec` (a fresh child process each, in the real run), collect figures, judge targets.
 * All temp files live in one directory under the OS temp dir, removed at the end.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateCorpus, type CorpusProfile } from './generator';
import { makeSeriesMbox, pickSeriesTargets, type SeriesInputFile } from './series-gen';
import { loadConfig } from '../config-load';
import { collectSources } from '../sources';
import type { ChildJob, ChildOutcome } from './child';
import type { FullFigures, IncrementalFigures, ParseOnlyFigures } from './measure';
import { evaluateTargets, type BenchReport, type Maybe, type Measured, type ScaleRun, type SeriesFigures, type SimFigures } from './report';

export interface BenchOptions {
  sizeMb: number;
  scales: number[];
  parser: 'wasm' | 'native';
  jobs: number;
  path: string | null;
  seed: number;
  /** Synthetic corpus profile (ignored with `path`). */
  profile: CorpusProfile;
  quick: boolean;
  /** Single-line edits for the incremental figure. */
  edits: number;
  /** Patches in the synthetic series. */
  seriesPatches: number;
  /** Simulator sweep grid and repetitions. */
  simGrid: [string, number[]][];
  simReps: number;
  /** Scenario file for the simulator sweep (absolute). */
  scenario: string | null;
  keep: boolean;
  childTimeoutMs: number;
  /** Stop timing edits after this long (at least 5 edits run); the report says how many ran. */
  editBudgetMs: number;
}

export type Exec = <T>(job: ChildJob, env?: Record<string, string>) => Promise<ChildOutcome<T>>;

const MB = 1024 * 1024;

function writeTree(dir: string, files: { path: string; text: string }[]): void {
  for (const f of files) {
    const abs = path.join(dir, f.path);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, f.text);
  }
}

function measured<T>(o: ChildOutcome<T>): Maybe<Measured<T>> {
  if (!o.ok || !o.figures) return { na: o.error ?? 'failed' };
  return { figures: o.figures, rssMb: o.rssMb, cpuMs: o.cpuMs };
}

/** Files of a real tree as the analysis sees them (include/exclude of its config). */
async function listTree(root: string): Promise<SeriesInputFile[]> {
  const { config } = loadConfig(root, undefined, undefined);
  const collected = await collectSources(root, ['.'], config);
  return collected.files.map((f) => ({ path: f.path, text: readFileSync(f.abs, 'utf8') }));
}

async function measureSeries(exec: Exec, root: string, files: SeriesInputFile[], exclude: string, opts: BenchOptions, tmp: string, tag: string): Promise<Maybe<SeriesFigures>> {
  const targets = pickSeriesTargets(files, opts.seriesPatches, exclude);
  if (targets.length < 2) return { na: 'tree has fewer than 2 .c files to patch' };
  const run = async (n: number): Promise<ChildOutcome<unknown>> => {
    const mbox = path.join(tmp, `${tag}-series-${n}.mbox`);
    writeFileSync(mbox, makeSeriesMbox(targets, n));
    const out = path.join(tmp, `${tag}-series-${n}.json`);
    // A private, empty fact cache per run: the second run must not reuse the first one's facts.
    const cache = mkdtempSync(path.join(tmp, 'xdg-'));
    return exec({ kind: 'cli', argv: ['series', '--base', root, '--mbox', mbox, '--format', 'json', '--out', out], cwd: tmp }, { XDG_CACHE_HOME: cache });
  };
  const one = await run(1);
  if (!one.ok) return { na: one.error ?? 'series failed' };
  const all = await run(targets.length);
  if (!all.ok) return { na: all.error ?? 'series failed' };
  // The engine times each patch itself; the end-to-end difference of the two runs is kept only as
  // a cross-check, because the base analysis dominates both runs and its noise swamps it.
  let patchMs: number[] = [];
  try {
    const report = JSON.parse(readFileSync(path.join(tmp, `${tag}-series-${targets.length}.json`), 'utf8')) as { stats?: { patchMs?: number[] } };
    patchMs = report.stats?.patchMs ?? [];
  } catch {
    /* handled below */
  }
  if (patchMs.length !== targets.length) return { na: `series report has ${patchMs.length} per-patch timings for ${targets.length} patches` };
  return {
    patches: targets.length,
    oneMs: one.jobMs,
    allMs: all.jobMs,
    perPatchMs: patchMs.reduce((a, b) => a + b, 0) / patchMs.length,
    maxPatchMs: Math.max(...patchMs),
    marginalMs: (all.jobMs - one.jobMs) / (targets.length - 1),
    rssMb: Math.max(one.rssMb, all.rssMb),
  };
}

async function measureSim(exec: Exec, opts: BenchOptions, tmp: string): Promise<Maybe<SimFigures>> {
  if (!opts.scenario || !existsSync(opts.scenario)) return { na: `scenario not found (${opts.scenario ?? 'none'})` };
  const sweeps = opts.simGrid.flatMap(([k, vs]) => ['--sweep', `${k}=${vs.join(',')}`]);
  const out = path.join(tmp, 'sim.json');
  const o = await exec({ kind: 'cli', argv: ['simulate', '--scenario', opts.scenario, ...sweeps, '--reps', String(opts.simReps), '--seed', '1', '--format', 'json', '--out', out], cwd: tmp });
  if (!o.ok) return { na: o.error ?? 'simulate failed' };
  return {
    scenario: path.basename(opts.scenario),
    grid: opts.simGrid.map(([k, vs]) => `${k}(${vs.length})`).join(' × '),
    cells: opts.simGrid.reduce((n, [, vs]) => n * vs.length, 1),
    reps: opts.simReps,
    wallMs: o.jobMs,
    rssMb: o.rssMb,
  };
}

/**
 * `partial` is called after each scale with the report so far, so a long run that is stopped
 * (or a later scale that times out) still leaves the finished scales on disk.
 */
export async function runHarness(opts: BenchOptions, exec: Exec, log: (s: string) => void, partial?: (r: BenchReport) => void): Promise<BenchReport> {
  const t0 = performance.now();
  const loadStart = os.loadavg();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'locklens-bench-'));
  const notes: string[] = [];
  const runs: ScaleRun[] = [];
  const build = (sim: Maybe<SimFigures>, scales: number[]): BenchReport => {
    const loadEnd = os.loadavg();
    const allNotes = [...notes];
    if (loadStart[0]! > 0.5 || loadEnd[0]! > 0.5) {
      allNotes.push(`machine load average was ${loadStart[0]!.toFixed(2)} at start and ${loadEnd[0]!.toFixed(2)} at end (${os.cpus().length} CPUs): other work competed for the cores, so times are upper bounds.`);
    }
    if (opts.keep && !opts.path) allNotes.push(`corpus kept in ${tmp}`);
    return {
      version: 1,
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        loadavgStart: loadStart,
        loadavgEnd: loadEnd,
        totalMemMb: Math.round(os.totalmem() / MB),
      },
      options: { sizeMb: opts.sizeMb, scales, parser: opts.parser, jobs: opts.jobs, seed: opts.seed, profile: opts.path ? null : opts.profile, quick: opts.quick, path: opts.path, edits: opts.edits },
      runs,
      sim,
      targets: evaluateTargets(runs),
      notes: allNotes,
      totalMs: performance.now() - t0,
    };
  };
  try {
    const scales = opts.path ? [1] : opts.scales;
    if (opts.path && opts.scales.length > 1) notes.push('--path given: scaling runs need a synthetic corpus, so only the given tree (1×) was measured.');
    for (const scale of scales) {
      let root: string;
      let files: SeriesInputFile[];
      let bigFile: string;
      let genMs = 0;
      if (opts.path) {
        root = opts.path;
        files = await listTree(root);
        // The largest .c file stands in for the 7,000-line file of the synthetic tree.
        const big = files.filter((f) => f.path.endsWith('.c')).sort((a, b) => b.text.length - a.text.length)[0];
        bigFile = big?.path ?? '';
      } else {
        const g0 = performance.now();
        const corpus = generateCorpus({ sizeBytes: Math.round(opts.sizeMb * scale * MB), seed: opts.seed, profile: opts.profile });
        root = path.join(tmp, `corpus-${scale}x`);
        writeTree(root, corpus.files);
        genMs = performance.now() - g0;
        files = corpus.files;
        bigFile = corpus.bigFile;
      }
      const bytes = files.reduce((s, f) => s + Buffer.byteLength(f.text), 0);
      const bigText = files.find((f) => f.path === bigFile)?.text ?? '';
      const run: ScaleRun = {
        scale,
        corpus: { root: opts.path ? root : path.basename(root), synthetic: !opts.path, profile: opts.path ? null : opts.profile, files: files.length, bytes, bigFile, bigFileLines: bigText.split('\n').length, genMs },
        parseOnly: { na: 'not run' },
        full1: { na: 'not run' },
        fullN: { na: 'not run' },
        incremental: { na: 'not run' },
        series: { na: 'not run' },
      };
      runs.push(run);
      const tag = `${scale}x`;
      log(`[${tag}] ${files.length} files, ${(bytes / MB).toFixed(1)} MB${opts.path ? '' : `, ${opts.profile} profile`}${genMs ? ` (generated in ${(genMs / 1000).toFixed(1)} s)` : ''}`);
      log(`[${tag}] parse-only…`);
      run.parseOnly = measured(await exec<ParseOnlyFigures>({ kind: 'parse', root, backend: opts.parser }));
      log(`[${tag}] full analysis, 1 thread…`);
      run.full1 = measured(await exec<FullFigures>({ kind: 'full', root, backend: opts.parser, jobs: 1 }));
      log(`[${tag}] full analysis, ${opts.jobs} workers…`);
      run.fullN = measured(await exec<FullFigures>({ kind: 'full', root, backend: opts.parser, jobs: opts.jobs }));
      if (bigFile) {
        log(`[${tag}] incremental: ${opts.edits} edits in ${bigFile}…`);
        run.incremental = measured(await exec<IncrementalFigures>({ kind: 'incremental', root, backend: opts.parser, jobs: opts.jobs, file: bigFile, edits: opts.edits, budgetMs: opts.editBudgetMs }));
      } else run.incremental = { na: 'no .c file to edit' };
      log(`[${tag}] series (${opts.seriesPatches} patches)…`);
      run.series = await measureSeries(exec, root, files, bigFile, opts, tmp, tag);
      if (partial) {
        const r = build({ na: 'not run yet' }, scales);
        r.notes.push(`partial report: scales ${runs.map((x) => `${x.scale}×`).join(', ')} of ${scales.map((x) => `${x}×`).join(', ')} done`);
        partial(r);
      }
    }
    log('simulator sweep…');
    const sim = await measureSim(exec, opts, tmp);
    return build(sim, scales);
  } finally {
    if (!opts.keep) rmSync(tmp, { recursive: true, force: true });
  }
}
