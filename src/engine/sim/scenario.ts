/**
 * Scenario files: the JSON a user writes (or the webview saves) to describe thread roles,
 * their lock operations, and the parameters a sweep varies. The schema is documented in
 * docs/simulator.md; `validateScenario` checks it and names the failing field path, e.g.
 * `roles[2].ops[0].hold: expected a distribution`.
 */

import type { Problem } from '../model';
import { clipExpr, exprIdents, parseExpr } from './expr';

/** A number, or an arithmetic expression over parameters (`"2 * n_ifaces"`). */
export type Num = number | string;

/** Times are in microseconds. A bare number or expression means a fixed value. */
export type Dist = Num | { dist: 'fixed' | 'exp' | 'lognormal'; mean: Num; cv?: Num };

export type Variant = 'before' | 'after';
export const VARIANTS: readonly Variant[] = ['before', 'after'];

type LockMode = 'read' | 'write';

/** One operation of a role. Exactly one of the kind keys (`lock`, `think`, ...) is present. */
export type Op =
  /** Acquire (waiting if needed), hold for `hold`, run `ops` while holding, release. */
  | { lock: string; mode?: LockMode; hold?: Dist; ops?: Op[]; note?: string }
  /** Like `lock` but never waits: when the lock is not free, runs `else` instead. */
  | { trylock: string; mode?: LockMode; hold?: Dist; ops?: Op[]; else?: Op[]; note?: string }
  /** RCU read-side critical section: never blocks, delays grace periods. */
  | { rcuRead: string; hold?: Dist; ops?: Op[]; note?: string }
  /** Waits for every reader of the domain that started before this point. */
  | { synchronizeRcu: string; note?: string }
  /** Queues a callback for after the next grace period; never waits (call_rcu/kfree_rcu). */
  | { callRcu: string; note?: string }
  /** Time spent outside any lock (work, process start-up, sleeping). */
  | { think: Dist; note?: string }
  | { repeat: Num; ops: Op[]; note?: string }
  /** Counting-semaphore style events between roles. */
  | { post: string; count?: Num; note?: string }
  /** Blocks until the event count is positive, then takes one. */
  | { wait: string; note?: string }
  /** Blocks until the event count is positive, then takes all (coalescing wake-ups). */
  | { waitAll: string; note?: string }
  /** Never blocks: if any events are pending, takes all and runs `ops`, else runs `else`. */
  | { tryWait: string; ops?: Op[]; else?: Op[]; note?: string }
  /** Runs `ops` only in one variant: how a scenario spells "the series changes this". */
  | { only: Variant; ops: Op[]; note?: string }
  /** Expands to the lock acquisitions derived from the analysis of this entry point. */
  | { derive: string; note?: string };

export type SimLockType = 'mutex' | 'spinlock' | 'rwlock' | 'rwsem' | 'semaphore' | 'rcu' | 'srcu';
const SIM_LOCK_TYPES: readonly SimLockType[] = ['mutex', 'spinlock', 'rwlock', 'rwsem', 'semaphore', 'rcu', 'srcu'];

export interface LockSpec {
  type: SimLockType;
  /**
   * Extra latency added to every acquisition (the seed experiment's delay-kfunc on rtnl_lock).
   * With `delayHolding` (default true) it is spent holding the lock, as an injection after the
   * mutex is taken would be; with false it is spent before trying to take it.
   */
  delay?: Dist;
  delayHolding?: boolean;
  /** Semaphore capacity (default 1). */
  count?: Num;
  /** RCU: minimum grace-period length, counted from the synchronize_rcu/call_rcu call. */
  gracePeriod?: Dist;
}

export interface Role {
  name: string;
  /** Number of threads running this role (default 1). */
  threads?: Num;
  /** Iterations of `ops` per thread, or `"forever"` for a background load (default 1). */
  iterations?: Num | 'forever';
  /** Whether this role's completion time is the scenario's result (default: iterations finite). */
  measure?: boolean;
  /** Start offset of each thread (default 0). */
  start?: Dist;
  ops: Op[];
  note?: string;
}

