/**
 * Syntactic call graph (direct calls by name + indirect calls through bindings) and its SCCs in
 * bottom-up order (callees before callers), which is the order summaries are computed in.
 */
import type { Catalog } from '../catalog/catalog';
import { callsInOrder, calleeName, forEachStmtExpr } from './expr';
import { indirectTargets, type Bindings } from './bindings';
import type { FnInfo, Program } from './program';

export function calleesOf(prog: Program, cat: Catalog, b: Bindings, fn: FnInfo): FnInfo[] {
  const out = new Set<FnInfo>();
  forEachStmtExpr(fn.ir.body, (e) => {
    const calls: (import('../ir').Expr & { k: 'call' })[] = [];
    callsInOrder(e, calls);
    for (const c of calls) {
      const name = calleeName(c);
      if (name) {
        if (cat.prims.has(name)) continue;
        const f = prog.resolveCall(name, fn.file);
        if (f) out.add(f);
      } else for (const t of indirectTargets(prog, b, c.callee, fn)) out.add(t);
    }
  });
  return [...out];
}

/** Tarjan's SCC algorithm, iterative; returns SCCs callees-first. */
export function sccsBottomUp(fns: FnInfo[], succ: Map<FnInfo, FnInfo[]>): FnInfo[][] {
  const index = new Map<FnInfo, number>();
  const low = new Map<FnInfo, number>();
  const onStack = new Set<FnInfo>();
  const stack: FnInfo[] = [];
  const out: FnInfo[][] = [];
  let idx = 0;
  for (const root of fns) {
    if (index.has(root)) continue;
    const work: { v: FnInfo; i: number }[] = [{ v: root, i: 0 }];
    index.set(root, idx);
    low.set(root, idx++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const ss = succ.get(top.v) ?? [];
      if (top.i < ss.length) {
        const w = ss[top.i++]!;
        if (!index.has(w)) {
          index.set(w, idx);
          low.set(w, idx++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const p = work[work.length - 1]!.v;
        low.set(p, Math.min(low.get(p)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        const comp: FnInfo[] = [];
        for (;;) {
          const w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
          if (w === top.v) break;
        }
        out.push(comp);
      }
    }
  }
  return out;
}
