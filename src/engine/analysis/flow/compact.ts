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

function readOnlyEmptySet(): Set<never> {
  const s = new Set<never>();
  for (const k of ['add', 'delete', 'clear']) Object.defineProperty(s, k, { value: refuse, enumerable: false });
  return s;
}

/**
 * The shared empty set (entry contexts, seeds): an empty Set's hash table costs ~240 bytes, and
 * most of the per-function sets of a large tree are empty. Typed read-only; writes throw.
 */
export const NO_MEMBERS: ReadonlySet<never> = readOnlyEmptySet();

/** `m`, or the shared empty map when it has no entries (for per-function maps that are final). */
export function sharedIfEmpty<K, V>(m: Map<K, V>): ReadonlyMap<K, V>;
export function sharedIfEmpty<K, V>(m: ReadonlyMap<K, V>): ReadonlyMap<K, V>;
export function sharedIfEmpty<K, V>(m: ReadonlyMap<K, V>): ReadonlyMap<K, V> {
  return m.size === 0 ? (NO_ENTRIES as ReadonlyMap<K, V>) : m;
}

/** `s`, or the shared empty set when it has no members. */
export function sharedSetIfEmpty<T>(s: ReadonlySet<T>): ReadonlySet<T> {
  return s.size === 0 ? (NO_MEMBERS as ReadonlySet<T>) : s;
}

function tight<T>(a: T[]): T[] {
  if (a.length === 0) return NONE;
  // V8 grows arrays to at least 17 slots on the first push; a copy has exactly `length`.
  return a.length < 16 ? a.slice() : a;
}

function tightMap<K, V>(m: Map<K, V>): Map<K, V> {
  return m.size === 0 ? (NO_ENTRIES as Map<K, V>) : m;
}

/** Same keys in the same order with the very same values (so either map reads identically). */
function sameEntries<K, V>(a: Map<K, V>, b: Map<K, V>): boolean {
  if (a.size !== b.size) return false;
  const ib = b.entries();
  for (const [k, v] of a) {
    const [kb, vb] = ib.next().value as [K, V];
    if (k !== kb || v !== vb) return false;
  }
  return true;
}

export function compactSummary(s: FnSummary): void {
  s.acquires = tightMap(s.acquires);
  // Most functions pay every acquisition on every run: then perRun holds the same entries as
  // acquires, and one map can stand for both (iteration order and values are identical).
  if (s.perRun) s.perRun = sameEntries(s.perRun, s.acquires) ? s.acquires : tightMap(s.perRun);
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
  for (const x of r.exits) x.tryLocks = tight(x.tryLocks);
  r.exits = tight(r.exits);
  r.acqEvents = tight(r.acqEvents);
  r.badUnlock = tight(r.badUnlock);
  r.partialUnlock = tight(r.partialUnlock);
  r.rtnlInLoop = tight(r.rtnlInLoop);
  r.lines = tight(r.lines);
  r.acqSites = tight(r.acqSites);
}
