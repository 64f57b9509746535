/**
 * The dataflow state of the local pass (held locks, dropped entry locks, pending trylock results,
 * RCU provenance, failed acquisitions, branch facts) with copy-on-write collections: a copy
 * shares every collection with its origin until one side writes it, because most CFG nodes
 * change nothing or one collection, and cloning seven Maps per node dominated the phase.
 */
import type { LockType, WitnessStep } from '../../model';
import type { Snap } from '../summary';
import type { LockRef } from '../lock-identity';
import { cmpChain, cmpStr } from '../util';
import { internSnap } from './snap';

export interface HeldE {
  must: boolean;
  shared: boolean;
  try: boolean;
  nested: boolean;
  assert: boolean;
  atomic: boolean;
  rcu: boolean;
  type: LockType;
  chain: WitnessStep[];
  text: string;
  param?: number;
  /** Instances of the class held (two buckets of one class nested with `_nested`). */
  count: number;
  /** Branch facts (`locked` = false) known when it was taken: the lock exists only on such paths. */
  facts?: Readonly<Record<string, boolean>>;
  /** Held on *every* path on which `facts` hold (so a later test of the same facts makes it must). */
  condMust?: boolean;
}

export interface LockAcq {
  ref: LockRef;
  shared: boolean;
  nested: boolean;
  atomic: boolean;
  rcu: boolean;
  type: LockType;
  text: string;
}

export interface Pending {
  locks: LockAcq[];
  success: 'zero' | 'nonzero';
  /** Named success value (`OVS_TRY_LOCK(QUEUE_ITEM, ...)`): acquired exactly when result == it. */
  successValue?: string;
  chain: WitnessStep[];
  /** Interruptible/killable/dec-and-lock: waits like a lock (closes cycles), may still fail. */
  blocks: boolean;
}

/** Pseudo locks (`#irq`, `#bh`, ...) track atomic context; they are never reported as locks. */
export const isPseudo = (id: string): boolean => id.charCodeAt(0) === 35; /* '#' */

const HELD = 1;
const DROPPED = 2;
const RELEASED = 4;
const PENDING = 8;
const TAINT = 16;
const FAILED = 32;
const FACTS = 64;
const ALL = 127;

/**
 * Reads go through the readonly getters; writes through the `w*()` accessors, which copy a
 * shared collection on first write. `copy()` hands both sides shared collections.
 */
export class St {
  /** Bit set of the collections this state owns (may write in place). */
  private own: number;
  /** Snapshot of held/dropped, valid until either is written. */
  private snapMemo: Snap | null;

  constructor(
    private h: Map<string, HeldE>,
    private d: Map<string, boolean>,
    private rel: Set<string>,
    private pend: Map<string, Pending>,
    private tnt: Map<string, WitnessStep>,
    private fail: Set<string>,
    private fct: Map<string, boolean>,
    own: number,
    snap: Snap | null,
  ) {
    this.own = own;
    this.snapMemo = snap;
  }

  static empty(): St {
    return new St(new Map(), new Map(), new Set(), new Map(), new Map(), new Set(), new Map(), ALL, null);
  }

  /** Gives up in-place writes: collections are copied on the next write. */
  disown(): void {
    this.own = 0;
  }

  /** A state equal to this one; neither side owns the shared collections any more. */
  copy(): St {
    this.own = 0;
    return new St(this.h, this.d, this.rel, this.pend, this.tnt, this.fail, this.fct, 0, this.snapMemo);
  }

  get held(): ReadonlyMap<string, HeldE> {
    return this.h;
  }
  get dropped(): ReadonlyMap<string, boolean> {
    return this.d;
  }
  get released(): ReadonlySet<string> {
    return this.rel;
  }
  get pending(): ReadonlyMap<string, Pending> {
    return this.pend;
  }
  get taint(): ReadonlyMap<string, WitnessStep> {
    return this.tnt;
  }
  /** Locks whose trylock/interruptible acquisition failed on this path. */
  get failed(): ReadonlySet<string> {
    return this.fail;
  }
  /**
   * Values of simple boolean locals tested by branches on this path. Together with HeldE.facts
   * this correlates `if (!locked) lock(); ... if (!locked) unlock();`.
   */
  get facts(): ReadonlyMap<string, boolean> {
    return this.fct;
  }

  wHeld(): Map<string, HeldE> {
    this.snapMemo = null;
    if (!(this.own & HELD)) {
      this.h = new Map(this.h);
      this.own |= HELD;
    }
    return this.h;
  }
  wDropped(): Map<string, boolean> {
    this.snapMemo = null;
    if (!(this.own & DROPPED)) {
      this.d = new Map(this.d);
      this.own |= DROPPED;
    }
    return this.d;
  }
  wReleased(): Set<string> {
    if (!(this.own & RELEASED)) {
      this.rel = new Set(this.rel);
      this.own |= RELEASED;
    }
    return this.rel;
  }
  wPending(): Map<string, Pending> {
    if (!(this.own & PENDING)) {
      this.pend = new Map(this.pend);
      this.own |= PENDING;
    }
    return this.pend;
  }
  wTaint(): Map<string, WitnessStep> {
    if (!(this.own & TAINT)) {
      this.tnt = new Map(this.tnt);
      this.own |= TAINT;
    }
    return this.tnt;
  }
  wFailed(): Set<string> {
    if (!(this.own & FAILED)) {
      this.fail = new Set(this.fail);
      this.own |= FAILED;
    }
    return this.fail;
  }
  wFacts(): Map<string, boolean> {
    if (!(this.own & FACTS)) {
      this.fct = new Map(this.fct);
      this.own |= FACTS;
    }
    return this.fct;
  }

