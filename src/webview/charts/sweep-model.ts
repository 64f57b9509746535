/**
 * Pure shaping of a simulation sweep for the charts: pick the x parameter, group the remaining
 * parameters into one series per combination (e.g. one per N), and sort points along x.
 */
import type { SweepCell, SweepStat } from '../../protocol/webview-messages';

export type ParamValue = number | string;

export interface SweepPoint {
  x: ParamValue;
  before: SweepStat;
  after: SweepStat;
  deltaPct: number;
  cell: SweepCell;
}

export interface SweepGroup {
  /** Stable key of the fixed parameters, e.g. `n=10`; `all` when x is the only parameter. */
  key: string;
  label: string;
  points: SweepPoint[];
}

export interface SweepShape {
  xParam: string;
  /** Distinct x values in ascending order. */
  xValues: ParamValue[];
  numericX: boolean;
  groups: SweepGroup[];
}

function compare(a: ParamValue, b: ParamValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** Parameter names in first-seen order. */
export function paramNames(cells: SweepCell[]): string[] {
  const names: string[] = [];
  for (const c of cells) for (const k of Object.keys(c.params)) if (!names.includes(k)) names.push(k);
  return names;
}

function distinct(cells: SweepCell[], name: string): ParamValue[] {
  const seen = new Map<string, ParamValue>();
  for (const c of cells) {
    const v = c.params[name];
    if (v !== undefined) seen.set(`${typeof v}:${v}`, v);
  }
  return [...seen.values()].sort(compare);
}

/**
 * Default x axis: a delay-like parameter if one varies (the question is usually "how does the
 * series behave as RTNL is held longer"), else the parameter with the most distinct values.
 */
export function defaultXParam(cells: SweepCell[]): string | null {
  const names = paramNames(cells);
  const varying = names.filter((n) => distinct(cells, n).length > 1);
  if (varying.length === 0) return names[0] ?? null;
  const delay = varying.find((n) => /delay|hold/i.test(n));
  if (delay) return delay;
  return varying.reduce((best, n) => (distinct(cells, n).length > distinct(cells, best).length ? n : best));
}

export function shapeSweep(cells: SweepCell[], xParam: string): SweepShape {
  const others = paramNames(cells).filter((n) => n !== xParam);
  const groups = new Map<string, SweepGroup>();
  for (const cell of cells) {
    const x = cell.params[xParam];
    if (x === undefined) continue;
    const fixed = others.filter((n) => cell.params[n] !== undefined).map((n) => `${n}=${cell.params[n]}`);
    const key = fixed.length ? fixed.join(', ') : 'all';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, label: key, points: [] }));
    g.points.push({ x, before: cell.before, after: cell.after, deltaPct: cell.deltaPct, cell });
  }
  const xValues = distinct(cells, xParam);
  for (const g of groups.values()) g.points.sort((a, b) => compare(a.x, b.x));
  const sortedGroups = [...groups.values()].sort((a, b) => {
    // Order groups by their fixed parameter values, numerically where possible (n=10 before n=50).
    const pa = others.map((n) => a.points[0]?.cell.params[n] ?? '');
    const pb = others.map((n) => b.points[0]?.cell.params[n] ?? '');
    for (let i = 0; i < pa.length; i++) {
      const c = compare(pa[i], pb[i]);
      if (c) return c;
    }
    return 0;
  });
  return { xParam, xValues, numericX: xValues.every((v) => typeof v === 'number'), groups: sortedGroups };
}

/** Seconds with a unit that keeps 3 significant digits readable (µs, ms, s). */
export function formatSeconds(s: number): string {
  const a = Math.abs(s);
  if (a !== 0 && a < 1e-3) return `${(s * 1e6).toPrecision(3)} µs`;
  if (a !== 0 && a < 1) return `${(s * 1e3).toPrecision(3)} ms`;
  return `${s.toPrecision(3)} s`;
}

export function formatPct(p: number): string {
  return `${p > 0 ? '+' : ''}${p.toFixed(1)} %`;
}

/** Axis tick labels in one unit chosen from the axis maximum (0 ms, 50 ms, 100 ms … not 0.00 s, 50.0 ms). */
export function secondsTick(max: number): (s: number) => string {
  const [scale, unit] = max >= 1 ? [1, 's'] : max >= 1e-3 ? [1e3, 'ms'] : [1e6, 'µs'];
  return (s) => `${Number((s * scale).toPrecision(4))} ${unit}`;
}