export interface Scenario {
  version: 1;
  name: string;
  description?: string;
  /** Parameter defaults; `--set k=v` and sweeps override them. */
  params: Record<string, number>;
  /** Per-variant parameter overrides. */
  variants?: Partial<Record<Variant, { params?: Record<string, number> }>>;
  /** Analysis JSON files (`locklens analyze --format json`) for `derive` ops, relative to the scenario. */
  analysis?: Partial<Record<Variant, string>>;
  locks?: Record<string, LockSpec>;
  /** Hold times for lock ops without `hold` (derived ops): per lock id, or `default`. */
  holds?: Record<string, Dist>;
  roles: Role[];
  /** Default sweep grid and replications (the CLI's --sweep/--reps override them). */
  sweep?: Record<string, number[]>;
  reps?: number;
  seed?: number;
  limits?: { maxEvents?: number };
  /** Free-form notes (calibration, sources); ignored by the simulator. */
  notes?: string[];
}

const OP_KINDS = [
  'lock',
  'trylock',
  'rcuRead',
  'synchronizeRcu',
  'callRcu',
  'think',
  'repeat',
  'post',
  'wait',
  'waitAll',
  'tryWait',
  'only',
  'derive',
] as const;
type OpKind = (typeof OP_KINDS)[number];

/** Keys each op kind accepts besides its kind key and `note`. */
const OP_FIELDS: Record<OpKind, readonly string[]> = {
  lock: ['mode', 'hold', 'ops'],
  trylock: ['mode', 'hold', 'ops', 'else'],
  rcuRead: ['hold', 'ops'],
  synchronizeRcu: [],
  callRcu: [],
  think: [],
  repeat: ['ops'],
  post: ['count'],
  wait: [],
  waitAll: [],
  tryWait: ['ops', 'else'],
  only: ['ops'],
  derive: [],
};

/** Operations may nest this deep in a scenario (role ops are level 1; docs/simulator.md). */
export const MAX_OP_DEPTH = 64;

/** The op's kind key (own properties only), or undefined for something that is not an op. */
export function findOpKind(op: object): OpKind | undefined {
  for (const k of OP_KINDS) if (Object.hasOwn(op, k)) return k;
  return undefined;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/**
 * Field presence is an own-property test: `in` would also see Object.prototype, and names in a
 * scenario are user-chosen (a lock called `constructor`, a parameter called `toString`).
 */
const has = (o: object, k: string): boolean => Object.hasOwn(o, k);

/** A short, never-throwing rendering of a bad value for messages (the value may be huge or deep). */
function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v;
}

/** Field paths with their messages, and the expressions seen (checked against the parameters last). */
interface Checks {
  readonly errors: string[];
  readonly exprs: { path: string; idents: Set<string> }[];
}

const ROOT_FIELDS = new Set(['$schema', '$comment', 'version', 'name', 'description', 'params', 'variants', 'analysis', 'locks', 'holds', 'roles', 'sweep', 'reps', 'seed', 'limits', 'notes']);
const LOCK_FIELDS = ['type', 'delay', 'delayHolding', 'count', 'gracePeriod'];
const ROLE_FIELDS = ['name', 'threads', 'iterations', 'measure', 'start', 'ops', 'note'];

/** Validates untrusted JSON; never throws. Problems carry `code: 'invalid-scenario'`. */
export function validateScenario(input: unknown): { scenario: Scenario | null; problems: Problem[] } {
  if (!isObj(input)) {
    return { scenario: null, problems: [toProblem('(root): expected a JSON object')] };
  }
  const c: Checks = { errors: [], exprs: [] };
  for (const k of Object.keys(input)) if (!ROOT_FIELDS.has(k)) err(c, k, 'unknown field');
  if (input.version !== 1) err(c, 'version', 'expected 1');
  checkName(c, input.name, 'name');
  if (has(input, 'description') && typeof input.description !== 'string') err(c, 'description', 'expected a string');
  const paramNames = new Set<string>();
  if (has(input, 'params')) checkParams(c, input.params, 'params', paramNames);
  if (has(input, 'variants')) checkVariants(c, input.variants, paramNames);
  if (has(input, 'analysis')) checkAnalysis(c, input.analysis);
  if (has(input, 'locks')) checkLocks(c, input.locks);
  if (has(input, 'holds')) {
    if (!isObj(input.holds)) err(c, 'holds', 'expected an object of lock ids (or "default") to distributions');
    else for (const [id, d] of Object.entries(input.holds)) checkDist(c, d, `holds.${id}`);
  }
  checkRoles(c, input.roles);
  if (has(input, 'sweep')) checkSweep(c, input.sweep, paramNames);
  checkRunSettings(c, input);
  checkExprParams(c, paramNames);
  if (c.errors.length > 0) return { scenario: null, problems: c.errors.map(toProblem) };
  const scenario = input as unknown as Scenario;
  return { scenario: { ...scenario, params: scenario.params ?? {} }, problems: [] };
}

