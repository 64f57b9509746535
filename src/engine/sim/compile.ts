/**
 * Turns a validated scenario into a program for one variant and one parameter assignment:
 * expressions evaluated, `only` blocks chosen, `derive` ops expanded, lock and event names
 * mapped to indices. The simulator's inner loop then touches only numbers.
 */

import type { Problem } from '../model';
import { evalExpr, parseExpr } from './expr';
import { findOpKind, type Dist, type LockSpec, type Num, type Op, type Scenario, type SimLockType, type Variant } from './scenario';

/** Compiled distribution: kind 0 fixed (a), 1 exponential (mean a), 2 log-normal (mu a, sigma b). */
export interface CDist {
  kind: 0 | 1 | 2;
  a: number;
  b: number;
}

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

export interface CLock {
  id: string;
  type: SimLockType;
  capacity: number;
  delay: CDist | null;
  delayHolding: boolean;
  gracePeriod: CDist | null;
}

export interface CRole {
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

export const DEFAULT_MAX_EVENTS = 20_000_000;

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

/** Expressions are echoed in messages; a long one is cut. */
const clip = (text: string): string => (text.length > 60 ? `${text.slice(0, 60)}…` : text);

/** Parameter values for a variant: scenario defaults < variant defaults < overrides. */
export function resolveParams(s: Scenario, variant: Variant, overrides: Record<string, number> = {}): Record<string, number> {
  return { ...s.params, ...(s.variants?.[variant]?.params ?? {}), ...overrides };
}

export function compileScenario(input: CompileInput): { program: Program | null; problems: Problem[] } {
  const { scenario: s, variant } = input;
  const params = resolveParams(s, variant, input.overrides);
  const problems: Problem[] = [];
  const bad = (msg: string): void => {
    problems.push({ severity: 'error', code: 'invalid-scenario', message: msg });
  };
  const num = (v: Num, path: string): number => {
    if (typeof v === 'number') return v;
    const p = parseExpr(v);
    const x = p.expr ? evalExpr(p.expr, params) : NaN;
    if (!Number.isFinite(x)) bad(`${path}: '${clip(v)}' does not evaluate to a finite number${p.error ? ` (${p.error})` : ''}`);
    return Number.isFinite(x) ? x : 0;
  };
  const count = (v: Num, path: string): number => {
    const x = num(v, path);
    if (x < 0) bad(`${path}: expected a count >= 0, got ${x}`);
    return Math.max(0, Math.round(x));
  };
  const dist = (d: Dist, path: string): CDist => {
    if (typeof d === 'number' || typeof d === 'string') return fixed(num(d, path), path);
    const mean = num(d.mean, `${path}.mean`);
    if (mean < 0) bad(`${path}.mean: expected a time >= 0 µs, got ${mean}`);
    if (d.dist === 'fixed' || mean === 0) return { kind: 0, a: Math.max(0, mean), b: 0 };
    if (d.dist === 'exp') return { kind: 1, a: mean, b: 0 };
    const cv = num(d.cv ?? 0, `${path}.cv`);
    if (cv < 0) bad(`${path}.cv: expected >= 0, got ${cv}`);
    // Log-normal with the given mean and coefficient of variation.
    const sigma2 = Math.log(1 + cv * cv);
    return { kind: 2, a: Math.log(mean) - sigma2 / 2, b: Math.sqrt(sigma2) };
  };
  const fixed = (x: number, path: string): CDist => {
    if (x < 0) bad(`${path}: expected a time >= 0 µs, got ${x}`);
    return { kind: 0, a: Math.max(0, x), b: 0 };
  };

  const lockIndex = new Map<string, number>();
  const locks: CLock[] = [];
  const lockOf = (id: string, path: string, wantRcu: boolean): number => {
    let i = lockIndex.get(id);
    if (i === undefined) {
      const spec: LockSpec | undefined = own(s.locks, id);
      const type: SimLockType = spec?.type ?? input.lockTypes?.get(id) ?? (wantRcu ? 'rcu' : 'mutex');
      i = locks.length;
      lockIndex.set(id, i);
      const lp = `locks.${id}`;
      locks.push({
        id,
        type,
        capacity: type === 'semaphore' && spec?.count !== undefined ? Math.max(1, count(spec.count, `${lp}.count`)) : 1,
        delay: spec?.delay !== undefined ? dist(spec.delay, `${lp}.delay`) : null,
        delayHolding: spec?.delayHolding ?? true,
        gracePeriod: spec?.gracePeriod !== undefined ? dist(spec.gracePeriod, `${lp}.gracePeriod`) : null,
      });
    }
    const isRcu = locks[i].type === 'rcu' || locks[i].type === 'srcu';
    if (isRcu !== wantRcu) {
      bad(`${path}: '${id}' is a ${locks[i].type} ${wantRcu ? 'but is used as an RCU domain' : 'and cannot be taken with lock/trylock'}`);
    }
    return i;
  };
  const eventIndex = new Map<string, number>();
  const events: string[] = [];
  const eventOf = (name: string): number => {
    let i = eventIndex.get(name);
    if (i === undefined) {
      i = events.length;
      eventIndex.set(name, i);
      events.push(name);
    }
    return i;
  };
  const holdFor = (lockId: string, d: Dist | undefined, path: string): CDist | null => {
    if (d !== undefined) return dist(d, `${path}.hold`);
    const byLock = own(s.holds, lockId);
    const h = byLock ?? own(s.holds, 'default');
    return h !== undefined ? dist(h, byLock !== undefined ? `holds.${lockId}` : 'holds.default') : null;
  };
  const mk = (code: OpCode, over: Partial<COp>): COp => ({
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
  });

  const deriveStack: string[] = [];
  /** `depth`: nesting level of `ops` (a role's own ops are level 1), derived sections included. */
  const compileOps = (ops: readonly Op[], path: string, depth: number, out: COp[] = []): COp[] => {
    if (depth > MAX_COMPILED_DEPTH && ops.length > 0) {
      bad(`${path}: nesting deeper than ${MAX_COMPILED_DEPTH} levels of operations (after derive expansion)`);
      return out;
    }
    ops.forEach((op, i) => compileOp(op, `${path}[${i}]`, depth, out));
    return out;
  };
  const compileOp = (op: Op, path: string, depth: number, out: COp[]): void => {
    const sub = depth + 1;
    // Dispatch on the own kind key, as validation does (`in` would also see Object.prototype).
    const kind = typeof op === 'object' && op !== null ? findOpKind(op) : undefined;
    switch (kind) {
      case undefined:
        bad(`${path}: not an operation`);
        break;
      case 'lock':
      case 'trylock': {
        const o = op as { lock?: string; trylock?: string; mode?: string; hold?: Dist; ops?: Op[]; else?: Op[] };
        const id = (kind === 'lock' ? o.lock : o.trylock) as string;
        out.push(
          mk(OpCode.Lock, {
            target: lockOf(id, `${path}.${kind}`, false),
            write: o.mode !== 'read',
            trylock: kind === 'trylock',
            hold: holdFor(id, o.hold, path),
            body: compileOps(o.ops ?? [], `${path}.ops`, sub),
            elseBody: compileOps(o.else ?? [], `${path}.else`, sub),
          }),
        );
        break;
      }
      case 'rcuRead': {
        const o = op as Extract<Op, { rcuRead: string }>;
        out.push(
          mk(OpCode.RcuRead, {
            target: lockOf(o.rcuRead, `${path}.rcuRead`, true),
            hold: holdFor(o.rcuRead, o.hold, path),
            body: compileOps(o.ops ?? [], `${path}.ops`, sub),
          }),
        );
        break;
      }
      case 'synchronizeRcu': {
        const o = op as Extract<Op, { synchronizeRcu: string }>;
        out.push(mk(OpCode.SyncRcu, { target: lockOf(o.synchronizeRcu, `${path}.synchronizeRcu`, true) }));
        break;
      }
      case 'callRcu': {
        const o = op as Extract<Op, { callRcu: string }>;
        out.push(mk(OpCode.CallRcu, { target: lockOf(o.callRcu, `${path}.callRcu`, true) }));
        break;
      }
      case 'think':
        out.push(mk(OpCode.Think, { hold: dist((op as Extract<Op, { think: Dist }>).think, `${path}.think`) }));
        break;
      case 'repeat': {
        const o = op as Extract<Op, { repeat: Num }>;
        const n = count(o.repeat, `${path}.repeat`);
        if (n > 0) out.push(mk(OpCode.Repeat, { n, body: compileOps(o.ops, `${path}.ops`, sub) }));
        break;
      }
      case 'post': {
        const o = op as Extract<Op, { post: string }>;
        out.push(mk(OpCode.Post, { target: eventOf(o.post), n: o.count === undefined ? 1 : count(o.count, `${path}.count`) }));
        break;
      }
      case 'wait':
        out.push(mk(OpCode.Wait, { target: eventOf((op as Extract<Op, { wait: string }>).wait) }));
        break;
      case 'waitAll':
        out.push(mk(OpCode.Wait, { target: eventOf((op as Extract<Op, { waitAll: string }>).waitAll), all: true }));
        break;
      case 'tryWait': {
        const o = op as Extract<Op, { tryWait: string }>;
        out.push(
          mk(OpCode.TryWait, {
            target: eventOf(o.tryWait),
            body: compileOps(o.ops ?? [], `${path}.ops`, sub),
            elseBody: compileOps(o.else ?? [], `${path}.else`, sub),
          }),
        );
        break;
      }
      case 'only': {
        // The chosen block's ops join this level; they still count as nested for the limit.
        const o = op as Extract<Op, { only: Variant }>;
        if (o.only === variant) compileOps(o.ops, `${path}.ops`, sub, out);
        break;
      }
      case 'derive': {
        const entry = (op as Extract<Op, { derive: string }>).derive;
        const ops = input.derived?.get(entry);
        if (!ops) {
          bad(`${path}.derive: no derived operations for entry point '${entry}' in the ${variant} analysis (is "analysis.${variant}" set?)`);
        } else if (deriveStack.includes(entry)) {
          bad(`${path}.derive: '${entry}' expands to itself`);
        } else {
          deriveStack.push(entry);
          // Spliced in at this op's level; counted as one more level so that a chain of
          // derive entries expanding one another cannot recurse without bound either.
          compileOps(ops, `${path}<derive ${entry}>`, sub, out);
          deriveStack.pop();
        }
        break;
      }
    }
  };

  const roles: CRole[] = s.roles.map((r, i) => {
    const p = `roles[${i}]`;
    const iterations = r.iterations === 'forever' ? Infinity : r.iterations === undefined ? 1 : count(r.iterations, `${p}.iterations`);
    return {
      name: r.name,
      threads: r.threads === undefined ? 1 : count(r.threads, `${p}.threads`),
      iterations,
      measure: r.measure ?? Number.isFinite(iterations),
      start: r.start !== undefined ? dist(r.start, `${p}.start`) : null,
      ops: compileOps(r.ops, `${p}.ops`, 1),
    };
  });
  if (problems.length > 0) return { program: null, problems };
  return { program: { locks, events, roles, maxEvents: s.limits?.maxEvents ?? DEFAULT_MAX_EVENTS }, problems };
}
