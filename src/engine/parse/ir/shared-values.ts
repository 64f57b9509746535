/**
 * IR values shared between IR objects, so the FileFacts of a tree hold less (issue #6):
 *
 * - arrays with exact capacity: V8 grows a `[]` to 17 slots on the first `push` (and by 1.5× + 16
 *   after), so a call's one argument cost ~150 bytes of backing store. `exact` stores a copy
 *   without slack, and one shared frozen `EMPTY` array for every empty list;
 * - position-free leaves, one object per distinct value: `{k:'num'}` by text, `{k:'str'}`,
 *   `{k:'sizeof'}`, `other` without sub-expressions by text, and TypeRefs by
 *   (base, struct, ptr, rcu): ~100 k TypeRefs of a 12 MB corpus have a few hundred values.
 *
 * Shared values are frozen: nothing downstream writes IR objects (analysis, detectors, series,
 * host and cli were checked when this was introduced), and a write would corrupt every file that
 * shares the value, so it had better throw. Object identity of these leaves means nothing: the
 * analysis' memo maps keyed by expressions (`callsMemo`, `argMemo`, `lockCache`) compute pure
 * functions of the content, and JSON (fact cache, worker transfer) turns them back into equal
 * unshared objects.
 *
 * The tables are module-level (one per thread) and bounded like intern.ts's: a table that reaches
 * its limit starts afresh, which only costs later duplicates (the engine runs for hours in the
 * extension host). Keys are interned strings, so they pin no source text.
 */

import type { Expr, TypeRef } from '../../ir';
import { intern } from './intern';

/** The one empty array of the IR (frozen: a stray push must not reach every other IR list). */
export const EMPTY: never[] = Object.freeze([]) as unknown as never[];

/** A copy of `a` without spare capacity, or EMPTY when `a` is empty. */
export function exact<T>(a: T[]): T[] {
  return a.length === 0 ? EMPTY : a.slice();
}

export const STR_EXPR: Expr = Object.freeze({ k: 'str' }) as Expr;
export const SIZEOF_EXPR: Expr = Object.freeze({ k: 'sizeof' }) as Expr;

const MAX_LEAVES = 1 << 16;
let nums = new Map<string, Expr>();
let others = new Map<string, Expr>();

/** The shared `{k:'num', text}`. */
export function numExpr(text: string): Expr {
  let e = nums.get(text);
  if (e === undefined) {
    if (nums.size >= MAX_LEAVES) nums = new Map();
    // Own copies of the strings here and below: a long text may still be a slice of a source.
    const own = intern(text);
    e = Object.freeze({ k: 'num', text: own }) as Expr;
    nums.set(own, e);
  }
  return e;
}

/** The shared `{k:'other', text, sub: []}` (an `other` without sub-expressions). */
export function otherLeaf(text: string): Expr {
  let e = others.get(text);
  if (e === undefined) {
    if (others.size >= MAX_LEAVES) others = new Map();
    const own = intern(text);
    e = Object.freeze({ k: 'other', text: own, sub: EMPTY }) as Expr;
    others.set(own, e);
  }
  return e;
}

const MAX_TYPES = 1 << 16;
/** base → the shared TypeRefs with that base (a handful of struct/ptr/rcu variants each). */
let types = new Map<string, TypeRef[]>();
let typeCount = 0;

/** The shared TypeRef equal to `{ base, struct, ptr, rcu }`. */
export function typeRefOf(base: string, struct: string | null, ptr: number, rcu: boolean): TypeRef {
  let l = types.get(base);
  if (l === undefined) {
    if (typeCount >= MAX_TYPES) {
      types = new Map();
      typeCount = 0;
    }
    base = intern(base);
    types.set(base, (l = []));
  } else {
    for (let i = 0; i < l.length; i++) {
      const t = l[i];
      if (t.struct === struct && t.ptr === ptr && t.rcu === rcu) return t;
    }
    base = l[0].base;
  }
  const t: TypeRef = Object.freeze({ base, struct: struct === null ? null : intern(struct), ptr, rcu });
  l.push(t);
  typeCount++;
  return t;
}
