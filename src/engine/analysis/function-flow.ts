/**
 * The local pass: flow-sensitive held-lock sets (must/may) over one function's CFG, with an
 * empty entry, interpreting primitives from the catalog and callees through their summaries.
 * Produces the function's summary and the records the detectors and the global phase need.
 */
import type { Expr } from '../ir';
import type { LockType, SiteOp, WitnessStep } from '../model';
import type { Catalog } from '../catalog/catalog';
import type { PrimDef } from '../catalog/types';
import { buildCfg, type CfgNode } from './cfg';
import { callsInOrder, calleeName, collectIds, exprText, forEachStmtExpr, parseLockText, stripAddr, stripCond } from './expr';
import { globalRef, PER_NET_RTNL, rcuRef, resolveLock, type LockRef } from './lock-identity';
import type { FnInfo, Program } from './program';
import type { AcqInfo, FnSummary, LocalResult, Snap, WaitInfo } from './summary';
import { inRanges, onceOnlyRanges, type LineRange } from './once-regions';
import { cmpChain, cmpStr, joinChains } from './util';

type CallExpr = Expr & { k: 'call' };

export interface AnalyzerEnv {
  prog: Program;
  cat: Catalog;
  noAnnotations: boolean;
  lineFacts: boolean;
  perNetRtnlAlsoGlobal: boolean;
  summaryOf(key: string): FnSummary | undefined;
  /** Functions an indirect call may reach (ops tables, assigned callbacks). */
  indirectTargets(callee: Expr, fn: FnInfo): FnInfo[];
  /** Records class metadata (kind/name/struct/decl type) the first time a class id is seen. */
  noteClass(ref: LockRef): void;
}

interface HeldE {
  must: boolean;
  shared: boolean;
  try: boolean;
  nested: boolean;
  assert: boolean;
  atomic: boolean;
  rcu: boolean;
  type: LockType;
  chain: WitnessStep[];
  text: string;
  param?: number;
  /** Instances of the class held (two buckets of one class nested with `_nested`). */
  count: number;
  /** Branch facts (`locked` = false) known when it was taken: the lock exists only on such paths. */
  facts?: Readonly<Record<string, boolean>>;
  /** Held on *every* path on which `facts` hold (so a later test of the same facts makes it must). */
  condMust?: boolean;
}

interface Pending {
  locks: LockAcq[];
  success: 'zero' | 'nonzero';
  /** Named success value (`OVS_TRY_LOCK(QUEUE_ITEM, ...)`): acquired exactly when result == it. */
  successValue?: string;
  chain: WitnessStep[];
  /** Interruptible/killable/dec-and-lock: waits like a lock (closes cycles), may still fail. */
  blocks: boolean;
}

interface LockAcq {
  ref: LockRef;
  shared: boolean;
  nested: boolean;
  atomic: boolean;
  rcu: boolean;
  type: LockType;
  text: string;
}

interface St {
  held: Map<string, HeldE>;
  dropped: Map<string, boolean>;
  released: Set<string>;
  pending: Map<string, Pending>;
  taint: Map<string, WitnessStep>;
  /** Locks whose trylock/interruptible acquisition failed on this path. */
  failed: Set<string>;
  /**
   * Values of simple boolean locals tested by branches on this path. Together with HeldE.facts
   * this correlates `if (!locked) lock(); ... if (!locked) unlock();`.
   */
  facts: Map<string, boolean>;
}

const emptySt = (): St => ({ held: new Map(), dropped: new Map(), released: new Set(), pending: new Map(), taint: new Map(), failed: new Set(), facts: new Map() });

function meetFacts(a: Readonly<Record<string, boolean>> | undefined, b: Readonly<Record<string, boolean>> | undefined): Record<string, boolean> | undefined {
  if (!a || !b) return undefined;
  const r: Record<string, boolean> = {};
  for (const k of Object.keys(a)) if (b[k] === a[k]) r[k] = a[k]!;
  return Object.keys(r).length ? r : undefined;
}

function cloneSt(s: St): St {
  return { held: new Map(s.held), dropped: new Map(s.dropped), released: new Set(s.released), pending: new Map(s.pending), taint: new Map(s.taint), failed: new Set(s.failed), facts: new Map(s.facts) };
}

function joinSt(a: St, b: St): St {
  const r = emptySt();
  // A lock missing on one side stays "must under its facts" only if that side's path facts
  // contradict them (the lock-free paths are exactly the ones where the facts do not hold).
  const contradicts = (path: Map<string, boolean>, f: Readonly<Record<string, boolean>> | undefined): boolean =>
    !!f && Object.keys(f).some((v) => path.has(v) && path.get(v) !== f[v]);
  for (const [k, x] of a.held) {
    const y = b.held.get(k);
    if (!y) r.held.set(k, { ...x, must: false, condMust: (x.must || !!x.condMust) && contradicts(b.facts, x.facts) });
    else {
      const c = cmpChain(x.chain, y.chain) <= 0 ? x : y;
      const facts = meetFacts(x.facts, y.facts);
      const sameFacts = JSON.stringify(x.facts ?? null) === JSON.stringify(y.facts ?? null);
      const condMust = (x.must && y.must) || ((x.must || !!x.condMust) && (y.must || !!y.condMust) && sameFacts);
      r.held.set(k, { ...c, must: x.must && y.must, try: x.try || y.try, shared: x.shared && y.shared, count: Math.max(x.count, y.count), condMust, ...(facts ? { facts } : { facts: undefined }) });
    }
  }
  for (const [k, y] of b.held) if (!a.held.has(k)) r.held.set(k, { ...y, must: false, condMust: (y.must || !!y.condMust) && contradicts(a.facts, y.facts) });
  for (const [k, m] of a.dropped) r.dropped.set(k, m && b.dropped.get(k) === true);
  for (const [k] of b.dropped) if (!a.dropped.has(k)) r.dropped.set(k, false);
  for (const k of a.released) r.released.add(k);
  for (const k of b.released) r.released.add(k);
  for (const [k, p] of a.pending) r.pending.set(k, p);
  for (const [k, p] of b.pending) if (!r.pending.has(k)) r.pending.set(k, p);
  for (const [k, w] of a.taint) r.taint.set(k, w);
  for (const [k, w] of b.taint) if (!r.taint.has(k)) r.taint.set(k, w);
  for (const [k, v] of a.facts) if (b.facts.get(k) === v) r.facts.set(k, v);
  for (const k of a.failed) r.failed.add(k);
  for (const k of b.failed) r.failed.add(k);
  return r;
}

function heldEq(a: HeldE, b: HeldE): boolean {
  if (a.must !== b.must || a.shared !== b.shared || a.try !== b.try || a.count !== b.count || !!a.condMust !== !!b.condMust) return false;
  if (a.facts === b.facts) return true;
  if (!a.facts || !b.facts) return false;
  const ka = Object.keys(a.facts);
  if (ka.length !== Object.keys(b.facts).length) return false;
  for (const k of ka) if (a.facts[k] !== b.facts[k]) return false;
  return true;
}

function mapEq<V>(a: Map<string, V>, b: Map<string, V>, eq: (x: V, y: V) => boolean): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || !eq(v, w)) return false;
  }
  return true;
}

function setEq(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}

const keysOnly = (): boolean => true;

/** Fixpoint equality (witness chains are deliberately ignored). */
function stEq(a: St, b: St): boolean {
  return (
    mapEq(a.held, b.held, heldEq) &&
    mapEq(a.dropped, b.dropped, (x, y) => x === y) &&
    setEq(a.released, b.released) &&
    mapEq(a.pending, b.pending, keysOnly) &&
    mapEq(a.taint, b.taint, keysOnly) &&
    setEq(a.failed, b.failed) &&
    mapEq(a.facts, b.facts, (x, y) => x === y)
  );
}

