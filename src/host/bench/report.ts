/**
 * Benchmark report: the JSON shape written by `--json`, the targets of the performance issue
 * (each with its measured value and PASS/MISS) and the text table printed to stdout.
 */
import type { FullFigures, IncrementalFigures, ParseOnlyFigures } from './measure';
import { round } from './stats';
import type { CorpusProfile } from './generator';

/** A figure that could not be measured says why instead of being silently absent. */
export interface NotAvailable {
  na: string;
}

export type Maybe<T> = T | NotAvailable;

export function isNa<T>(x: Maybe<T> | undefined): x is NotAvailable {
  return !x || typeof (x as NotAvailable).na === 'string';
}

export interface Measured<T> {
  figures: T;
  rssMb: number;
  /** CPU time of the whole child job (all threads), ms. */
  cpuMs?: number;
}

export interface SeriesFigures {
  patches: number;
  /** Wall time of `locklens series` with 1 patch and with `patches` patches (base analysis included in both). */
  oneMs: number;
  allMs: number;
  /** Mean per-patch analysis time as the series engine measured it (`stats.patchMs`, base excluded). */
  perPatchMs: number;
  /** Slowest patch (`stats.patchMs`). */
  maxPatchMs: number;
  /** (allMs − oneMs) / (patches − 1): end-to-end cross-check; noisy when the base analysis dominates. */
  marginalMs: number;
  rssMb: number;
}

export interface SimFigures {
  scenario: string;
  grid: string;
  cells: number;
  reps: number;
  wallMs: number;
  rssMb: number;
}

export interface ScaleRun {
  scale: number;
  corpus: { root: string; synthetic: boolean; profile?: CorpusProfile | null; files: number; bytes: number; bigFile: string; bigFileLines: number; genMs: number };
  parseOnly: Maybe<Measured<ParseOnlyFigures>>;
  full1: Maybe<Measured<FullFigures>>;
  fullN: Maybe<Measured<FullFigures>>;
  incremental: Maybe<Measured<IncrementalFigures>>;
  series: Maybe<SeriesFigures>;
}

export interface TargetRow {
  id: string;
  label: string;
  target: string;
  measured: string;
  status: 'PASS' | 'MISS' | 'n/a';
}

export interface BenchReport {
  version: 1;
  date: string;
  machine: { cpus: number; model: string; node: string; platform: string; loadavgStart: number[]; loadavgEnd: number[]; totalMemMb: number };
  options: { sizeMb: number; scales: number[]; parser: 'wasm' | 'native'; jobs: number; seed: number; profile?: CorpusProfile | null; quick: boolean; path: string | null; edits: number };
  runs: ScaleRun[];
  sim: Maybe<SimFigures>;
  targets: TargetRow[];
  notes: string[];
  totalMs: number;
}

const MB = 1024 * 1024;

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

function fmtS(ms: number): string {
  return ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}

function fmtMs(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}

function row(id: string, label: string, target: string, value: number | null, limit: number, fmt: (v: number) => string, why?: string): TargetRow {
  if (value === null || !Number.isFinite(value)) return { id, label, target, measured: why ?? 'n/a', status: 'n/a' };
  return { id, label, target, measured: fmt(value), status: value <= limit ? 'PASS' : 'MISS' };
}

function naWhy(...xs: (Maybe<unknown> | undefined)[]): string {
  for (const x of xs) if (isNa(x)) return `n/a (${x ? x.na : 'not measured'})`;
  return 'n/a';
}

