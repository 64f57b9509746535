/**
 * What every detector sees: the program, per-function local results, entry contexts and the
 * lock graph. Detectors are pure functions of this context.
 */
import type { LockLensConfig } from '../config';
import type { Finding, LockEdge, LockSet, LockType, RuleId, Severity, WitnessStep } from '../model';
import type { Catalog } from '../catalog/catalog';
import type { Bindings } from '../analysis/bindings';
import type { FnInfo, Program } from '../analysis/program';
import type { LocalResult, Snap } from '../analysis/summary';
import { hashHex } from '../analysis/util';

/** Entry context of a function. Read-only: empty sets are one shared instance (see flow/compact.ts). */
export interface Entry {
  readonly must: ReadonlySet<string>;
  readonly may: ReadonlySet<string>;
}

export interface DetectorContext {
  prog: Program;
  cat: Catalog;
  config: LockLensConfig;
  bindings: Bindings;
  noAnnotations: boolean;
  fns: FnInfo[];
  local: Map<string, LocalResult>;
  entry: Map<string, Entry>;
  /** Call records targeting each function key (callers). */
  callers: Map<string, { caller: FnInfo; line: number }[]>;
  edges: LockEdge[];
  /** Where each edge (`from\u0000to`) is reached, in the holder of `from` (best witness). */
  edgeReach: Map<string, { fn: FnInfo; line: number }>;
  /** Edges (`from\u0000to`) only ever produced by a read acquisition under a read-held lock. */
  readReadEdges: Set<string>;
  lockTypes: Map<string, LockType>;
  contended: Set<string>;
  /** Call sites of each function with the held set before the call (caller-relative). */
  callSnaps: Map<string, { caller: FnInfo; snap: Snap }[]>;
  /** held(point) = local ∪ (entry − dropped-before-point). */
  held(snap: Snap, fn: FnInfo): LockSet;
}

/**
 * Functions with local results, in program order, skipping OVS_NO_THREAD_SAFETY_ANALYSIS ones
 * (their bodies are unchecked by contract, as with Clang's analysis).
 */
export function* analysedFunctions(ctx: DetectorContext): Generator<[FnInfo, LocalResult]> {
  for (const fn of ctx.fns) {
    const r = ctx.local.get(fn.key);
    if (r && !r.summary.noAnalysis) yield [fn, r];
  }
}

/** A rule's analysis; its id, default severity and descriptions are in rules.ts (RULES). */
export interface Detector {
  rule: RuleId;
  run(ctx: DetectorContext): Finding[];
  /**
   * The per-function part, when the rule has one: `run` is exactly this over
   * `analysedFunctions`, and a function's findings depend only on the function, its local result,
   * its entry context, its callers' call sites (and their entry contexts) and the bindings
   * (wait-under-lock: also the awaited functions' summaries). Incremental runs cache them.
   */
  perFn?(ctx: DetectorContext, fn: FnInfo, r: LocalResult): Finding[];
  /**
   * Whole-graph rules: which functions' local results the rule reads besides the lock graph and
   * lock types (a change to those reruns every whole-graph rule), as a matcher over function
   * names. An incremental run reruns the rule when such a function's local result changed;
   * absent: when any did.
   */
  readsFunctions?(config: LockLensConfig): (name: string) => boolean;
  /**
   * Per-function rules that also read the summaries of bound functions (work items, threads,
   * RCU callbacks: what a wait awaits): whether `r`'s findings do. An incremental run reruns
   * the per-function rules of such a function when a bound function's summary changed.
   */
  readsBoundSummaries?(r: LocalResult): boolean;
}

export function makeFinding(
  rule: RuleId,
  severity: Severity,
  fn: FnInfo,
  line: number,
  locks: string[],
  message: string,
  witness: WitnessStep[],
  key: string,
): Finding {
  return {
    rule,
    severity,
    message,
    file: fn.file,
    line,
    function: fn.ir.name,
    locks,
    witness,
    // Location-free: survives edits that move code around.
    fingerprint: hashHex(`${rule}|${fn.file}|${fn.ir.name}|${locks.join(',')}|${key}`),
  };
}

export function heldWith(snap: Snap, e: Entry | undefined): LockSet {
  const must = new Set(snap.must);
  const may = new Set(snap.may);
  if (e) {
    const dm = new Set(snap.dropMay);
    const dM = new Set(snap.dropMust);
    for (const l of e.must) if (!dm.has(l)) must.add(l);
    for (const l of e.may) if (!dM.has(l)) may.add(l);
  }
  for (const l of must) may.add(l);
  return { must: [...must].sort(), may: [...may].sort() };
}

export const isRcuId = (id: string): boolean => id === 'rcu' || id === 'rcu_bh' || id === 'rcu_sched' || id.startsWith('srcu:') || id === 'ovsrcu';

/**
 * True when at `snap` in `fn` one of `any` is held on every path, evaluating disjunctions per
 * caller: each call path may hold a different one of them (rcu_dereference_check: reader OR lock).
 */
export function heldOneOf(ctx: DetectorContext, fn: FnInfo, snap: Snap, any: (id: string) => boolean): boolean {
  if (ctx.held(snap, fn).must.some(any)) return true;
  const sites = ctx.callSnaps.get(fn.key);
  if (!sites || sites.length === 0) return false;
  const dropped = new Set(snap.dropMay);
  return sites.every((c) => ctx.held(c.snap, c.caller).must.some((l) => any(l) && !dropped.has(l)));
}
