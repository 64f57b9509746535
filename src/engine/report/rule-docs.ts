/** One-line and full descriptions of each rule (SARIF, hovers, docs/rules.md is the long form). */
import type { RuleId, Severity } from '../model';

export const RULE_DOCS: Record<RuleId, { short: string; full: string; severity: Severity }> = {
  'lock-order-cycle': {
    short: 'Locks are acquired in inconsistent orders (possible ABBA deadlock).',
    full: 'Two or more lock classes are acquired in orders that form a cycle through the call graph; two threads taking the paths concurrently can deadlock.',
    severity: 'error',
  },
  'recursive-acquire': {
    short: 'A lock class is acquired while already held.',
    full: 'A non-recursive lock is taken again on a path that already holds it (directly or through a callee): a self-deadlock for the same instance, or a lockdep splat for two instances of one class.',
    severity: 'error',
  },
  'contention-transfer': {
    short: 'A hot path takes a lock that is held elsewhere around a contended lock (e.g. RTNL).',
    full: 'A hot path acquires L while another path holds L around the acquisition of a contended lock such as rtnl_mutex, so contention on the contended lock is transferred to the hot path.',
    severity: 'warning',
  },
  'rtnl-in-periodic-path': {
    short: 'RTNL is taken (or requested from the kernel) in a loop or periodic run/poll path.',
    full: 'A periodic path (*_run, poll loops) or a loop takes RTNL, directly, through callees, or via an RTNL-serialised ioctl/rtnetlink request, so its latency scales with RTNL contention.',
    severity: 'warning',
  },
  'rcu-deref-unprotected': {
    short: 'An RCU-protected pointer is dereferenced without RCU read side or update-side lock.',
    full: 'rcu_dereference() outside an RCU read-side critical section and without a lockdep condition, or an update-side dereference whose required lock is not held on all paths.',
    severity: 'warning',
  },
  'rcu-sleep-in-read-side': {
    short: 'A sleeping call inside an RCU read-side critical section.',
    full: 'A function that may sleep (mutex, GFP_KERNEL allocation, msleep, synchronize_rcu) is called inside rcu_read_lock()/rcu_read_unlock().',
    severity: 'error',
  },
  'rcu-free-without-grace-period': {
    short: 'A published RCU pointer is freed without waiting for a grace period.',
    full: 'An object reachable by RCU readers (published with rcu_assign_pointer or read from an __rcu location) is freed with kfree()/free() instead of kfree_rcu(), call_rcu() or after synchronize_rcu().',
    severity: 'error',
  },
  'lock-imbalance': {
    short: 'Paths through a function return with different held locks, or unlock a lock that is not held.',
    full: 'Some return paths hold a lock and others do not (typically an error path that forgets to unlock), or a lock is released that is not held on that path.',
    severity: 'warning',
  },
  'requires-violation': {
    short: 'A callee that requires a lock is called without it (or with an excluded lock held).',
    full: 'The callee requires L by annotation (OVS_REQUIRES, __must_hold) or assertion (lockdep_assert_held, ASSERT_RTNL), and a call path reaches it without L held; or OVS_EXCLUDED(L) is violated.',
    severity: 'warning',
  },
  'sleep-in-atomic': {
    short: 'A sleeping call in atomic context (spinlock, irq-disabled or RCU read side).',
    full: 'A mutex, GFP_KERNEL allocation, msleep or synchronize_rcu is reached while a spinlock/rwlock is held or interrupts/bottom halves are disabled.',
    severity: 'error',
  },
  'wait-under-lock': {
    short: 'A blocking wait while holding a lock the awaited work or thread needs.',
    full: 'A thread join, cancel_work_sync/flush_work, wait_for_completion or RCU grace-period wait is performed while holding a lock that the awaited thread or work item acquires (deadlock), or a contended lock (stall).',
    severity: 'warning',
  },
};