/** The targets of the performance issue, evaluated on the measured runs. */
export function evaluateTargets(runs: ScaleRun[]): TargetRow[] {
  const base = runs[0];
  const rows: TargetRow[] = [];
  if (!base) return rows;
  const p = base.parseOnly;
  const f1 = base.full1;
  const fN = base.fullN;
  const ratio = !isNa(p) && !isNa(f1) ? f1.figures.wallMs / p.figures.wallMs : null;
  // The same ratio on CPU time, shown next to the verdict: steadier when the cores are shared.
  const cpuRatio = !isNa(p) && !isNa(f1) ? cpuRatioOf(p, f1) : null;
  rows.push(row('full-vs-parse', 'full analysis / parse-only, 1 thread', '≤ 1.30×', ratio, 1.3, (v) => `${v.toFixed(2)}×${cpuRatio ? ` (CPU ${cpuRatio.toFixed(2)}×)` : ''}`, naWhy(p, f1)));
  const jobs = !isNa(fN) ? fN.figures.jobs : 2;
  const par = !isNa(p) && !isNa(fN) ? fN.figures.wallMs / p.figures.wallMs : null;
  rows.push(row('parallel-vs-parse', `full analysis with ${jobs} workers / 1-thread parse-only`, '≤ 0.80×', par, 0.8, (v) => `${v.toFixed(2)}×`, naWhy(p, fN)));
  const inc = base.incremental;
  rows.push(row('incremental-p95', `incremental update p95 (${!isNa(inc) ? `${inc.figures.edits}${inc.figures.edits < inc.figures.requestedEdits ? ` of ${inc.figures.requestedEdits}, time budget` : ''}` : 100} edits, ${!isNa(inc) ? inc.figures.fileLines : 7000}-line file)`, '≤ 50 ms', !isNa(inc) ? inc.figures.p95Ms : null, 50, fmtMs, naWhy(inc)));
  // RSS and series targets are stated for a 12 MB corpus: judge them on the run closest to 12 MB,
  // and only report (n/a) when no run is within ±20% of it (the OVS tree of the issue is 10-11 MB).
  const near = nearest12(runs);
  const nearMb = near ? near.corpus.bytes / MB : 0;
  const f12 = near?.full1;
  const rssRow = row('peak-rss', `peak RSS, full analysis, 1 thread, ${nearMb.toFixed(1)} MB corpus`, '≤ 350 MB (12 MB corpus)', f12 && !isNa(f12) ? f12.rssMb : null, 350, (v) => `${v.toFixed(0)} MB`, naWhy(f12));
  rows.push(judgedOnlyNear12(rssRow, near));
  for (let i = 1; i < runs.length; i++) {
    const a = runs[i - 1]!;
    const b = runs[i]!;
    if (isNa(a.full1) || isNa(b.full1)) {
      rows.push(row(`scaling-${b.scale}x`, `time growth ${a.scale}× → ${b.scale}× corpus`, '≤ 2.2× per doubling', null, 0, String, naWhy(a.full1, b.full1)));
      continue;
    }
    // Normalise to one doubling so 1→4 style gaps are judged fairly.
    const sizeRatio = b.corpus.bytes / a.corpus.bytes;
    const timeRatio = b.full1.figures.wallMs / a.full1.figures.wallMs;
    const perDoubling = Math.pow(timeRatio, Math.log(2) / Math.log(sizeRatio));
    const cpuPerDoubling = a.full1.cpuMs && b.full1.cpuMs ? Math.pow(b.full1.cpuMs / a.full1.cpuMs, Math.log(2) / Math.log(sizeRatio)) : null;
    rows.push(
      row(`scaling-${b.scale}x`, `full-analysis time growth ${a.scale}× → ${b.scale}× corpus (size ×${sizeRatio.toFixed(2)}, time ×${timeRatio.toFixed(2)})`, '≤ 2.20× per doubling', perDoubling, 2.2, (v) =>
        `${v.toFixed(2)}× per doubling${cpuPerDoubling ? ` (CPU ${cpuPerDoubling.toFixed(2)}×)` : ''}`),
    );
  }
  const s = near?.series;
  const seriesRow = row('series-per-patch', `series analysis per patch, ${nearMb.toFixed(1)} MB base`, '≤ 0.5 s (12 MB base)', s && !isNa(s) ? s.perPatchMs : null, 500, fmtS, naWhy(s));
  rows.push(judgedOnlyNear12(seriesRow, near));
  return rows;
}

/** Full-analysis CPU ÷ parse-only CPU (error counting excluded), or null when not recorded. */
function cpuRatioOf(p: Measured<ParseOnlyFigures>, f: Measured<FullFigures>): number | null {
  if (!p.cpuMs || !f.cpuMs) return null;
  const parseCpu = p.cpuMs - (p.figures.countCpuMs ?? 0);
  return parseCpu > 0 ? f.cpuMs / parseCpu : null;
}

function nearest12(runs: ScaleRun[]): ScaleRun | undefined {
  return [...runs].sort((a, b) => Math.abs(a.corpus.bytes / MB - 12) - Math.abs(b.corpus.bytes / MB - 12))[0];
}

/** A target defined for a 12 MB corpus is shown but not judged on a corpus far from that size. */
function judgedOnlyNear12(r: TargetRow, near: ScaleRun | undefined): TargetRow {
  if (r.status === 'n/a' || !near) return r;
  const mb = near.corpus.bytes / MB;
  if (mb >= 12 * 0.8 && mb <= 12 * 1.2) return r;
  return { ...r, measured: `${r.measured} (not judged: no ~12 MB run)`, status: 'n/a' };
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, w[i]!)).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

function cell<T>(x: Maybe<T>, f: (v: T) => string): string {
  return isNa(x) ? 'n/a' : f(x);
}

