/**
 * Phase 4, entry contexts (top-down): the locks held on entry to each function, from its
 * incoming call records (must = all callers, may = some caller); annotations/asserts seed them
 * unless `noAnnotations`. A worklist over the functions in callers-first order.
 *
 * Incremental: incoming call records and seeds are patched for functions whose local result
 * changed; the worklist restarts from their callees (recursive SCCs reset to TOP as a whole).
 */
import type { FnInfo, Program } from '../analysis/program';
import { tightenLists } from '../analysis/program';
import type { FnSummary, LocalResult, Snap } from '../analysis/summary';
import { NO_MEMBERS, sharedSetIfEmpty } from '../analysis/flow/compact';
import { MinHeap } from '../analysis/flow/min-heap';
import type { Entry } from '../detectors/context';
import { fnsOfKey, setEq } from './keys';

/** Incoming call record of a function (one per callee of a call statement). */
export interface CallIn {
  caller: FnInfo;
  snap: Snap;
  line: number;
}

/** What a session keeps of the entry contexts between runs. */
export interface EntryState {
  callsIn: Map<string, CallIn[]>;
  seeds: Map<string, ReadonlySet<string>>;
  entry: Map<string, Entry>;
  /** Functions whose entry is still TOP (no caller reached yet). */
  top: Set<string>;
  /** Function keys callers first (reversed bottom-up SCC order), and each key's index there. */
  topDown: string[];
  order: Map<string, number>;
}

export interface EntryInput {
  prog: Program;
  noAnnotations: boolean;
  local: Map<string, LocalResult>;
  summaries: Map<string, FnSummary>;
  sccs: FnInfo[][];
  sccOf: Map<string, number>;
  recursive: boolean[];
  /** Rebuilt SCCs: which ones are new (see Summaries.newCompAt). */
  newCompAt: boolean[];
  structural: boolean;
  oldLocal: Map<string, LocalResult | undefined> | null;
  localKeys: Set<string>;
  prev: EntryState | null;
  checkAbort: () => void;
}

export interface EntryContexts {
  state: EntryState;
  /** Keys whose entry was recomputed (incremental runs; empty on a cold run). */
  entryDirty: Set<string>;
  /** Keys whose Entry object changed (null: all). */
  entryChanged: Set<string> | null;
}

export function computeEntryContexts(inp: EntryInput): EntryContexts {
  const entryDirty = new Set<string>();
  const prev = inp.prev;
  if (!prev) {
    const { callsIn, seeds } = coldCallRecords(inp);
    const topDown = [...inp.sccs].reverse().flat().map((f) => f.key);
    const state: EntryState = { callsIn, seeds, entry: new Map(), top: new Set(), topDown, order: new Map(topDown.map((k, i) => [k, i])) };
    new EntrySolver(inp, state).solveCold();
    return { state, entryDirty, entryChanged: null };
  }
  patchCallRecords(inp, prev, entryDirty);
  let state = prev;
  if (inp.structural) {
    // New SCCs (members changed) restart from their initial state; gone functions leave.
    const topDown = [...inp.sccs].reverse().flatMap((c) => c.map((f) => f.key));
    state = { ...prev, topDown, order: new Map(topDown.map((k, i) => [k, i])) };
  }
  const entryChanged = new EntrySolver(inp, state).solveIncremental(entryDirty);
  return { state, entryDirty, entryChanged };
}

function seedOf(inp: EntryInput, k: string): ReadonlySet<string> {
  const s = inp.summaries.get(k);
  const seed = new Set<string>();
  if (s && !inp.noAnnotations) for (const [id, q] of s.requires) if (q.param === undefined || !id.startsWith('?')) seed.add(id);
  return sharedSetIfEmpty(seed);
}

function coldCallRecords(inp: EntryInput): { callsIn: Map<string, CallIn[]>; seeds: Map<string, ReadonlySet<string>> } {
  const callsIn = new Map<string, CallIn[]>();
  const seeds = new Map<string, ReadonlySet<string>>();
  for (const f of inp.prog.fns) {
    for (const c of inp.local.get(f.key)?.calls ?? []) {
      for (const k of c.callee) {
        const l = callsIn.get(k);
        const rec = { caller: f, snap: c.snap, line: c.line };
        if (l) l.push(rec);
        else callsIn.set(k, [rec]);
      }
    }
    seeds.set(f.key, seedOf(inp, f.key));
  }
  tightenLists(callsIn);
  return { callsIn, seeds };
}

