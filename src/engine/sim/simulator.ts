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

import type { Program } from './compile';
import { createMachine, type Machine, type Thread } from './machine';
import type { RunResult } from './run-result';
import { runThread } from './run-thread';

/** simulate's output types, defined apart so that the machine modules can use them too. */
export type { LockStats, RunResult } from './run-result';

export interface SimOptions {
  trace?: boolean;
}

export function simulate(program: Program, seed: number, opts: SimOptions = {}): RunResult {
  const m = createMachine(program, seed, opts.trace === true);
  let events = 0;
  let error: RunResult['error'];
  while (m.measuredLeft > 0) {
    const next = nextThread(m.threads);
    if (next === null) {
      error = { code: 'sim-deadlock', message: deadlockMessage(m) };
      break;
    }
    m.now = next.wakeAt;
    events++;
    runThread(m, next);
    if (m.steps > program.maxEvents) {
      error = {
        code: 'sim-budget',
        message: `stopped after ${program.maxEvents} steps at t=${(m.now / 1e6).toFixed(3)} s (raise limits.maxEvents, or check for a loop that never waits)`,
      };
      break;
    }
  }
  return collectResult(m, events, error);
}

/** The thread with the earliest (wake time, schedule order), or null when none is runnable. */
function nextThread(threads: readonly Thread[]): Thread | null {
  // Few threads: a linear scan for the earliest (time, seq) beats a heap here.
  let next: Thread | null = null;
  for (const t of threads) {
    if (t.wakeAt === Infinity) continue;
    if (next === null || t.wakeAt < next.wakeAt || (t.wakeAt === next.wakeAt && t.seq < next.seq)) next = t;
  }
  return next;
}

function deadlockMessage(m: Machine): string {
  const blocked = m.threads
    .filter((t) => !t.done && t.blockedOn)
    .map((t) => `${m.program.roles[t.role].name}#${t.id} waits for ${t.blockedOn}`);
  return `no thread can run at t=${(m.now / 1e6).toFixed(6)} s: ${blocked.join('; ')}`;
}

function collectResult(m: Machine, events: number, error: RunResult['error']): RunResult {
  const roleFinishUs: Record<string, number> = {};
  let makespan = 0;
  for (const t of m.threads) {
    const r = m.program.roles[t.role];
    if (!t.done) continue;
    roleFinishUs[r.name] = Math.max(roleFinishUs[r.name] ?? 0, t.doneAt);
    if (r.measure) makespan = Math.max(makespan, t.doneAt);
  }
  const result: RunResult = { makespanUs: error ? NaN : makespan, roleFinishUs, locks: m.stats, events };
  if (error) result.error = error;
  if (m.trace) result.trace = m.trace;
  return result;
}