export function renderReport(r: BenchReport): string {
  const out: string[] = [];
  const o = r.options;
  out.push(
    `LockLens bench — ${o.path ? `tree ${o.path}` : `synthetic corpus (${o.profile ?? 'dense'} profile) ${o.sizeMb} MB × scales ${o.scales.join(',')}`}, parser ${o.parser}, ${o.jobs} workers` +
      `, ${r.machine.cpus} CPUs (${r.machine.model}), node ${r.machine.node}, load ${r.machine.loadavgStart.map((x) => x.toFixed(2)).join(' ')}`,
  );
  out.push('');
  out.push(
    table(
      ['scale', 'MB', 'files', 'parse-only', 'full j1', 'ratio', 'CPU ratio', `full j${o.jobs}`, 'MB/s j1', 'files/s j1', 'RSS parse', 'RSS full', 'edit p50', 'edit p95', 'series/patch'],
      r.runs.map((run) => {
        const mb = run.corpus.bytes / MB;
        return [
          `${run.scale}×`,
          mb.toFixed(1),
          String(run.corpus.files),
          cell(run.parseOnly, (m) => fmtS(m.figures.wallMs)),
          cell(run.full1, (m) => fmtS(m.figures.wallMs)),
          !isNa(run.parseOnly) && !isNa(run.full1) ? `${(run.full1.figures.wallMs / run.parseOnly.figures.wallMs).toFixed(2)}×` : 'n/a',
          !isNa(run.parseOnly) && !isNa(run.full1) && cpuRatioOf(run.parseOnly, run.full1) ? `${cpuRatioOf(run.parseOnly, run.full1)!.toFixed(2)}×` : 'n/a',
          cell(run.fullN, (m) => fmtS(m.figures.wallMs)),
          cell(run.full1, (m) => (mb / (m.figures.wallMs / 1000)).toFixed(2)),
          cell(run.full1, (m) => (m.figures.files / (m.figures.wallMs / 1000)).toFixed(0)),
          cell(run.parseOnly, (m) => `${m.rssMb.toFixed(0)} MB`),
          cell(run.full1, (m) => `${m.rssMb.toFixed(0)} MB`),
          cell(run.incremental, (m) => fmtMs(m.figures.p50Ms)),
          cell(run.incremental, (m) => fmtMs(m.figures.p95Ms)),
          cell(run.series, (s) => fmtS(s.perPatchMs)),
        ];
      }),
    ),
  );
  const base = r.runs[0];
  if (base) {
    out.push('');
    out.push(`Phases at ${base.scale}× (ms):`);
    const lines: string[][] = [];
    if (!isNa(base.parseOnly)) {
      const p = base.parseOnly.figures;
      lines.push(['parse-only', `collect ${p.collectMs.toFixed(0)}`, `read ${p.readMs.toFixed(0)}`, `parser init ${p.parserInitMs.toFixed(0)}`, `parse ${p.parseMs.toFixed(0)}`]);
    }
    for (const [name, f] of [['full j1', base.full1], [`full j${o.jobs}`, base.fullN]] as const) {
      if (isNa(f)) continue;
      const ph = Object.entries(f.figures.phases).map(([k, v]) => `${k} ${v.toFixed(0)}`);
      lines.push([name, ...ph, `(per-file CPU: parse ${f.figures.parseCpuMs.toFixed(0)}, extract ${f.figures.extractCpuMs.toFixed(0)})`]);
    }
    if (!isNa(base.incremental)) {
      const inc = base.incremental.figures;
      lines.push(['incremental', `open ${inc.openMs.toFixed(0)}`, `prime ${inc.primeMs.toFixed(1)}`, `mean ${inc.meanMs.toFixed(1)}`, `max ${inc.maxMs.toFixed(1)}`, ...Object.entries(inc.lastPhases).map(([k, v]) => `last.${k} ${v.toFixed(1)}`)]);
    }
    for (const l of lines) out.push(`  ${pad(l[0]!, 12)} ${l.slice(1).join(', ')}`);
    if (!isNa(base.full1)) {
      const f = base.full1.figures;
      out.push('');
      out.push(`Analysis at ${base.scale}×: ${f.files} files, ${f.functions} functions, ${f.locks} lock classes, ${f.edges} order edges, ${f.findings} findings ` +
        `(${Object.entries(f.findingsByRule).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}); ERROR/MISSING nodes ` +
        // The raw count comes from the parse-only run: the extractor skips its comparison parse by default.
        `${isNa(base.parseOnly) ? '' : `${base.parseOnly.figures.errorNodes} in ${base.parseOnly.figures.filesWithErrors} files raw → `}${f.errorNodes} after masking; ${f.unmodeledFunctions} unmodelled functions.`);
    }
  }
  out.push('');
  out.push(`Simulator sweep: ${cell(r.sim, (s) => `${s.grid} × ${s.reps} reps (${s.cells} cells) in ${fmtS(s.wallMs)}, RSS ${s.rssMb.toFixed(0)} MB`)}${isNa(r.sim) ? ` — ${r.sim.na}` : ''}`);
  for (const run of r.runs) {
    if (isNa(run.series) && run.series.na) out.push(`Series at ${run.scale}×: ${run.series.na}`);
  }
  out.push('');
  out.push('Targets:');
  out.push(table(['', 'target', 'measured', 'status'], r.targets.map((t) => [t.label, t.target, clip(t.measured, 70), t.status])));
  if (r.notes.length) {
    out.push('');
    for (const n of r.notes) out.push(`note: ${n}`);
  }
  out.push('');
  out.push(`Total bench time ${fmtS(r.totalMs)}.`);
  return out.join('\n') + '\n';
}

/** JSON-friendly copy with timings rounded (the report is for people and diffs, not for re-analysis). */
export function roundReport<T>(x: T): T {
  return JSON.parse(JSON.stringify(x, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? round(v, 2) : v))) as T;
}
