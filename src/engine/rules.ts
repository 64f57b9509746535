/**
 * One descriptor per rule: the single source of its default severity, docs anchor and
 * descriptions (SARIF rules, the editor, docs/rules.md is the long form). The detectors report
 * each finding at this severity, except recursive-acquire, whose findings on another instance of
 * the class are warnings (see docs/rules.md).
 */
import type { RuleId, Severity } from './model';

export interface RuleDescriptor {
  id: RuleId;
  /** Default severity (SARIF `defaultConfiguration`). */
  severity: Severity;
  /** Anchor of the rule's section in docs/rules.md. */
  anchor: string;
  /** One-line description (SARIF shortDescription). */
  short: string;
  /** Full description (SARIF fullDescription). */
  full: string;
}

export const RULES: Readonly<Record<RuleId, RuleDescriptor>> = {
  'lock-order-cycle': {
    id: 'lock-order-cycle',
    anchor: 'lock-order-cycle',
    short: 'Locks are acquired in inconsistent orders (possible ABBA deadlock).',
    full: 'Two or more lock classes are acquired in orders that form a cycle through the call graph; two threads taking the paths concurrently can deadlock.',
    severity: 'error',
  },
  'recursive-acquire': {
    id: 'recursive-acquire',
    anchor: 'recursive-acquire',
    short: 'A lock class is acquired while already held.',
    full: 'A non-recursive lock is taken again on a path that already holds it (directly or through a callee): a self-deadlock for the same instance, or a lockdep splat for two instances of one class.',
    severity: 'error',
  },
  'contention-transfer': {
    id: 'contention-transfer',
    anchor: 'contention-transfer',
    short: 'A hot path takes a lock that is held elsewhere around a contended lock (e.g. RTNL).',
    full: 'A hot path acquires L while another path holds L around the acquisition of a contended lock such as rtnl_mutex, so contention on the contended lock is transferred to the hot path.',
    severity: 'warning',
  },
  'rtnl-in-periodic-path': {
    id: 'rtnl-in-periodic-path',
    anchor: 'rtnl-in-periodic-path',
    short: 'RTNL is taken (or requested from the kernel) in a loop or periodic run/poll path.',
    full: 'A periodic path (*_run, poll loops) or a loop takes RTNL, directly, through callees, or via an RTNL-serialised ioctl/rtnetlink request, so its latency scales with RTNL contention.',
    severity: 'warning',
  },
  'rcu-deref-unprotected': {
    id: 'rcu-deref-unprotected',
    anchor: 'rcu-deref-unprotected',
    short: 'An RCU-protected pointer is dereferenced without RCU read side or update-side lock.',
    full: 'rcu_dereference() outside an RCU read-side critical section and without a lockdep condition, or an update-side dereference whose required lock is not held on all paths.',
    severity: 'warning',
  },
  'rcu-sleep-in-read-side': {
    id: 'rcu-sleep-in-read-side',
    anchor: 'rcu-sleep-in-read-side',
    short: 'A sleeping call inside an RCU read-side critical section.',
    full: 'A function that may sleep (mutex, GFP_KERNEL allocation, msleep, synchronize_rcu) is called inside rcu_read_lock()/rcu_read_unlock().',
    severity: 'error',
  },
  'rcu-free-without-grace-period': {
    id: 'rcu-free-without-grace-period',
    anchor: 'rcu-free-without-grace-period',
    short: 'A published RCU pointer is freed without waiting for a grace period.',
    full: 'An object reachable by RCU readers (published with rcu_assign_pointer or read from an __rcu location) is freed with kfree()/free() instead of kfree_rcu(), call_rcu() or after synchronize_rcu().',
    severity: 'error',
  },
  'lock-imbalance': {
    id: 'lock-imbalance',
    anchor: 'lock-imbalance',
    short: 'Paths through a function return with different held locks, or unlock a lock that is not held.',
    full: 'Some return paths hold a lock and others do not (typically an error path that forgets to unlock), or a lock is released that is not held on that path.',
    severity: 'warning',
  },
  'requires-violation': {
    id: 'requires-violation',
    anchor: 'requires-violation',
    short: 'A callee that requires a lock is called without it (or with an excluded lock held).',
    full: 'The callee requires L by annotation (OVS_REQUIRES, __must_hold) or assertion (lockdep_assert_held, ASSERT_RTNL), and a call path reaches it without L held; or OVS_EXCLUDED(L) is violated.',
    severity: 'warning',
  },
  'sleep-in-atomic': {
    id: 'sleep-in-atomic',
    anchor: 'sleep-in-atomic',
    short: 'A sleeping call in atomic context (spinlock, irq-disabled or RCU read side).',
    full: 'A mutex, GFP_KERNEL allocation, msleep or synchronize_rcu is reached while a spinlock/rwlock is held or interrupts/bottom halves are disabled.',
    severity: 'error',
  },
  'wait-under-lock': {
    id: 'wait-under-lock',
    anchor: 'wait-under-lock',
    short: 'A blocking wait while holding a lock the awaited work or thread needs.',
    full: 'A thread join, cancel_work_sync/flush_work, wait_for_completion or RCU grace-period wait is performed while holding a lock that the awaited thread or work item acquires (deadlock), or a contended lock (stall).',
    severity: 'warning',
  },
};
