/**
 * Derivation: the ordered lock operations a hot path performs, read from an AnalysisResult,
 * so a scenario can say `{"derive": "dpif_netlink_run"}` and the before/after difference in
 * timings comes from the difference in the code.
 *
 * The result model has no call graph, so calls are recovered from what it does carry:
 * - `sites[]` of each function (acquire/release/trylock/RCU/grace-period), in line order;
 * - witness chains (`edges[].witnesses`, `findings[].witness`): a step `calls f()` at line L of
 *   function g is a call g → f at L;
 * - `call-holding` sites: a call to a function that returns holding / releases a lock (a lock
 *   wrapper such as ovs_lock()), taken as the acquire/release itself.
 * A lock in the entry's `acquires` that no recovered path reaches is appended at the end with
 * an info problem (its position on the path is unknown). Hold times are not in the code:
 * derived lock ops carry no `hold`, so the scenario's `holds` table supplies them.
 */

import type { AnalysisResult, FunctionFacts, LockSite, Problem, WitnessStep } from '../model';
import type { Op, SimLockType } from './scenario';

/**
 * Derived lock sections nest at most this deep (real code nests a handful). The analysis file
 * is input too: a hostile one must not build ops that later walks cannot handle.
 */
export const MAX_DERIVED_DEPTH = 128;

export interface DeriveOptions {
  /** Maximum call depth followed from the entry (default 12). */
  maxDepth?: number;
}

type Ev =
  | { k: 'open'; lock: string; kind: 'lock' | 'trylock' | 'rcuRead'; mode: 'read' | 'write'; guard: boolean; note: string }
  | { k: 'close'; lock: string; rcu: boolean }
  | { k: 'sync'; lock: string; note: string }
  | { k: 'callRcu'; lock: string; note: string };

interface Call {
  line: number;
  callee: string;
}

