/**
 * Discrete-event simulation of threads contending on lock classes.
 *
 * Semantics (documented in docs/simulator.md):
 * - mutex, spinlock, semaphore: FIFO queue with direct hand-off: on release the lock passes to
 *   the first waiter, so a releasing thread that re-requests the lock cannot barge ahead.
 * - rwsem: fair; a new reader waits if anyone is queued; releasing admits the queue head and,
 *   when it is a reader, every reader behind it up to the next writer.
 * - rwlock: reader-preferring (new readers join active readers even when a writer waits).
 * - rcu/srcu: readers never block; synchronizeRcu waits for the readers active at the call
 *   (and at least the domain's gracePeriod); callRcu never waits, its callback runs later.
 * - trylock fails (runs `else`) whenever the lock could not be granted at once.
 *
 * All times are µs; the clock is simulated, randomness comes only from the seeded Rng.
 */

import { createRng, type Rng } from './rng';
import { OpCode, type CDist, type COp, type Program } from './compile';

export interface LockStats {
  id: string;
  acquisitions: number;
  /** Total µs threads spent queued for this lock. */
  waitUs: number;
  maxQueue: number;
  trylockFailures: number;
  /** RCU: grace periods completed (synchronizeRcu + callRcu callbacks). */
  gracePeriods: number;
}

export interface RunResult {
  /** Completion time of the measured roles, µs (NaN when the run did not complete). */
  makespanUs: number;
  roleFinishUs: Record<string, number>;
  locks: LockStats[];
  events: number;
  /** Set when the run stopped early: deadlock or event budget. */
  error?: { code: 'sim-deadlock' | 'sim-budget'; message: string };
  /** Optional trace of grants, for tests: [time, thread, lock id, mode]. */
  trace?: [number, number, string, 'read' | 'write'][];
}

const enum FrameKind {
  Plain,
  Repeat,
  Held,
  Reader,
}

interface Frame {
  ops: COp[];
  i: number;
  kind: FrameKind;
  rep: number;
  lock: number;
  write: boolean;
  reader: number;
}

