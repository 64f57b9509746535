/**
 * Public, serialisable result model of the LockLens engine.
 *
 * These are plain data objects (no tree-sitter nodes, no class instances): the same
 * objects go into `locklens analyze --format json`, cross the worker boundary to the
 * VS Code extension and feed the webview. The CLI JSON contract in `docs/cli.md`
 * is exactly this shape; change both together.
 *
 * Conventions: paths are relative to the analysed root with `/` separators; `line`
 * is 1-based; `col` is 0-based (UTF-16 code units, like VS Code).
 */

/** Stable kebab-case rule ids: used by the CLI, SARIF, the Problems panel and settings. */
export const RULE_IDS = [
  'lock-order-cycle',
  'recursive-acquire',
  'contention-transfer',
  'rtnl-in-periodic-path',
  'rcu-deref-unprotected',
  'rcu-sleep-in-read-side',
  'rcu-free-without-grace-period',
  'lock-imbalance',
  'requires-violation',
  'sleep-in-atomic',
  'wait-under-lock',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** Ordered from most to least severe; `--fail-on` compares by this order. */
export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Lock class identity, lockdep style.
 * - `global`:  a global or file-static lock variable. id = variable name (`rtnl_mutex`, `ovs_mutex`);
 *              a file-static whose name is also used by another file gets `name@path/file.c`.
 * - `field`:   a struct-field class. id = `struct T.f` (T = innermost struct owning field f).
 * - `per-net`: per-netns RTNL. id = `rtnl_mutex[net]`.
 * - `rcu`:     an RCU read side. ids `rcu`, `rcu_bh`, `rcu_sched`, `srcu:<expr>`, `ovsrcu`.
 * - `other`:   a lock expression that could not be resolved to a class. id = `?<expr>@<file>`.
 */
export type LockKind = 'global' | 'field' | 'per-net' | 'rcu' | 'other';

/** What kind of primitive protects the class; drives simulator semantics and sleep rules. */
export type LockType =
  | 'mutex'
  | 'spinlock'
  | 'rwlock'
  | 'rwsem'
  | 'rcu'
  | 'srcu'
  | 'semaphore'
  | 'fcntl'
  | 'unknown';

export interface LockClass {
  id: string;
  kind: LockKind;
  /** Variable name for globals/statics, field name for field classes. */
  name: string;
  /** Struct type for field classes (without the `struct ` keyword), else null. */
  struct: string | null;
  lockType: LockType;
  /** Number of acquisition sites found for this class. */
  sites: number;
  /** True when listed as contended in the config (RTNL is contended by default). */
  contended: boolean;
}

/** One step of a witness chain: a call site or an acquisition, with why it matters. */
export interface WitnessStep {
  file: string;
  line: number;
  function: string;
  note: string;
}

/** Lock-order edge `from → to`: `to` is acquired while `from` is held. */
export interface LockEdge {
  from: string;
  to: string;
  /** At least one; each is a chain from the acquisition of `from` to the acquisition of `to`. */
  witnesses: WitnessStep[][];
  /** How many distinct acquisition pairs produced this edge (witnesses keeps a few). */
  count: number;
  /** True when `to` was taken with a trylock (cannot deadlock by itself). */
  trylock: boolean;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  function: string;
  locks: string[];
  witness: WitnessStep[];
  /** Stable identity across edits/patches: rule + function + locks + a location-free key. */
  fingerprint: string;
}

export interface LockSet {
  /** Held on every analysed path. */
  must: string[];
  /** Held on at least one analysed path (superset of must). */
  may: string[];
}

export interface FunctionFacts {
  name: string;
  file: string;
  line: number;
  endLine: number;
  /** Call sites found (function-pointer calls included). */
  callers: number;
  /** Locks held on entry. */
  entry: LockSet;
  /** Locks taken by the function or anything it calls. */
  acquires: string[];
  /** Locks this function (transitively) returns holding / releases without taking. */
  returnsHolding: string[];
  releasesUnheld: string[];
  /** Locks required by annotation/assert (OVS_REQUIRES, __must_hold, lockdep_assert_held, ASSERT_RTNL). */
  requires: string[];
  maySleep: boolean;
  /** True when the function was found only partially (ERROR nodes that could not be recovered). */
  partial: boolean;
}

/** Operation at a lock site, for inline annotations and series diffs. */
export type SiteOp =
  | 'acquire'
  | 'release'
  | 'trylock'
  | 'assert'
  | 'rcu-read-lock'
  | 'rcu-read-unlock'
  | 'rcu-deref'
  | 'rcu-publish'
  | 'rcu-free'
  | 'grace-period'
  | 'guard'
  | 'call-holding';

export interface LockSite {
  file: string;
  line: number;
  col: number;
  function: string;
  op: SiteOp;
  /** Lock class ids touched (empty for pure RCU pointer ops). */
  locks: string[];
  /** Held set right after this statement, on all (must) / some (may) paths; entry context included. */
  heldAfter: LockSet;
  /** Source text of the call, trimmed (for hovers). */
  text: string;
}

/** A per-line held-set fact, for "which locks are held on each line". Only lines with statements. */
export interface LineFacts {
  file: string;
  line: number;
  held: LockSet;
}

export interface Problem {
  severity: 'error' | 'warning' | 'info';
  /** Stable code, e.g. `parse-error`, `unreadable-file`, `file-too-large`, `time-budget`, `unresolved-call`. */
  code: string;
  message: string;
  file?: string;
  line?: number;
}

export interface AnalysisStats {
  files: number;
  bytes: number;
  functions: number;
  /** Functions whose body could not be modelled (listed in problems). */
  unmodeledFunctions: number;
  /** Files whose tree contained ERROR nodes before/after macro masking. */
  filesWithErrorNodes: number;
  callSites: number;
  indirectCallsResolved: number;
  timings: Record<string, number>;
}

export interface AnalysisResult {
  version: 1;
  files: number;
  functions: FunctionFacts[];
  locks: LockClass[];
  edges: LockEdge[];
  findings: Finding[];
  sites: LockSite[];
  problems: Problem[];
  stats: AnalysisStats;
  /** Per-line held sets; present only when requested (`AnalyzeOptions.lineFacts`), e.g. by the editor. */
  lines?: LineFacts[];
}