/** Debug signature of a state (tests and troubleshooting). */
export function sig(s: St): string {
  const h = [...s.held].map(([k, v]) => `${k}${v.must ? '!' : '?'}${v.shared ? 's' : ''}${v.try ? 't' : ''}${v.count}${v.facts ? JSON.stringify(v.facts) : ''}`).sort();
  const d = [...s.dropped].map(([k, v]) => `${k}${v ? '!' : '?'}`).sort();
  return `${h.join(',')}|${d.join(',')}|${[...s.released].sort().join(',')}|${[...s.pending.keys()].sort().join(',')}|${[...s.taint.keys()].sort().join(',')}|${[...s.failed].sort().join(',')}|${[...s.facts].map(([k, v]) => `${k}=${v}`).sort().join(',')}`;
}

const isPseudo = (id: string): boolean => id.startsWith('#');

/** Node kinds whose transfer mutates the state (others pass it through unchanged). */
const MUTATING = new Set(['expr', 'return', 'branch', 'guard', 'unguard']);

function snap(s: St): Snap {
  const must: string[] = [];
  const may: string[] = [];
  for (const [k, v] of s.held) {
    if (isPseudo(k)) continue;
    may.push(k);
    if (v.must) must.push(k);
  }
  const dropMay: string[] = [];
  const dropMust: string[] = [];
  for (const [k, v] of s.dropped) {
    dropMay.push(k);
    if (v) dropMust.push(k);
  }
  return { must: must.sort(cmpStr), may: may.sort(cmpStr), dropMay: dropMay.sort(cmpStr), dropMust: dropMust.sort(cmpStr) };
}

const ATOMIC_PSEUDO: Record<string, string> = {
  local_irq_disable: '#irq',
  local_irq_save: '#irq',
  local_irq_enable: '#irq',
  local_irq_restore: '#irq',
  local_bh_disable: '#bh',
  local_bh_enable: '#bh',
  preempt_disable: '#preempt',
  preempt_enable: '#preempt',
};

/** Condition functions whose truth implies a lock is held (for rcu_dereference_check/protected). */
const COND_LOCK_FNS: Record<string, string> = {
  lockdep_rtnl_is_held: 'rtnl_mutex',
  rtnl_is_locked: 'rtnl_mutex',
  lockdep_ovsl_is_held: 'ovs_mutex',
};

type Mode = { k: 'plain' } | { k: 'assign'; v: string } | { k: 'return' } | { k: 'test' };

export class FunctionAnalyzer {
  private readonly cfgNodes: CfgNode[];
  private readonly res: LocalResult;
  private recording = false;
  private curNode: CfgNode | null = null;
  private readonly buildsRtnlMsg: string | null;
  private readonly onceRanges: LineRange[];

  constructor(
    private readonly env: AnalyzerEnv,
    private readonly fn: FnInfo,
  ) {
    this.cfgNodes = buildCfg(fn.ir.body, fn.ir.endLine || fn.ir.line).nodes;
    this.res = this.freshResult();
    this.buildsRtnlMsg = this.findRtnlMessage();
    this.onceRanges = onceOnlyRanges(fn, env.cat, (n) => env.prog.globals.has(n));
  }

  private freshResult(): LocalResult {
    return {
      summary: {
        key: this.fn.key,
        acquires: new Map(),
        perRun: new Map(),
        returnsHolding: new Map(),
        releases: new Map(),
        tryRet: null,
        requires: new Map(),
        excluded: new Map(),
        sleep: null,
        waits: [],
        noAnalysis: false,
      },
      sites: [],
      calls: [],
      edges: [],
      recursive: [],
      doubleUnlock: [],
      sleeps: [],
      waits: [],
      derefs: [],
      frees: [],
      exits: [],
      acqEvents: [],
      badUnlock: [],
      partialUnlock: [],
      rtnlInLoop: [],
      lines: [],
      acqSites: [],
      unresolvedIndirect: 0,
      resolvedIndirect: 0,
      fixpointCapped: false,
    };
  }

  /** RTM_* request type built anywhere in this function (netlink transactions then take RTNL). */
  private findRtnlMessage(): string | null {
    const ids = new Set<string>();
    const visit = (e: Expr): void => collectIds(e, ids);
    forEachStmtExpr(this.fn.ir.body, visit);
    const hits = [...ids].filter((i) => this.env.cat.rtnlMessages.has(i)).sort(cmpStr);
    return hits[0] ?? null;
  }

