/**
 * Worklist solver of the local pass: nodes in reverse post-order priority, the in-state of a node
 * is the join of its incoming edges' *current* out-states (stale contributions are replaced, not
 * accumulated: must-sets would otherwise be poisoned), capped at 40 visits per node.
 */
import type { CfgNode } from '../cfg';
import { MinHeap } from './min-heap';
import { joinSt, St, stEq } from './state';

/**
 * `transfer` must not mutate the state it is given (copy first); it returns one out-state per
 * successor (or one for all).
 */
export function solveFixpoint(nodes: CfgNode[], transfer: (node: CfgNode, st: St) => St[]): { inSt: (St | null)[]; capped: boolean } {
  const n = nodes.length;
  // Reverse post-order priorities: predecessors before successors (except along back edges).
  const rpo = new Array<number>(n).fill(n);
  {
    const post: number[] = [];
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
      nd.succ.forEach((sx, i) => {
        predEdge[fill[sx]!++] = base + i;
      });
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
  const cap = Math.max(2000, n * 40);
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
