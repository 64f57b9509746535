/** Counting events between roles: post adds to the count and wakes waiters in FIFO order. */

import type { COp } from './compile';
import { FrameKind, pushFrame, schedule, type Machine, type Thread } from './machine';

/** Adds `op.n` to the event's count and wakes queued waiters while the count lasts. */
export function post(m: Machine, op: COp): void {
  const E = m.evs[op.target];
  E.count += op.n;
  while (E.count > 0 && E.head < E.queue.length) {
    const w = E.queue[E.head++];
    E.count = w.op.all ? 0 : E.count - 1;
    w.t.blockedOn = '';
    schedule(m, w.t, m.now);
  }
}

/** Takes one event (all with `waitAll`). Returns true when `t` goes on, false when it queued. */
export function wait(m: Machine, t: Thread, op: COp): boolean {
  const E = m.evs[op.target];
  if (E.count > 0) {
    E.count = op.all ? 0 : E.count - 1;
    return true;
  }
  E.queue.push({ t, op });
  t.blockedOn = `event '${m.program.events[op.target]}'`;
  return false;
}

/** Never blocks: takes every pending event and runs `body`, or runs `elseBody` when none is. */
export function tryWait(m: Machine, t: Thread, op: COp): void {
  const E = m.evs[op.target];
  if (E.count > 0) {
    E.count = 0;
    if (op.body.length > 0) pushFrame(t, op.body, FrameKind.Plain);
  } else if (op.elseBody.length > 0) pushFrame(t, op.elseBody, FrameKind.Plain);
}
