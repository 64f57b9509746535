/** Every detector, in report order. Ids, default severities and descriptions: rules.ts (RULES). */
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
