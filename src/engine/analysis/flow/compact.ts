/**
 * Shrinks a finished LocalResult before it is published: every function's result is kept for the
 * whole analysis (and across incremental runs), and most of its sixteen record lists and six
 * summary maps are empty or hold a few entries in a grown backing store. Empty ones become
 * shared constants that refuse writes; short ones are copied to exact size.
 */
import type { FnSummary, LocalResult } from '../summary';

const refuse = (): never => {
  throw new TypeError('LockLens: shared empty result collection is read-only');
};

/** A frozen empty array (push/splice throw a TypeError rather than corrupting every result). */
export const NONE: never[] = Object.freeze([]) as unknown as never[];

function readOnlyEmptyMap(): Map<never, never> {
  const m = new Map<never, never>();
  // Non-enumerable, so deep-equality checks still see a plain empty Map.
  for (const k of ['set', 'delete', 'clear']) Object.defineProperty(m, k, { value: refuse, enumerable: false });
  return m;
}

/** The shared empty map of published summaries. */
export const NO_ENTRIES: Map<never, never> = readOnlyEmptyMap();

function tight<T>(a: T[]): T[] {
  if (a.length === 0) return NONE;
  // V8 grows arrays to at least 17 slots on the first push; a copy has exactly `length`.
  return a.length < 16 ? a.slice() : a;
}

function tightMap<K, V>(m: Map<K, V>): Map<K, V> {
  return m.size === 0 ? (NO_ENTRIES as Map<K, V>) : m;
}

export function compactSummary(s: FnSummary): void {
  s.acquires = tightMap(s.acquires);
  if (s.perRun) s.perRun = tightMap(s.perRun);
  s.returnsHolding = tightMap(s.returnsHolding);
  s.releases = tightMap(s.releases);
  s.requires = tightMap(s.requires);
  s.excluded = tightMap(s.excluded);
  s.waits = tight(s.waits);
}

export function compactResult(r: LocalResult): void {
  compactSummary(r.summary);
  r.sites = tight(r.sites);
  for (const c of r.calls) {
    c.requires = tight(c.requires);
    c.excluded = tight(c.excluded);
  }
  r.calls = tight(r.calls);
  r.edges = tight(r.edges);
  r.recursive = tight(r.recursive);
  r.doubleUnlock = tight(r.doubleUnlock);
  r.sleeps = tight(r.sleeps);
  r.waits = tight(r.waits);
  r.derefs = tight(r.derefs);
  r.frees = tight(r.frees);
  r.exits = tight(r.exits);
  r.acqEvents = tight(r.acqEvents);
  r.badUnlock = tight(r.badUnlock);
  r.partialUnlock = tight(r.partialUnlock);
  r.rtnlInLoop = tight(r.rtnlInLoop);
  r.lines = tight(r.lines);
  r.acqSites = tight(r.acqSites);
}