function err(c: Checks, path: string, msg: string): void {
  c.errors.push(`${path}: ${msg}`);
}

/** A number or an expression (remembered for the parameter check). False when `v` is neither. */
function checkNum(c: Checks, v: unknown, path: string, what = 'a number or parameter expression'): boolean {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) err(c, path, 'expected a finite number');
    return true;
  }
  if (typeof v === 'string') {
    const p = parseExpr(v);
    if (p.error || !p.expr) err(c, path, `bad expression '${clipExpr(v)}': ${p.error}`);
    else c.exprs.push({ path, idents: exprIdents(p.expr) });
    return true;
  }
  err(c, path, `expected ${what}`);
  return false;
}

function checkDist(c: Checks, v: unknown, path: string): void {
  if (typeof v === 'number' || typeof v === 'string') {
    checkNum(c, v, path);
    return;
  }
  if (!isObj(v) || !has(v, 'dist')) {
    err(c, path, 'expected a distribution (a number of µs, or {"dist": "fixed"|"exp"|"lognormal", "mean": ..., "cv": ...})');
    return;
  }
  if (v.dist !== 'fixed' && v.dist !== 'exp' && v.dist !== 'lognormal') {
    err(c, `${path}.dist`, `expected "fixed", "exp" or "lognormal", got ${describe(v.dist)}`);
  }
  if (!has(v, 'mean')) err(c, `${path}.mean`, 'missing');
  else checkNum(c, v.mean, `${path}.mean`);
  if (has(v, 'cv')) {
    if (v.dist !== 'lognormal') err(c, `${path}.cv`, 'only lognormal distributions take a cv');
    else checkNum(c, v.cv, `${path}.cv`);
  } else if (v.dist === 'lognormal') err(c, `${path}.cv`, 'missing (coefficient of variation, e.g. 0.5)');
  for (const k of Object.keys(v)) if (!['dist', 'mean', 'cv'].includes(k)) err(c, `${path}.${k}`, 'unknown field');
}

function checkName(c: Checks, v: unknown, path: string): void {
  if (typeof v !== 'string' || v.length === 0) err(c, path, 'expected a non-empty string');
}

/** `depth`: nesting level of the ops in `v` (a role's own ops are level 1). */
function checkOps(c: Checks, v: unknown, path: string, depth: number): void {
  if (!Array.isArray(v)) {
    err(c, path, 'expected an array of operations');
    return;
  }
  // Bounds this recursion (and compile's) on hostile input such as 20 000 nested repeats.
  if (depth > MAX_OP_DEPTH && v.length > 0) {
    err(c, path, `nesting deeper than ${MAX_OP_DEPTH} levels of operations`);
    return;
  }
  v.forEach((op, i) => checkOp(c, op, `${path}[${i}]`, depth));
}

