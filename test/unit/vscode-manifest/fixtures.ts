/** Small hand-written AnalysisResult for the editor-side unit tests (not engine output). */
import type { AnalysisResult, FunctionFacts, LockSite } from '../../../src/engine/model';

export function fn(name: string, line: number, endLine: number, extra: Partial<FunctionFacts> = {}): FunctionFacts {
  return {
    name,
    file: 'net/dp.c',
    line,
    endLine,
    callers: 0,
    entry: { must: [], may: [] },
    acquires: [],
    returnsHolding: [],
    releasesUnheld: [],
    requires: [],
    maySleep: false,
    partial: false,
    ...extra,
  };
}

export function site(line: number, col: number, op: LockSite['op'], locks: string[], must: string[], may: string[] = must, text = 'lock()'): LockSite {
  return { file: 'net/dp.c', line, col, function: 'f', op, locks, heldAfter: { must, may }, text };
}

export function sampleResult(): AnalysisResult {
  return {
    version: 1,
    files: 1,
    functions: [
      fn('new_vport', 10, 20, { callers: 3, entry: { must: ['ovs_mutex'], may: ['ovs_mutex'] }, acquires: ['rtnl_mutex'] }),
      fn('helper', 30, 35),
      fn('flow_cmd', 40, 60, { acquires: ['ovs_mutex'], entry: { must: [], may: ['rtnl_mutex'] } }),
    ],
    locks: [
      { id: 'ovs_mutex', kind: 'global', name: 'ovs_mutex', struct: null, lockType: 'mutex', sites: 2, contended: false },
      { id: 'rtnl_mutex', kind: 'global', name: 'rtnl_mutex', struct: null, lockType: 'mutex', sites: 1, contended: true },
      { id: 'struct datapath.lock', kind: 'field', name: 'lock', struct: 'datapath', lockType: 'spinlock', sites: 1, contended: false },
    ],
    edges: [
      {
        from: 'ovs_mutex',
        to: 'rtnl_mutex',
        count: 2,
        trylock: false,
        witnesses: [[
          { file: 'net/dp.c', line: 42, function: 'flow_cmd', note: 'takes ovs_mutex' },
          { file: 'net/dp.c', line: 15, function: 'new_vport', note: 'rtnl_lock()' },
        ]],
      },
    ],
    findings: [
      { rule: 'contention-transfer', severity: 'warning', message: 'RTNL nests under ovs_mutex', file: 'net/dp.c', line: 15, function: 'new_vport', locks: ['ovs_mutex', 'rtnl_mutex'], witness: [], fingerprint: 'a' },
      { rule: 'lock-imbalance', severity: 'error', message: 'not released', file: 'net/dp.c', line: 50, function: 'flow_cmd', locks: ['ovs_mutex'], witness: [], fingerprint: 'b' },
    ],
    sites: [
      site(15, 1, 'acquire', ['rtnl_mutex'], ['ovs_mutex', 'rtnl_mutex'], ['ovs_mutex', 'rtnl_mutex'], 'rtnl_lock()'),
      site(42, 1, 'acquire', ['ovs_mutex'], ['ovs_mutex'], ['ovs_mutex', 'rtnl_mutex'], 'ovs_lock()'),
      site(44, 1, 'release', ['ovs_mutex'], [], []),
      site(45, 1, 'acquire', ['struct datapath.lock'], ['struct datapath.lock'], ['struct datapath.lock'], 'spin_lock(&dp->lock)'),
    ],
    problems: [],
    stats: { files: 1, bytes: 1, functions: 3, unmodeledFunctions: 0, filesWithErrorNodes: 0, callSites: 0, indirectCallsResolved: 0, timings: {} },
  };
}
