/**
 * lock-order-cycle (error): a cycle in the blocking lock-order graph (ABBA or longer), lockdep's
 * "possible circular locking dependency". Edges whose target was only ever trylocked are left
 * out: a trylock backs off instead of waiting. Reported once per cycle, at the statement where
 * the cycle's smallest lock id reaches its successor (in the holder of the smallest lock).
 */
import { RULES } from '../rules';
import type { Finding, LockEdge } from '../model';
import { cmpStr } from '../analysis/util';
import { makeFinding, type Detector, type DetectorContext } from './context';
import { blockingAdjacency, cyclicAdjacency, shortestPath } from './lock-graph';

const MAX_CYCLES = 50;

export const lockOrderCycle: Detector = {
  rule: 'lock-order-cycle',
  // The lock graph and lock types only.
  readsFunctions: () => () => false,
  run(ctx: DetectorContext): Finding[] {
    // Kernel rwlock_t readers are recursive: a read-under-read edge between two rwlock_t classes
    // cannot close a deadlock cycle (rwsem readers can, behind a queued writer).
    const rw = (id: string): boolean => ctx.lockTypes.get(id) === 'rwlock';
    const adj = cyclicAdjacency(blockingAdjacency(ctx.edges, (e) => ctx.readReadEdges.has(`${e.from}\u0000${e.to}`) && rw(e.from) && rw(e.to)));
    const nodes = [...adj.keys()].sort(cmpStr);
    const seen = new Set<string>();
    const out: Finding[] = [];
    for (const n of nodes) {
      if (out.length >= MAX_CYCLES) break;
      const path = shortestPath(adj, n, (x) => x === n);
      if (!path) continue;
      const locks = [...new Set(path.map((e) => e.from))].sort(cmpStr);
      const key = locks.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      // Rotate so the cycle starts at its smallest lock.
      const start = locks[0]!;
      const i = path.findIndex((e) => e.from === start);
      const cyc: LockEdge[] = [...path.slice(i), ...path.slice(0, i)];
      const first = cyc[0]!;
      const reach = ctx.edgeReach.get(`${first.from}\u0000${first.to}`);
      if (!reach) continue;
      const witness = cyc.flatMap((e) => e.witnesses[0] ?? []);
      const order = cyc.map((e) => e.from).concat(start).join(' -> ');
      out.push(
        makeFinding(
          'lock-order-cycle',
          RULES['lock-order-cycle'].severity,
          reach.fn,
          reach.line,
          locks,
          `Possible deadlock: lock-order cycle ${order}. ${first.to} is taken here while ${first.from} is held; elsewhere the locks are taken in the opposite order.`,
          witness,
          `cycle:${key}`,
        ),
      );
    }
    return out;
  },
};