function checkOp(c: Checks, op: unknown, path: string, depth: number): void {
  if (!isObj(op)) {
    err(c, path, 'expected an operation object');
    return;
  }
  const sub = depth + 1;
  const kinds = OP_KINDS.filter((k) => has(op, k));
  if (kinds.length !== 1) {
    err(c, path, kinds.length === 0 ? `expected one of the keys ${OP_KINDS.join(', ')}` : `has several operation keys (${kinds.join(', ')})`);
    return;
  }
  const kind = kinds[0];
  const allowed = new Set<string>([kind, 'note', ...OP_FIELDS[kind]]);
  for (const k of Object.keys(op)) if (!allowed.has(k)) err(c, `${path}.${k}`, `unknown field for a '${kind}' operation`);
  switch (kind) {
    case 'lock':
    case 'trylock':
      checkName(c, op[kind], `${path}.${kind}`);
      if (has(op, 'mode') && op.mode !== 'read' && op.mode !== 'write') err(c, `${path}.mode`, 'expected "read" or "write"');
      if (has(op, 'hold')) checkDist(c, op.hold, `${path}.hold`);
      if (has(op, 'ops')) checkOps(c, op.ops, `${path}.ops`, sub);
      if (has(op, 'else')) checkOps(c, op.else, `${path}.else`, sub);
      break;
    case 'rcuRead':
      checkName(c, op.rcuRead, `${path}.rcuRead`);
      if (has(op, 'hold')) checkDist(c, op.hold, `${path}.hold`);
      if (has(op, 'ops')) checkOps(c, op.ops, `${path}.ops`, sub);
      break;
    case 'synchronizeRcu':
    case 'callRcu':
    case 'wait':
    case 'waitAll':
    case 'derive':
      checkName(c, op[kind], `${path}.${kind}`);
      break;
    case 'think':
      checkDist(c, op.think, `${path}.think`);
      break;
    case 'repeat':
      checkNum(c, op.repeat, `${path}.repeat`, 'a count (number or parameter expression)');
      if (!has(op, 'ops')) err(c, `${path}.ops`, 'missing');
      else checkOps(c, op.ops, `${path}.ops`, sub);
      break;
    case 'post':
      checkName(c, op.post, `${path}.post`);
      if (has(op, 'count')) checkNum(c, op.count, `${path}.count`);
      break;
    case 'tryWait':
      checkName(c, op.tryWait, `${path}.tryWait`);
      if (has(op, 'ops')) checkOps(c, op.ops, `${path}.ops`, sub);
      if (has(op, 'else')) checkOps(c, op.else, `${path}.else`, sub);
      break;
    case 'only':
      if (op.only !== 'before' && op.only !== 'after') err(c, `${path}.only`, 'expected "before" or "after"');
      if (!has(op, 'ops')) err(c, `${path}.ops`, 'missing');
      else checkOps(c, op.ops, `${path}.ops`, sub);
      break;
  }
  if (has(op, 'note') && typeof op.note !== 'string') err(c, `${path}.note`, 'expected a string');
}

/** A `{name: number}` table; its names join `names` (the parameters expressions may use). */
function checkParams(c: Checks, v: unknown, path: string, names: Set<string>): void {
  if (!isObj(v)) {
    err(c, path, 'expected an object of parameter names to numbers');
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) err(c, `${path}.${k}`, 'parameter names must be identifiers');
    if (typeof x !== 'number' || !Number.isFinite(x)) err(c, `${path}.${k}`, 'expected a number');
  }
  for (const k of Object.keys(v)) names.add(k);
}

function checkVariants(c: Checks, variants: unknown, paramNames: Set<string>): void {
  if (!isObj(variants)) {
    err(c, 'variants', 'expected an object with "before" and/or "after"');
    return;
  }
  for (const [k, v] of Object.entries(variants)) {
    if (k !== 'before' && k !== 'after') err(c, `variants.${k}`, 'expected "before" or "after"');
    else if (!isObj(v)) err(c, `variants.${k}`, 'expected an object');
    else {
      for (const f of Object.keys(v)) if (f !== 'params') err(c, `variants.${k}.${f}`, 'unknown field');
      if (has(v, 'params')) checkParams(c, v.params, `variants.${k}.params`, paramNames);
    }
  }
}

function checkAnalysis(c: Checks, analysis: unknown): void {
  if (!isObj(analysis)) {
    err(c, 'analysis', 'expected {"before": "file.json", "after": "file.json"}');
    return;
  }
  for (const [k, v] of Object.entries(analysis)) {
    if (k !== 'before' && k !== 'after') err(c, `analysis.${k}`, 'expected "before" or "after"');
    else checkName(c, v, `analysis.${k}`);
  }
}

function checkLocks(c: Checks, locks: unknown): void {
  if (!isObj(locks)) {
    err(c, 'locks', 'expected an object of lock ids to lock specs');
    return;
  }
  for (const [id, spec] of Object.entries(locks)) {
    const p = `locks.${id}`;
    if (!isObj(spec)) {
      err(c, p, 'expected {"type": ...}');
      continue;
    }
    if (!SIM_LOCK_TYPES.includes(spec.type as SimLockType)) err(c, `${p}.type`, `expected one of ${SIM_LOCK_TYPES.join(', ')}`);
    if (has(spec, 'delay')) checkDist(c, spec.delay, `${p}.delay`);
    if (has(spec, 'delayHolding') && typeof spec.delayHolding !== 'boolean') err(c, `${p}.delayHolding`, 'expected true or false');
    if (has(spec, 'count')) checkNum(c, spec.count, `${p}.count`);
    if (has(spec, 'gracePeriod')) checkDist(c, spec.gracePeriod, `${p}.gracePeriod`);
    for (const k of Object.keys(spec)) if (!LOCK_FIELDS.includes(k)) err(c, `${p}.${k}`, 'unknown field');
  }
}

