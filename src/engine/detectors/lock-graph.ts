/** Lock-graph helpers for the detectors: blocking (non-trylock) adjacency and shortest paths. */
import type { LockEdge } from '../model';
import { cmpStr } from '../analysis/util';

/** Adjacency over edges that can block (a trylock-only edge cannot be part of a deadlock). */
export function blockingAdjacency(edges: LockEdge[], skip?: (e: LockEdge) => boolean): Map<string, LockEdge[]> {
  const adj = new Map<string, LockEdge[]>();
  for (const e of edges) {
    if (e.trylock || e.from === e.to || (skip && skip(e))) continue;
    const l = adj.get(e.from) ?? [];
    l.push(e);
    adj.set(e.from, l);
  }
  for (const l of adj.values()) l.sort((a, b) => cmpStr(a.to, b.to));
  return adj;
}

/** Shortest edge path from `from` to any node satisfying `goal` (BFS, deterministic). */
export function shortestPath(adj: Map<string, LockEdge[]>, from: string, goal: (n: string) => boolean, avoid?: Set<string>): LockEdge[] | null {
  const prev = new Map<string, LockEdge>();
  const seen = new Set<string>([from]);
  let frontier = [from];
  while (frontier.length) {
    const next: string[] = [];
    for (const n of frontier) {
      for (const e of adj.get(n) ?? []) {
        if (seen.has(e.to) && !(goal(e.to) && e.to === from)) continue;
        if (avoid && avoid.has(e.to) && !goal(e.to)) continue;
        prev.set(e.to === from ? '\u0000self' : e.to, e);
        if (goal(e.to)) {
          const path: LockEdge[] = [];
          let cur: LockEdge | undefined = e;
          while (cur) {
            path.unshift(cur);
            if (cur.from === from) break;
            cur = prev.get(cur.from);
          }
          return path;
        }
        seen.add(e.to);
        next.push(e.to);
      }
    }
    frontier = next;
  }
  return null;
}

/**
 * The adjacency restricted to edges inside non-trivial strongly connected components. A cycle
 * through n stays inside n's SCC, and nodes outside it never discover nodes inside it, so a BFS
 * from n back to n over this adjacency finds exactly the path it finds over the full one; nodes
 * on no cycle are dropped (their search would find nothing).
 */
export function cyclicAdjacency(adj: Map<string, LockEdge[]>): Map<string, LockEdge[]> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const comp = new Map<string, number>();
  let idx = 0;
  let nComp = 0;
  for (const root of adj.keys()) {
    if (index.has(root)) continue;
    const work: { v: string; i: number }[] = [{ v: root, i: 0 }];
    index.set(root, idx);
    low.set(root, idx++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const out = adj.get(top.v) ?? [];
      if (top.i < out.length) {
        const w = out[top.i++]!.to;
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
        for (;;) {
          const w = stack.pop()!;
          onStack.delete(w);
          comp.set(w, nComp);
          if (w === top.v) break;
        }
        nComp++;
      }
    }
  }
  const out = new Map<string, LockEdge[]>();
  for (const [n, es] of adj) {
    const c = comp.get(n);
    const inner = es.filter((e) => comp.get(e.to) === c);
    if (inner.length) out.set(n, inner);
  }
  return out;
}
