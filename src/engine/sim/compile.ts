/**
 * Turns a validated scenario into a program for one variant and one parameter assignment:
 * expressions evaluated, `only` blocks chosen, `derive` ops expanded, lock and event names
 * mapped to indices. The simulator's inner loop then touches only numbers.
 */

import type { Problem } from '../model';
import { compileProblem, count, dist, type CDist, type ValueContext } from './compile-values';
import { findOpKind, type Dist, type LockSpec, type Num, type Op, type Scenario, type SimLockType, type Variant } from './scenario';

export const enum OpCode {
  Lock,
  RcuRead,
  SyncRcu,
  CallRcu,
  Think,
  Repeat,
  Post,
  Wait,
  TryWait,
}

export interface COp {
  code: OpCode;
  /** Lock or event index. */
  target: number;
  write: boolean;
  trylock: boolean;
  /** Wait: take all pending events. */
  all: boolean;
  /** Repeat count or post count. */
  n: number;
  hold: CDist | null;
  body: COp[];
  elseBody: COp[];
}

interface CLock {
  id: string;
  type: SimLockType;
  capacity: number;
  delay: CDist | null;
  delayHolding: boolean;
  gracePeriod: CDist | null;
}

interface CRole {
  name: string;
  threads: number;
  /** Infinity for background roles. */
  iterations: number;
  measure: boolean;
  start: CDist | null;
  ops: COp[];
}

export interface Program {
  locks: CLock[];
  events: string[];
  roles: CRole[];
  maxEvents: number;
}

/** Derived op lists per entry point for one variant (see derive.ts). */
export type DerivedOps = ReadonlyMap<string, Op[]>;

export interface CompileInput {
  scenario: Scenario;
  variant: Variant;
  /** Values from --set / the sweep cell, applied over the scenario's and the variant's defaults. */
  overrides?: Record<string, number>;
  derived?: DerivedOps;
  /** Lock types known from the analysis (`locks[].lockType`), for locks the scenario does not declare. */
  lockTypes?: ReadonlyMap<string, SimLockType>;
}

const DEFAULT_MAX_EVENTS = 20_000_000;

/**
 * Operations nest at most this deep once `derive` ops are expanded (validation allows 64 levels
 * in the scenario itself; derived lock sections add to that). Bounds compile's recursion even
 * when the derived ops come from a hostile analysis file.
 */
export const MAX_COMPILED_DEPTH = 256;

