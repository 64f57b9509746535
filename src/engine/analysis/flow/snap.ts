/**
 * Interned held-set snapshots. Tens of thousands of records (sites, calls, exits, sleeps, ...)
 * carry a Snap, and almost all of them repeat a handful of lock sets, so identical snapshots
 * share one frozen object. Consumers only read snaps (detectors copy before sorting).
 */
import type { Snap } from '../summary';

const NO_LOCKS: readonly string[] = Object.freeze([]);

/** The snapshot of an empty state (no locks held, none dropped). */
export const EMPTY_SNAP: Snap = Object.freeze({ must: NO_LOCKS, may: NO_LOCKS, dropMay: NO_LOCKS, dropMust: NO_LOCKS }) as unknown as Snap;

/**
 * Bounded so a long-lived session cannot grow it without limit: interning is only an
 * optimisation, so forgetting old entries costs sharing, never correctness.
 */
const MAX_INTERNED = 50_000;
let table = new Map<string, Snap>();

/** Shared frozen Snap equal to the given sorted arrays (which the caller hands over). */
export function internSnap(must: string[], may: string[], dropMay: string[], dropMust: string[]): Snap {
  if (may.length === 0 && dropMay.length === 0) return EMPTY_SNAP;
  // \u0001 cannot occur in lock ids (they are built from C identifiers and punctuation).
  const key = `${must.join('\u0001')}\u0002${may.join('\u0001')}\u0002${dropMay.join('\u0001')}\u0002${dropMust.join('\u0001')}`;
  let s = table.get(key);
  if (s === undefined) {
    if (table.size >= MAX_INTERNED) table = new Map();
    s = Object.freeze({ must: freezeArr(must), may: freezeArr(may), dropMay: freezeArr(dropMay), dropMust: freezeArr(dropMust) }) as unknown as Snap;
    table.set(key, s);
  }
  return s;
}

function freezeArr(a: string[]): string[] {
  return a.length === 0 ? (NO_LOCKS as string[]) : (Object.freeze(a) as string[]);
}

/** Number of distinct interned snapshots (tests and diagnostics). */
export function internedSnapCount(): number {
  return table.size;
}
