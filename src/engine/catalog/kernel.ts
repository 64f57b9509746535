/**
 * Linux kernel lock / RCU / sleep primitives (see /work/shared/design/lock-catalog.md §1).
 * Rows are generated from small family tables so every suffix variant is covered uniformly.
 */
import type { LockType } from '../model';
import type { PrimDef } from './types';
import { RTNL_CLASS } from './rtnl';

const rows: PrimDef[] = [];
const add = (p: PrimDef): void => {
  rows.push(p);
};

// --- mutex -------------------------------------------------------------------------------
for (const n of ['mutex_lock', 'mutex_lock_io']) {
  add({ name: n, op: 'acquire', lockArg: 1, lockType: 'mutex', sleeps: true });
  add({ name: `${n}_nested`, op: 'acquire', lockArg: 1, lockType: 'mutex', sleeps: true, nested: true });
}
add({ name: 'mutex_lock_nest_lock', op: 'acquire', lockArg: 1, lockType: 'mutex', sleeps: true, nested: true });
for (const n of ['mutex_lock_interruptible', 'mutex_lock_killable']) {
  add({ name: n, op: 'cond_acquire', lockArg: 1, lockType: 'mutex', success: 'zero', sleeps: true });
  add({ name: `${n}_nested`, op: 'cond_acquire', lockArg: 1, lockType: 'mutex', success: 'zero', sleeps: true, nested: true });
}
add({ name: 'mutex_trylock', op: 'trylock', lockArg: 1, lockType: 'mutex', success: 'nonzero' });
add({ name: 'mutex_unlock', op: 'release', lockArg: 1, lockType: 'mutex' });
add({ name: 'atomic_dec_and_mutex_lock', op: 'cond_acquire', lockArg: 2, lockType: 'mutex', success: 'nonzero', sleeps: true });
add({ name: 'refcount_dec_and_mutex_lock', op: 'cond_acquire', lockArg: 2, lockType: 'mutex', success: 'nonzero', sleeps: true });
add({ name: 'kref_put_mutex', op: 'cond_acquire', lockArg: 3, lockType: 'mutex', success: 'nonzero', sleeps: true });

// --- spinlocks (+ raw_) -------------------------------------------------------------------
for (const pre of ['spin', 'raw_spin']) {
  for (const sfx of ['', '_bh', '_irq', '_irqsave']) {
    const atomic = true;
    add({ name: `${pre}_lock${sfx}`, op: 'acquire', lockArg: 1, lockType: 'spinlock', atomic });
    add({ name: `${pre}_trylock${sfx}`, op: 'trylock', lockArg: 1, lockType: 'spinlock', success: 'nonzero', atomic });
    const un = sfx === '_irqsave' ? '_irqrestore' : sfx;
    add({ name: `${pre}_unlock${un}`, op: 'release', lockArg: 1, lockType: 'spinlock' });
  }
  add({ name: `${pre}_lock_nested`, op: 'acquire', lockArg: 1, lockType: 'spinlock', nested: true, atomic: true });
  add({ name: `${pre}_lock_nest_lock`, op: 'acquire', lockArg: 1, lockType: 'spinlock', nested: true, atomic: true });
  add({ name: `${pre}_lock_irqsave_nested`, op: 'acquire', lockArg: 1, lockType: 'spinlock', nested: true, atomic: true });
  add({ name: `${pre}_lock_bh_nested`, op: 'acquire', lockArg: 1, lockType: 'spinlock', nested: true, atomic: true });
}
add({ name: 'assert_spin_locked', op: 'assert', lockArg: 1, lockType: 'spinlock' });
add({ name: 'atomic_dec_and_lock', op: 'cond_acquire', lockArg: 2, lockType: 'spinlock', success: 'nonzero', atomic: true });
add({ name: 'atomic_dec_and_lock_irqsave', op: 'cond_acquire', lockArg: 2, lockType: 'spinlock', success: 'nonzero', atomic: true });
add({ name: 'refcount_dec_and_lock', op: 'cond_acquire', lockArg: 2, lockType: 'spinlock', success: 'nonzero', atomic: true });
add({ name: 'refcount_dec_and_lock_irqsave', op: 'cond_acquire', lockArg: 2, lockType: 'spinlock', success: 'nonzero', atomic: true });
add({ name: 'bh_lock_sock', op: 'acquire', lockArg: 1, lockType: 'spinlock', atomic: true });
add({ name: 'bh_unlock_sock', op: 'release', lockArg: 1, lockType: 'spinlock' });
add({ name: 'netif_tx_lock', op: 'acquire', lockArg: 1, lockType: 'spinlock', atomic: true });
add({ name: 'netif_tx_lock_bh', op: 'acquire', lockArg: 1, lockType: 'spinlock', atomic: true });
add({ name: 'netif_tx_unlock', op: 'release', lockArg: 1, lockType: 'spinlock' });
add({ name: 'netif_tx_unlock_bh', op: 'release', lockArg: 1, lockType: 'spinlock' });
add({ name: 'netif_addr_lock_bh', op: 'acquire', lockArg: 1, lockType: 'spinlock', atomic: true });
add({ name: 'netif_addr_unlock_bh', op: 'release', lockArg: 1, lockType: 'spinlock' });