const CALL_NOTE = /^calls ([A-Za-z_][A-Za-z0-9_]*)\(\)/;
const CALLEE_TEXT = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(/;
const SHARED_TEXT = /read|rdlock|_shared|down_read/i;

/** Lock ops for `entry`; see the module comment. Problems explain what could not be derived. */
export function deriveOpsWithProblems(result: AnalysisResult, entry: string, options: DeriveOptions = {}): { ops: Op[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const maxDepth = options.maxDepth ?? 12;
  const fns = new Map<string, FunctionFacts>();
  for (const f of result.functions ?? []) if (!fns.has(f.name)) fns.set(f.name, f);
  const root = fns.get(entry);
  if (!root) {
    const near = [...fns.keys()].filter((n) => n.includes(entry) || entry.includes(n)).slice(0, 5);
    problems.push({
      severity: 'error',
      code: 'derive-entry-not-found',
      message: `entry point '${entry}' is not a function of the analysis${near.length ? ` (similar: ${near.join(', ')})` : ''}`,
    });
    return { ops: [], problems };
  }

  const sitesOf = new Map<string, LockSite[]>();
  for (const s of result.sites ?? []) {
    const list = sitesOf.get(s.function) ?? [];
    list.push(s);
    sitesOf.set(s.function, list);
  }
  for (const list of sitesOf.values()) list.sort((a, b) => a.line - b.line || a.col - b.col);

  const callsOf = new Map<string, Call[]>();
  const addChain = (chain: readonly WitnessStep[]): void => {
    for (const step of chain) {
      const m = CALL_NOTE.exec(step.note);
      if (!m) continue;
      const list = callsOf.get(step.function) ?? [];
      if (!list.some((c) => c.line === step.line && c.callee === m[1])) list.push({ line: step.line, callee: m[1] });
      callsOf.set(step.function, list);
    }
  };
  for (const e of result.edges ?? []) for (const w of e.witnesses) addChain(w);
  for (const f of result.findings ?? []) addChain(f.witness);
  for (const list of callsOf.values()) list.sort((a, b) => a.line - b.line || (a.callee < b.callee ? -1 : 1));

  const lockTypes = lockTypesOf(result);
  const isRcu = (id: string): boolean => lockTypes.get(id) === 'rcu' || lockTypes.get(id) === 'srcu' || id === 'rcu' || id.startsWith('rcu_') || id.startsWith('srcu:') || id === 'ovsrcu';

  const evs: Ev[] = [];
  const expand = (fn: FunctionFacts, depth: number, stack: string[]): void => {
    const sites = sitesOf.get(fn.name) ?? [];
    const holdingCalls = new Set<string>();
    for (const s of sites) {
      if (s.op !== 'call-holding') continue;
      const m = CALLEE_TEXT.exec(s.text);
      if (m) holdingCalls.add(`${s.line}:${m[1]}`);
    }
    type Item = { line: number; col: number; site?: LockSite; call?: Call };
    const items: Item[] = sites.map((s) => ({ line: s.line, col: s.col, site: s }));
    for (const c of callsOf.get(fn.name) ?? []) {
      if (holdingCalls.has(`${c.line}:${c.callee}`)) continue;
      const callee = fns.get(c.callee);
      if (!callee || callee.acquires.length === 0) continue;
      items.push({ line: c.line, col: -1, call: c });
    }
    items.sort((a, b) => a.line - b.line || a.col - b.col);
    const guards: string[] = [];
    for (const it of items) {
      if (it.call) {
        const callee = fns.get(it.call.callee)!;
        if (stack.includes(callee.name)) continue; // recursion: its locks are already on the path
        if (depth >= maxDepth) {
          problems.push({
            severity: 'info',
            code: 'derive-depth',
            message: `derive ${entry}: call depth limit ${maxDepth} reached at ${fn.name} → ${callee.name}; its locks are not expanded`,
            file: fn.file,
            line: it.line,
          });
          continue;
        }
        expand(callee, depth + 1, [...stack, callee.name]);
        continue;
      }
      const s = it.site!;
      const where = `${s.file}:${s.line} ${s.function}`;
      const lock = s.locks[0];
      switch (s.op) {
        case 'acquire':
        case 'guard':
          for (const l of s.locks) {
            const rcu = isRcu(l);
            evs.push({ k: 'open', lock: l, kind: rcu ? 'rcuRead' : 'lock', mode: SHARED_TEXT.test(s.text) ? 'read' : 'write', guard: s.op === 'guard', note: where });
            if (s.op === 'guard') guards.push(l);
          }
          break;
        case 'trylock':
          if (lock) evs.push({ k: 'open', lock, kind: 'trylock', mode: SHARED_TEXT.test(s.text) ? 'read' : 'write', guard: false, note: where });
          break;
        case 'release':
          for (const l of s.locks) evs.push({ k: 'close', lock: l, rcu: isRcu(l) });
          break;
        case 'rcu-read-lock':
          evs.push({ k: 'open', lock: lock ?? 'rcu', kind: 'rcuRead', mode: 'read', guard: false, note: where });
          break;
        case 'rcu-read-unlock':
          evs.push({ k: 'close', lock: lock ?? 'rcu', rcu: true });
          break;
        case 'grace-period':
          evs.push({ k: 'sync', lock: lock ?? 'rcu', note: where });
          break;
        case 'rcu-free':
          evs.push({ k: 'callRcu', lock: lock ?? 'rcu', note: where });
          break;
        case 'call-holding': {
          // A lock wrapper: what is held afterwards was acquired by the call, the rest released.
          for (const l of s.locks) {
            if (s.heldAfter.may.includes(l)) {
              evs.push({ k: 'open', lock: l, kind: isRcu(l) ? 'rcuRead' : 'lock', mode: SHARED_TEXT.test(s.text) ? 'read' : 'write', guard: false, note: where });
            } else evs.push({ k: 'close', lock: l, rcu: isRcu(l) });
          }
          break;
        }
        default:
          break; // assert, rcu-deref, rcu-publish: no timing effect
      }
    }
    // Scope guards end with the function.
    for (const g of guards.reverse()) evs.push({ k: 'close', lock: g, rcu: isRcu(g) });
  };
  expand(root, 0, [root.name]);

  const { ops, tooDeep } = buildOps(evs);
  if (tooDeep) {
    problems.push({
      severity: 'error',
      code: 'derive-depth',
      message: `derive ${entry}: lock sections nest deeper than ${MAX_DERIVED_DEPTH} levels; the analysis is not usable for simulation`,
    });
  }
  const seen = new Set<string>();
  collectLocks(ops, seen);
  for (const l of root.acquires) {
    if (seen.has(l)) continue;
    ops.push(isRcu(l) ? { rcuRead: l, note: 'position on the path unknown' } : { lock: l, note: 'position on the path unknown' });
    problems.push({
      severity: 'info',
      code: 'derive-order-unknown',
      message: `derive ${entry}: ${l} is acquired on some path but no call chain to it was found; appended at the end`,
    });
  }
  return { ops, problems };
}

/** `deriveOps(result, entry)`: the lock operations only (problems dropped). */
export function deriveOps(result: AnalysisResult, entry: string): Op[] {
  return deriveOpsWithProblems(result, entry).ops;
}

/** Lock types from the analysis, in the simulator's vocabulary. */
export function lockTypesOf(result: AnalysisResult): Map<string, SimLockType> {
  const out = new Map<string, SimLockType>();
  for (const l of result.locks ?? []) {
    const t = l.lockType;
    out.set(l.id, t === 'unknown' || t === 'fcntl' ? 'mutex' : t);
  }
  return out;
}

/** Nests events into ops: an open section collects everything until its matching close. */
function buildOps(evs: readonly Ev[]): { ops: Op[]; tooDeep: boolean } {
  const root: Op[] = [];
  let tooDeep = false;
  const stack: { lock: string; rcu: boolean; body: Op[] }[] = [];
  const cur = (): Op[] => (stack.length ? stack[stack.length - 1].body : root);
  for (const e of evs) {
    switch (e.k) {
      case 'open': {
        // Beyond the limit the section is left out (the caller reports an error).
        if (stack.length >= MAX_DERIVED_DEPTH) {
          tooDeep = true;
          break;
        }
        const body: Op[] = [];
        let op: Op;
        if (e.kind === 'rcuRead') op = { rcuRead: e.lock, ops: body, note: e.note };
        else if (e.kind === 'trylock') op = { trylock: e.lock, ...(e.mode === 'read' ? { mode: 'read' as const } : {}), ops: body, note: e.note };
        else op = { lock: e.lock, ...(e.mode === 'read' ? { mode: 'read' as const } : {}), ops: body, note: e.note };
        cur().push(op);
        stack.push({ lock: e.lock, rcu: e.kind === 'rcuRead', body });
        break;
      }
      case 'close': {
        // Innermost open section of this lock; sections opened inside it end with it.
        for (let i = stack.length - 1; i >= 0; i--) {
          if (stack[i].lock === e.lock) {
            stack.length = i;
            break;
          }
        }
        break;
      }
      case 'sync':
        cur().push({ synchronizeRcu: e.lock, note: e.note });
        break;
      case 'callRcu':
        cur().push({ callRcu: e.lock, note: e.note });
        break;
    }
  }
  stripEmpty(root);
  return { ops: root, tooDeep };
}

function stripEmpty(ops: Op[]): void {
  for (const op of ops) {
    if ('ops' in op && Array.isArray(op.ops)) {
      if (op.ops.length === 0 && !('repeat' in op) && !('only' in op)) delete (op as { ops?: Op[] }).ops;
      else stripEmpty(op.ops);
    }
  }
}

function collectLocks(ops: readonly Op[], out: Set<string>): void {
  for (const op of ops) {
    if ('lock' in op) out.add(op.lock);
    if ('trylock' in op) out.add(op.trylock);
    if ('rcuRead' in op) out.add(op.rcuRead);
    if ('ops' in op && op.ops) collectLocks(op.ops, out);
  }
}

/**
 * Entry points named by `derive` ops anywhere in a scenario, in document order. Walks with an
 * explicit stack (pre-order: an op, its `ops`, its `else`, then its next sibling), so even
 * unvalidated nesting cannot overflow the call stack.
 */
export function deriveEntries(ops: readonly Op[], out: Set<string> = new Set()): Set<string> {
  const todo: unknown[] = [...ops].reverse();
  for (let op = todo.pop(); todo.length > 0 || op !== undefined; op = todo.pop()) {
    if (typeof op !== 'object' || op === null) continue;
    const o = op as Record<string, unknown>;
    if (Object.hasOwn(o, 'derive') && typeof o.derive === 'string') out.add(o.derive);
    const kids: unknown[] = [];
    for (const k of ['ops', 'else'] as const) {
      const sub = Object.hasOwn(o, k) ? o[k] : undefined;
      if (Array.isArray(sub)) for (const x of sub) kids.push(x); // no spread: arrays may be huge
    }
    for (let j = kids.length - 1; j >= 0; j--) todo.push(kids[j]);
  }
  return out;
}
