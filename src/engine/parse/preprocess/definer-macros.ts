/**
 * File-scope definer macros (`static DEFINE_MUTEX(m);`, `DECLARE_WORK(w, fn);`...). The grammar
 * reads the multi-argument ones as broken declarations, so the masker blanks them and records
 * them, and the extractor turns each into a GlobalIR with `definer` set.
 */

/** Macro → declared C type. The declared name is the first argument. */
export const DEFINER_TYPES: Record<string, string> = {
  DEFINE_MUTEX: 'struct mutex',
  DEFINE_SPINLOCK: 'spinlock_t',
  DEFINE_RAW_SPINLOCK: 'raw_spinlock_t',
  DEFINE_RWLOCK: 'rwlock_t',
  DECLARE_RWSEM: 'struct rw_semaphore',
  DEFINE_SRCU: 'struct srcu_struct',
  DEFINE_STATIC_SRCU: 'struct srcu_struct',
  DEFINE_SEQLOCK: 'seqlock_t',
  DEFINE_SEMAPHORE: 'struct semaphore',
  DEFINE_IDR: 'struct idr',
  DEFINE_IDA: 'struct ida',
  DEFINE_XARRAY: 'struct xarray',
  DEFINE_XARRAY_ALLOC: 'struct xarray',
  DEFINE_XARRAY_FLAGS: 'struct xarray',
  DEFINE_STATIC_KEY_FALSE: 'struct static_key_false',
  DEFINE_STATIC_KEY_TRUE: 'struct static_key_true',
  LIST_HEAD: 'struct list_head',
  HLIST_HEAD: 'struct hlist_head',
  LLIST_HEAD: 'struct llist_head',
  DECLARE_WAIT_QUEUE_HEAD: 'wait_queue_head_t',
  DECLARE_COMPLETION: 'struct completion',
  DECLARE_WORK: 'struct work_struct',
  DECLARE_DELAYED_WORK: 'struct delayed_work',
  DECLARE_DEFERRABLE_WORK: 'struct delayed_work',
  DEFINE_HASHTABLE: 'struct hlist_head',
  DEFINE_READ_MOSTLY_HASHTABLE: 'struct hlist_head',
  DECLARE_BITMAP: 'unsigned long',
};

/** `DEFINE_PER_CPU(type, name)`: the type is the first argument, the name the last. */
export const PER_CPU_DEFINERS = new Set([
  'DEFINE_PER_CPU',
  'DEFINE_PER_CPU_ALIGNED',
  'DEFINE_PER_CPU_SHARED_ALIGNED',
  'DEFINE_PER_CPU_READ_MOSTLY',
  'DECLARE_PER_CPU',
]);

export function isDefinerMacro(name: string): boolean {
  return DEFINER_TYPES[name] !== undefined || PER_CPU_DEFINERS.has(name);
}