// --- rwlock_t ------------------------------------------------------------------------------
for (const mode of ['read', 'write']) {
  const shared = mode === 'read';
  for (const sfx of ['', '_bh', '_irq', '_irqsave']) {
    add({ name: `${mode}_lock${sfx}`, op: 'acquire', lockArg: 1, lockType: 'rwlock', shared, atomic: true });
    const un = sfx === '_irqsave' ? '_irqrestore' : sfx;
    add({ name: `${mode}_unlock${un}`, op: 'release', lockArg: 1, lockType: 'rwlock' });
  }
  add({ name: `${mode}_trylock`, op: 'trylock', lockArg: 1, lockType: 'rwlock', shared, success: 'nonzero', atomic: true });
}
add({ name: 'write_lock_nested', op: 'acquire', lockArg: 1, lockType: 'rwlock', nested: true, atomic: true });

// --- rw_semaphore / semaphore --------------------------------------------------------------
add({ name: 'down_read', op: 'acquire', lockArg: 1, lockType: 'rwsem', shared: true, sleeps: true });
add({ name: 'down_write', op: 'acquire', lockArg: 1, lockType: 'rwsem', sleeps: true });
add({ name: 'down_read_nested', op: 'acquire', lockArg: 1, lockType: 'rwsem', shared: true, sleeps: true, nested: true });
add({ name: 'down_write_nested', op: 'acquire', lockArg: 1, lockType: 'rwsem', sleeps: true, nested: true });
add({ name: 'down_write_nest_lock', op: 'acquire', lockArg: 1, lockType: 'rwsem', sleeps: true, nested: true });
add({ name: 'down_read_non_owner', op: 'acquire', lockArg: 1, lockType: 'rwsem', shared: true, sleeps: true });
add({ name: 'up_read_non_owner', op: 'release', lockArg: 1, lockType: 'rwsem' });
for (const n of ['down_read_interruptible', 'down_read_killable']) {
  add({ name: n, op: 'cond_acquire', lockArg: 1, lockType: 'rwsem', shared: true, success: 'zero', sleeps: true });
}
add({ name: 'down_write_killable', op: 'cond_acquire', lockArg: 1, lockType: 'rwsem', success: 'zero', sleeps: true });
add({ name: 'down_read_trylock', op: 'trylock', lockArg: 1, lockType: 'rwsem', shared: true, success: 'nonzero' });
add({ name: 'down_write_trylock', op: 'trylock', lockArg: 1, lockType: 'rwsem', success: 'nonzero' });
add({ name: 'up_read', op: 'release', lockArg: 1, lockType: 'rwsem' });
add({ name: 'up_write', op: 'release', lockArg: 1, lockType: 'rwsem' });
add({ name: 'rwsem_assert_held', op: 'assert', lockArg: 1, lockType: 'rwsem' });
add({ name: 'rwsem_assert_held_write', op: 'assert', lockArg: 1, lockType: 'rwsem' });
add({ name: 'down', op: 'acquire', lockArg: 1, lockType: 'semaphore', sleeps: true });
add({ name: 'down_interruptible', op: 'cond_acquire', lockArg: 1, lockType: 'semaphore', success: 'zero', sleeps: true });
add({ name: 'down_killable', op: 'cond_acquire', lockArg: 1, lockType: 'semaphore', success: 'zero', sleeps: true });
// Semaphore polarity is the opposite of spinlocks: 0 = acquired.
add({ name: 'down_trylock', op: 'trylock', lockArg: 1, lockType: 'semaphore', success: 'zero' });
add({ name: 'up', op: 'release', lockArg: 1, lockType: 'semaphore' });
add({ name: 'lock_sock', op: 'acquire', lockArg: 1, lockType: 'mutex', sleeps: true });
add({ name: 'release_sock', op: 'release', lockArg: 1, lockType: 'mutex' });

