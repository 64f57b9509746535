/**
 * The merged primitive catalog: kernel + OVS tables, cleanup.h guard classes, the user/kernel
 * boundary tables, then `config.primitives` on top (same name = override).
 */
import type { LockLensConfig, PrimitiveSpec } from '../config';
import type { GuardDef, PrimDef } from './types';
import { KERNEL_PRIMITIVES, SLEEPING_GFP } from './kernel';
import { OVS_PRIMITIVES } from './ovs';
import { IOCTL_FUNCTIONS, NETLINK_TRANSACT_FUNCTIONS, RTNL_IOCTLS, RTNL_MESSAGES } from './boundary';

export interface Catalog {
  prims: Map<string, PrimDef>;
  guards: Map<string, GuardDef>;
  rtnlIoctls: Set<string>;
  ioctlFunctions: Set<string>;
  rtnlMessages: Set<string>;
  netlinkTransact: Set<string>;
  sleepingGfp: Set<string>;
}

/** Guard classes: `guard(<cls>)(args)` behaves like the primitive, released at scope exit. */
const GUARD_PRIMS: [string, string][] = [
  ['mutex', 'mutex_lock'],
  ['spinlock', 'spin_lock'],
  ['spinlock_bh', 'spin_lock_bh'],
  ['spinlock_irq', 'spin_lock_irq'],
  ['spinlock_irqsave', 'spin_lock_irqsave'],
  ['raw_spinlock', 'raw_spin_lock'],
  ['raw_spinlock_irq', 'raw_spin_lock_irq'],
  ['raw_spinlock_irqsave', 'raw_spin_lock_irqsave'],
  ['read_lock', 'read_lock'],
  ['read_lock_irq', 'read_lock_irq'],
  ['read_lock_irqsave', 'read_lock_irqsave'],
  ['write_lock', 'write_lock'],
  ['write_lock_irq', 'write_lock_irq'],
  ['write_lock_irqsave', 'write_lock_irqsave'],
  ['rwsem_read', 'down_read'],
  ['rwsem_write', 'down_write'],
  ['rtnl', 'rtnl_lock'],
  ['rcu', 'rcu_read_lock'],
  ['srcu', 'srcu_read_lock'],
  ['netdev_lock', 'netdev_lock'],
];

function guardTable(prims: Map<string, PrimDef>): Map<string, GuardDef> {
  const out = new Map<string, GuardDef>();
  for (const [cls, primName] of GUARD_PRIMS) {
    const prim = prims.get(primName);
    if (!prim) continue;
    out.set(cls, { cls, prim, conditional: false });
    // `_try` / `_intr` / `_kill` variants: the guarded scope runs only when the lock was taken.
    for (const sfx of ['_try', '_intr', '_kill']) out.set(cls + sfx, { cls: cls + sfx, prim, conditional: true });
  }
  return out;
}

/** Translates a user `PrimitiveSpec` (config.ts) into the internal row shape. */
export function primFromSpec(s: PrimitiveSpec): PrimDef {
  const base: PrimDef = { name: s.name, op: 'acquire', lockType: s.lockType ?? 'unknown' };
  // Spinning kernel locks make the context atomic (sleep-in-atomic applies under them).
  if (s.lockType === 'spinlock' || s.lockType === 'rwlock') base.atomic = true;
  if (s.lockArg !== undefined) base.lockArg = s.lockArg;
  if (s.lock !== undefined) base.fixed = s.lock;
  switch (s.kind) {
    case 'acquire':
      return { ...base, op: 'acquire', sleeps: s.lockType === undefined || s.lockType === 'mutex' || s.lockType === 'rwsem' || s.lockType === 'semaphore' };
    case 'acquire_shared':
      return { ...base, op: 'acquire', shared: true };
    case 'release':
      return { ...base, op: 'release' };
    case 'trylock':
      return { ...base, op: 'trylock', success: s.success ?? 'nonzero' };
    case 'trylock_shared':
      return { ...base, op: 'trylock', shared: true, success: s.success ?? 'nonzero' };
    case 'cond_acquire':
      return { ...base, op: 'cond_acquire', success: s.success ?? 'zero' };
    case 'assert':
      return { ...base, op: 'assert' };
    case 'rcu_read_lock':
      return { name: s.name, op: 'rcu_read_lock', rcu: 'rcu', lockType: 'rcu' };
    case 'rcu_read_unlock':
      return { name: s.name, op: 'rcu_read_unlock', rcu: 'rcu', lockType: 'rcu' };
    case 'sleep':
      return { name: s.name, op: 'sleep', sleeps: true };
    case 'wait':
      return { name: s.name, op: 'wait', sleeps: true, wait: 'latch' };
  }
  return base;
}

export function buildCatalog(config: LockLensConfig): Catalog {
  const prims = new Map<string, PrimDef>();
  for (const p of KERNEL_PRIMITIVES) prims.set(p.name, p);
  for (const p of OVS_PRIMITIVES) prims.set(p.name, p);
  for (const s of config.primitives ?? []) {
    if (s && typeof s.name === 'string' && s.name) prims.set(s.name, primFromSpec(s));
  }
  return {
    prims,
    guards: guardTable(prims),
    rtnlIoctls: new Set(RTNL_IOCTLS),
    ioctlFunctions: new Set(IOCTL_FUNCTIONS),
    rtnlMessages: new Set(RTNL_MESSAGES),
    netlinkTransact: new Set(NETLINK_TRANSACT_FUNCTIONS),
    sleepingGfp: new Set(SLEEPING_GFP),
  };
}