/** Replaces the call records and seeds of the functions whose local result changed; marks whom they reach. */
function patchCallRecords(inp: EntryInput, st: EntryState, entryDirty: Set<string>): void {
  const { callsIn, seeds } = st;
  const oldLocal = inp.oldLocal!;
  for (const k of inp.localKeys) {
    const before = oldLocal.has(k) ? oldLocal.get(k) : inp.local.get(k);
    for (const c of before?.calls ?? []) {
      for (const ck of c.callee) {
        const l = callsIn.get(ck);
        if (!l) continue;
        const rest = l.filter((x) => x.caller.key !== k);
        if (rest.length) callsIn.set(ck, rest);
        else callsIn.delete(ck);
        entryDirty.add(ck);
      }
    }
  }
  for (const k of inp.localKeys) {
    const r = inp.local.get(k);
    if (!r) {
      seeds.delete(k);
      continue;
    }
    for (const f of fnsOfKey(inp.prog, k)) {
      for (const c of r.calls) {
        for (const ck of c.callee) {
          const l = callsIn.get(ck);
          const rec = { caller: f, snap: c.snap, line: c.line };
          if (l) l.push(rec);
          else callsIn.set(ck, [rec]);
          entryDirty.add(ck);
        }
      }
    }
    const seed = seedOf(inp, k);
    if (!setEq(seed, seeds.get(k) ?? NO_MEMBERS)) entryDirty.add(k);
    seeds.set(k, seed);
    entryDirty.add(k);
  }
}

/**
 * The worklist of both runs: lowest topological index first (deterministic), each index queued
 * at most once.
 */
class EntrySolver {
  private readonly heap = new MinHeap();
  private readonly pending = new Set<number>();
  private readonly byKey = new Map<string, FnInfo>();

  constructor(
    private readonly inp: EntryInput,
    private readonly st: EntryState,
  ) {}

  solveCold(): void {
    const { st } = this;
    for (const f of this.inp.prog.fns) this.initEntry(f.key);
    for (let i = 0; i < st.topDown.length; i++) this.pushIdx(i);
    let budget = st.topDown.length * 12 + 100;
    while (this.heap.size && budget-- > 0) {
      if ((budget & 1023) === 0) this.inp.checkAbort();
      const k = this.pop();
      if (this.step(this.keyFn(k)!)) for (const c of this.calleesByKey(k)) this.push(c);
    }
  }

  /** Recomputes from the dirty keys; returns the keys whose Entry object changed. */
  solveIncremental(entryDirty: Set<string>): Set<string> {
    const { inp, st } = this;
    const { entry, top } = st;
    const entryChanged = new Set<string>();
    if (inp.structural) this.restartNewComps(entryDirty, entryChanged);
    for (const k of entryDirty) this.push(k);
    const reset = new Set<number>();
    /** Entry and TOP status before this run, for the functions recomputed. */
    const before = new Map<string, { e: Entry; top: boolean }>();
    const remember = (k: string): void => {
      if (!before.has(k)) before.set(k, { e: entry.get(k)!, top: top.has(k) });
    };
    let budget = st.topDown.length * 12 + 100;
    while (this.heap.size && budget-- > 0) {
      if ((budget & 1023) === 0) inp.checkAbort();
      const k = this.pop();
      const f = this.keyFn(k)!;
      const si = inp.sccOf.get(k)!;
      if (inp.recursive[si]) {
        if (!reset.has(si)) {
          // A recursive SCC is iterated from its initial state, as a from-scratch run does.
          reset.add(si);
          for (const m of inp.sccs[si]!) {
            remember(m.key);
            this.initEntry(m.key);
          }
          for (const m of inp.sccs[si]!) this.push(m.key);
          continue;
        }
        if (this.step(f)) for (const c of this.calleesByKey(k)) this.push(c);
        continue;
      }
      remember(k);
      this.initEntry(k);
      this.step(f);
      const b = before.get(k)!;
      if (this.sameEntry(b, k)) entry.set(k, b.e);
      else for (const c of this.calleesByKey(k)) this.push(c);
    }
    for (const [k, b] of before) {
      if (this.sameEntry(b, k)) entry.set(k, b.e);
      else entryChanged.add(k);
    }
    return entryChanged;
  }