// --- RTNL (global and per-netns) ------------------------------------------------------------
const RTNL = RTNL_CLASS;
add({ name: 'rtnl_lock', op: 'acquire', fixed: RTNL, lockType: 'mutex', sleeps: true });
add({ name: 'rtnl_lock_killable', op: 'cond_acquire', fixed: RTNL, lockType: 'mutex', success: 'zero', sleeps: true });
add({ name: 'rtnl_trylock', op: 'trylock', fixed: RTNL, lockType: 'mutex', success: 'nonzero' });
add({ name: 'rtnl_unlock', op: 'release', fixed: RTNL, lockType: 'mutex' });
add({ name: '__rtnl_unlock', op: 'release', fixed: RTNL, lockType: 'mutex' });
add({ name: 'ASSERT_RTNL', op: 'assert', fixed: RTNL, lockType: 'mutex' });
add({ name: 'refcount_dec_and_rtnl_lock', op: 'cond_acquire', fixed: RTNL, lockType: 'mutex', success: 'nonzero', sleeps: true });
add({ name: 'rtnl_net_lock', op: 'acquire', lockArg: 1, perNet: true, alsoGlobalRtnl: true, lockType: 'mutex', sleeps: true });
add({ name: 'rtnl_net_unlock', op: 'release', lockArg: 1, perNet: true, alsoGlobalRtnl: true, lockType: 'mutex' });
add({ name: 'rtnl_net_trylock', op: 'trylock', lockArg: 1, perNet: true, alsoGlobalRtnl: true, lockType: 'mutex', success: 'nonzero' });
add({ name: 'rtnl_net_lock_killable', op: 'cond_acquire', lockArg: 1, perNet: true, alsoGlobalRtnl: true, lockType: 'mutex', success: 'zero', sleeps: true });
add({ name: '__rtnl_net_lock', op: 'acquire', lockArg: 1, perNet: true, lockType: 'mutex', sleeps: true });
add({ name: '__rtnl_net_unlock', op: 'release', lockArg: 1, perNet: true, lockType: 'mutex' });
add({ name: 'ASSERT_RTNL_NET', op: 'assert', lockArg: 1, perNet: true, lockType: 'mutex' });
add({ name: 'netdev_lock', op: 'acquire', lockArg: 1, lockField: 'lock', lockType: 'mutex', sleeps: true });
add({ name: 'netdev_unlock', op: 'release', lockArg: 1, lockField: 'lock', lockType: 'mutex' });
add({ name: 'netdev_trylock', op: 'trylock', lockArg: 1, lockField: 'lock', lockType: 'mutex', success: 'nonzero' });

// --- lockdep assertions ------------------------------------------------------------------------
for (const n of ['lockdep_assert_held', 'lockdep_assert_held_write', 'lockdep_assert_held_read', 'lockdep_assert_held_once']) {
  add({ name: n, op: 'assert', lockArg: 1, lockType: 'unknown' });
}