  // Deletions of absent keys must not force a copy.
  delHeld(k: string): void {
    if (this.h.has(k)) this.wHeld().delete(k);
  }
  delDropped(k: string): void {
    if (this.d.has(k)) this.wDropped().delete(k);
  }
  delReleased(k: string): void {
    if (this.rel.has(k)) this.wReleased().delete(k);
  }
  delPending(k: string): void {
    if (this.pend.has(k)) this.wPending().delete(k);
  }
  delTaint(k: string): void {
    if (this.tnt.has(k)) this.wTaint().delete(k);
  }
  delFailed(k: string): void {
    if (this.fail.has(k)) this.wFailed().delete(k);
  }
  delFact(k: string): void {
    if (this.fct.has(k)) this.wFacts().delete(k);
  }
  addReleased(k: string): void {
    if (!this.rel.has(k)) this.wReleased().add(k);
  }
  addFailed(k: string): void {
    if (!this.fail.has(k)) this.wFailed().add(k);
  }
  clearTaint(): void {
    if (this.tnt.size) {
      this.tnt = new Map();
      this.own |= TAINT;
    }
  }

  /** Nothing but branch facts: no lock, dropped or released lock, pending result, provenance, failure. */
  factsOnly(): boolean {
    return this.h.size === 0 && this.d.size === 0 && this.rel.size === 0 && this.pend.size === 0 && this.tnt.size === 0 && this.fail.size === 0;
  }

  /** Interned snapshot of the held/dropped sets (memoised until they change). */
  snap(): Snap {
    return (this.snapMemo ??= computeSnap(this.h, this.d));
  }
}

function computeSnap(held: ReadonlyMap<string, HeldE>, dropped: ReadonlyMap<string, boolean>): Snap {
  const must: string[] = [];
  const may: string[] = [];
  held.forEach((v, k) => {
    if (isPseudo(k)) return;
    may.push(k);
    if (v.must) must.push(k);
  });
  const dropMay: string[] = [];
  const dropMust: string[] = [];
  dropped.forEach((v, k) => {
    dropMay.push(k);
    if (v) dropMust.push(k);
  });
  if (must.length > 1) must.sort(cmpStr);
  if (may.length > 1) may.sort(cmpStr);
  if (dropMay.length > 1) dropMay.sort(cmpStr);
  if (dropMust.length > 1) dropMust.sort(cmpStr);
  return internSnap(must, may, dropMay, dropMust);
}

function meetFacts(a: Readonly<Record<string, boolean>> | undefined, b: Readonly<Record<string, boolean>> | undefined): Record<string, boolean> | undefined {
  if (!a || !b) return undefined;
  const r: Record<string, boolean> = {};
  let any = false;
  for (const k of Object.keys(a)) {
    if (b[k] === a[k]) {
      r[k] = a[k]!;
      any = true;
    }
  }
  return any ? r : undefined;
}

/** Same as comparing JSON.stringify of both (key order included), without building strings. */
export function factsSame(a: Readonly<Record<string, boolean>> | undefined, b: Readonly<Record<string, boolean>> | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i] || a[ka[i]!] !== b[kb[i]!]) return false;
  return true;
}

/** A lock missing on one side stays "must under its facts" only if that side's path contradicts them. */
function contradicts(path: ReadonlyMap<string, boolean>, f: Readonly<Record<string, boolean>> | undefined): boolean {
  if (!f) return false;
  for (const v of Object.keys(f)) if (path.has(v) && path.get(v) !== f[v]) return true;
  return false;
}

