/**
 * Lock and RCU API names as patch-only mode sees them (series/hunk-scan.ts): a hunk that adds
 * or removes a call to one of these changes locking. Lock operations come from the primitive
 * rows, so a lock primitive added to the catalog is seen in patches too. The name families add
 * what the analysis does not model row by row but a reviewer must not miss: kernel variants
 * newer than the tables (`lockdep_assert_not_held`, `rcu_read_lock_held`), lock initialisers,
 * wrappers the analysis reads from their source (`ovs_lock()` of the OVS datapath), and the RCU
 * API (dereference, publish, deferred free, grace period). The RCU rows are not all taken:
 * `RCU_INIT_POINTER`, `list_del_rcu`, `cmap_remove`... would change existing series reports.
 */
import type { PrimDef, PrimOp } from './types';
import { KERNEL_PRIMITIVES } from './kernel';
import { OVS_PRIMITIVES } from './ovs';

/** Row ops that take, drop or assert a lock (RCU read sides included). */
const LOCK_OPS: ReadonlySet<PrimOp> = new Set<PrimOp>(['acquire', 'release', 'trylock', 'cond_acquire', 'assert', 'rcu_read_lock', 'rcu_read_unlock']);

/** cleanup.h scope guards: `guard(mutex)(&m)`, `scoped_guard(spinlock, &l) { ... }`. */
export const GUARD_MACROS: readonly string[] = ['guard', 'scoped_guard', 'scoped_cond_guard'];

/** Name shapes (anchored regular-expression sources) beyond the rows; see the module comment. */
const LOCK_API_FAMILIES: readonly string[] = [
  // Lock operations: variants and wrappers beyond the rows.
  '(?:raw_)?spin_(?:lock|unlock|trylock)\\w*',
  '(?:read|write)_(?:lock|unlock|trylock)\\w*',
  'mutex_(?:lock|unlock|trylock)\\w*',
  '(?:down|up)_(?:read|write)\\w*',
  'rtnl_(?:lock|unlock|trylock)\\w*',
  'rtnl_net_(?:lock|unlock|trylock)\\w*',
  'ovs_(?:lock|unlock)',
  'ovs_mutex_(?:lock|unlock|trylock)\\w*',
  'ovs_(?:rwlock|spin)_(?:rdlock|wrlock|unlock|tryrdlock|trywrlock|lock|trylock)\\w*',
  'fat_rwlock_(?:rdlock|wrlock|unlock|tryrdlock)\\w*',
  'rcu_read_(?:lock|unlock)\\w*',
  'srcu_read_(?:lock|unlock)\\w*',
  'lockdep_assert\\w*',
  'ASSERT_RTNL\\w*',
  'ovs_assert_locked\\w*',
  // RCU API.
  'rcu_(?:assign_pointer|replace_pointer|dereference\\w*|access_pointer|init_pointer)',
  '(?:rtnl|ovsl|rcu)_dereference\\w*',
  'ovsrcu_(?:get|get_protected|set|set_hidden|init|postpone|synchronize|quiesce\\w*)',
  'kfree_rcu\\w*',
  'kvfree_rcu\\w*',
  'call_rcu\\w*',
  'synchronize_(?:rcu|net|srcu)\\w*',
  'rcu_barrier\\w*',
];

/** A row patch-only mode must see by name: a lock taken, dropped or asserted. */
export function isLockOpPrim(p: PrimDef): boolean {
  return LOCK_OPS.has(p.op);
}

/** A name test over the lock-operation rows of `prims`, the guard macros and the families. */
function lockApiMatcher(prims: Iterable<PrimDef>): (name: string) => boolean {
  const names = new Set<string>(GUARD_MACROS);
  for (const p of prims) if (isLockOpPrim(p)) names.add(p.name);
  const family = new RegExp(`^(?:${LOCK_API_FAMILIES.join('|')})$`);
  return (name) => names.has(name) || family.test(name);
}

/** The built-in catalog's lock/RCU API (patch-only mode runs without a config), built once. */
export const isLockApiName: (name: string) => boolean = lockApiMatcher([...KERNEL_PRIMITIVES, ...OVS_PRIMITIVES]);