// --- RCU ---------------------------------------------------------------------------------------
add({ name: 'rcu_read_lock', op: 'rcu_read_lock', rcu: 'rcu', lockType: 'rcu' });
add({ name: 'rcu_read_unlock', op: 'rcu_read_unlock', rcu: 'rcu', lockType: 'rcu' });
add({ name: 'rcu_read_lock_bh', op: 'rcu_read_lock', rcu: 'rcu_bh', lockType: 'rcu', atomic: true });
add({ name: 'rcu_read_unlock_bh', op: 'rcu_read_unlock', rcu: 'rcu_bh', lockType: 'rcu' });
add({ name: 'rcu_read_lock_sched', op: 'rcu_read_lock', rcu: 'rcu_sched', lockType: 'rcu', atomic: true });
add({ name: 'rcu_read_unlock_sched', op: 'rcu_read_unlock', rcu: 'rcu_sched', lockType: 'rcu' });
add({ name: 'srcu_read_lock', op: 'rcu_read_lock', rcu: 'srcu', lockArg: 1, lockType: 'srcu' });
add({ name: 'srcu_read_unlock', op: 'rcu_read_unlock', rcu: 'srcu', lockArg: 1, lockType: 'srcu' });
add({ name: 'srcu_read_lock_nmisafe', op: 'rcu_read_lock', rcu: 'srcu', lockArg: 1, lockType: 'srcu' });
add({ name: 'srcu_read_unlock_nmisafe', op: 'rcu_read_unlock', rcu: 'srcu', lockArg: 1, lockType: 'srcu' });

add({ name: 'rcu_dereference', op: 'rcu_deref', rcu: 'rcu', deref: 'reader', ptrArg: 1 });
add({ name: 'rcu_dereference_bh', op: 'rcu_deref', rcu: 'rcu_bh', deref: 'reader', ptrArg: 1 });
add({ name: 'rcu_dereference_sched', op: 'rcu_deref', rcu: 'rcu_sched', deref: 'reader', ptrArg: 1 });
add({ name: 'rcu_dereference_check', op: 'rcu_deref', rcu: 'rcu', deref: 'check', ptrArg: 1, condArg: 2 });
add({ name: 'rcu_dereference_bh_check', op: 'rcu_deref', rcu: 'rcu_bh', deref: 'check', ptrArg: 1, condArg: 2 });
add({ name: 'rcu_dereference_protected', op: 'rcu_deref', rcu: 'rcu', deref: 'protected', ptrArg: 1, condArg: 2 });
add({ name: 'rcu_dereference_raw', op: 'rcu_deref', rcu: 'rcu', deref: 'raw', ptrArg: 1 });
add({ name: 'rcu_access_pointer', op: 'rcu_deref', rcu: 'rcu', deref: 'raw', ptrArg: 1 });
add({ name: 'unrcu_pointer', op: 'rcu_deref', rcu: 'rcu', deref: 'raw', ptrArg: 1 });
add({ name: 'rtnl_dereference', op: 'rcu_deref', rcu: 'rcu', deref: 'protected', ptrArg: 1, condLock: RTNL });
add({ name: 'rcu_dereference_rtnl', op: 'rcu_deref', rcu: 'rcu', deref: 'check', ptrArg: 1, condLock: RTNL });
add({ name: 'rtnl_net_dereference', op: 'rcu_deref', rcu: 'rcu', deref: 'protected', ptrArg: 2, condLock: RTNL });
add({ name: 'rcu_dereference_rtnl_net', op: 'rcu_deref', rcu: 'rcu', deref: 'check', ptrArg: 2, condLock: RTNL });
add({ name: 'srcu_dereference', op: 'rcu_deref', rcu: 'srcu', deref: 'reader', ptrArg: 1 });
add({ name: 'srcu_dereference_check', op: 'rcu_deref', rcu: 'srcu', deref: 'check', ptrArg: 1, condArg: 3 });
// OVS kernel datapath wrappers (datapath.h): ovs_mutex is the file-static lock behind ovs_lock().
add({ name: 'ASSERT_OVSL', op: 'assert', fixed: 'ovs_mutex', lockType: 'mutex' });
add({ name: 'ovsl_dereference', op: 'rcu_deref', rcu: 'rcu', deref: 'protected', ptrArg: 1, condLock: 'ovs_mutex' });
add({ name: 'rcu_dereference_ovsl', op: 'rcu_deref', rcu: 'rcu', deref: 'check', ptrArg: 1, condLock: 'ovs_mutex' });

