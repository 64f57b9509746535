/**
 * Shapes of the primitive catalog. The catalog is data (tables in `kernel.ts`, `ovs.ts`,
 * `boundary.ts`); the analysis interprets it. One row per callable name.
 */
import type { LockType } from '../model';

export type PrimOp =
  /** Blocking acquisition (the lock is held afterwards on every path). */
  | 'acquire'
  | 'release'
  /** Non-blocking attempt: held only on the edge where the result equals `success`. */
  | 'trylock'
  /** Blocking but may fail (interruptible/killable, dec-and-lock): held only when result equals `success`. */
  | 'cond_acquire'
  /** Lock asserted held (lockdep_assert_held, ASSERT_RTNL): a fact, and a requirement on callers. */
  | 'assert'
  | 'rcu_read_lock'
  | 'rcu_read_unlock'
  /** rcu_dereference family; `deref` says which protection satisfies it. */
  | 'rcu_deref'
  /** rcu_assign_pointer / RCU_INIT_POINTER / ovsrcu_set: publishes `ptrArg`'s value arg. */
  | 'rcu_publish'
  /** Deferred free after a grace period (kfree_rcu, call_rcu, ovsrcu_postpone). */
  | 'rcu_free'
  /** Waits for a grace period (synchronize_rcu...). Also a blocking wait. */
  | 'grace_period'
  /** Immediate free (kfree, free...). */
  | 'free'
  /** May sleep (msleep, GFP_KERNEL allocations...). */
  | 'sleep'
  /** Blocking wait on another thread/work/completion. */
  | 'wait'
  /** Enters/leaves an atomic region without a lock (local_irq_disable, preempt_disable). */
  | 'atomic_enter'
  | 'atomic_exit'
  /** Binds a function to a work item / thread / RCU callback (INIT_WORK, xpthread_create). */
  | 'bind';

export interface PrimDef {
  name: string;
  op: PrimOp;
  /** 1-based argument holding the lock expression. */
  lockArg?: number;
  /** Fixed lock variable name (resolved like a global: `rtnl_mutex`, `ovs_mutex`, `seq_mutex`). */
  fixed?: string;
  /** Lock reached as `<arg>-><field>` (ovsthread_once_start(o) locks `o->mutex`). */
  lockField?: string;
  lockType?: LockType;
  /** Shared (read) acquisition: read-read re-entry is not recursive. */
  shared?: boolean;
  /** Return value meaning "acquired", for trylock / cond_acquire. */
  success?: 'nonzero' | 'zero';
  /** The primitive itself may sleep (mutex_lock, synchronize_rcu, msleep...). */
  sleeps?: boolean;
  /** Sleeps only when an argument names a sleeping GFP flag (GFP_KERNEL...). */
  gfp?: boolean;
  /** Acquisition with an explicit lockdep subclass (`_nested`): not a recursive acquire. */
  nested?: boolean;
  /** Lock argument is a `struct net *`: class `rtnl_mutex[net]`. */
  perNet?: boolean;
  /** Also takes/releases the global RTNL (rtnl_net_lock with perNetRtnlAlsoGlobal). */
  alsoGlobalRtnl?: boolean;
  /** Disables irqs/bh/preemption while held (atomic context for sleep rules). */
  atomic?: boolean;
  /** RCU flavour for read-side ops, grace periods and derefs. */
  rcu?: 'rcu' | 'rcu_bh' | 'rcu_sched' | 'srcu' | 'ovsrcu';
  /** rcu_deref protection: reader = needs read side; check = read side or cond; protected = cond only; raw = none. */
  deref?: 'reader' | 'check' | 'protected' | 'raw';
  /** 1-based argument holding the lockdep condition (`lockdep_is_held(&x)`). */
  condArg?: number;
  /** Lock the deref is implicitly protected by (ovsl_dereference → ovs_mutex). */
  condLock?: string;
  /** 1-based argument holding the RCU-protected pointer / freed object. */
  ptrArg?: number;
  /** 1-based argument holding the published value (rcu_assign_pointer(p, v) → 2). */
  valueArg?: number;
  /** For 'wait': what is awaited. */
  wait?: 'join' | 'work' | 'workqueue' | 'completion' | 'rcu' | 'ovsrcu' | 'latch' | 'barrier' | 'poll';
  /** For 'bind': what kind of binding and which args hold the handle and the function. */
  bind?: 'work' | 'thread' | 'rcu_callback';
  handleArg?: number;
  fnArg?: number;
  /** Try-lock that succeeds for the first caller only (ovsthread_once_start): its success branch is once-only code. */
  onceOnly?: boolean;
  /** Free-form note shown in witnesses. */
  note?: string;
}

/** A cleanup.h guard class (`guard(mutex)(&m)`). */
export interface GuardDef {
  cls: string;
  /** Primitive whose semantics the guard has (acquire + release at scope exit). */
  prim: PrimDef;
  /** `_try` / `_intr` guards: the scope body runs only when acquired. */
  conditional: boolean;
}