interface Thread {
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

interface LockState {
  holders: number;
  readers: number;
  queue: Waiter[];
  head: number;
  // RCU domain state
  activeReaders: Set<number>;
  gpWaiters: { t: Thread | null; pending: Set<number>; notBefore: number }[];
}

interface EventState {
  count: number;
  queue: Waiter[];
  head: number;
}

export interface SimOptions {
  trace?: boolean;
}

export function simulate(program: Program, seed: number, opts: SimOptions = {}): RunResult {
  const rng: Rng = createRng(seed);
  let spare = NaN; // second Box-Muller normal
  const sample = (d: CDist): number => {
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

  const locks: LockState[] = program.locks.map(() => ({
    holders: 0,
    readers: 0,
    queue: [],
    head: 0,
    activeReaders: new Set<number>(),
    gpWaiters: [],
  }));
  const stats: LockStats[] = program.locks.map((l) => ({
    id: l.id,
    acquisitions: 0,
    waitUs: 0,
    maxQueue: 0,
    trylockFailures: 0,
    gracePeriods: 0,
  }));
  const evs: EventState[] = program.events.map(() => ({ count: 0, queue: [], head: 0 }));
  const trace: RunResult['trace'] = opts.trace ? [] : undefined;

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

  let now = 0;
  let seq = 0;
  let steps = 0;
  let nextReader = 1;
  const schedule = (t: Thread, at: number): void => {
    t.wakeAt = at;
    t.seq = ++seq;
  };
  for (const t of threads) {
    if (t.done) continue;
    const r = program.roles[t.role];
    t.frames.push({ ops: r.ops, i: 0, kind: FrameKind.Plain, rep: 0, lock: -1, write: true, reader: 0 });
    schedule(t, r.start ? sample(r.start) : 0);
  }
  let measuredLeft = threads.filter((t) => program.roles[t.role].measure && !t.done).length;

  const pushFrame = (t: Thread, ops: COp[], kind: FrameKind, lock = -1, write = true, reader = 0, rep = 0): void => {
    t.frames.push({ ops, i: 0, kind, rep, lock, write, reader });
  };

  /** Can `write`/read be granted now? `fresh` = a new request (queue order matters), not a hand-off. */
  const available = (li: number, write: boolean, fresh: boolean): boolean => {
    const L = locks[li];
    const type = program.locks[li].type;
    const queued = L.queue.length - L.head > 0;
    if (type === 'rwlock' || type === 'rwsem') {
      if (write) return L.holders === 0 && L.readers === 0 && !(fresh && queued);
      if (L.holders > 0) return false;
      return type === 'rwlock' || !(fresh && queued);
    }
    return L.holders < program.locks[li].capacity && !(fresh && queued);
  };

  const grant = (t: Thread, op: COp): void => {
    const li = op.target;
    const L = locks[li];
    const rw = program.locks[li].type === 'rwlock' || program.locks[li].type === 'rwsem';
    const write = !rw || op.write;
    if (write) L.holders++;
    else L.readers++;
    stats[li].acquisitions++;
    if (trace) trace.push([now, t.id, program.locks[li].id, write ? 'write' : 'read']);
    pushFrame(t, op.body, FrameKind.Held, li, write);
    const spec = program.locks[li];
    let hold = op.hold ? sample(op.hold) : 0;
    if (spec.delay && spec.delayHolding) hold += sample(spec.delay);
    schedule(t, now + hold);
  };

  const release = (li: number, write: boolean): void => {
    const L = locks[li];
    if (write) L.holders--;
    else L.readers--;
    // Hand the lock to queued threads in FIFO order while they are compatible.
    while (L.head < L.queue.length) {
      const w = L.queue[L.head];
      if (!available(li, w.op.write, false)) break;
      L.head++;
      stats[li].waitUs += now - w.t.waitSince;
      w.t.blockedOn = '';
      grant(w.t, w.op);
      if (program.locks[li].type === 'rwsem' || program.locks[li].type === 'rwlock') {
        if (w.op.write) break;
        // Readers behind a reader are admitted together; a writer stops the batch.
        continue;
      }
    }
    if (L.head > 64 && L.head * 2 > L.queue.length) {
      L.queue = L.queue.slice(L.head);
      L.head = 0;
    }
  };

  const readerExit = (li: number, reader: number): void => {
    const L = locks[li];
    L.activeReaders.delete(reader);
    if (L.gpWaiters.length === 0) return;
    const keep: LockState['gpWaiters'] = [];
    for (const g of L.gpWaiters) {
      g.pending.delete(reader);
      if (g.pending.size === 0) completeGp(li, g);
      else keep.push(g);
    }
    L.gpWaiters = keep;
  };

  const completeGp = (li: number, g: LockState['gpWaiters'][number]): void => {
    stats[li].gracePeriods++;
    if (g.t) {
      g.t.blockedOn = '';
      schedule(g.t, Math.max(now, g.notBefore));
    }
  };

  const startGp = (li: number, t: Thread | null): boolean => {
    const L = locks[li];
    const gp = program.locks[li].gracePeriod;
    const notBefore = now + (gp ? sample(gp) : 0);
    const g = { t, pending: new Set(L.activeReaders), notBefore };
    if (g.pending.size === 0) {
      // No pre-existing reader: only the minimum grace period (if any) applies.
      stats[li].gracePeriods++;
      if (t && notBefore > now) {
        schedule(t, notBefore);
        return true;
      }
      return false;
    }
    L.gpWaiters.push(g);
    if (t) t.blockedOn = `synchronize_rcu(${program.locks[li].id})`;
    return t !== null;
  };

  /** Runs `t` until it blocks, sleeps or finishes. */
  const run = (t: Thread): void => {
    t.wakeAt = Infinity;
    for (;;) {
      if (++steps > program.maxEvents) return;
      const f = t.frames[t.frames.length - 1];
      if (f === undefined) {
        // One iteration finished (threads start with their first iteration's frame pushed).
        if (--t.itersLeft > 0) {
          pushFrame(t, program.roles[t.role].ops, FrameKind.Plain);
          continue;
        }
        t.done = true;
        t.doneAt = now;
        if (program.roles[t.role].measure) measuredLeft--;
        return;
      }
      if (f.i >= f.ops.length) {
        if (f.kind === FrameKind.Repeat && --f.rep > 0) {
          f.i = 0;
          continue;
        }
        t.frames.pop();
        if (f.kind === FrameKind.Held) release(f.lock, f.write);
        else if (f.kind === FrameKind.Reader) readerExit(f.lock, f.reader);
        continue;
      }
      const op = f.ops[f.i++];
      switch (op.code) {
        case OpCode.Think:
          schedule(t, now + sample(op.hold as CDist));
          return;
        case OpCode.Lock: {
          const spec = program.locks[op.target];
          if (spec.delay && !spec.delayHolding && !t.delayed) {
            t.delayed = true;
            f.i--;
            schedule(t, now + sample(spec.delay));
            return;
          }
          t.delayed = false;
          if (available(op.target, op.write, true)) {
            grant(t, op);
            return;
          }
          if (op.trylock) {
            stats[op.target].trylockFailures++;
            if (op.elseBody.length > 0) pushFrame(t, op.elseBody, FrameKind.Plain);
            continue;
          }
          const L = locks[op.target];
          L.queue.push({ t, op });
          const q = L.queue.length - L.head;
          if (q > stats[op.target].maxQueue) stats[op.target].maxQueue = q;
          t.waitSince = now;
          t.blockedOn = `${spec.id}${spec.type === 'rwlock' || spec.type === 'rwsem' ? (op.write ? ' (write)' : ' (read)') : ''}`;
          return;
        }
        case OpCode.RcuRead: {
          const id = nextReader++;
          locks[op.target].activeReaders.add(id);
          pushFrame(t, op.body, FrameKind.Reader, op.target, false, id);
          schedule(t, now + (op.hold ? sample(op.hold) : 0));
          return;
        }
        case OpCode.SyncRcu:
          if (startGp(op.target, t)) return;
          continue;
        case OpCode.CallRcu:
          startGp(op.target, null);
          continue;
        case OpCode.Repeat:
          pushFrame(t, op.body, FrameKind.Repeat, -1, true, 0, op.n);
          continue;
        case OpCode.Post: {
          const E = evs[op.target];
          E.count += op.n;
          while (E.count > 0 && E.head < E.queue.length) {
            const w = E.queue[E.head++];
            E.count = w.op.all ? 0 : E.count - 1;
            w.t.blockedOn = '';
            schedule(w.t, now);
          }
          continue;
        }
        case OpCode.Wait: {
          const E = evs[op.target];
          if (E.count > 0) {
            E.count = op.all ? 0 : E.count - 1;
            continue;
          }
          E.queue.push({ t, op });
          t.blockedOn = `event '${program.events[op.target]}'`;
          return;
        }
        case OpCode.TryWait: {
          const E = evs[op.target];
          if (E.count > 0) {
            E.count = 0;
            if (op.body.length > 0) pushFrame(t, op.body, FrameKind.Plain);
          } else if (op.elseBody.length > 0) pushFrame(t, op.elseBody, FrameKind.Plain);
          continue;
        }
      }
    }
  };

  let events = 0;
  let error: RunResult['error'];
  while (measuredLeft > 0) {
    // Few threads: a linear scan for the earliest (time, seq) beats a heap here.
    let next: Thread | null = null;
    for (const t of threads) {
      if (t.wakeAt === Infinity) continue;
      if (next === null || t.wakeAt < next.wakeAt || (t.wakeAt === next.wakeAt && t.seq < next.seq)) next = t;
    }
    if (next === null) {
      const blocked = threads
        .filter((t) => !t.done && t.blockedOn)
        .map((t) => `${program.roles[t.role].name}#${t.id} waits for ${t.blockedOn}`);
      error = { code: 'sim-deadlock', message: `no thread can run at t=${(now / 1e6).toFixed(6)} s: ${blocked.join('; ')}` };
      break;
    }
    now = next.wakeAt;
    events++;
    run(next);
    if (steps > program.maxEvents) {
      error = {
        code: 'sim-budget',
        message: `stopped after ${program.maxEvents} steps at t=${(now / 1e6).toFixed(3)} s (raise limits.maxEvents, or check for a loop that never waits)`,
      };
      break;
    }
  }

  const roleFinishUs: Record<string, number> = {};
  let makespan = 0;
  for (const t of threads) {
    const r = program.roles[t.role];
    if (!t.done) continue;
    roleFinishUs[r.name] = Math.max(roleFinishUs[r.name] ?? 0, t.doneAt);
    if (r.measure) makespan = Math.max(makespan, t.doneAt);
  }
  const result: RunResult = { makespanUs: error ? NaN : makespan, roleFinishUs, locks: stats, events };
  if (error) result.error = error;
  if (trace) result.trace = trace;
  return result;
}
