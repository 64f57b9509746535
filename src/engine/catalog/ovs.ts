/**
 * Open vSwitch userspace primitives (lock-catalog.md §2). Polarity note: OVS try-locks follow
 * pthreads (0 = acquired) except ovsthread_once_start (true = acquired).
 */
import type { PrimDef } from './types';

const rows: PrimDef[] = [];
const add = (p: PrimDef): void => {
  rows.push(p);
};

for (const sfx of ['', '_at']) {
  add({ name: `ovs_mutex_lock${sfx}`, op: 'acquire', lockArg: 1, lockType: 'mutex', sleeps: true });
  add({ name: `ovs_mutex_trylock${sfx}`, op: 'trylock', lockArg: 1, lockType: 'mutex', success: 'zero' });
  add({ name: `ovs_rwlock_rdlock${sfx}`, op: 'acquire', lockArg: 1, lockType: 'rwlock', shared: true, sleeps: true });
  add({ name: `ovs_rwlock_wrlock${sfx}`, op: 'acquire', lockArg: 1, lockType: 'rwlock', sleeps: true });
  add({ name: `ovs_rwlock_tryrdlock${sfx}`, op: 'trylock', lockArg: 1, lockType: 'rwlock', shared: true, success: 'zero' });
  add({ name: `ovs_rwlock_trywrlock${sfx}`, op: 'trylock', lockArg: 1, lockType: 'rwlock', success: 'zero' });
  add({ name: `ovs_spin_lock${sfx}`, op: 'acquire', lockArg: 1, lockType: 'spinlock' });
  add({ name: `ovs_spin_trylock${sfx}`, op: 'trylock', lockArg: 1, lockType: 'spinlock', success: 'zero' });
}
// Drops and retakes arg 2 inside: for callers it is "requires the mutex" (held before and after).
add({ name: 'ovs_mutex_cond_wait', op: 'assert', lockArg: 2, lockType: 'mutex' });
add({ name: 'ovs_mutex_unlock', op: 'release', lockArg: 1, lockType: 'mutex' });
add({ name: 'ovs_rwlock_unlock', op: 'release', lockArg: 1, lockType: 'rwlock' });
add({ name: 'ovs_spin_unlock', op: 'release', lockArg: 1, lockType: 'spinlock' });
add({ name: 'fat_rwlock_rdlock', op: 'acquire', lockArg: 1, lockType: 'rwlock', shared: true, sleeps: true });
add({ name: 'fat_rwlock_wrlock', op: 'acquire', lockArg: 1, lockType: 'rwlock', sleeps: true });
add({ name: 'fat_rwlock_tryrdlock', op: 'trylock', lockArg: 1, lockType: 'rwlock', shared: true, success: 'zero' });
add({ name: 'fat_rwlock_unlock', op: 'release', lockArg: 1, lockType: 'rwlock' });
add({ name: 'ovsthread_once_start', op: 'trylock', lockArg: 1, lockField: 'mutex', lockType: 'mutex', success: 'nonzero', sleeps: true, onceOnly: true });
add({ name: 'ovsthread_once_done', op: 'release', lockArg: 1, lockField: 'mutex', lockType: 'mutex' });
add({ name: 'seq_lock', op: 'acquire', fixed: 'seq_mutex', lockType: 'mutex', sleeps: true });
add({ name: 'seq_try_lock', op: 'trylock', fixed: 'seq_mutex', lockType: 'mutex', success: 'zero' });
add({ name: 'seq_unlock', op: 'release', fixed: 'seq_mutex', lockType: 'mutex' });

// OVS RCU: no read-side lock; pointers stay valid until the next quiescent state.
add({ name: 'ovsrcu_get', op: 'rcu_deref', rcu: 'ovsrcu', deref: 'raw', ptrArg: 2 });
add({ name: 'ovsrcu_get_protected', op: 'rcu_deref', rcu: 'ovsrcu', deref: 'raw', ptrArg: 2 });
add({ name: 'ovsrcu_index_get', op: 'rcu_deref', rcu: 'ovsrcu', deref: 'raw', ptrArg: 1 });
add({ name: 'ovsrcu_set', op: 'rcu_publish', ptrArg: 1, valueArg: 2 });
add({ name: 'ovsrcu_set_hidden', op: 'rcu_publish', ptrArg: 1, valueArg: 2 });
add({ name: 'rculist_remove', op: 'rcu_publish', ptrArg: 1, valueArg: 1, note: 'unlink' });
add({ name: 'cmap_remove', op: 'rcu_publish', ptrArg: 1, valueArg: 2, note: 'unlink' });
add({ name: 'cmap_replace', op: 'rcu_publish', ptrArg: 1, valueArg: 2, note: 'unlink' });
add({ name: 'ovsrcu_postpone', op: 'rcu_free', ptrArg: 2, fnArg: 1, bind: 'rcu_callback' });
add({ name: 'ovsrcu_postpone__', op: 'rcu_free', ptrArg: 2, fnArg: 1, bind: 'rcu_callback' });
add({ name: 'ovsrcu_synchronize', op: 'grace_period', rcu: 'ovsrcu', sleeps: true, wait: 'ovsrcu' });
add({ name: 'ovsrcu_barrier', op: 'grace_period', rcu: 'ovsrcu', sleeps: true, wait: 'ovsrcu' });

// Blocking waits.
for (const n of ['xpthread_join', 'pthread_join']) add({ name: n, op: 'wait', wait: 'join', sleeps: true, handleArg: 1 });
for (const n of ['latch_wait', 'latch_wait_at', 'seq_wait', 'seq_wait_at']) add({ name: n, op: 'wait', wait: 'latch', sleeps: true });
add({ name: 'poll_block', op: 'wait', wait: 'poll', sleeps: true });
add({ name: 'ovs_barrier_block', op: 'wait', wait: 'barrier', sleeps: true });
for (const n of ['xsleep', 'sleep', 'usleep', 'nanosleep', 'xnanosleep']) add({ name: n, op: 'sleep', sleeps: true });

// Thread creation binds a function to a thread handle.
add({ name: 'xpthread_create', op: 'bind', bind: 'thread', handleArg: 1, fnArg: 3 });
add({ name: 'pthread_create', op: 'bind', bind: 'thread', handleArg: 1, fnArg: 3 });
add({ name: 'ovs_thread_create', op: 'bind', bind: 'thread', fnArg: 2 });

add({ name: 'free', op: 'free', ptrArg: 1 });

export const OVS_PRIMITIVES: readonly PrimDef[] = rows;
