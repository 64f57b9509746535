/**
 * Every detector, in report order. Default severities: lock-order-cycle, sleep-in-atomic and
 * rcu-sleep-in-read-side are errors (real deadlocks / "scheduling while atomic"); recursive-acquire
 * is an error when the same lock expression (or a required lock) is re-taken, else a warning;
 * everything else is a warning.
 */
import type { Detector } from './context';
import { lockOrderCycle } from './lock-order-cycle';
import { recursiveAcquire } from './recursive-acquire';
import { contentionTransfer } from './contention-transfer';
import { rtnlInPeriodicPath } from './rtnl-in-periodic-path';
import { rcuDerefUnprotected } from './rcu-deref-unprotected';
import { rcuSleepInReadSide } from './rcu-sleep-in-read-side';
import { rcuFreeWithoutGracePeriod } from './rcu-free-without-grace-period';
import { lockImbalance } from './lock-imbalance';
import { requiresViolation } from './requires-violation';
import { sleepInAtomic } from './sleep-in-atomic';
import { waitUnderLock } from './wait-under-lock';

export const DETECTORS: readonly Detector[] = [
  lockOrderCycle,
  recursiveAcquire,
  contentionTransfer,
  rtnlInPeriodicPath,
  rcuDerefUnprotected,
  rcuSleepInReadSide,
  rcuFreeWithoutGracePeriod,
  lockImbalance,
  requiresViolation,
  sleepInAtomic,
  waitUnderLock,
];
