/**
 * RCU domains: readers never block; a grace period (synchronizeRcu, callRcu) waits for the
 * readers active when it starts, and for at least the domain's minimum grace period.
 */

import type { COp } from './compile';
import { FrameKind, pushFrame, schedule, type GraceWaiter, type Machine, type Thread } from './machine';

/** `t` enters a read-side section of `op`'s domain and runs its body for the hold time. */
export function enterReader(m: Machine, t: Thread, op: COp): void {
  const id = m.nextReader++;
  m.locks[op.target].activeReaders.add(id);
  pushFrame(t, op.body, FrameKind.Reader, op.target, false, id);
  schedule(m, t, m.now + (op.hold ? m.sample(op.hold) : 0));
}

/** Reader `reader` leaves domain `li`: grace periods waiting only for it complete. */
export function exitReader(m: Machine, li: number, reader: number): void {
  const L = m.locks[li];
  L.activeReaders.delete(reader);
  if (L.gpWaiters.length === 0) return;
  const keep: GraceWaiter[] = [];
  for (const g of L.gpWaiters) {
    g.pending.delete(reader);
    if (g.pending.size === 0) completeGracePeriod(m, li, g);
    else keep.push(g);
  }
  L.gpWaiters = keep;
}

function completeGracePeriod(m: Machine, li: number, g: GraceWaiter): void {
  m.stats[li].gracePeriods++;
  if (g.t) {
    g.t.blockedOn = '';
    schedule(m, g.t, Math.max(m.now, g.notBefore));
  }
}

/**
 * Starts a grace period of domain `li` for `t` (synchronizeRcu) or for a callback (t = null,
 * callRcu). Returns true when `t` must wait, false when it goes on at once.
 */
export function startGracePeriod(m: Machine, li: number, t: Thread | null): boolean {
  const L = m.locks[li];
  const gp = m.program.locks[li].gracePeriod;
  const notBefore = m.now + (gp ? m.sample(gp) : 0);
  const g: GraceWaiter = { t, pending: new Set(L.activeReaders), notBefore };
  if (g.pending.size === 0) {
    // No pre-existing reader: only the minimum grace period (if any) applies.
    m.stats[li].gracePeriods++;
    if (t && notBefore > m.now) {
      schedule(m, t, notBefore);
      return true;
    }
    return false;
  }
  L.gpWaiters.push(g);
  if (t) t.blockedOn = `synchronize_rcu(${m.program.locks[li].id})`;
  return t !== null;
}
