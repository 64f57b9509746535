/**
 * Worklist solver of the local pass: nodes in reverse post-order priority, the in-state of a node
 * is the join of its incoming edges' *current* out-states (stale contributions are replaced, not
 * accumulated: must-sets would otherwise be poisoned), capped at 40 visits per node.
 */
import type { CfgNode } from './cfg';
import { MinHeap } from './min-heap';
import { joinSt, St, stEq } from './state';

/** Node visits after which the solver gives up (`capped`). */
export const visitCap = (nodes: number): number => Math.max(2000, nodes * 40);

/** Reverse post-order of the nodes reachable from node 0. */
export interface Rpo {
  /** Priority per node id (`n` = unreachable). */
  rpo: number[];
  /** Node id per priority (the first `reach` entries). */
  byPrio: number[];
  reach: number;
}

export function reversePostOrder(nodes: CfgNode[]): Rpo {
  const n = nodes.length;
  // Reverse post-order priorities: predecessors before successors (except along back edges).
  const rpo = new Array<number>(n).fill(n);
  const post: number[] = [];
  {
    const seen = new Array<boolean>(n).fill(false);
    const stackId: number[] = [0];
    const stackI: number[] = [0];
    seen[0] = true;
    while (stackId.length) {
      const top = stackId.length - 1;
      const ss = nodes[stackId[top]!]!.succ;
      if (stackI[top]! < ss.length) {
        const nx = ss[stackI[top]!++]!;
        if (!seen[nx]) {
          seen[nx] = true;
          stackId.push(nx);
          stackI.push(0);
        }
      } else {
        post.push(stackId.pop()!);
        stackI.pop();
      }
    }
    for (let i = 0, m = post.length; i < m; i++) rpo[post[m - 1 - i]!] = i;
  }
  const byPrio = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) if (rpo[i]! < n) byPrio[rpo[i]!] = i;
  return { rpo, byPrio, reach: post.length };
}

/**
 * The solver's first visits, on their own: every reachable node once, in reverse post-order
 * (exactly the order in which `solveFixpoint` first visits them: the DFS parent of the smallest
 * unvisited node has always been visited, so it is queued and no other unvisited node beats
 * it), each from the empty state. Returns that state as every reachable node's in-state, or
 * null as soon as an out-state fails `keeps` (the caller then runs `solveFixpoint`; `transfer`
 * must tolerate a repeated first visit). Whether the result equals the fixpoint is the
 * caller's argument (see FunctionAnalyzer.run).
 */
export function sweepFromEmpty(nodes: CfgNode[], order: Rpo, transfer: (node: CfgNode, st: St) => St[], keeps: (st: St) => boolean): (St | null)[] | null {
  const e = St.empty();
  const { byPrio, reach } = order;
  for (let p = 0; p < reach; p++) {
    const outs = transfer(nodes[byPrio[p]!]!, e);
    for (let i = 0; i < outs.length; i++) if (!keeps(outs[i]!)) return null;
  }
  const inSt = new Array<St | null>(nodes.length).fill(null);
  for (let p = 0; p < reach; p++) inSt[byPrio[p]!] = e;
  return inSt;
}

/**
 * `transfer` must not mutate the state it is given (copy first); it returns one out-state per
 * successor (or one for all).
 */
export function solveFixpoint(nodes: CfgNode[], transfer: (node: CfgNode, st: St) => St[], order: Rpo = reversePostOrder(nodes)): { inSt: (St | null)[]; capped: boolean } {
  const n = nodes.length;
  const { rpo, byPrio } = order;
  // Incoming edges as (pred, succ index) pairs, grouped per node (CSR layout). Plain arrays:
  // typed arrays cost more to allocate than they save on the typical ten-node CFG.
  const predStart = new Array<number>(n + 1).fill(0);
  for (const nd of nodes) for (const sx of nd.succ) predStart[sx + 1]!++;
  for (let i = 0; i < n; i++) predStart[i + 1]! += predStart[i]!;
  // Out-states of all edges in one flat array: edge i of node id is at succStart[id] + i.
  const succStart = new Array<number>(n + 1).fill(0);
  for (let i = 0; i < n; i++) succStart[i + 1] = succStart[i]! + nodes[i]!.succ.length;
  const predEdge = new Array<number>(predStart[n]!).fill(0);
  {
    const fill = predStart.slice(0, n);
    for (const nd of nodes) {
      const base = succStart[nd.id]!;
      const ss = nd.succ;
      for (let i = 0; i < ss.length; i++) predEdge[fill[ss[i]!]!++] = base + i;
    }
  }
  // In-state of a node = join of the *current* out-states of its incoming edges (stale
  // contributions are replaced, not accumulated: must-sets would otherwise be poisoned).
  const edgeOut = new Array<St | undefined>(succStart[n]!).fill(undefined);
  const inSt: (St | null)[] = new Array<St | null>(n).fill(null);
  inSt[0] = St.empty();
  const queue = new MinHeap();
  queue.push(rpo[0]!);
  const queued = new Array<boolean>(n).fill(false);
  queued[0] = true;
  let steps = 0;
  let capped = false;
  const cap = visitCap(n);
  while (queue.size) {
    const id = byPrio[queue.pop()]!;
    queued[id] = false;
    if (++steps > cap) {
      capped = true;
      break;
    }
    const node = nodes[id]!;
    // States in inSt are never mutated (transfer copies before writing).
    const outs = transfer(node, inSt[id]!);
    const succ = node.succ;
    for (let i = 0; i < succ.length; i++) {
      const sx = succ[i]!;
      const o = outs[i] ?? outs[0];
      if (!o) continue;
      edgeOut[succStart[id]! + i] = o;
      let next: St | null = null;
      for (let e = predStart[sx]!, end = predStart[sx + 1]!; e < end; e++) {
        const eo = edgeOut[predEdge[e]!];
        if (eo) next = next ? joinSt(next, eo) : eo;
      }
      if (!next) continue;
      const prev = inSt[sx];
      inSt[sx] = next; // keeps the (deterministically) best witness chains
      if (prev && stEq(prev, next)) continue;
      if (!queued[sx] && rpo[sx]! < n) {
        queued[sx] = true;
        queue.push(rpo[sx]!);
      }
    }
  }
  return { inSt, capped };
}
