/**
 * Per-function results of the local (context-free) pass. A summary depends only on the
 * function's IR and its callees' summaries, so it can be cached per SCC and recomputed
 * incrementally; everything context-dependent (entry locks) is applied later by formula:
 * held(point) = local ∪ (entry − dropped-before-point).
 */
import type { LockType, WitnessStep } from '../model';

/** Held-set snapshot at a program point, relative to an empty entry. */
export interface Snap {
  must: string[];
  may: string[];
  /** Entry locks released on some path / on every path before this point. */
  dropMay: string[];
  dropMust: string[];
}

export interface AcqInfo {
  lock: string;
  param?: number;
  chain: WitnessStep[];
  try: boolean;
  shared: boolean;
  nested: boolean;
  type: LockType;
  /** Locks the function released without taking before this acquisition (unlock→relock idiom). */
  dropped: string[];
}

export interface HoldInfo {
  lock: string;
  param?: number;
  must: boolean;
  chain: WitnessStep[];
  shared: boolean;
  type: LockType;
  /** Held in atomic context (kernel spinlock_t / rwlock_t). */
  atomic?: boolean;
}

export interface TryRet {
  locks: { lock: string; param?: number; shared: boolean; type: LockType; atomic?: boolean }[];
  success: 'zero' | 'nonzero';
  /** Named success value (enum constant): acquired exactly when the result equals it. */
  successValue?: string;
  chain: WitnessStep[];
  /** The underlying acquisition waits (interruptible/killable), so it orders locks like a lock. */
  blocks?: boolean;
}

export interface WaitInfo {
  kind: string;
  /** synchronize_net()/synchronize_rcu_expedited(): expedited when RTNL is held. */
  expeditedUnderRtnl?: boolean;
  /** Class of the awaited handle (work item / thread), when known. */
  handle: string | null;
  chain: WitnessStep[];
}

export interface FnSummary {
  key: string;
  acquires: Map<string, AcqInfo>;
  /**
   * The subset of `acquires` reached on every run, i.e. outside once-only regions here and in
   * callees (see once-regions.ts); per-run cost rules read this. Absent = same as `acquires`.
   */
  perRun?: Map<string, AcqInfo>;
  returnsHolding: Map<string, HoldInfo>;
  releases: Map<string, { lock: string; param?: number; must: boolean }>;
  tryRet: TryRet | null;
  requires: Map<string, { lock: string; param?: number; shared: boolean; source: 'annotation' | 'assert' }>;
  excluded: Map<string, { lock: string; param?: number }>;
  sleep: WitnessStep[] | null;
  waits: WaitInfo[];
  /** Annotated OVS_NO_THREAD_SAFETY_ANALYSIS: no findings are reported inside. */
  noAnalysis: boolean;
}

/** A summary with nothing in it yet (the local pass fills it; tests build from it). */
export function newSummary(key: string): FnSummary {
  return {
    key,
    acquires: new Map(),
    perRun: new Map(),
    returnsHolding: new Map(),
    releases: new Map(),
    tryRet: null,
    requires: new Map(),
    excluded: new Map(),
    sleep: null,
    waits: [],
    noAnalysis: false,
  };
}

const sigCache = new WeakMap<FnSummary, string>();

/** Change-detection key of a summary (memoised: summaries are immutable once published). */
export function summarySig(s: FnSummary): string {
  let v = sigCache.get(s);
  if (v === undefined) sigCache.set(s, (v = computeSig(s)));
  return v;
}

function computeSig(s: FnSummary): string {
  const parts: string[] = [];
  // Chain lengths are left out on purpose: witnesses only get shorter, and re-analysing callers
  // for a shorter witness would make large recursive SCCs churn.
  for (const [k, a] of [...s.acquires].sort()) parts.push(`a${k}:${a.try ? 1 : 0}:${a.dropped.join(',')}`);
  if (s.perRun) for (const k of [...s.perRun.keys()].sort()) parts.push(`p${k}`);
  for (const [k, h] of [...s.returnsHolding].sort()) parts.push(`h${k}:${h.must ? 1 : 0}`);
  for (const [k, r] of [...s.releases].sort()) parts.push(`r${k}:${r.must ? 1 : 0}`);
  if (s.tryRet) parts.push(`t${s.tryRet.success}${s.tryRet.successValue ?? ''}:${s.tryRet.locks.map((l) => l.lock).join(',')}`);
  for (const k of [...s.requires.keys()].sort()) parts.push(`q${k}`);
  if (s.sleep) parts.push('s');
  for (const w of s.waits) parts.push(`w${w.kind}:${w.handle}`);
  return parts.join(';');
}