  run(): LocalResult {
    const nodes = this.cfgNodes;
    const n = nodes.length;
    // Reverse post-order priorities: predecessors before successors (except along back edges).
    const rpo = new Array<number>(n).fill(n);
    {
      const post: number[] = [];
      const seen = new Uint8Array(n);
      const stack: { id: number; i: number }[] = [{ id: 0, i: 0 }];
      seen[0] = 1;
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        const ss = nodes[top.id]!.succ;
        if (top.i < ss.length) {
          const nx = ss[top.i++]!;
          if (!seen[nx]) {
            seen[nx] = 1;
            stack.push({ id: nx, i: 0 });
          }
        } else {
          post.push(top.id);
          stack.pop();
        }
      }
      post.reverse().forEach((id, i) => (rpo[id] = i));
    }
    const byPrio = new Array<number>(n);
    for (let i = 0; i < n; i++) if (rpo[i]! < n) byPrio[rpo[i]!] = i;
    const preds: [number, number][][] = nodes.map(() => []);
    nodes.forEach((nd) => nd.succ.forEach((sx, i) => preds[sx]!.push([nd.id, i])));
    // In-state of a node = join of the *current* out-states of its incoming edges (stale
    // contributions are replaced, not accumulated: must-sets would otherwise be poisoned).
    const edgeOut: (St | undefined)[][] = nodes.map((nd) => nd.succ.map(() => undefined));
    const inSt: (St | null)[] = nodes.map(() => null);
    inSt[0] = emptySt();
    const queue = new MinHeap();
    queue.push(rpo[0]!);
    const queued = new Set<number>([0]);
    let steps = 0;
    const cap = Math.max(2000, n * 40);
    while (queue.size) {
      const id = byPrio[queue.pop()]!;
      queued.delete(id);
      if (++steps > cap) {
        this.res.fixpointCapped = true;
        break;
      }
      const node = nodes[id]!;
      // States in inSt are never mutated in place: transfer works on a copy when it mutates.
      const outs = this.transfer(node, MUTATING.has(node.kind) ? cloneSt(inSt[id]!) : inSt[id]!);
      node.succ.forEach((sx, i) => {
        const o = outs[i] ?? outs[0];
        if (!o) return;
        edgeOut[id]![i] = o;
        let next: St | null = null;
        for (const [p, j] of preds[sx]!) {
          const e = edgeOut[p]![j];
          if (e) next = next ? joinSt(next, e) : e;
        }
        if (!next) return;
        const prev = inSt[sx];
        inSt[sx] = next; // keeps the (deterministically) best witness chains
        if (prev && stEq(prev, next)) return;
        if (!queued.has(sx) && rpo[sx]! < n) {
          queued.add(sx);
          queue.push(rpo[sx]!);
        }
      });
    }
    // Recording pass over the converged states, in node order (deterministic).
    this.recording = true;
    for (const node of nodes) {
      const st = inSt[node.id];
      if (!st) continue;
      const outs = this.transfer(node, cloneSt(st));
      if (this.env.lineFacts && node.line > 0 && node.kind !== 'exit' && node.kind !== 'nop' && outs[0]) {
        this.res.lines.push({ line: node.line, snap: snap(outs[0]) });
      }
    }
    this.recording = false;
    this.finishSummary(inSt[1] ?? null);
    return this.res;
  }

  // ---------------------------------------------------------------------------------------------
  /** `struct.field` an indirect callee goes through (`?.field` when the struct is unknown). */
  private opsSlot(callee: Expr): string | null {
    let e = stripAddr(callee);
    while (e.k === 'unary' && e.op === '*') e = stripAddr(e.arg);
    if (e.k === 'id') {
      const alias = this.fn.aliases.get(e.name);
      if (alias && alias.k === 'field') e = alias;
    }
    if (e.k !== 'field') return null;
    const st = this.env.prog.structOf(this.env.prog.typeOf(e.base, this.fn));
    return `${st ?? '?'}.${e.field}`;
  }

  private step(line: number, note: string): WitnessStep {
    return { file: this.fn.file, line, function: this.fn.ir.name, note };
  }

  private transfer(node: CfgNode, st: St): St[] {
    this.curNode = node;
    switch (node.kind) {
      case 'expr':
        this.evalTop(node.expr!, st, node.assignTo ? { k: 'assign', v: node.assignTo } : { k: 'plain' }, node.line);
        if (node.macro && this.recording) this.rcuIterator(node, st);
        return [st];
      case 'return': {
        if (node.expr) this.evalTop(node.expr, st, { k: 'return' }, node.line);
        return [st];
      }
      case 'branch':
        return this.branch(node, st);
      case 'guard':
        return this.guard(node, st);
      case 'unguard': {
        const g = this.env.cat.guards.get(node.guard!.cls);
        if (g) this.releaseLocks(this.primLocks(g.prim, node.guard!.args, node.line), st, node.line, node.guard!.text, g.prim);
        return [st];
      }
      case 'exitpoint': {
        if (this.recording) {
          const tryLocks = [...st.held].filter(([k, v]) => v.try && !isPseudo(k)).map(([k]) => k).sort(cmpStr);
          const r = node.expr ? stripCond(node.expr) : null;
          // Only boolean literals: `return 0;` vs `return 1;` in an int function is usually an error code.
          const lit = r && (r.k === 'id' ? r.name : r.k === 'num' ? r.text : null);
          const retConst = lit === 'true' || lit === 'false' ? lit === 'true' : null;
          this.res.exits.push({ line: node.line, snap: snap(st), tryLocks, retConst });
        }
        return [st];
      }
      default:
        return node.succ.map(() => st);
    }
  }

  // --- expressions -------------------------------------------------------------------------------
  private evalTop(e: Expr, st: St, mode: Mode, line: number): void {
    const calls: CallExpr[] = [];
    callsInOrder(e, calls);
    const top = stripCond(e);
    for (const c of calls) {
      const isTop = c === top;
      const eff = this.call(c, st, isTop ? mode : { k: 'plain' });
      if (eff) this.applyTry(eff, st, isTop ? mode : { k: 'plain' }, c.line || line);
    }
    // Assignment forms: pending trylock results follow the variable; RCU pointer provenance too.
    if (mode.k === 'assign') this.killFact(st, mode.v);
    if (e.k === 'assign' && e.left.k === 'id') this.killFact(st, e.left.name);
    if (mode.k === 'assign') {
      const isTry = top.k === 'call' && calls.length > 0 && calls[calls.length - 1] === top && this.tryLike(top);
      if (!isTry) st.pending.delete(mode.v);
      const w = this.rcuProvenance(top, line);
      if (w) st.taint.set(mode.v, w);
      else st.taint.delete(mode.v);
      if (top.k === 'id' && st.pending.has(top.name)) st.pending.set(mode.v, st.pending.get(top.name)!);
    }
    if (mode.k === 'return') {
      if (top.k === 'id' && st.pending.has(top.name)) this.noteTryRet(st.pending.get(top.name)!);
    }
    // Nested assignments inside expressions (`x = f(), y = g()`) still kill stale provenance.
    if (e.k === 'assign' && e.left.k === 'id' && mode.k !== 'assign') st.taint.delete(e.left.name);
  }

  private killFact(st: St, v: string): void {
    if (!st.facts.has(v) && ![...st.held.values()].some((h) => h.facts && v in h.facts)) return;
    st.facts.delete(v);
    for (const [k, h] of st.held) {
      if (h.facts && v in h.facts) {
        const f = { ...h.facts };
        delete f[v];
        st.held.set(k, { ...h, facts: Object.keys(f).length ? f : undefined });
      }
    }
  }

  private tryLike(c: CallExpr): boolean {
    const name = calleeName(c);
    if (!name) return false;
    const p = this.env.cat.prims.get(name);
    if (p) return p.op === 'trylock' || p.op === 'cond_acquire';
    const f = this.env.prog.resolveCall(name, this.fn.file);
    return !!f && !!this.env.summaryOf(f.key)?.tryRet;
  }

  /** Where a value comes from an RCU-protected location (for rcu-free-without-grace-period). */
  private rcuProvenance(e: Expr, line: number): WitnessStep | null {
    const x = stripAddr(e);
    if (x.k === 'call') {
      const p = this.env.cat.prims.get(calleeName(x) ?? '');
      if (p && (p.op === 'rcu_deref' || (p.op === 'rcu_publish' && /replace/.test(p.name)))) return this.step(line, `read from RCU pointer by ${p.name}()`);
      if (/^(xchg|rcu_replace_pointer\w*)$/.test(calleeName(x) ?? '') && x.args[0]) {
        const t = this.env.prog.typeOf(x.args[0], this.fn);
        if (t?.rcu) return this.step(line, `exchanged out of __rcu pointer ${exprText(x.args[0])}`);
      }
      return null;
    }
    if (x.k === 'field' || x.k === 'id') {
      const t = this.env.prog.typeOf(x, this.fn);
      if (t?.rcu && t.ptr > 0) return this.step(line, `read from __rcu pointer ${exprText(x)}`);
    }
    return null;
  }

  // --- branches ----------------------------------------------------------------------------------
  private branch(node: CfgNode, st: St): St[] {
    const atom = node.expr!;
    // Find what the atom tests: a call, an assigned call, or a variable, and with which sense.
    let x = stripCond(atom);
    let sense: 'truthy' | 'falsy' | 'neg' | 'nonneg' = 'truthy';
    /** `result == NAME` / `result != NAME` against a named (enum) value. */
    let named: { value: string; eq: boolean } | null = null;
    for (let i = 0; i < 4; i++) {
      if (x.k === 'binary' && (x.op === '==' || x.op === '!=')) {
        const zero = (y: Expr): boolean => (y.k === 'num' && /^(0[uUlL]*|false)$/.test(y.text)) || (y.k === 'id' && /^(NULL|false)$/.test(y.name));
        const nameOf = (y: Expr): string | null => (y.k === 'id' && !/^(NULL|false|true)$/.test(y.name) && !this.fn.vars.has(y.name) ? y.name : null);
        const nl = nameOf(x.left);
        const nr = nameOf(x.right);
        if (named === null && (nr || nl) && !(nr && nl)) {
          const value = (nr ?? nl)!;
          // `!(r == NAME)` flips once more below through `sense`.
          named = { value, eq: (x.op === '==') === (sense === 'truthy') };
          x = stripCond(nr ? x.left : x.right);
          sense = 'truthy';
          continue;
        }
        if (zero(x.right)) {
          if (x.op === '==') sense = sense === 'truthy' ? 'falsy' : 'truthy';
          x = stripCond(x.left);
          continue;
        }
        if (zero(x.left)) {
          if (x.op === '==') sense = sense === 'truthy' ? 'falsy' : 'truthy';
          x = stripCond(x.right);
          continue;
        }
      }
      if (x.k === 'binary' && x.op === '<' && x.right.k === 'num' && x.right.text === '0') {
        sense = 'neg';
        x = stripCond(x.left);
        continue;
      }
      if (x.k === 'binary' && x.op === '>=' && x.right.k === 'num' && x.right.text === '0') {
        sense = 'nonneg';
        x = stripCond(x.left);
        continue;
      }
      if (x.k === 'unary' && x.op === '!') {
        sense = sense === 'truthy' ? 'falsy' : sense === 'falsy' ? 'truthy' : sense;
        x = stripCond(x.arg);
        continue;
      }
      break;
    }
    let testedCall: CallExpr | null = null;
    let assignVar: string | null = null;
    let testedVar: string | null = null;
    if (x.k === 'call') testedCall = x;
    else if (x.k === 'assign' && x.op === '=' && x.left.k === 'id') {
      assignVar = x.left.name;
      const r = stripCond(x.right);
      if (r.k === 'call') testedCall = r;
    } else if (x.k === 'id') testedVar = x.name;

    const calls: CallExpr[] = [];
    callsInOrder(atom, calls);
    let eff: Pending | null = null;
    for (const c of calls) {
      if (c === testedCall) {
        eff = this.call(c, st, { k: 'test' });
      } else {
        const e2 = this.call(c, st, { k: 'plain' });
        if (e2) this.applyTry(e2, st, { k: 'plain' }, c.line || node.line);
      }
    }
    if (assignVar) {
      st.pending.delete(assignVar);
      st.taint.delete(assignVar);
    }
    const t = st;
    const f = cloneSt(st);
    // Which edge means "acquired"? success zero: value == 0; nonzero: value != 0.
    const outcome = (p: Pending): { t: boolean | null; f: boolean | null } => {
      if (named) {
        if (!p.successValue) return { t: null, f: null };
        // Equal to the success value: acquired; equal to another named value: not acquired.
        const hit = named.value === p.successValue;
        const onEq = hit ? true : false;
        const onNe = hit ? false : null;
        return named.eq ? { t: onEq, f: onNe } : { t: onNe, f: onEq };
      }
      if (p.successValue) return { t: null, f: null };
      const nz = p.success === 'nonzero';
      switch (sense) {
        case 'truthy':
          return { t: nz, f: !nz };
        case 'falsy':
          return { t: !nz, f: nz };
        case 'neg':
          return nz ? { t: null, f: null } : { t: false, f: true };
        case 'nonneg':
          return nz ? { t: null, f: null } : { t: true, f: false };
      }
    };
    if (eff) {
      const o = outcome(eff);
      this.acquireTry(eff, t, node.line, o.t === true ? 'must' : o.t === null ? 'may' : 'none');
      this.acquireTry(eff, f, node.line, o.f === true ? 'must' : o.f === null ? 'may' : 'none');
      if (assignVar) {
        t.pending.set(assignVar, eff);
        f.pending.set(assignVar, eff);
      }
    } else if (testedVar && st.pending.has(testedVar)) {
      const p = st.pending.get(testedVar)!;
      const o = outcome(p);
      const settle = (s: St, acquired: boolean | null): void => {
        for (const l of p.locks) {
          const h = s.held.get(l.ref.id);
          if (acquired === true && h) s.held.set(l.ref.id, { ...h, must: true });
          if (acquired === false) {
            s.held.delete(l.ref.id);
            s.failed.add(l.ref.id);
          }
        }
      };
      settle(t, o.t);
      settle(f, o.f);
    }
    if (testedVar && (sense === 'truthy' || sense === 'falsy') && this.fn.vars.has(testedVar)) {
      const vT = sense === 'truthy';
      const edge = (s: St, v: boolean): void => {
        s.facts.set(testedVar!, v);
        for (const [k, h] of s.held) {
          if (h.must || !h.facts) continue;
          if (testedVar! in h.facts && h.facts[testedVar!] !== v) s.held.delete(k);
          else if (h.condMust && Object.keys(h.facts).every((f) => s.facts.get(f) === h.facts![f])) s.held.set(k, { ...h, must: true });
        }
      };
      edge(t, vT);
      edge(f, !vT);
    }
    return [t, f];
  }

  private acquireTry(p: Pending, st: St, line: number, how: 'must' | 'may' | 'none'): void {
    if (how === 'none') {
      for (const l of p.locks) if (!st.held.has(l.ref.id)) st.failed.add(l.ref.id);
      return;
    }
    for (const l of p.locks) this.acquireOne(l, st, line, p.chain, { try: !p.blocks, cond: true, must: how === 'must', record: true });
  }

  private applyTry(p: Pending, st: St, mode: Mode, line: number): void {
    switch (mode.k) {
      case 'assign':
        st.pending.set(mode.v, p);
        this.acquireTry(p, st, line, 'must');
        return;
      case 'return':
        this.noteTryRet(p);
        this.acquireTry(p, st, line, 'must');
        return;
      default:
        this.acquireTry(p, st, line, 'may');
    }
  }

  private noteTryRet(p: Pending): void {
    if (!this.recording) return;
    const s = this.res.summary;
    if (s.tryRet) return;
    s.tryRet = {
      locks: p.locks.map((l) => ({ lock: l.ref.id, ...(l.ref.param !== undefined ? { param: l.ref.param } : {}), shared: l.shared, type: l.type, atomic: l.atomic })),
      success: p.success,
      ...(p.successValue ? { successValue: p.successValue } : {}),
      chain: p.chain,
      ...(p.blocks ? { blocks: true } : {}),
    };
  }

  // --- guards ------------------------------------------------------------------------------------
  private guard(node: CfgNode, st: St): St[] {
    const g = this.env.cat.guards.get(node.guard!.cls);
    if (!g) return node.succ.map((_, i) => (i === 0 ? st : cloneSt(st)));
    const locks = this.primLocks(g.prim, node.guard!.args, node.line);
    const chain = [this.step(node.line, `${node.guard!.text || `guard(${g.cls})`}`)];
    const site = (): void => {
      if (this.recording) this.site(node.line, node.guard!.col, 'guard', locks.map((l) => l.ref.id), node.guard!.text, st, true);
    };
    if (g.conditional) {
      const f = cloneSt(st);
      for (const l of locks) this.acquireOne(l, st, node.line, chain, { try: true, must: true, record: true });
      site();
      return [st, f];
    }
    if (g.prim.sleeps) this.sleepCheck(st, node.line, chain);
    if (g.prim.op === 'rcu_read_lock') {
      for (const l of locks) st.held.set(l.ref.id, { must: true, shared: true, try: false, nested: false, assert: false, atomic: l.atomic, rcu: l.rcu, type: l.type, chain, text: l.text, count: 1 });
    } else for (const l of locks) this.acquireOne(l, st, node.line, chain, { try: false, must: true, record: true });
    site();
    return [st];
  }

  // --- calls -------------------------------------------------------------------------------------
  /** Applies a call's effect. Returns a pending effect for trylock-like calls (caller decides). */
  private call(c: CallExpr, st: St, mode: Mode): Pending | null {
    const name = calleeName(c);
    const line = c.line || this.curNode?.line || 0;
    if (name) {
      const prim = this.env.cat.prims.get(name);
      if (prim) {
        this.boundary(name, c, st, line);
        return this.prim(prim, c, st, line, mode);
      }
      const f = this.env.prog.resolveCall(name, this.fn.file);
      this.boundary(name, c, st, line);
      if (f) return this.callFn([f], c, st, line, false);
      if (ATOMIC_PSEUDO[name]) return null;
      return null;
    }
    const targets = this.env.indirectTargets(c.callee, this.fn);
    if (this.recording) {
      if (targets.length) this.res.resolvedIndirect++;
      else this.res.unresolvedIndirect++;
    }
    if (targets.length) return this.callFn(targets, c, st, line, true);
    return null;
  }

  /** User/kernel boundary: ioctl or netlink request the kernel serialises on RTNL. */
  private boundary(name: string, c: CallExpr, st: St, line: number): void {
    const cat = this.env.cat;
    let what: string | null = null;
    if (cat.ioctlFunctions.has(name)) {
      const ids = new Set<string>();
      c.args.forEach((a) => collectIds(a, ids));
      what = [...ids].filter((i) => cat.rtnlIoctls.has(i)).sort(cmpStr)[0] ?? null;
    } else if (cat.netlinkTransact.has(name) && this.buildsRtnlMsg) what = this.buildsRtnlMsg;
    if (!what) return;
    const ref = globalRef(this.env.prog, 'rtnl_mutex', this.fn.file);
    this.env.noteClass({ ...ref, declType: 'mutex' });
    const chain = [this.step(line, `${name}(): kernel takes RTNL for ${what}`)];
    const l: LockAcq = { ref, shared: false, nested: false, atomic: false, rcu: false, type: 'mutex', text: 'rtnl_mutex' };
    if (this.recording) this.site(line, c.col, 'acquire', [ref.id], c.text, st, false, `kernel takes RTNL for ${what}`);
    this.acquireOne(l, st, line, chain, { try: false, must: true, record: true, transient: true });
    st.held.delete(ref.id);
  }

  private readonly lockCache = new Map<Expr[], Map<string, LockAcq[]>>();

  /** Lock classes a primitive call names; memoised per argument list (fixpoint revisits). */
  private primLocks(p: PrimDef, args: Expr[], line: number): LockAcq[] {
    let m = this.lockCache.get(args);
    if (!m) this.lockCache.set(args, (m = new Map()));
    let r = m.get(p.name);
    if (!r) m.set(p.name, (r = this.primLocksUncached(p, args, line)));
    return r;
  }

  private primLocksUncached(p: PrimDef, args: Expr[], line: number): LockAcq[] {
    const mk = (ref: LockRef, text: string): LockAcq => {
      const type = p.lockType && p.lockType !== 'unknown' ? p.lockType : ref.declType;
      const r: LockRef = { ...ref, declType: type };
      this.env.noteClass(r);
      // Atomicity comes from the primitive: kernel spinlock_t/rwlock_t disable preemption, while
      // OVS ovs_rwlock/ovs_spin are pthread locks in a preemptible userspace thread.
      return { ref: r, shared: !!p.shared, nested: !!p.nested, atomic: !!p.atomic, rcu: false, type, text };
    };
    void line;
    if (p.perNet) {
      const out = [mk(PER_NET_RTNL, 'rtnl_mutex[net]')];
      if (p.alsoGlobalRtnl && this.env.perNetRtnlAlsoGlobal) out.unshift(mk(globalRef(this.env.prog, 'rtnl_mutex', this.fn.file), 'rtnl_mutex'));
      return out;
    }
    if (p.rcu && (p.op === 'rcu_read_lock' || p.op === 'rcu_read_unlock')) {
      let ref: LockRef;
      if (p.rcu === 'srcu') {
        const a = args[0] ? resolveLock(this.env.prog, args[0], this.fn) : null;
        ref = rcuRef('srcu', a ? a.id : '?');
      } else ref = rcuRef(p.rcu);
      this.env.noteClass(ref);
      return [{ ref, shared: true, nested: false, atomic: p.rcu !== 'srcu', rcu: p.rcu !== 'srcu', type: ref.declType, text: ref.id }];
    }
    if (p.fixed) return [mk(globalRef(this.env.prog, p.fixed, this.fn.file), p.fixed)];
    if (p.lockArg) {
      const a = args[p.lockArg - 1];
      if (!a) return [];
      let e: Expr = a;
      if (p.lockField) e = { k: 'field', base: stripAddr(a), field: p.lockField, arrow: true };
      return [mk(resolveLock(this.env.prog, e, this.fn), exprText(stripAddr(e)).replace(/\s+/g, ''))];
    }
    return [];
  }

  private prim(p: PrimDef, c: CallExpr, st: St, line: number, mode: Mode): Pending | null {
    const rec = this.recording;
    const text = c.text || exprText(c);
    switch (p.op) {
      case 'acquire': {
        const locks = this.primLocks(p, c.args, line);
        const chain = [this.step(line, `${p.name}(${locks.map((l) => l.text).join(', ')})`)];
        if (p.sleeps) this.sleepCheck(st, line, chain);
        for (const l of locks) this.acquireOne(l, st, line, chain, { try: false, must: true, record: true });
        if (rec) this.site(line, c.col, 'acquire', locks.map((l) => l.ref.id), text, st, true);
        return null;
      }
      case 'trylock':
      case 'cond_acquire': {
        const locks = this.primLocks(p, c.args, line);
        const chain = [this.step(line, `${p.name}(${locks.map((l) => l.text).join(', ')})`)];
        if (p.sleeps) this.sleepCheck(st, line, chain);
        if (rec) this.site(line, c.col, 'trylock', locks.map((l) => l.ref.id), text, st, false);
        void mode;
        return { locks, success: p.success ?? 'nonzero', chain, blocks: p.op === 'cond_acquire' };
      }
      case 'release': {
        const locks = this.primLocks(p, c.args, line);
        this.releaseLocks(locks, st, line, text, p, c.col);
        return null;
      }
      case 'assert': {
        const locks = this.primLocks(p, c.args, line);
        for (const l of locks) {
          if (!st.held.has(l.ref.id)) {
            if (rec && !st.dropped.has(l.ref.id)) {
              const s = this.res.summary;
              if (!s.requires.has(l.ref.id)) s.requires.set(l.ref.id, { lock: l.ref.id, ...(l.ref.param !== undefined ? { param: l.ref.param } : {}), shared: false, source: 'assert' });
            }
            st.held.set(l.ref.id, { must: true, shared: false, try: false, nested: false, assert: true, atomic: l.atomic, rcu: false, type: l.type, chain: [this.step(line, `${p.name}(): held on entry (asserted)`)], text: l.text, count: 1, ...(l.ref.param !== undefined ? { param: l.ref.param } : {}) });
          }
        }
        if (rec) this.site(line, c.col, 'assert', locks.map((l) => l.ref.id), text, st, true);
        return null;
      }
      case 'rcu_read_lock': {
        const locks = this.primLocks(p, c.args, line);
        const chain = [this.step(line, `${p.name}()`)];
        for (const l of locks) {
          const h = st.held.get(l.ref.id);
          // RCU read sides nest; keep the outermost.
          if (h) st.held.set(l.ref.id, { ...h, must: true });
          else st.held.set(l.ref.id, { must: true, shared: true, try: false, nested: false, assert: false, atomic: l.atomic, rcu: l.rcu, type: l.type, chain, text: l.text, count: 1 });
          if (rec) this.res.acqSites.push({ lock: l.ref.id, type: l.type, kind: 'rcu' });
        }
        if (rec) this.site(line, c.col, 'rcu-read-lock', locks.map((l) => l.ref.id), text, st, true);
        return null;
      }
      case 'rcu_read_unlock': {
        const locks = this.primLocks(p, c.args, line);
        for (const l of locks) st.held.delete(l.ref.id);
        if (rec) this.site(line, c.col, 'rcu-read-unlock', locks.map((l) => l.ref.id), text, st, false);
        return null;
      }
      case 'rcu_deref': {
        if (rec) {
          this.site(line, c.col, 'rcu-deref', [], text, st, false);
          if (p.deref && p.deref !== 'raw' && p.rcu !== 'ovsrcu') {
            this.res.derefs.push({ line, text, prim: p.name, mode: p.deref, condLocks: this.condLocks(p, c), rcuFlavour: p.rcu ?? 'rcu', snap: snap(st) });
          }
        }
        return null;
      }
      case 'rcu_publish': {
        if (rec) this.site(line, c.col, 'rcu-publish', [], text, st, false);
        const v = p.valueArg ? c.args[p.valueArg - 1] : undefined;
        let vs = v ? stripAddr(v) : null;
        // Unlinking `&e->node` makes `e` itself the object readers may still see.
        while (vs && p.note === 'unlink' && (vs.k === 'field' || vs.k === 'index')) vs = stripAddr(vs.base);
        if (vs && vs.k === 'id') st.taint.set(vs.name, this.step(line, `published by ${p.name}(${exprText(c.args[(p.ptrArg ?? 1) - 1])}, ${vs.name})`));
        return null;
      }
      case 'rcu_free': {
        if (rec) this.site(line, c.col, 'rcu-free', [], text, st, false);
        if (p.sleeps) this.sleepCheck(st, line, [this.step(line, `${p.name}()`)]);
        return null;
      }
      case 'grace_period': {
        if (rec) this.site(line, c.col, 'grace-period', [], text, st, false);
        const chain = [this.step(line, `${p.name}()`)];
        this.sleepCheck(st, line, chain);
        this.waitCheck(st, line, { kind: p.wait ?? 'rcu', handle: null, chain, ...(p.note === 'expedited-under-rtnl' ? { expeditedUnderRtnl: true } : {}) });
        st.taint.clear();
        return null;
      }
      case 'free': {
        const a = p.ptrArg ? c.args[p.ptrArg - 1] : undefined;
        if (a && rec) {
          const x = stripAddr(a);
          const w = x.k === 'id' ? st.taint.get(x.name) : this.rcuProvenance(x, line);
          if (w) this.res.frees.push({ line, text, chain: [w, this.step(line, `${p.name}(${exprText(x)}) without a grace period`)] });
        }
        return null;
      }
      case 'sleep': {
        let sleeps = !!p.sleeps;
        if (p.gfp) {
          const ids = new Set<string>();
          c.args.forEach((a) => collectIds(a, ids));
          sleeps = [...ids].some((i) => this.env.cat.sleepingGfp.has(i));
        }
        if (sleeps) this.sleepCheck(st, line, [this.step(line, `${p.name}() may sleep`)]);
        return null;
      }
      case 'wait': {
        const chain = [this.step(line, `${p.name}() blocks`)];
        const h = p.handleArg ? c.args[p.handleArg - 1] : undefined;
        const handle = h ? resolveLock(this.env.prog, h, this.fn).id : null;
        this.sleepCheck(st, line, chain);
        this.waitCheck(st, line, { kind: p.wait ?? 'latch', handle, chain });
        return null;
      }
      case 'atomic_enter':
      case 'atomic_exit': {
        const id = ATOMIC_PSEUDO[p.name] ?? '#atomic';
        if (p.op === 'atomic_enter') st.held.set(id, { must: true, shared: false, try: false, nested: false, assert: false, atomic: true, rcu: false, type: 'unknown', chain: [this.step(line, `${p.name}()`)], text: id, count: 1 });
        else st.held.delete(id);
        return null;
      }
      case 'bind':
        return null;
    }
    return null;
  }

  /**
   * `list_for_each_entry_rcu(pos, head, member[, cond])` & co dereference RCU pointers: a reader
   * without the optional 4th argument, a checked dereference with it.
   */
  private rcuIterator(node: CfgNode, st: St): void {
    const m = node.macro!;
    if (!/^(h?list_for_each_entry_rcu|hlist_for_each_entry_rcu_bh|list_for_each_entry_srcu|hlist_for_each_entry_srcu|hlist_nulls_for_each_entry_rcu)$/.test(m)) return;
    const e = node.expr!;
    const args = e.k === 'comma' ? e.exprs : [e];
    const srcu = /srcu/.test(m);
    const flavour = srcu ? 'srcu' : /_bh$/.test(m) ? 'rcu_bh' : 'rcu';
    const condArg = args[3];
    const text = `${m}(${args.map(exprText).join(', ')})`;
    const fake: PrimDef = { name: m, op: 'rcu_deref', rcu: flavour, deref: condArg ? 'check' : 'reader', ...(condArg ? { condArg: 4 } : {}) };
    const call: CallExpr = { k: 'call', callee: { k: 'id', name: m, line: node.line, col: 0 }, args, line: node.line, col: 0, endLine: node.line, text };
    this.res.derefs.push({ line: node.line, text, prim: m, mode: condArg ? 'check' : 'reader', condLocks: condArg ? this.condLocks(fake, call) : [], rcuFlavour: flavour, snap: snap(st) });
  }

  /** Locks a deref condition names; null when the condition cannot be interpreted. */
  private condLocks(p: PrimDef, c: CallExpr): string[] | null {
    if (p.condLock) return [globalRef(this.env.prog, p.condLock, this.fn.file).id];
    if (!p.condArg) return [];
    const cond = c.args[p.condArg - 1];
    if (!cond) return [];
    const out: string[] = [];
    let unknown = false;
    const visit = (e: Expr): void => {
      const x = stripCond(e);
      if (x.k === 'binary' && (x.op === '||' || x.op === '&&')) {
        visit(x.left);
        visit(x.right);
        return;
      }
      if (x.k === 'call') {
        const n = calleeName(x) ?? '';
        if (/^lockdep_is_held(_type)?$/.test(n) && x.args[0]) {
          out.push(resolveLock(this.env.prog, x.args[0], this.fn).id);
          return;
        }
        if (COND_LOCK_FNS[n]) {
          out.push(globalRef(this.env.prog, COND_LOCK_FNS[n]!, this.fn.file).id);
          return;
        }
        if (/^(rcu_read_lock_held|rcu_read_lock_bh_held|rcu_read_lock_sched_held|rcu_read_lock_any_held)$/.test(n)) {
          out.push('rcu');
          return;
        }
      }
      unknown = true;
    };
    visit(cond);
    return unknown && out.length === 0 ? null : out;
  }

  private callFn(targets: FnInfo[], c: CallExpr, st: St, line: number, indirect: boolean): Pending | null {
    const rec = this.recording;
    const single = targets.length === 1 ? targets[0]! : null;
    const calleeLabel = indirect ? `${exprText(c.callee)} → ${targets.map((t) => t.ir.name).join('|')}` : targets[0]!.ir.name;
    const callStep = (note: string): WitnessStep => this.step(line, note);
    // Ops-table calls name the implementation the witness goes through
    // ("via netdev_class.construct = netdev_bsd_construct_tap").
    const opsSlot = indirect ? this.opsSlot(c.callee) : null;
    const callNote = (t: FnInfo): string => (opsSlot ? `calls ${t.ir.name}() via ${opsSlot} = ${t.ir.name}` : `calls ${t.ir.name}()`);
    const subst = (lock: string, param: number | undefined): string => {
      if (param === undefined) return lock;
      const a = c.args[param];
      if (!a) return lock;
      const r = resolveLock(this.env.prog, a, this.fn);
      this.env.noteClass(r);
      return r.id;
    };
    const s0 = rec ? snap(st) : null;
    const requires: { lock: string; calleeName: string; source: string }[] = [];
    const excluded: { lock: string; calleeName: string }[] = [];
    let tryEff: Pending | null = null;
    const callHolding: string[] = [];
    for (const t of targets) {
      const s = this.env.summaryOf(t.key);
      if (!s) continue;
      const viaStep = callStep(callNote(t));
      // Lock-order edges and recursion through the callee's (transitive) acquisitions.
      for (const a of s.acquires.values()) {
        const b = subst(a.lock, a.param);
        const chain = joinChains([viaStep], a.chain);
        // A callee that requires b and takes it again reports the recursion itself; one annotated
        // OVS_EXCLUDED(b) is reported as requires-violation at this call.
        // The callee's per-run acquisition of the same lock may come through another path.
        const pr = s.perRun ? (s.perRun.get(a.lock) ?? null) : a;
        const perRun = pr === a ? undefined : pr ? { info: pr, chain: joinChains([viaStep], pr.chain) } : null;
        this.noteAcquire(st, b, a, chain, line, a.dropped.map((d) => d), undefined, s.requires.has(a.lock) || s.excluded.has(a.lock), perRun);
      }
      if (s.sleep) this.sleepCheck(st, line, joinChains([viaStep], s.sleep));
      for (const w of s.waits) this.waitCheck(st, line, { ...w, chain: joinChains([viaStep], w.chain) });
      for (const [, r] of s.requires) requires.push({ lock: subst(r.lock, r.param), calleeName: t.ir.name, source: r.source });
      for (const [, x] of s.excluded) excluded.push({ lock: subst(x.lock, x.param), calleeName: t.ir.name });
      if (single) {
        for (const r of s.releases.values()) {
          const id = subst(r.lock, r.param);
          callHolding.push(id);
          if (st.held.has(id)) {
            st.held.delete(id);
            st.released.add(id);
          } else if (!isPseudo(id)) st.dropped.set(id, r.must ? (st.dropped.get(id) ?? true) : false);
        }
        if (s.tryRet) {
          const locks: LockAcq[] = s.tryRet.locks.map((l) => {
            const id = subst(l.lock, l.param);
            return { ref: { id, kind: 'other', name: id, struct: null, declType: l.type }, shared: l.shared, nested: false, atomic: !!l.atomic, rcu: false, type: l.type, text: id };
          });
          tryEff = { locks, success: s.tryRet.success, ...(s.tryRet.successValue ? { successValue: s.tryRet.successValue } : {}), chain: joinChains([callStep(`calls ${t.ir.name}() (trylock)`)], s.tryRet.chain), blocks: !!s.tryRet.blocks };
          callHolding.push(...locks.map((l) => l.ref.id));
        }
        for (const h of s.returnsHolding.values()) {
          const id = subst(h.lock, h.param);
          callHolding.push(id);
          const chain = joinChains([callStep(`calls ${t.ir.name}(), returns holding ${id}`)], h.chain);
          const prev = st.held.get(id);
          if (!prev) {
            st.held.set(id, { must: h.must, shared: h.shared, try: !h.must, nested: false, assert: false, atomic: !!h.atomic, rcu: h.type === 'rcu', type: h.type, chain, text: id, count: 1 });
            st.released.delete(id);
            st.dropped.delete(id);
          } else if (h.must) st.held.set(id, { ...prev, must: true });
        }
      }
    }
    if (rec) {
      this.res.calls.push({ callee: targets.map((t) => t.key), line, col: c.col, text: calleeLabel, indirect, snap: s0!, loop: (this.curNode?.loop ?? 0) > 0, requires, excluded });
      if (callHolding.length) this.site(line, c.col, 'call-holding', [...new Set(callHolding)].sort(cmpStr), c.text || exprText(c), st, true);
    }
    return tryEff;
  }

  // --- lock state changes --------------------------------------------------------------------------
  private acquireOne(l: LockAcq, st: St, line: number, chain: WitnessStep[], o: { try: boolean; cond?: boolean; must: boolean; record: boolean; transient?: boolean }): void {
    const info: AcqInfo = {
      lock: l.ref.id,
      ...(l.ref.param !== undefined ? { param: l.ref.param } : {}),
      chain,
      try: o.try,
      shared: l.shared,
      nested: l.nested,
      type: l.type,
      dropped: [],
    };
    if (this.recording && !isPseudo(l.ref.id)) this.res.acqSites.push({ lock: l.ref.id, type: l.type, kind: 'acquire' });
    if (this.recording && !o.transient && !isPseudo(l.ref.id)) {
      this.res.acqEvents.push({ line, lock: l.ref.id, chain, before: snap(st), try: o.try, nested: l.nested, shared: l.shared });
    }
    this.noteAcquire(st, l.ref.id, info, chain, line, [], l.text);
    if (o.transient) return;
    const prev = st.held.get(l.ref.id);
    st.held.set(l.ref.id, {
      must: o.must || (prev?.must ?? false),
      shared: l.shared,
      try: o.try || !!o.cond,
      nested: l.nested,
      assert: false,
      atomic: l.atomic,
      rcu: l.rcu,
      type: l.type,
      chain: prev && prev.must ? prev.chain : chain,
      text: prev ? prev.text : l.text,
      count: prev && !prev.assert ? Math.min(2, prev.count + 1) : 1,
      facts: prev ? prev.facts : st.facts.size ? Object.fromEntries(st.facts) : undefined,
      condMust: prev ? prev.condMust || o.must : o.must,
      ...(l.ref.param !== undefined ? { param: l.ref.param } : {}),
    });
    st.released.delete(l.ref.id);
    st.dropped.delete(l.ref.id);
    st.failed.delete(l.ref.id);
  }

  /**
   * Records everything an acquisition of `b` implies at this point: lock-order edges from every
   * held lock, a recursive-acquire event, the function's transitive-acquire summary entry.
   */
  private noteAcquire(st: St, b: string, a: AcqInfo, chain: WitnessStep[], line: number, calleeDropped: string[], text?: string, skipRecursive = false, calleePerRun?: { info: AcqInfo; chain: WitnessStep[] } | null): void {
    if (!this.recording || isPseudo(b)) return;
    const res = this.res;
    for (const [h, he] of st.held) {
      if (isPseudo(h) || he.rcu) continue;
      if (calleeDropped.includes(h)) continue;
      if (h === b) {
        if (skipRecursive) continue;
        if (a.nested || he.nested) continue;
        if (a.shared && he.shared) continue;
        if (he.assert || he.try || a.try) continue;
        res.recursive.push({ line, lock: b, chain, snap: snap(st), sameExpr: text !== undefined && text === he.text, must: he.must, heldChain: he.chain });
        continue;
      }
      res.edges.push({ from: h, to: b, chain: joinChains(he.chain, chain), try: a.try, reachLine: chain[0]?.line ?? line, readRead: he.shared && a.shared });
    }
    const dropped = new Set<string>(st.dropped.keys());
    for (const d of calleeDropped) if (!st.held.has(d)) dropped.add(d);
    const entry: AcqInfo = { ...a, chain, dropped: [...dropped].sort(cmpStr) };
    const prev = res.summary.acquires.get(b);
    // Keep the acquisition reached from the earliest statement of this function (where rules
    // report), then the shortest chain; a blocking acquisition beats a trylock.
    const earlier = (): boolean => {
      const d = (chain[0]?.line ?? 0) - (prev!.chain[0]?.line ?? 0);
      return d < 0 || (d === 0 && cmpChain(chain, prev!.chain) < 0);
    };
    if (!prev || (prev.try && !a.try) || (prev.try === a.try && earlier())) {
      res.summary.acquires.set(b, prev && prev.try === false && entry.try ? { ...entry, try: false } : entry);
    }
    // Same choice among the acquisitions paid on every run (not in once-only code).
    const perRun = res.summary.perRun;
    if (perRun && calleePerRun !== null && !inRanges(this.onceRanges, line)) {
      const ra = calleePerRun ? calleePerRun.info : a;
      const rchain = calleePerRun ? calleePerRun.chain : chain;
      const rentry: AcqInfo = calleePerRun ? { ...ra, chain: rchain, dropped: entry.dropped } : entry;
      const pr = perRun.get(b);
      const earlierPr = (): boolean => {
        const d = (rchain[0]?.line ?? 0) - (pr!.chain[0]?.line ?? 0);
        return d < 0 || (d === 0 && cmpChain(rchain, pr!.chain) < 0);
      };
      if (!pr || (pr.try && !ra.try) || (pr.try === ra.try && earlierPr())) perRun.set(b, pr && pr.try === false && rentry.try ? { ...rentry, try: false } : rentry);
    }
    if ((this.curNode?.loop ?? 0) > 0 && (b === 'rtnl_mutex' || b.startsWith('rtnl_mutex'))) res.rtnlInLoop.push({ line, chain });
  }

  private releaseLocks(locks: LockAcq[], st: St, line: number, text: string, p: PrimDef, col = 0): void {
    for (const l of locks) {
      const id = l.ref.id;
      const h = st.held.get(id);
      if (h && h.count > 1) {
        st.held.set(id, { ...h, count: h.count - 1 });
      } else if (h) {
        if (this.recording && !h.must && !h.try && !h.assert) {
          // Held on some paths only: decided with the entry context by lock-imbalance.
          this.res.partialUnlock.push({ line, lock: id, chain: [...h.chain, this.step(line, `${p.name}(${l.text}) where ${id} is held on some paths only`)], snap: snap(st), sameExpr: true, must: false, heldChain: h.chain });
        }
        st.held.delete(id);
        st.released.add(id);
      } else if (st.failed.has(id)) {
        if (this.recording) this.res.badUnlock.push({ line, lock: id, chain: [this.step(line, `${p.name}(${l.text}) after its acquisition failed`)], snap: snap(st), sameExpr: true, must: true, heldChain: [] });
      } else if (st.released.has(id)) {
        if (this.recording) this.res.doubleUnlock.push({ line, lock: id, chain: [this.step(line, `${p.name}(${l.text}) of a lock already released`)], snap: snap(st), sameExpr: true, must: true, heldChain: [] });
      } else {
        st.dropped.set(id, st.dropped.get(id) ?? true);
      }
    }
    if (this.recording) this.site(line, col, 'release', locks.map((l) => l.ref.id), text, st, false);
  }

  private sleepCheck(st: St, line: number, chain: WitnessStep[]): void {
    if (!this.recording) return;
    if (!this.res.summary.sleep || cmpChain(chain, this.res.summary.sleep) < 0) this.res.summary.sleep = chain;
    const atomic: { lock: string; rcu: boolean; chain: WitnessStep[] }[] = [];
    for (const [k, h] of st.held) {
      if (h.atomic || isPseudo(k)) atomic.push({ lock: k, rcu: h.rcu, chain: h.chain });
    }
    this.res.sleeps.push({ line, chain, atomic, snap: snap(st) });
  }

  private waitCheck(st: St, line: number, w: WaitInfo): void {
    if (!this.recording) return;
    const s = this.res.summary;
    if (s.waits.length < 4 && !s.waits.some((x) => x.kind === w.kind && x.handle === w.handle)) s.waits.push(w);
    const heldChains = new Map<string, WitnessStep[]>();
    for (const [k, h] of st.held) if (!isPseudo(k) && !h.rcu) heldChains.set(k, h.chain);
    this.res.waits.push({ line, wait: w, snap: snap(st), heldChains });
  }

  private site(line: number, col: number, op: SiteOp, locks: string[], text: string, st: St, after: boolean, note?: string): void {
    void after;
    this.res.sites.push({ line, col, op, locks: [...new Set(locks.filter((l) => !isPseudo(l)))], text: (note ? `${text.trim()} /* ${note} */` : text.trim()).slice(0, 200), snap: snap(st) });
  }

  // --- summary ---------------------------------------------------------------------------------------
  private finishSummary(exit: St | null): void {
    const s = this.res.summary;
    const ann = this.env.noAnnotations ? [] : this.fn.annotations;
    if (exit) {
      for (const [k, h] of exit.held) {
        if (isPseudo(k) || h.assert) continue;
        if (s.tryRet && s.tryRet.locks.some((l) => l.lock === k)) continue;
        s.returnsHolding.set(k, { lock: k, ...(h.param !== undefined ? { param: h.param } : {}), must: h.must, chain: h.chain, shared: h.shared, type: h.type, atomic: h.atomic });
      }
      for (const [k, m] of exit.dropped) {
        if (isPseudo(k)) continue;
        s.releases.set(k, { lock: k, ...(this.paramOf(k) !== undefined ? { param: this.paramOf(k)! } : {}), must: m });
      }
    }
    if (!s.tryRet) this.inferTryShape();
    const resolveAnn = (t: string): LockRef => {
      const r = resolveLock(this.env.prog, parseLockText(t), this.fn);
      this.env.noteClass(r);
      return r;
    };
    for (const a of ann) {
      const refs = (a.locks ?? []).map(resolveAnn);
      const p = (r: LockRef): { param?: number } => (r.param !== undefined ? { param: r.param } : {});
      switch (a.kind) {
        case 'requires':
        case 'requires_shared':
          for (const r of refs) s.requires.set(r.id, { lock: r.id, ...p(r), shared: a.kind === 'requires_shared', source: 'annotation' });
          break;
        case 'excluded':
          for (const r of refs) s.excluded.set(r.id, { lock: r.id, ...p(r) });
          break;
        case 'acquires':
        case 'acquires_shared':
          for (const r of refs) {
            const prev = s.returnsHolding.get(r.id);
            s.returnsHolding.set(r.id, { lock: r.id, ...p(r), must: true, chain: prev?.chain ?? [this.step(this.fn.ir.line, `${this.fn.ir.name}() ${a.macro}(${r.name})`)], shared: a.kind === 'acquires_shared', type: r.declType });
          }
          break;
        case 'releases':
          for (const r of refs) {
            s.releases.set(r.id, { lock: r.id, ...p(r), must: true });
            s.returnsHolding.delete(r.id);
          }
          break;
        case 'try': {
          const ret = (a.ret ?? 'true').trim();
          const success: 'zero' | 'nonzero' = /^(0|false|0u|0U)$/.test(ret) ? 'zero' : 'nonzero';
          // An identifier other than true/false (an enum value) names the success result.
          const successValue = /^[A-Za-z_]\w*$/.test(ret) && !/^(true|false|nonzero|zero|NULL)$/.test(ret) ? ret : null;
          s.tryRet = {
            locks: refs.map((r) => ({ lock: r.id, ...p(r), shared: false, type: r.declType })),
            success,
            ...(successValue ? { successValue } : {}),
            chain: [this.step(this.fn.ir.line, `${this.fn.ir.name}() ${a.macro}(${ret}, ${refs.map((r) => r.name).join(', ')})`)],
          };
          for (const r of refs) s.returnsHolding.delete(r.id);
          break;
        }
        case 'no_analysis':
          s.noAnalysis = true;
          break;
      }
    }
  }

  /**
   * Unannotated trylock-shaped function: every exit returns a true/false constant that matches
   * whether L is held there (`ovsthread_once_start__`). Callers then branch on it like a trylock.
   */
  private inferTryShape(): void {
    const s = this.res.summary;
    const exits = this.res.exits;
    if (exits.length < 2) return;
    const locks: string[] = [];
    let success: boolean | null = null;
    const all = new Set<string>();
    for (const e of exits) for (const l of e.snap.may) all.add(l);
    for (const l of [...all].sort(cmpStr)) {
      let ok = true;
      let pol: boolean | null = null;
      for (const e of exits) {
        const held = e.snap.must.includes(l);
        if (!held && e.snap.may.includes(l)) ok = false;
        if (e.retConst === null) ok = false;
        if (!ok) break;
        const p = held === e.retConst;
        if (pol === null) pol = p;
        else if (pol !== p) ok = false;
      }
      const heldSomewhere = exits.some((e) => e.snap.must.includes(l));
      const freeSomewhere = exits.some((e) => !e.snap.may.includes(l));
      if (!ok || !heldSomewhere || !freeSomewhere) continue;
      if (success !== null && success !== pol) continue;
      success = pol;
      locks.push(l);
    }
    if (!locks.length || success === null) return;
    const hold = locks.map((l) => s.returnsHolding.get(l));
    s.tryRet = {
      locks: locks.map((l, i) => ({ lock: l, ...(this.paramOf(l) !== undefined ? { param: this.paramOf(l)! } : {}), shared: hold[i]?.shared ?? false, type: hold[i]?.type ?? 'unknown', atomic: hold[i]?.atomic ?? false })),
      success: success ? 'nonzero' : 'zero',
      chain: hold[0]?.chain ?? [this.step(this.fn.ir.line, `${this.fn.ir.name}() returns whether it took ${locks.join(', ')}`)],
    };
    for (const l of locks) s.returnsHolding.delete(l);
  }

  private paramOf(id: string): number | undefined {
    const m = /^\?([A-Za-z_]\w*)@/.exec(id);
    return m ? this.fn.paramIndex.get(m[1]!) : undefined;
  }
}


/** Binary min-heap of small integers (worklists). */
export class MinHeap {
  private readonly a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  push(x: number): void {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= x) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r]! < a[l]! ? r : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
