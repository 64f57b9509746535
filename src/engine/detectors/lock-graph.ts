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
