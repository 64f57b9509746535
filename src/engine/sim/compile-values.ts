/**
 * Numbers, counts and distributions of a scenario evaluated for one parameter assignment. A value
 * that does not evaluate (or is out of range) adds a problem naming its field path and compiles
 * to a harmless stand-in, so that one pass reports every bad value.
 */

import type { Problem } from '../model';
import { clipExpr, evalExpr, parseExpr } from './expr';
import type { Dist, Num } from './scenario';

/** Compiled distribution: kind 0 fixed (a), 1 exponential (mean a), 2 log-normal (mu a, sigma b). */
export interface CDist {
  kind: 0 | 1 | 2;
  a: number;
  b: number;
}

export interface ValueContext {
  readonly params: Readonly<Record<string, number>>;
  /** Where compile problems go. */
  readonly problems: Problem[];
}

export function compileProblem(c: ValueContext, message: string): void {
  c.problems.push({ severity: 'error', code: 'invalid-scenario', message });
}

function num(c: ValueContext, v: Num, path: string): number {
  if (typeof v === 'number') return v;
  const p = parseExpr(v);
  const x = p.expr ? evalExpr(p.expr, c.params) : NaN;
  if (!Number.isFinite(x)) compileProblem(c, `${path}: '${clipExpr(v)}' does not evaluate to a finite number${p.error ? ` (${p.error})` : ''}`);
  return Number.isFinite(x) ? x : 0;
}

export function count(c: ValueContext, v: Num, path: string): number {
  const x = num(c, v, path);
  if (x < 0) compileProblem(c, `${path}: expected a count >= 0, got ${x}`);
  return Math.max(0, Math.round(x));
}

export function dist(c: ValueContext, d: Dist, path: string): CDist {
  if (typeof d === 'number' || typeof d === 'string') return fixed(c, num(c, d, path), path);
  const mean = num(c, d.mean, `${path}.mean`);
  if (mean < 0) compileProblem(c, `${path}.mean: expected a time >= 0 µs, got ${mean}`);
  if (d.dist === 'fixed' || mean === 0) return { kind: 0, a: Math.max(0, mean), b: 0 };
  if (d.dist === 'exp') return { kind: 1, a: mean, b: 0 };
  const cv = num(c, d.cv ?? 0, `${path}.cv`);
  if (cv < 0) compileProblem(c, `${path}.cv: expected >= 0, got ${cv}`);
  // Log-normal with the given mean and coefficient of variation.
  const sigma2 = Math.log(1 + cv * cv);
  return { kind: 2, a: Math.log(mean) - sigma2 / 2, b: Math.sqrt(sigma2) };
}

function fixed(c: ValueContext, x: number, path: string): CDist {
  if (x < 0) compileProblem(c, `${path}: expected a time >= 0 µs, got ${x}`);
  return { kind: 0, a: Math.max(0, x), b: 0 };
}
