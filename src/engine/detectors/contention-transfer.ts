/**
 * contention-transfer (warning): a hot-path function acquires L while, elsewhere, L is held
 * around the acquisition of a contended lock C (rtnl_mutex by default, plus
 * config.contendedLocks), directly or through a chain of lock-order edges. Every wait for C then
 * also stalls the hot path on L: the situation seed 000 ("Decouple flow operations from RTNL")
 * removes. Reported in each hot-path entry point at the statement that reaches L.
 *
 * Hot paths: config.hotPaths globs, or by default packet / upcall / flow-install entry points
 * (DEFAULT_HOT_PATHS): those run per packet or per flow miss in the datapath or in OVS handler
 * threads, where a stall turns into drops.
 */
import { RULES } from '../rules';
import type { LockLensConfig } from '../config';
import type { Finding, LockEdge } from '../model';
import { nameMatcher } from '../analysis/util';
import { isRcuId, makeFinding, type Detector, type DetectorContext } from './context';
import { blockingAdjacency, shortestPath } from './lock-graph';

export const DEFAULT_HOT_PATHS = [
  '*_flow_cmd_new',
  '*_flow_cmd_set',
  '*_flow_cmd_del',
  '*_packet_cmd_execute',
  'ovs_dp_process_packet',
  'ovs_dp_upcall',
  'ovs_vport_receive',
  'upcall_*',
  '*_upcall_handler',
  'handle_upcalls',
  'recv_upcalls',
  'dp_netdev_input*',
  'dp_netdev_process_rxq_port',
  'pmd_thread_main',
  'dpif_netdev_flow_put',
  'dpif_netlink_flow_put',
];

const hotPaths = (config: LockLensConfig): ((name: string) => boolean) => nameMatcher(config.hotPaths?.length ? config.hotPaths : DEFAULT_HOT_PATHS);

export const contentionTransfer: Detector = {
  rule: 'contention-transfer',
  // Reads the summaries of the hot-path functions.
  readsFunctions: (config) => hotPaths(config),
  run(ctx: DetectorContext): Finding[] {
    const hot = hotPaths(ctx.config);
    const adj = blockingAdjacency(ctx.edges);
    // Per contended lock: the graph restricted to locks that can reach it. Locks that cannot
    // reach it never lead a BFS to it nor discover locks that can, so the shortest path found
    // is the same as over the whole graph, and most (lock, contended) pairs need no search.
    const towards = new Map<string, Map<string, LockEdge[]>>();
    const restricted = (c: string): Map<string, LockEdge[]> => {
      let m = towards.get(c);
      if (m) return m;
      const rev = new Map<string, string[]>();
      for (const [from, es] of adj) for (const e of es) (rev.get(e.to) ?? rev.set(e.to, []).get(e.to)!).push(from);
      const reach = new Set<string>([c]);
      const queue = [c];
      while (queue.length) for (const p of rev.get(queue.pop()!) ?? []) if (!reach.has(p)) (reach.add(p), queue.push(p));
      m = new Map();
      for (const [from, es] of adj) {
        if (!reach.has(from)) continue;
        const kept = es.filter((e) => reach.has(e.to));
        if (kept.length) m.set(from, kept);
      }
      towards.set(c, m);
      return m;
    };
    const out: Finding[] = [];
    for (const fn of ctx.fns) {
      if (!hot(fn.ir.name)) continue;
      const s = ctx.local.get(fn.key)?.summary;
      if (!s) continue;
      for (const [l, acq] of [...s.acquires].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        if (acq.try || isRcuId(l) || ctx.contended.has(l) || l.startsWith('?')) continue;
        for (const c of [...ctx.contended].sort()) {
          if (c === l) continue;
          const sub = restricted(c);
          if (!sub.has(l)) continue;
          const path = shortestPath(sub, l, (x) => x === c);
          if (!path) continue;
          const via = path.map((e) => e.to).join(' -> ');
          out.push(
            makeFinding(
              'contention-transfer',
              RULES['contention-transfer'].severity,
              fn,
              acq.chain[0]?.line ?? fn.ir.line,
              [l, c],
              `Hot path ${fn.ir.name}() takes ${l}, which is held elsewhere while waiting for contended ${c} (${l} -> ${via}): contention on ${c} is transferred to this path.`,
              [...acq.chain, ...path.flatMap((e) => e.witnesses[0] ?? [])],
              `ct:${l}:${c}`,
            ),
          );
        }
      }
    }
    return out;
  },
};
