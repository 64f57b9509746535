/**
 * Phase 9, the lock list: every lock id the functions mention, the findings name and the graph
 * has as a node, with its class metadata, type, acquisition count and contention.
 *
 * Incremental: rebuilt only when one of its inputs changed (ids, metadata, types, counts).
 */
import type { Finding, LockClass, LockEdge, LockType } from '../model';
import type { LockRef } from '../analysis/lock-identity';
import { cmpStr, sortedUnique } from '../analysis/util';
import { isRcuId } from '../detectors/context';

/** What a session keeps of the lock list between runs: the list and the inputs it was built from. */
export interface LockListState {
  locks: LockClass[];
  fnRefs: Set<string>;
  edges: LockEdge[];
  edgeNodes: Set<string>;
  classes: Map<string, LockRef>;
  lockTypes: Map<string, LockType>;
  /** Lock ids of the findings, sorted and joined. */
  findingLocks: string;
}

export interface LockListInput {
  /** Lock ids the functions mention. */
  fnRefs: Set<string>;
  edges: LockEdge[];
  findings: Finding[];
  classes: Map<string, LockRef>;
  lockTypes: Map<string, LockType>;
  acqCount: Map<string, number>;
  /** Acquisition counts changed since the previous run. */
  acqChanged: boolean;
  contended: Set<string>;
  prev: LockListState | null;
}

export function buildLockList(inp: LockListInput): LockListState {
  const { prev, fnRefs, edges, classes, lockTypes } = inp;
  let edgeNodes: Set<string>;
  if (prev && edges === prev.edges) edgeNodes = prev.edgeNodes;
  else {
    edgeNodes = new Set();
    for (const e of edges) {
      edgeNodes.add(e.from);
      edgeNodes.add(e.to);
    }
  }
  const findingLocks = sortedUnique(inp.findings.flatMap((f) => f.locks)).join('\u0000');
  const sameLocks = !!prev && fnRefs === prev.fnRefs && edgeNodes === prev.edgeNodes && classes === prev.classes && lockTypes === prev.lockTypes && !inp.acqChanged && findingLocks === prev.findingLocks;
  if (sameLocks) return { ...prev, edges };
  const referenced = new Set<string>(fnRefs);
  for (const fnd of inp.findings) for (const l of fnd.locks) referenced.add(l);
  for (const x of edgeNodes) referenced.add(x);
  const locks = [...referenced]
    .filter((id) => !id.startsWith('#'))
    .sort(cmpStr)
    .map((id) => {
      const r = classes.get(id);
      const kind = r?.kind ?? (isRcuId(id) ? 'rcu' : id.startsWith('?') ? 'other' : id.startsWith('struct ') ? 'field' : 'global');
      const fieldM = /^struct (\S+)\.(\S+)$/.exec(id);
      return {
        id,
        kind,
        name: r?.name ?? (fieldM ? fieldM[2]! : id),
        struct: r?.struct ?? (fieldM ? fieldM[1]! : null),
        lockType: lockTypes.get(id) ?? (isRcuId(id) ? (id.startsWith('srcu:') ? 'srcu' : 'rcu') : 'unknown'),
        sites: inp.acqCount.get(id) ?? 0,
        contended: inp.contended.has(id),
      };
    });
  return { locks, fnRefs, edges, edgeNodes, classes, lockTypes, findingLocks };
}
