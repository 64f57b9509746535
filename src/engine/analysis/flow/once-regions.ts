/**
 * Once-only regions of a function body: code that runs on the first call only, so its cost
 * (an RTNL request, say) is not paid on every run of a periodic function. Recognised shapes:
 * - `if (once_prim(&once)) { ... }` where the catalog marks the primitive `onceOnly`
 *   (ovsthread_once_start: true for the first caller only) → the then-branch;
 * - `if (!once_prim(&once)) return ...;` → the rest of the enclosing block;
 * - `static bool inited; if (!inited) { ...; inited = true; }` (a static local or a global
 *   flag set to a non-zero constant inside the branch) → the then-branch.
 * Regions are line ranges of the original source; lock-order edges are unaffected.
 */
import type { Expr, Stmt } from '../../ir';
import type { Catalog } from '../../catalog/catalog';
import { calleeName, forEachStmtExpr, stripCond } from '../expr';
import { walkStmts as walkChildren, type FnInfo } from '../program';

export type LineRange = [number, number];

export function onceOnlyRanges(fn: FnInfo, cat: Catalog, isGlobal: (name: string) => boolean): LineRange[] {
  const out: LineRange[] = [];
  const isOnceCall = (e: Expr): boolean => e.k === 'call' && !!cat.prims.get(calleeName(e) ?? '')?.onceOnly;
  const negated = (e: Expr): Expr | null => {
    if (e.k === 'unary' && e.op === '!') return e.arg;
    if (e.k === 'binary' && e.op === '==' && (isFalse(e.right) || isFalse(e.left))) return isFalse(e.right) ? e.left : e.right;
    return null;
  };
  const flagName = (e: Expr): string | null => {
    const x = unparen(e);
    if (x.k !== 'id') return null;
    if (fn.paramIndex.has(x.name)) return null;
    // The IR does not keep `static` on locals: accept a local flag declared without an
    // initialiser (`static bool inited;`), since reading an uninitialised automatic flag would
    // be undefined behaviour; `static bool inited = false;` is therefore not recognised.
    if (fn.vars.has(x.name)) return uninitLocals.has(x.name) ? x.name : null;
    return isGlobal(x.name) ? x.name : null;
  };
  const uninitLocals = new Set<string>();
  const inits = new Map<string, number>();
  const scanDecls = (s: Stmt | null): void => {
    if (!s) return;
    if (s.k === 'decl') {
      inits.set(s.decl.name, (inits.get(s.decl.name) ?? 0) + (s.init ? 1 : 0));
      if (!s.init) uninitLocals.add(s.decl.name);
    }
    walkChildren(s, scanDecls);
  };
  scanDecls(fn.ir.body);
  for (const [n, c] of inits) if (c > 0) uninitLocals.delete(n);
  // `next`: the statement after `s` in its block (the once-only region of `if (!once()) return;` starts there).
  const visit = (s: Stmt | null, next: Stmt | null, blockEnd: number): void => {
    if (!s) return;
    if (s.k === 'if') {
      const cond = unparen(stripCond(s.cond));
      const inner = negated(cond);
      if (isOnceCall(cond)) out.push(range(s.then));
      else if (inner && isOnceCall(stripCond(inner)) && jumpsOut(s.then) && next) out.push([next.line, blockEnd]);
      else if (inner) {
        const flag = flagName(stripCond(inner));
        if (flag && setsFlag(s.then, flag)) out.push(range(s.then));
      }
    }
    switch (s.k) {
      case 'block':
        s.body.forEach((c, i) => visit(c, s.body[i + 1] ?? null, s.endLine));
        return;
      case 'if':
        visit(s.then, null, s.line);
        visit(s.else, null, s.line);
        return;
      case 'while':
      case 'do':
      case 'switch':
        visit(s.body, null, s.line);
        return;
      case 'for':
        visit(s.body, null, s.line);
        return;
      case 'scoped_guard':
        visit(s.body, null, s.line);
        return;
      case 'alt':
        s.arms.forEach((a) => visit(a, null, s.line));
        return;
      default:
        return;
    }
  };
  visit(fn.ir.body, null, fn.ir.endLine);
  return out;
}

export function inRanges(ranges: readonly LineRange[], line: number): boolean {
  for (const [a, b] of ranges) if (line >= a && line <= b) return true;
  return false;
}

function range(s: Stmt): LineRange {
  return [s.line, s.k === 'block' ? s.endLine : s.line];
}

function unparen(e: Expr): Expr {
  let x = e;
  while (x.k === 'other' && x.sub.length === 1 && /^\(/.test(x.text)) x = x.sub[0]!;
  return x;
}

function isFalse(e: Expr): boolean {
  const t = e.k === 'num' ? e.text : e.k === 'id' ? e.name : '';
  return /^0[uUlL]*$/.test(t) || t === 'false' || t === 'NULL';
}

function jumpsOut(s: Stmt): boolean {
  if (s.k === 'return' || s.k === 'goto') return true;
  if (s.k === 'block') return s.body.length > 0 && jumpsOut(s.body[s.body.length - 1]!);
  return false;
}

function setsFlag(s: Stmt, flag: string): boolean {
  let found = false;
  forEachStmtExpr(s, (e) => {
    const visit = (x: Expr): void => {
      if (found) return;
      if (x.k === 'assign' && x.op === '=' && unparen(x.left).k === 'id' && (unparen(x.left) as { name: string }).name === flag) {
        const r = x.right;
        const t = r.k === 'num' ? r.text : r.k === 'id' ? r.name : '';
        if (t === 'true' || /^[1-9]\d*[uUlL]*$/.test(t)) found = true;
      }
      if (x.k === 'comma') x.exprs.forEach(visit);
    };
    visit(e);
  });
  return found;
}
