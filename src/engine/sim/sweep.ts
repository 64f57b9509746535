/**
 * Parameter sweeps: every cell of the grid (cartesian product of the swept values) is run R
 * times per variant. Replication r uses the same seed in every cell and in both variants
 * (common random numbers), so before/after differences and curves along a parameter come
 * from the model, not from sampling noise.
 */

import type { Problem } from '../model';
import { compileScenario, type DerivedOps } from './compile';
import { mixSeed } from './rng';
import { VARIANTS, type Scenario, type SimLockType, type Variant } from './scenario';
import { simulate } from './simulator';

/** Mean and sample standard deviation of the measured completion time, in seconds. */
export interface SweepStat {
  mean: number;
  std: number;
}

export interface SweepCell {
  params: Record<string, number>;
  before: SweepStat;
  after: SweepStat;
  /** (after − before) / before × 100. */
  deltaPct: number;
}

/** The sweep JSON contract (`locklens simulate --format json`); extra fields are informative. */
export interface SweepResult {
  version: 1;
  cells: SweepCell[];
  scenario: string;
  reps: number;
  seed: number;
  problems: Problem[];
}

export interface SweepInput {
  scenario: Scenario;
  /** --set values, applied in every cell. */
  set?: Record<string, number>;
  /** Swept parameters in order; the first varies slowest. */
  sweep?: [string, number[]][];
  reps?: number;
  seed?: number;
  derived?: Partial<Record<Variant, DerivedOps>>;
  lockTypes?: Partial<Record<Variant, ReadonlyMap<string, SimLockType>>>;
}

const DEFAULT_REPS = 10;
const DEFAULT_SEED = 1;

export function meanStd(xs: readonly number[]): SweepStat {
  if (xs.length === 0) return { mean: NaN, std: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length < 2) return { mean, std: 0 };
  const v = xs.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (xs.length - 1);
  return { mean, std: Math.sqrt(v) };
}

/** Cartesian product of the sweep lists, first parameter slowest. */
export function gridCells(sweep: [string, number[]][]): Record<string, number>[] {
  let cells: Record<string, number>[] = [{}];
  for (const [name, values] of sweep) {
    const next: Record<string, number>[] = [];
    for (const c of cells) for (const v of values) next.push({ ...c, [name]: v });
    cells = next;
  }
  return cells;
}

/** Rounds for JSON: microsecond resolution is plenty and keeps files readable. */
const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const r2 = (x: number): number => Math.round(x * 100) / 100;

export function runSweep(input: SweepInput): SweepResult {
  const s = input.scenario;
  const reps = input.reps ?? s.reps ?? DEFAULT_REPS;
  const seed = input.seed ?? s.seed ?? DEFAULT_SEED;
  const sweep = input.sweep ?? Object.entries(s.sweep ?? {});
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const report = (p: Problem): void => {
    if (seen.has(p.message)) return;
    seen.add(p.message);
    problems.push(p);
  };
  const seeds = Array.from({ length: reps }, (_, r) => mixSeed(seed, r));
  const cells: SweepCell[] = [];
  for (const cellParams of gridCells(sweep)) {
    const overrides = { ...(input.set ?? {}), ...cellParams };
    const stats: Partial<Record<Variant, SweepStat>> = {};
    for (const variant of VARIANTS) {
      const { program, problems: cp } = compileScenario({
        scenario: s,
        variant,
        overrides,
        derived: input.derived?.[variant],
        lockTypes: input.lockTypes?.[variant],
      });
      cp.forEach(report);
      const times: number[] = [];
      if (program) {
        for (const sd of seeds) {
          const res = simulate(program, sd);
          if (res.error) report({ severity: 'error', code: res.error.code, message: `${variant} ${fmtParams(cellParams)}: ${res.error.message}` });
          else times.push(res.makespanUs / 1e6);
        }
      }
      const st = meanStd(times);
      stats[variant] = { mean: r6(st.mean), std: r6(st.std) };
    }
    const before = stats.before as SweepStat;
    const after = stats.after as SweepStat;
    const deltaPct = before.mean > 0 ? r2(((after.mean - before.mean) / before.mean) * 100) : 0;
    cells.push({ params: cellParams, before, after, deltaPct });
  }
  return { version: 1, cells, scenario: s.name, reps, seed, problems };
}

function fmtParams(p: Record<string, number>): string {
  const parts = Object.entries(p).map(([k, v]) => `${k}=${v}`);
  return parts.length ? `[${parts.join(' ')}]` : '[defaults]';
}
