/**
 * Lock identity: maps a lock expression in a function to a lockdep-style class id
 * (see LockKind in model.ts). Class-level on purpose: `&table->lock` and `&t2->lock` of the
 * same struct type are one class, as lockdep would key them by their init site.
 */
import type { Expr } from '../ir';
import type { LockKind, LockType } from '../model';
import { DEFINER_LOCK_TYPE, LOCK_TYPE_BY_CTYPE } from '../catalog/kernel';
import { exprText, stripAddr } from './expr';
import type { FnInfo, Program } from './program';

export interface LockRef {
  id: string;
  kind: LockKind;
  name: string;
  struct: string | null;
  /** Lock type from the declaration, when known. */
  declType: LockType;
  /** The expression is (a pointer held in) parameter N: callers substitute their argument. */
  param?: number;
}

// Memoised: called per lock operand, and type texts repeat across a whole tree.
const lockTypeMemo = new Map<string, LockType>();

export function lockTypeOfBase(base: string | undefined): LockType {
  if (!base) return 'unknown';
  let t = lockTypeMemo.get(base);
  if (t === undefined) {
    const b = base.replace(/\b(const|volatile)\b/g, '').replace(/\s+/g, ' ').trim();
    t = Object.prototype.hasOwnProperty.call(LOCK_TYPE_BY_CTYPE, b) ? LOCK_TYPE_BY_CTYPE[b]! : 'unknown';
    if (lockTypeMemo.size > 50_000) lockTypeMemo.clear();
    lockTypeMemo.set(base, t);
  }
  return t;
}

export function globalRef(prog: Program, name: string, file: string): LockRef {
  const id = prog.globalId(name, file);
  const defs = prog.globalDefs(name);
  const d = defs.find((x) => x.file === file) ?? defs[0];
  let declType: LockType = 'unknown';
  if (d) declType = (d.g.definer && DEFINER_LOCK_TYPE[d.g.definer]) || lockTypeOfBase(d.g.type.base);
  return { id, kind: 'global', name, struct: null, declType };
}

export function rcuRef(flavour: string, srcuExpr?: string): LockRef {
  const id = flavour === 'srcu' ? `srcu:${srcuExpr ?? '?'}` : flavour;
  return { id, kind: 'rcu', name: id, struct: null, declType: flavour === 'srcu' ? 'srcu' : 'rcu' };
}

export const PER_NET_RTNL: LockRef = { id: 'rtnl_mutex[net]', kind: 'per-net', name: 'rtnl_mutex', struct: null, declType: 'mutex' };

function otherRef(e: Expr, fn: FnInfo | null): LockRef {
  const text = exprText(e).replace(/\s+/g, '');
  return { id: `?${text}@${fn?.file ?? ''}`, kind: 'other', name: text, struct: null, declType: 'unknown' };
}

/** Resolves a lock expression (an argument of a lock primitive) to its class. */
export function resolveLock(prog: Program, e: Expr, fn: FnInfo | null, depth = 0): LockRef {
  const x = stripAddr(e);
  if (depth > 6) return otherRef(x, fn);
  if (x.k === 'unary' && x.op === '*') {
    // `*m` where m is a pointer to a lock: same lock as `m`.
    return resolveLock(prog, x.arg, fn, depth + 1);
  }
  if (x.k === 'id') {
    if (fn) {
      const pi = fn.paramIndex.get(x.name);
      if (pi !== undefined) {
        const r = otherRef(x, fn);
        return { ...r, param: pi, declType: lockTypeOfBase(fn.vars.get(x.name)?.base) };
      }
      const vt = fn.vars.get(x.name);
      if (vt && vt.ptr === 0 && lockTypeOfBase(vt.base) !== 'unknown') {
        // A lock object declared inside the function (a `static struct ovs_mutex m` local).
        return { id: `${x.name}@${fn.file}:${fn.ir.name}`, kind: 'global', name: x.name, struct: null, declType: lockTypeOfBase(vt.base) };
      }
      const alias = fn.aliases.get(x.name);
      if (alias && vt && vt.ptr > 0) return resolveLock(prog, alias, fn, depth + 1);
      if (vt) return otherRef(x, fn);
    }
    return globalRef(prog, x.name, fn?.file ?? '');
  }
  if (x.k === 'field') {
    const bt = prog.typeOf(x.base, fn);
    let s = prog.structOf(bt);
    if (!s || !prog.structs.get(s)?.has(x.field)) {
      const owners = prog.fieldOwners.get(x.field) ?? [];
      if (owners.length === 1) s = owners[0]!;
      else if (owners.length > 1) {
        // Ambiguous field name: prefer the single owner whose field has a lock type.
        const only = prog.soleLockOwner(x.field);
        if (only) s = only;
      }
    }
    if (s) {
      const ft = prog.structs.get(s)?.get(x.field);
      return { id: `struct ${s}.${x.field}`, kind: 'field', name: x.field, struct: s, declType: lockTypeOfBase(ft?.base) };
    }
    return otherRef(x, fn);
  }
  return otherRef(x, fn);
}