/** Join at a control-flow merge (a fresh state; the inputs are not modified). */
export function joinSt(a: St, b: St): St {
  const held = new Map<string, HeldE>();
  const ah = a.held;
  const bh = b.held;
  // forEach: entry iteration would allocate a [key, value] pair per lock.
  ah.forEach((x, k) => {
    const y = bh.get(k);
    if (!y) held.set(k, { ...x, must: false, condMust: (x.must || !!x.condMust) && contradicts(b.facts, x.facts) });
    else if (x === y && (x.must ? !!x.condMust : true)) {
      // Joining an entry with itself changes nothing (facts meet to an equal copy).
      held.set(k, x);
    } else {
      const c = cmpChain(x.chain, y.chain) <= 0 ? x : y;
      const facts = meetFacts(x.facts, y.facts);
      const sameFacts = factsSame(x.facts, y.facts);
      const condMust = (x.must && y.must) || ((x.must || !!x.condMust) && (y.must || !!y.condMust) && sameFacts);
      held.set(k, { ...c, must: x.must && y.must, try: x.try || y.try, shared: x.shared && y.shared, count: Math.max(x.count, y.count), condMust, facts });
    }
  });
  if (ah !== bh) {
    bh.forEach((y, k) => {
      if (!ah.has(k)) held.set(k, { ...y, must: false, condMust: (y.must || !!y.condMust) && contradicts(a.facts, y.facts) });
    });
  }
  // The other collections are shared (not owned) whenever the join cannot change them: same
  // object on both sides, or one side empty. Most joins merge states that differ in `held` only.
  let own = HELD;
  let dropped: ReadonlyMap<string, boolean>;
  if (a.dropped === b.dropped || (a.dropped.size === 0 && b.dropped.size === 0)) dropped = a.dropped;
  else {
    const d = new Map<string, boolean>();
    for (const [k, m] of a.dropped) d.set(k, m && b.dropped.get(k) === true);
    for (const [k] of b.dropped) if (!a.dropped.has(k)) d.set(k, false);
    dropped = d;
    own |= DROPPED;
  }
  let facts: ReadonlyMap<string, boolean>;
  if (a.facts === b.facts || a.facts.size === 0) facts = a.facts;
  else if (b.facts.size === 0) facts = b.facts;
  else {
    const f = new Map<string, boolean>();
    for (const [k, v] of a.facts) if (b.facts.get(k) === v) f.set(k, v);
    facts = f;
    own |= FACTS;
  }
  const released = unionSet(a.released, b.released);
  const pending = unionMap(a.pending, b.pending);
  const taint = unionMap(a.taint, b.taint);
  const failed = unionSet(a.failed, b.failed);
  if (released !== a.released && released !== b.released) own |= RELEASED;
  if (pending !== a.pending && pending !== b.pending) own |= PENDING;
  if (taint !== a.taint && taint !== b.taint) own |= TAINT;
  if (failed !== a.failed && failed !== b.failed) own |= FAILED;
  // Inputs lose ownership too, so a later write to either side cannot reach the result.
  a.disown();
  b.disown();
  return new St(held, dropped as Map<string, boolean>, released as Set<string>, pending as Map<string, Pending>, taint as Map<string, WitnessStep>, failed as Set<string>, facts as Map<string, boolean>, own, null);
}

/** Union (first side's order first); returns an input itself when the result would equal it. */
function unionSet(a: ReadonlySet<string>, b: ReadonlySet<string>): ReadonlySet<string> {
  if (a === b || b.size === 0) return a;
  if (a.size === 0) return b;
  const r = new Set(a);
  for (const k of b) r.add(k);
  return r;
}

/** Entries of `a`, then those of `b` whose keys `a` lacks (first side wins); shares like unionSet. */
function unionMap<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>): ReadonlyMap<string, V> {
  if (a === b || b.size === 0) return a;
  if (a.size === 0) return b;
  const r = new Map(a);
  for (const [k, v] of b) if (!r.has(k)) r.set(k, v);
  return r;
}

function heldEq(a: HeldE, b: HeldE): boolean {
  if (a === b) return true;
  if (a.must !== b.must || a.shared !== b.shared || a.try !== b.try || a.count !== b.count || !!a.condMust !== !!b.condMust) return false;
  if (a.facts === b.facts) return true;
  if (!a.facts || !b.facts) return false;
  const ka = Object.keys(a.facts);
  if (ka.length !== Object.keys(b.facts).length) return false;
  for (const k of ka) if (a.facts[k] !== b.facts[k]) return false;
  return true;
}

function mapEq<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>, eq: (x: V, y: V) => boolean): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || !eq(v, w)) return false;
  }
  return true;
}

function setEq(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}

const keysOnly = (): boolean => true;
const same = (x: boolean, y: boolean): boolean => x === y;

/** Fixpoint equality (witness chains are deliberately ignored). */
export function stEq(a: St, b: St): boolean {
  return (
    mapEq(a.held, b.held, heldEq) &&
    mapEq(a.dropped, b.dropped, same) &&
    setEq(a.released, b.released) &&
    mapEq(a.pending, b.pending, keysOnly) &&
    mapEq(a.taint, b.taint, keysOnly) &&
    setEq(a.failed, b.failed) &&
    mapEq(a.facts, b.facts, same)
  );
}

/** Debug signature of a state (tests and troubleshooting). */
export function sig(s: St): string {
  const h = [...s.held].map(([k, v]) => `${k}${v.must ? '!' : '?'}${v.shared ? 's' : ''}${v.try ? 't' : ''}${v.count}${v.facts ? JSON.stringify(v.facts) : ''}`).sort();
  const d = [...s.dropped].map(([k, v]) => `${k}${v ? '!' : '?'}`).sort();
  return `${h.join(',')}|${d.join(',')}|${[...s.released].sort().join(',')}|${[...s.pending.keys()].sort().join(',')}|${[...s.taint.keys()].sort().join(',')}|${[...s.failed].sort().join(',')}|${[...s.facts].map(([k, v]) => `${k}=${v}`).sort().join(',')}`;
}