function checkRoles(c: Checks, roles: unknown): void {
  if (!Array.isArray(roles) || roles.length === 0) {
    err(c, 'roles', 'expected a non-empty array of roles');
    return;
  }
  const names = new Set<string>();
  roles.forEach((r: unknown, i: number) => {
    const p = `roles[${i}]`;
    if (!isObj(r)) {
      err(c, p, 'expected a role object');
      return;
    }
    checkName(c, r.name, `${p}.name`);
    if (typeof r.name === 'string') {
      if (names.has(r.name)) err(c, `${p}.name`, `duplicate role name '${r.name}'`);
      names.add(r.name);
    }
    if (has(r, 'threads')) checkNum(c, r.threads, `${p}.threads`);
    if (has(r, 'iterations') && r.iterations !== 'forever') checkNum(c, r.iterations, `${p}.iterations`, 'a count or "forever"');
    if (has(r, 'measure') && typeof r.measure !== 'boolean') err(c, `${p}.measure`, 'expected true or false');
    if (has(r, 'start')) checkDist(c, r.start, `${p}.start`);
    if (!has(r, 'ops')) err(c, `${p}.ops`, 'missing');
    else checkOps(c, r.ops, `${p}.ops`, 1);
    for (const k of Object.keys(r)) if (!ROLE_FIELDS.includes(k)) err(c, `${p}.${k}`, 'unknown field');
  });
  const measured = roles.filter((r: unknown) => isObj(r) && (r.measure === true || (r.measure === undefined && r.iterations !== 'forever')));
  if (measured.length === 0) err(c, 'roles', 'no measured role: at least one role needs finite iterations (its completion time is the result)');
}

function checkSweep(c: Checks, sweep: unknown, paramNames: ReadonlySet<string>): void {
  if (!isObj(sweep)) {
    err(c, 'sweep', 'expected an object of parameter names to value lists');
    return;
  }
  for (const [k, v] of Object.entries(sweep)) {
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      err(c, `sweep.${k}`, 'expected a non-empty array of numbers');
    }
    if (!paramNames.has(k)) err(c, `sweep.${k}`, `unknown parameter '${k}'`);
  }
}

/** `reps`, `seed`, `limits` and `notes`. */
function checkRunSettings(c: Checks, input: Record<string, unknown>): void {
  if (has(input, 'reps') && !(Number.isInteger(input.reps) && (input.reps as number) >= 1)) err(c, 'reps', 'expected a positive integer');
  if (has(input, 'seed') && !(Number.isInteger(input.seed) && (input.seed as number) >= 0)) err(c, 'seed', 'expected a non-negative integer');
  if (has(input, 'limits')) {
    if (!isObj(input.limits)) err(c, 'limits', 'expected an object');
    else {
      for (const k of Object.keys(input.limits)) if (k !== 'maxEvents') err(c, `limits.${k}`, 'unknown field');
      if (has(input.limits, 'maxEvents') && !(Number.isInteger(input.limits.maxEvents) && (input.limits.maxEvents as number) > 0)) {
        err(c, 'limits.maxEvents', 'expected a positive integer');
      }
    }
  }
  if (has(input, 'notes') && !(Array.isArray(input.notes) && input.notes.every((n) => typeof n === 'string'))) err(c, 'notes', 'expected an array of strings');
}

/** Expressions may only name declared parameters: a typo would otherwise become NaN silently. */
function checkExprParams(c: Checks, paramNames: ReadonlySet<string>): void {
  for (const { path, idents } of c.exprs) {
    for (const id of idents) {
      if (!paramNames.has(id)) {
        const list = [...paramNames].sort().join(', ') || 'none declared';
        err(c, path, `unknown parameter '${id}' (known: ${list})`);
      }
    }
  }
}

function toProblem(message: string): Problem {
  return { severity: 'error', code: 'invalid-scenario', message };
}