  /** New SCCs (members changed) restart from their initial state; gone functions leave. */
  private restartNewComps(entryDirty: Set<string>, entryChanged: Set<string>): void {
    const { inp, st } = this;
    const { entry, top } = st;
    for (const k of [...entry.keys()]) {
      if (!st.order.has(k)) {
        entry.delete(k);
        top.delete(k);
      }
    }
    inp.newCompAt.forEach((isNew, i) => {
      if (!isNew) return;
      for (const f of inp.sccs[i]!) {
        if (!entry.has(f.key)) {
          this.initEntry(f.key);
          entryChanged.add(f.key);
        }
        entryDirty.add(f.key);
      }
    });
  }

  /** One worklist step (the from-scratch algorithm's): recomputes f's entry from its callers. */
  private step(f: FnInfo): boolean {
    const { callsIn, seeds, entry, top } = this.st;
    const cs = callsIn.get(f.key);
    if (!cs) return false;
    const seed = seeds.get(f.key)!;
    let must = null as Set<string> | null;
    const may = new Set<string>(seed);
    for (const c of cs) {
      const ce = entry.get(c.caller.key);
      const callerTop = top.has(c.caller.key);
      const hm = heldAtCall(c.snap, ce, may);
      if (callerTop && c.caller !== f) continue;
      if (must === null) must = hm;
      else for (const x of must) if (!hm.has(x)) must.delete(x);
    }
    const cur = entry.get(f.key)!;
    const newMust = new Set<string>(seed);
    if (must) for (const l of must) newMust.add(l);
    const wasTop = top.has(f.key);
    if (must !== null) top.delete(f.key);
    const same = wasTop === top.has(f.key) && setEq(cur.must, newMust) && setEq(cur.may, may);
    // Entry sets are never written after this: empty ones become the shared empty set.
    if (!same) entry.set(f.key, { must: must !== null ? sharedSetIfEmpty(newMust) : cur.must, may: sharedSetIfEmpty(may) });
    return !same;
  }

  private initEntry(k: string): void {
    const { seeds, entry, top, callsIn } = this.st;
    // The seed is read-only and so are entry sets: both sides can be the seed itself.
    const seed = seeds.get(k) ?? NO_MEMBERS;
    entry.set(k, { must: seed, may: seed });
    if (callsIn.has(k)) top.add(k);
    else top.delete(k);
  }

  /** Entry and TOP status as they were before (`b`): the Entry object can be kept. */
  private sameEntry(b: { e: Entry; top: boolean }, k: string): boolean {
    const e = this.st.entry.get(k)!;
    return b.top === this.st.top.has(k) && setEq(b.e.must, e.must) && setEq(b.e.may, e.may);
  }

  private pushIdx(o: number): void {
    if (!this.pending.has(o)) {
      this.pending.add(o);
      this.heap.push(o);
    }
  }

  private push(k: string): void {
    const o = this.st.order.get(k);
    if (o !== undefined) this.pushIdx(o);
  }

  private pop(): string {
    const idx = this.heap.pop();
    this.pending.delete(idx);
    return this.st.topDown[idx]!;
  }

  private keyFn(k: string): FnInfo | undefined {
    let f = this.byKey.get(k);
    if (!f) {
      const l = fnsOfKey(this.inp.prog, k);
      f = l[l.length - 1];
      if (f) this.byKey.set(k, f);
    }
    return f;
  }

  private calleesByKey(k: string): Iterable<string> {
    const out = new Set<string>();
    for (const c of this.inp.local.get(k)?.calls ?? []) for (const x of c.callee) out.add(x);
    return out;
  }
}

/**
 * `heldWith(snap, e)` for the entry worklist, without its sorted copies: adds the may-set to `may`
 * and returns the must-set. A hub function's entry is recomputed from every caller on each
 * step, and the four Sets and two sorts per caller were most of an edit's entry phase.
 */
function heldAtCall(snap: Snap, e: Entry | undefined, may: Set<string>): Set<string> {
  const must = new Set(snap.must);
  for (const l of snap.may) may.add(l);
  if (e) {
    for (const l of e.must) if (!snap.dropMay.includes(l)) must.add(l);
    for (const l of e.may) if (!snap.dropMust.includes(l)) may.add(l);
  }
  for (const l of must) may.add(l);
  return must;
}
