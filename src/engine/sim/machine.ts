/**
 * The simulator's state for one run: threads with their frame stacks, per-lock and per-event
 * queues, the simulated clock. Built once per run; the operations (lock-ops, rcu-ops, event-ops)
 * and the interpreter (run-thread) mutate it in place, so the event loop allocates only what the
 * model needs (frames, queue entries, grace-period records).
 */

import type { COp, Program } from './compile';
import type { CDist } from './compile-values';
import type { LockStats, RunResult } from './run-result';
import { createRng } from './rng';
import type { SimLockType } from './scenario';

export const enum FrameKind {
  Plain,
  Repeat,
  Held,
  Reader,
}

export interface Frame {
  ops: COp[];
  i: number;
  kind: FrameKind;
  rep: number;
  lock: number;
  write: boolean;
  reader: number;
}

export interface Thread {
  id: number;
  role: number;
  frames: Frame[];
  itersLeft: number;
  done: boolean;
  doneAt: number;
  wakeAt: number;
  seq: number;
  /** A lock op whose pre-acquisition delay has already been spent. */
  delayed: boolean;
  /** What the thread is blocked on, for deadlock messages. */
  blockedOn: string;
  waitSince: number;
}

interface Waiter {
  t: Thread;
  op: COp;
}

export interface GraceWaiter {
  /** The synchronizeRcu caller, or null for a callRcu callback. */
  t: Thread | null;
  pending: Set<number>;
  notBefore: number;
}

interface LockState {
  holders: number;
  readers: number;
  queue: Waiter[];
  head: number;
  // RCU domain state
  activeReaders: Set<number>;
  gpWaiters: GraceWaiter[];
}

interface EventState {
  count: number;
  queue: Waiter[];
  head: number;
}

export interface Machine {
  readonly program: Program;
  /** Draws from a compiled distribution (the run's only source of randomness). */
  readonly sample: (d: CDist) => number;
  readonly locks: LockState[];
  readonly stats: LockStats[];
  readonly evs: EventState[];
  readonly threads: Thread[];
  readonly trace: RunResult['trace'];
  /** Simulated clock, µs. */
  now: number;
  /** Scheduling order among threads waking at the same time. */
  seq: number;
  /** Ops executed, against `program.maxEvents`. */
  steps: number;
  nextReader: number;
  /** Threads of measured roles not finished yet; the run ends at 0. */
  measuredLeft: number;
}

/** Fixed, exponential or log-normal samples from the seeded stream (Box-Muller, one spare kept). */
function createSampler(seed: number): (d: CDist) => number {
  const rng = createRng(seed);
  let spare = NaN; // second Box-Muller normal
  return (d: CDist): number => {
    if (d.kind === 0) return d.a;
    if (d.kind === 1) return -d.a * Math.log(1 - rng.next());
    let z: number;
    if (!Number.isNaN(spare)) {
      z = spare;
      spare = NaN;
    } else {
      const u = 1 - rng.next();
      const v = rng.next();
      const r = Math.sqrt(-2 * Math.log(u));
      z = r * Math.cos(2 * Math.PI * v);
      spare = r * Math.sin(2 * Math.PI * v);
    }
    return Math.exp(d.a + d.b * z);
  };
}

/** The state at t=0: every thread with its first iteration's frame pushed and its start scheduled. */
export function createMachine(program: Program, seed: number, trace: boolean): Machine {
  const m: Machine = {
    program,
    sample: createSampler(seed),
    locks: program.locks.map(() => ({
      holders: 0,
      readers: 0,
      queue: [],
      head: 0,
      activeReaders: new Set<number>(),
      gpWaiters: [],
    })),
    stats: program.locks.map((l) => ({
      id: l.id,
      acquisitions: 0,
      waitUs: 0,
      maxQueue: 0,
      trylockFailures: 0,
      gracePeriods: 0,
    })),
    evs: program.events.map(() => ({ count: 0, queue: [], head: 0 })),
    threads: createThreads(program),
    trace: trace ? [] : undefined,
    now: 0,
    seq: 0,
    steps: 0,
    nextReader: 1,
    measuredLeft: 0,
  };
  for (const t of m.threads) {
    if (t.done) continue;
    const r = program.roles[t.role];
    pushFrame(t, r.ops, FrameKind.Plain);
    schedule(m, t, r.start ? m.sample(r.start) : 0);
  }
  m.measuredLeft = m.threads.filter((t) => program.roles[t.role].measure && !t.done).length;
  return m;
}

function createThreads(program: Program): Thread[] {
  const threads: Thread[] = [];
  program.roles.forEach((r, ri) => {
    for (let k = 0; k < r.threads; k++) {
      threads.push({
        id: threads.length,
        role: ri,
        frames: [],
        itersLeft: r.iterations,
        done: r.iterations === 0,
        doneAt: 0,
        wakeAt: Infinity,
        seq: 0,
        delayed: false,
        blockedOn: '',
        waitSince: 0,
      });
    }
  });
  return threads;
}

/** Wakes `t` at `at`; among equal times, earlier calls run first. */
export function schedule(m: Machine, t: Thread, at: number): void {
  t.wakeAt = at;
  t.seq = ++m.seq;
}

export function pushFrame(t: Thread, ops: COp[], kind: FrameKind, lock = -1, write = true, reader = 0, rep = 0): void {
  t.frames.push({ ops, i: 0, kind, rep, lock, write, reader });
}

/** rwlock and rwsem have readers and writers; the other lock types only exclusive holders. */
export function isReaderWriter(type: SimLockType): boolean {
  return type === 'rwlock' || type === 'rwsem';
}