add({ name: 'rcu_assign_pointer', op: 'rcu_publish', ptrArg: 1, valueArg: 2 });
add({ name: 'RCU_INIT_POINTER', op: 'rcu_publish', ptrArg: 1, valueArg: 2 });
add({ name: 'rcu_replace_pointer', op: 'rcu_publish', ptrArg: 1, valueArg: 2, condArg: 3 });
add({ name: 'rcu_replace_pointer_rtnl', op: 'rcu_publish', ptrArg: 1, valueArg: 2, condLock: RTNL });
// RCU list unlinking: the object (root of the node argument) stays visible to readers until a grace period.
for (const n of ['list_del_rcu', 'hlist_del_rcu', 'hlist_del_init_rcu', 'hlist_nulls_del_rcu', 'list_replace_rcu', 'hlist_replace_rcu']) {
  add({ name: n, op: 'rcu_publish', ptrArg: 1, valueArg: 1, note: 'unlink' });
}
add({ name: 'call_rcu', op: 'rcu_free', ptrArg: 1, fnArg: 2, bind: 'rcu_callback' });
add({ name: 'call_rcu_hurry', op: 'rcu_free', ptrArg: 1, fnArg: 2, bind: 'rcu_callback' });
add({ name: 'call_srcu', op: 'rcu_free', ptrArg: 2, fnArg: 3, bind: 'rcu_callback' });
add({ name: 'kfree_rcu', op: 'rcu_free', ptrArg: 1 });
add({ name: 'kvfree_rcu', op: 'rcu_free', ptrArg: 1 });
add({ name: 'kfree_rcu_mightsleep', op: 'rcu_free', ptrArg: 1, sleeps: true });
for (const n of ['synchronize_rcu', 'rcu_barrier', 'synchronize_srcu', 'srcu_barrier', 'synchronize_rcu_bh', 'synchronize_sched']) {
  add({ name: n, op: 'grace_period', rcu: 'rcu', sleeps: true, wait: 'rcu' });
}
// Expedited under RTNL by design (synchronize_net checks rtnl_is_locked()): not a contended-lock wait on RTNL.
for (const n of ['synchronize_net', 'synchronize_rcu_expedited']) {
  add({ name: n, op: 'grace_period', rcu: 'rcu', sleeps: true, wait: 'rcu', note: 'expedited-under-rtnl' });
}

// --- atomic regions without a lock -------------------------------------------------------------
for (const n of ['local_irq_disable', 'local_irq_save', 'local_bh_disable', 'preempt_disable']) add({ name: n, op: 'atomic_enter' });
for (const n of ['local_irq_enable', 'local_irq_restore', 'local_bh_enable', 'preempt_enable']) add({ name: n, op: 'atomic_exit' });

