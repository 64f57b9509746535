/** The interpreter: runs one thread's compiled ops from where it stopped. */

import { OpCode } from './compile';
import type { CDist } from './compile-values';
import { post, tryWait, wait } from './event-ops';
import { release, requestLock } from './lock-ops';
import { FrameKind, pushFrame, schedule, type Machine, type Thread } from './machine';
import { enterReader, exitReader, startGracePeriod } from './rcu-ops';

/** Runs `t` until it blocks, sleeps or finishes (or the step budget runs out). */
export function runThread(m: Machine, t: Thread): void {
  t.wakeAt = Infinity;
  for (;;) {
    if (++m.steps > m.program.maxEvents) return;
    const f = t.frames[t.frames.length - 1];
    if (f === undefined) {
      if (nextIteration(m, t)) continue;
      return;
    }
    if (f.i >= f.ops.length) {
      if (f.kind === FrameKind.Repeat && --f.rep > 0) {
        f.i = 0;
        continue;
      }
      t.frames.pop();
      if (f.kind === FrameKind.Held) release(m, f.lock, f.write);
      else if (f.kind === FrameKind.Reader) exitReader(m, f.lock, f.reader);
      continue;
    }
    const op = f.ops[f.i++];
    switch (op.code) {
      case OpCode.Think:
        schedule(m, t, m.now + m.sample(op.hold as CDist));
        return;
      case OpCode.Lock:
        if (requestLock(m, t, f, op)) continue;
        return;
      case OpCode.RcuRead:
        enterReader(m, t, op);
        return;
      case OpCode.SyncRcu:
        if (startGracePeriod(m, op.target, t)) return;
        continue;
      case OpCode.CallRcu:
        startGracePeriod(m, op.target, null);
        continue;
      case OpCode.Repeat:
        pushFrame(t, op.body, FrameKind.Repeat, -1, true, 0, op.n);
        continue;
      case OpCode.Post:
        post(m, op);
        continue;
      case OpCode.Wait:
        if (wait(m, t, op)) continue;
        return;
      case OpCode.TryWait:
        tryWait(m, t, op);
        continue;
    }
  }
}

/**
 * One iteration finished (threads start with their first iteration's frame pushed): starts the
 * next one and returns true, or marks `t` done and returns false.
 */
function nextIteration(m: Machine, t: Thread): boolean {
  const role = m.program.roles[t.role];
  if (--t.itersLeft > 0) {
    pushFrame(t, role.ops, FrameKind.Plain);
    return true;
  }
  t.done = true;
  t.doneAt = m.now;
  if (role.measure) m.measuredLeft--;
  return false;
}
