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
  // Dense positions and typed arrays: one Map lookup per edge instead of five (37k functions).
  const pos = new Map<FnInfo, number>();
  const nodes: FnInfo[] = [];
  const posOf = (f: FnInfo): number => {
    let p = pos.get(f);
    if (p === undefined) {
      p = nodes.length;
      pos.set(f, p);
      nodes.push(f);
    }
    return p;
  };
  for (const f of fns) posOf(f);
  let cap = Math.max(16, nodes.length * 2);
  let index = new Int32Array(cap).fill(-1);
  let low = new Int32Array(cap);
  let onStack = new Uint8Array(cap);
  const ensure = (p: number): void => {
    if (p < cap) return;
    const n = Math.max(p + 1, cap * 2);
    const i2 = new Int32Array(n).fill(-1);
    i2.set(index);
    const l2 = new Int32Array(n);
    l2.set(low);
    const o2 = new Uint8Array(n);
    o2.set(onStack);
    index = i2;
    low = l2;
    onStack = o2;
    cap = n;
  };
  const stack: number[] = [];
  const out: FnInfo[][] = [];
  let idx = 0;
  const workV: number[] = [];
  const workI: number[] = [];
  const workS: FnInfo[][] = [];
  // Numbers a node and pushes it on both the Tarjan stack and the explicit DFS stack.
  const enter = (v: number, f: FnInfo): void => {
    index[v] = idx;
    low[v] = idx++;
    stack.push(v);
    onStack[v] = 1;
    workV.push(v);
    workI.push(0);
    workS.push(succ.get(f) ?? []);
  };
  for (const root of fns) {
    const r = pos.get(root)!;
    if (index[r] !== -1) continue;
    enter(r, root);
    while (workV.length) {
      const t = workV.length - 1;
      const v = workV[t]!;
      const ss = workS[t]!;
      const i = workI[t]!;
      if (i < ss.length) {
        workI[t] = i + 1;
        const wf = ss[i]!;
        const w = posOf(wf);
        ensure(w);
        if (index[w] === -1) enter(w, wf);
        else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      workV.pop();
      workI.pop();
      workS.pop();
      if (workV.length) {
        const p = workV[workV.length - 1]!;
        low[p] = Math.min(low[p]!, low[v]!);
      }
      if (low[v] === index[v]) {
        const comp: FnInfo[] = [];
        for (;;) {
          const w = stack.pop()!;
          onStack[w] = 0;
          comp.push(nodes[w]!);
          if (w === v) break;
        }
        // Exact size: most SCCs are single functions, and a pushed array keeps 16+ slots.
        out.push(comp.length < 16 ? comp.slice() : comp);
      }
    }
  }
  return out;
}
