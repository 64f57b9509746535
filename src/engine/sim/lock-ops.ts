/**
 * Lock acquisition and hand-off (see simulator.ts for the semantics per lock type): a request
 * is granted at once or queued; a release hands the lock to queued threads in FIFO order.
 */

import type { COp } from './compile';
import { FrameKind, isReaderWriter, pushFrame, schedule, type Frame, type Machine, type Thread } from './machine';

/** Can `write`/read be granted now? `fresh` = a new request (queue order matters), not a hand-off. */
function available(m: Machine, li: number, write: boolean, fresh: boolean): boolean {
  const L = m.locks[li];
  const type = m.program.locks[li].type;
  const queued = L.queue.length - L.head > 0;
  if (isReaderWriter(type)) {
    if (write) return L.holders === 0 && L.readers === 0 && !(fresh && queued);
    if (L.holders > 0) return false;
    return type === 'rwlock' || !(fresh && queued);
  }
  return L.holders < m.program.locks[li].capacity && !(fresh && queued);
}

/** `t` takes the lock of `op` and runs its body for the hold time. */
function grant(m: Machine, t: Thread, op: COp): void {
  const li = op.target;
  const L = m.locks[li];
  const spec = m.program.locks[li];
  const write = !isReaderWriter(spec.type) || op.write;
  if (write) L.holders++;
  else L.readers++;
  m.stats[li].acquisitions++;
  if (m.trace) m.trace.push([m.now, t.id, spec.id, write ? 'write' : 'read']);
  pushFrame(t, op.body, FrameKind.Held, li, write);
  let hold = op.hold ? m.sample(op.hold) : 0;
  if (spec.delay && spec.delayHolding) hold += m.sample(spec.delay);
  schedule(m, t, m.now + hold);
}

/**
 * Runs a lock/trylock op of frame `f`. Returns true when `t` goes on with its next op (a failed
 * trylock), false when it stopped: sleeping before the attempt, holding the lock, or queued.
 */
export function requestLock(m: Machine, t: Thread, f: Frame, op: COp): boolean {
  const spec = m.program.locks[op.target];
  if (spec.delay && !spec.delayHolding && !t.delayed) {
    t.delayed = true;
    f.i--;
    schedule(m, t, m.now + m.sample(spec.delay));
    return false;
  }
  t.delayed = false;
  if (available(m, op.target, op.write, true)) {
    grant(m, t, op);
    return false;
  }
  const stats = m.stats[op.target];
  if (op.trylock) {
    stats.trylockFailures++;
    if (op.elseBody.length > 0) pushFrame(t, op.elseBody, FrameKind.Plain);
    return true;
  }
  const L = m.locks[op.target];
  L.queue.push({ t, op });
  const q = L.queue.length - L.head;
  if (q > stats.maxQueue) stats.maxQueue = q;
  t.waitSince = m.now;
  t.blockedOn = `${spec.id}${isReaderWriter(spec.type) ? (op.write ? ' (write)' : ' (read)') : ''}`;
  return false;
}

export function release(m: Machine, li: number, write: boolean): void {
  const L = m.locks[li];
  if (write) L.holders--;
  else L.readers--;
  // Hand the lock to queued threads in FIFO order while they are compatible.
  while (L.head < L.queue.length) {
    const w = L.queue[L.head];
    if (!available(m, li, w.op.write, false)) break;
    L.head++;
    m.stats[li].waitUs += m.now - w.t.waitSince;
    w.t.blockedOn = '';
    grant(m, w.t, w.op);
    if (isReaderWriter(m.program.locks[li].type)) {
      if (w.op.write) break;
      // Readers behind a reader are admitted together; a writer stops the batch.
      continue;
    }
  }
  if (L.head > 64 && L.head * 2 > L.queue.length) {
    L.queue = L.queue.slice(L.head);
    L.head = 0;
  }
}