export interface SiteRec {
  line: number;
  col: number;
  op: import('../model').SiteOp;
  locks: string[];
  text: string;
  snap: Snap;
}

export interface CallRec {
  callee: string[];
  line: number;
  col: number;
  text: string;
  indirect: boolean;
  /** Held before the call. */
  snap: Snap;
  loop: boolean;
  /** Substituted requirements/exclusions of the callee(s) at this site. */
  requires: { lock: string; calleeName: string; source: string }[];
  excluded: { lock: string; calleeName: string }[];
}

export interface EdgeRec {
  from: string;
  to: string;
  chain: WitnessStep[];
  try: boolean;
  /** Line of the statement in this function where `to` is reached (acquired or called into). */
  reachLine: number;
  /** Both the held and the acquired lock are read (shared) acquisitions. */
  readRead: boolean;
}

export interface LockEvent {
  line: number;
  lock: string;
  chain: WitnessStep[];
  snap: Snap;
  /** Same textual lock expression as the held acquisition (higher confidence). */
  sameExpr: boolean;
  must: boolean;
  heldChain: WitnessStep[];
}

export interface SleepRec {
  line: number;
  chain: WitnessStep[];
  /** Atomic-context locks held locally (spin/rw locks, irq/bh/preempt-off regions, RCU). */
  atomic: { lock: string; rcu: boolean; chain: WitnessStep[] }[];
  snap: Snap;
}

export interface WaitRec {
  line: number;
  wait: WaitInfo;
  snap: Snap;
  heldChains: Map<string, WitnessStep[]>;
}

export interface DerefRec {
  line: number;
  text: string;
  prim: string;
  mode: 'reader' | 'check' | 'protected';
  /** Locks whose holding satisfies the condition; null = condition unknown (assumed satisfied). */
  condLocks: string[] | null;
  rcuFlavour: string;
  snap: Snap;
}

export interface FreeRec {
  line: number;
  text: string;
  chain: WitnessStep[];
}

export interface ExitRec {
  line: number;
  snap: Snap;
  /** Locks held at this exit that came from a trylock / conditional acquisition. */
  tryLocks: string[];
  /** Truth value of a constant boolean return (`true`/`false`), else null. */
  retConst: boolean | null;
}

/** A direct acquisition in this function, with the held set just before it. */
export interface AcqEvent {
  line: number;
  lock: string;
  chain: WitnessStep[];
  before: Snap;
  try: boolean;
  nested: boolean;
  shared: boolean;
}

export interface LocalResult {
  summary: FnSummary;
  sites: SiteRec[];
  calls: CallRec[];
  edges: EdgeRec[];
  recursive: LockEvent[];
  doubleUnlock: LockEvent[];
  sleeps: SleepRec[];
  waits: WaitRec[];
  derefs: DerefRec[];
  frees: FreeRec[];
  exits: ExitRec[];
  acqEvents: AcqEvent[];
  /** Releases of a lock whose acquisition failed on this path (interruptible/trylock failure). */
  badUnlock: LockEvent[];
  /** Releases of a lock held on some paths only (snap = before the release). */
  partialUnlock: LockEvent[];
  rtnlInLoop: { line: number; chain: WitnessStep[] }[];
  lines: { line: number; snap: Snap }[];
  /** Acquisition sites per lock class (for LockClass.sites and lockType). */
  acqSites: { lock: string; type: LockType; kind: string }[];
  unresolvedIndirect: number;
  resolvedIndirect: number;
  fixpointCapped: boolean;
}