// --- sleeping primitives ------------------------------------------------------------------------
for (const n of ['msleep', 'msleep_interruptible', 'ssleep', 'usleep_range', 'fsleep', 'schedule', 'schedule_timeout',
  'schedule_timeout_interruptible', 'schedule_timeout_uninterruptible', 'cond_resched', 'might_sleep', 'vmalloc', 'vzalloc',
  'vfree', 'copy_from_user', 'copy_to_user', 'get_user', 'put_user', 'request_module', 'wait_event',
  'wait_event_interruptible', 'wait_event_timeout', 'wait_event_interruptible_timeout']) {
  add({ name: n, op: 'sleep', sleeps: true });
}
for (const n of ['kmalloc', 'kzalloc', 'kcalloc', 'kmalloc_array', 'kvmalloc', 'kvzalloc', 'kvcalloc', 'kvmalloc_array',
  'kmem_cache_alloc', 'kmem_cache_zalloc', 'alloc_skb', '__alloc_skb', 'skb_copy', 'skb_clone', 'pskb_expand_head',
  'alloc_percpu_gfp', 'kstrdup', 'kmemdup', 'genlmsg_new', 'nlmsg_new', 'krealloc', 'alloc_pages', '__get_free_pages',
  'kmalloc_node', 'kzalloc_node']) {
  add({ name: n, op: 'sleep', gfp: true });
}
for (const n of ['wait_for_completion', 'wait_for_completion_interruptible', 'wait_for_completion_killable', 'wait_for_completion_timeout']) {
  add({ name: n, op: 'wait', wait: 'completion', sleeps: true, handleArg: 1 });
}
for (const n of ['flush_work', 'cancel_work_sync', 'cancel_delayed_work_sync', 'flush_delayed_work']) {
  add({ name: n, op: 'wait', wait: 'work', sleeps: true, handleArg: 1 });
}
for (const n of ['flush_workqueue', 'drain_workqueue', 'destroy_workqueue', 'flush_scheduled_work']) {
  add({ name: n, op: 'wait', wait: 'workqueue', sleeps: true });
}
add({ name: 'INIT_WORK', op: 'bind', bind: 'work', handleArg: 1, fnArg: 2 });
add({ name: 'INIT_DELAYED_WORK', op: 'bind', bind: 'work', handleArg: 1, fnArg: 2 });
add({ name: 'kthread_stop', op: 'wait', wait: 'join', sleeps: true, handleArg: 1 });
add({ name: 'kthread_run', op: 'bind', bind: 'thread', fnArg: 1 });
add({ name: 'kthread_create', op: 'bind', bind: 'thread', fnArg: 1 });

// --- frees ------------------------------------------------------------------------------------------
for (const n of ['kfree', 'kvfree', 'kfree_sensitive', 'kzfree']) add({ name: n, op: 'free', ptrArg: 1 });
add({ name: 'kmem_cache_free', op: 'free', ptrArg: 2 });

export const KERNEL_PRIMITIVES: readonly PrimDef[] = rows;

/** Lock type implied by a declared C type, for classes whose acquisitions do not say. */
export const LOCK_TYPE_BY_CTYPE: Record<string, LockType> = {
  'struct mutex': 'mutex',
  spinlock_t: 'spinlock',
  raw_spinlock_t: 'spinlock',
  rwlock_t: 'rwlock',
  'struct rw_semaphore': 'rwsem',
  'struct semaphore': 'semaphore',
  'struct srcu_struct': 'srcu',
  'struct ovs_mutex': 'mutex',
  'struct ovs_rwlock': 'rwlock',
  'struct ovs_spin': 'spinlock',
  'struct fat_rwlock': 'rwlock',
};

/** Definer macros that bind a work function to a global work item: DECLARE_WORK(name, fn). */
export const WORK_DEFINERS = ['DECLARE_WORK', 'DECLARE_DELAYED_WORK', 'DECLARE_DEFERRABLE_WORK'];

/** Definer macros of global locks (DEFINE_MUTEX(x) ...) and their lock types. */
export const DEFINER_LOCK_TYPE: Record<string, LockType> = {
  DEFINE_MUTEX: 'mutex',
  DEFINE_SPINLOCK: 'spinlock',
  DEFINE_RAW_SPINLOCK: 'spinlock',
  DEFINE_RWLOCK: 'rwlock',
  DECLARE_RWSEM: 'rwsem',
  DEFINE_SRCU: 'srcu',
  DEFINE_STATIC_SRCU: 'srcu',
  DEFINE_SEMAPHORE: 'semaphore',
  OVS_MUTEX_INITIALIZER: 'mutex',
  OVS_ADAPTIVE_MUTEX_INITIALIZER: 'mutex',
  OVS_RWLOCK_INITIALIZER: 'rwlock',
};

/** Sleeping GFP flags: an allocation passing one of these may sleep. */
export const SLEEPING_GFP = ['GFP_KERNEL', 'GFP_NOFS', 'GFP_NOIO', 'GFP_USER', 'GFP_KERNEL_ACCOUNT', 'GFP_HIGHUSER'];