/** Own entry of a user-keyed table (lock ids, hold keys): never something from Object.prototype. */
function own<T>(table: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Parameter values for a variant: scenario defaults < variant defaults < overrides. */
export function resolveParams(s: Scenario, variant: Variant, overrides: Record<string, number> = {}): Record<string, number> {
  return { ...s.params, ...(s.variants?.[variant]?.params ?? {}), ...overrides };
}

/** What compiling one (scenario, variant, parameters) accumulates: lock and event tables, problems. */
interface CompileContext extends ValueContext {
  readonly input: CompileInput;
  readonly lockIndex: Map<string, number>;
  readonly locks: CLock[];
  readonly eventIndex: Map<string, number>;
  readonly events: string[];
  /** Entry points being expanded by `derive` ops, to catch an entry expanding to itself. */
  readonly deriveStack: string[];
}

export function compileScenario(input: CompileInput): { program: Program | null; problems: Problem[] } {
  const { scenario: s, variant } = input;
  const c: CompileContext = {
    params: resolveParams(s, variant, input.overrides),
    problems: [],
    input,
    lockIndex: new Map(),
    locks: [],
    eventIndex: new Map(),
    events: [],
    deriveStack: [],
  };
  const roles: CRole[] = s.roles.map((r, i) => {
    const p = `roles[${i}]`;
    const iterations = r.iterations === 'forever' ? Infinity : r.iterations === undefined ? 1 : count(c, r.iterations, `${p}.iterations`);
    return {
      name: r.name,
      threads: r.threads === undefined ? 1 : count(c, r.threads, `${p}.threads`),
      iterations,
      measure: r.measure ?? Number.isFinite(iterations),
      start: r.start !== undefined ? dist(c, r.start, `${p}.start`) : null,
      ops: compileOps(c, r.ops, `${p}.ops`, 1),
    };
  });
  if (c.problems.length > 0) return { program: null, problems: c.problems };
  return { program: { locks: c.locks, events: c.events, roles, maxEvents: s.limits?.maxEvents ?? DEFAULT_MAX_EVENTS }, problems: c.problems };
}

/**
 * Index of lock `id`, compiling its spec on first use (type from the scenario, else from the
 * analysis, else rcu/mutex by how it is used). Using an RCU domain as a lock or the reverse is a
 * problem at `path`.
 */
function lockOf(c: CompileContext, id: string, path: string, wantRcu: boolean): number {
  let i = c.lockIndex.get(id);
  if (i === undefined) {
    const spec: LockSpec | undefined = own(c.input.scenario.locks, id);
    const type: SimLockType = spec?.type ?? c.input.lockTypes?.get(id) ?? (wantRcu ? 'rcu' : 'mutex');
    i = c.locks.length;
    c.lockIndex.set(id, i);
    const lp = `locks.${id}`;
    c.locks.push({
      id,
      type,
      capacity: type === 'semaphore' && spec?.count !== undefined ? Math.max(1, count(c, spec.count, `${lp}.count`)) : 1,
      delay: spec?.delay !== undefined ? dist(c, spec.delay, `${lp}.delay`) : null,
      delayHolding: spec?.delayHolding ?? true,
      gracePeriod: spec?.gracePeriod !== undefined ? dist(c, spec.gracePeriod, `${lp}.gracePeriod`) : null,
    });
  }
  const isRcu = c.locks[i].type === 'rcu' || c.locks[i].type === 'srcu';
  if (isRcu !== wantRcu) {
    compileProblem(c, `${path}: '${id}' is a ${c.locks[i].type} ${wantRcu ? 'but is used as an RCU domain' : 'and cannot be taken with lock/trylock'}`);
  }
  return i;
}

function eventOf(c: CompileContext, name: string): number {
  let i = c.eventIndex.get(name);
  if (i === undefined) {
    i = c.events.length;
    c.eventIndex.set(name, i);
    c.events.push(name);
  }
  return i;
}

/** The op's own `hold`, else the scenario's `holds` entry for the lock, else `holds.default`. */
function holdFor(c: CompileContext, lockId: string, d: Dist | undefined, path: string): CDist | null {
  if (d !== undefined) return dist(c, d, `${path}.hold`);
  const holds = c.input.scenario.holds;
  const byLock = own(holds, lockId);
  const h = byLock ?? own(holds, 'default');
  return h !== undefined ? dist(c, h, byLock !== undefined ? `holds.${lockId}` : 'holds.default') : null;
}

function mk(code: OpCode, over: Partial<COp>): COp {
  return {
    code,
    target: -1,
    write: true,
    trylock: false,
    all: false,
    n: 0,
    hold: null,
    body: [],
    elseBody: [],
    ...over,
  };
}

/** `depth`: nesting level of `ops` (a role's own ops are level 1), derived sections included. */
function compileOps(c: CompileContext, ops: readonly Op[], path: string, depth: number, out: COp[] = []): COp[] {
  if (depth > MAX_COMPILED_DEPTH && ops.length > 0) {
    compileProblem(c, `${path}: nesting deeper than ${MAX_COMPILED_DEPTH} levels of operations (after derive expansion)`);
    return out;
  }
  ops.forEach((op, i) => compileOp(c, op, `${path}[${i}]`, depth, out));
  return out;
}

/** Appends the compiled form of `op` (nothing, one op, or a spliced block) to `out`. */
function compileOp(c: CompileContext, op: Op, path: string, depth: number, out: COp[]): void {
  const sub = depth + 1;
  // Dispatch on the own kind key, as validation does (`in` would also see Object.prototype).
  const kind = typeof op === 'object' && op !== null ? findOpKind(op) : undefined;
  switch (kind) {
    case undefined:
      compileProblem(c, `${path}: not an operation`);
      break;
    case 'lock':
    case 'trylock':
      out.push(compileLock(c, op, kind, path, sub));
      break;
    case 'rcuRead': {
      const o = op as Extract<Op, { rcuRead: string }>;
      out.push(
        mk(OpCode.RcuRead, {
          target: lockOf(c, o.rcuRead, `${path}.rcuRead`, true),
          hold: holdFor(c, o.rcuRead, o.hold, path),
          body: compileOps(c, o.ops ?? [], `${path}.ops`, sub),
        }),
      );
      break;
    }
    case 'synchronizeRcu': {
      const o = op as Extract<Op, { synchronizeRcu: string }>;
      out.push(mk(OpCode.SyncRcu, { target: lockOf(c, o.synchronizeRcu, `${path}.synchronizeRcu`, true) }));
      break;
    }
    case 'callRcu': {
      const o = op as Extract<Op, { callRcu: string }>;
      out.push(mk(OpCode.CallRcu, { target: lockOf(c, o.callRcu, `${path}.callRcu`, true) }));
      break;
    }
    case 'think':
      out.push(mk(OpCode.Think, { hold: dist(c, (op as Extract<Op, { think: Dist }>).think, `${path}.think`) }));
      break;
    case 'repeat': {
      const o = op as Extract<Op, { repeat: Num }>;
      const n = count(c, o.repeat, `${path}.repeat`);
      if (n > 0) out.push(mk(OpCode.Repeat, { n, body: compileOps(c, o.ops, `${path}.ops`, sub) }));
      break;
    }
    case 'post': {
      const o = op as Extract<Op, { post: string }>;
      out.push(mk(OpCode.Post, { target: eventOf(c, o.post), n: o.count === undefined ? 1 : count(c, o.count, `${path}.count`) }));
      break;
    }
    case 'wait':
      out.push(mk(OpCode.Wait, { target: eventOf(c, (op as Extract<Op, { wait: string }>).wait) }));
      break;
    case 'waitAll':
      out.push(mk(OpCode.Wait, { target: eventOf(c, (op as Extract<Op, { waitAll: string }>).waitAll), all: true }));
      break;
    case 'tryWait': {
      const o = op as Extract<Op, { tryWait: string }>;
      out.push(
        mk(OpCode.TryWait, {
          target: eventOf(c, o.tryWait),
          body: compileOps(c, o.ops ?? [], `${path}.ops`, sub),
          elseBody: compileOps(c, o.else ?? [], `${path}.else`, sub),
        }),
      );
      break;
    }
    case 'only': {
      // The chosen block's ops join this level; they still count as nested for the limit.
      const o = op as Extract<Op, { only: Variant }>;
      if (o.only === c.input.variant) compileOps(c, o.ops, `${path}.ops`, sub, out);
      break;
    }
    case 'derive':
      expandDerive(c, (op as Extract<Op, { derive: string }>).derive, path, sub, out);
      break;
  }
}

function compileLock(c: CompileContext, op: Op, kind: 'lock' | 'trylock', path: string, sub: number): COp {
  const o = op as { lock?: string; trylock?: string; mode?: string; hold?: Dist; ops?: Op[]; else?: Op[] };
  const id = (kind === 'lock' ? o.lock : o.trylock) as string;
  return mk(OpCode.Lock, {
    target: lockOf(c, id, `${path}.${kind}`, false),
    write: o.mode !== 'read',
    trylock: kind === 'trylock',
    hold: holdFor(c, id, o.hold, path),
    body: compileOps(c, o.ops ?? [], `${path}.ops`, sub),
    elseBody: compileOps(c, o.else ?? [], `${path}.else`, sub),
  });
}

/** Splices the derived ops of `entry` into `out`, or reports why they cannot be. */
function expandDerive(c: CompileContext, entry: string, path: string, sub: number, out: COp[]): void {
  const variant = c.input.variant;
  const ops = c.input.derived?.get(entry);
  if (!ops) {
    compileProblem(c, `${path}.derive: no derived operations for entry point '${entry}' in the ${variant} analysis (is "analysis.${variant}" set?)`);
  } else if (c.deriveStack.includes(entry)) {
    compileProblem(c, `${path}.derive: '${entry}' expands to itself`);
  } else {
    c.deriveStack.push(entry);
    // Spliced in at this op's level; counted as one more level so that a chain of
    // derive entries expanding one another cannot recurse without bound either.
    compileOps(c, ops, `${path}<derive ${entry}>`, sub, out);
    c.deriveStack.pop();
  }
}
