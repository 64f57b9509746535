/**
 * The local pass: flow-sensitive held-lock sets (must/may) over one function's CFG, with an
 * empty entry, interpreting primitives from the catalog and callees through their summaries.
 * Produces the function's summary and the records the detectors and the global phase need.
 */
import type { Expr } from '../../ir';
import type { SiteOp, WitnessStep } from '../../model';
import type { Catalog } from '../../catalog/catalog';
import type { PrimDef } from '../../catalog/types';
import { isRtnlClass } from '../../catalog/rtnl';
import { buildCfg, type CfgNode } from './cfg';
import { callsInOrder, calleeName, collectIds, exprText, forEachStmtExpr, stripAddr, stripCond } from '../expr';
import { globalRef, PER_NET_RTNL, rcuRef, resolveLock, type LockRef } from '../lock-identity';
import type { FnInfo, Program } from '../program';
import { newSummary, type AcqInfo, type CallRec, type FnSummary, type HoldInfo, type LocalResult, type WaitInfo } from '../summary';
import { inRanges, onceOnlyRanges, type LineRange } from './once-regions';
import { cmpChain, cmpStr, joinChains } from '../util';
import { isPseudo, St, type LockAcq, type Pending } from './state';
import { reversePostOrder, solveFixpoint, sweepFromEmpty, visitCap } from './fixpoint';
import { compactResult, NONE } from './compact';
import { finishSummary } from './finish-summary';
import { branchOutcome, decodeBranchTest, type BranchTest } from './branch-test';


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

/** Node kinds whose transfer mutates the state (others pass it through unchanged). */
function mutates(kind: CfgNode['kind']): boolean {
  switch (kind) {
    case 'expr':
    case 'return':
    case 'branch':
    case 'guard':
    case 'unguard':
      return true;
    default:
      return false;
  }
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

const factsOnly = (st: St): boolean => st.factsOnly();

/** Tests turn the sweep off to compare it with the solver (see FunctionAnalyzer.run). */
export const localPassOptions = { sweep: true };

const NO_DROPS: string[] = Object.freeze([]) as unknown as string[];

/** Entry locks released before this point (here or in the callee), sorted. */
function droppedBefore(st: St, calleeDropped: readonly string[]): string[] {
  if (st.dropped.size === 0 && calleeDropped.length === 0) return NO_DROPS;
  const dropped = new Set<string>(st.dropped.keys());
  for (const d of calleeDropped) if (!st.held.has(d)) dropped.add(d);
  return dropped.size ? [...dropped].sort(cmpStr) : NO_DROPS;
}

/** `{ ...a, chain, dropped }` without the generic spread (hot: every recorded acquisition). */
function withChain(a: AcqInfo, chain: WitnessStep[], dropped: string[]): AcqInfo {
  return a.param !== undefined
    ? { lock: a.lock, param: a.param, chain, try: a.try, shared: a.shared, nested: a.nested, type: a.type, dropped }
    : { lock: a.lock, chain, try: a.try, shared: a.shared, nested: a.nested, type: a.type, dropped };
}

function heldMentions(st: St, v: string): boolean {
  for (const h of st.held.values()) if (h.facts && v in h.facts) return true;
  return false;
}

/** A callee summary substituted at one call site (see FunctionAnalyzer.plan). */
interface CallPlan {
  t: FnInfo;
  s: FnSummary;
  single: boolean;
  /** Substituted id per `s.acquires` entry, in iteration order. */
  acq: string[];
  req: CallRec['requires'];
  exc: CallRec['excluded'];
  rel: { id: string; must: boolean }[];
  tryLocks: LockAcq[] | null;
  /** Witness-carrying parts, valid for `line`. */
  tryEff: Pending | null;
  hold: { id: string; h: HoldInfo; chain: WitnessStep[] | null }[];
  line: number;
}

interface Callee {
  name: string | null;
  prim: PrimDef | null;
  fn: FnInfo[] | null;
  /** ioctl()/netlink transaction: may take RTNL in the kernel (see boundary()). */
  boundary: boolean;
}

type Mode = { k: 'plain' } | { k: 'assign'; v: string } | { k: 'return' } | { k: 'test' };
const PLAIN: Mode = { k: 'plain' };
const RETURN: Mode = { k: 'return' };
const TEST: Mode = { k: 'test' };

export class FunctionAnalyzer {
  private readonly cfgNodes: CfgNode[];
  private readonly res: LocalResult;
  private recording = false;
  private curNode: CfgNode | null = null;
  /** Lazily computed: most functions never reach a netlink transaction or a per-run acquisition. */
  private rtnlMsg: string | null | undefined;
  private once: LineRange[] | undefined;
  /** What a direct call names: a primitive, a function, or neither. */
  private readonly calleeMemo = new Map<CallExpr, Callee>();
  /** Forwarded class notes: id → whether the forwarded ref had a known declared type. */
  private noted: Map<string, boolean> | null = null;
  /** Decoded branch conditions (pure in the node's expression), by node id. */
  private tests: BranchTest[] | null = null;

  constructor(
    private readonly env: AnalyzerEnv,
    private readonly fn: FnInfo,
  ) {
    this.cfgNodes = buildCfg(fn.ir.body, fn.ir.endLine || fn.ir.line).nodes;
    this.res = this.freshResult();
  }

  private get buildsRtnlMsg(): string | null {
    if (this.rtnlMsg === undefined) this.rtnlMsg = this.findRtnlMessage();
    return this.rtnlMsg;
  }

  private get onceRanges(): LineRange[] {
    return (this.once ??= onceOnlyRanges(this.fn, this.env.cat, (n) => this.env.prog.globals.has(n)));
  }

  /** Calls of the node's expression in evaluation order, memoised on the node (revisits). */
  private callsOf(node: CfgNode): CallExpr[] {
    let calls = node.calls;
    if (!calls) {
      calls = [];
      callsInOrder(node.expr!, calls);
      node.calls = calls;
    }
    return calls;
  }

  /**
   * Forwards a class note unless it cannot change the registry (first ref per id wins, except
   * that a known declared type replaces 'unknown'): the registry keeps every forwarded note.
   */
  private noteClass(r: LockRef): void {
    const known = r.declType !== 'unknown';
    const noted = (this.noted ??= new Map<string, boolean>());
    const prev = noted.get(r.id);
    if (prev === true || (prev === false && !known)) return;
    noted.set(r.id, known);
    this.env.noteClass(r);
  }

  private freshResult(): LocalResult {
    return {
      summary: newSummary(this.fn.key),
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
    const tr = (node: CfgNode, st: St): St[] => this.transfer(node, mutates(node.kind) ? st.copy() : st);
    const order = reversePostOrder(nodes);
    // Most functions never touch a lock: their states hold branch facts (`if (err)`) at most.
    // Facts are read only through held locks (HeldE.facts, killFact, the branch edge, joins), never
    // by a record, a snapshot or the summary, and while no lock is held every transfer's effect
    // on the other collections is independent of them. So when one sweep from the empty state leaves
    // everything but facts empty, the fixpoint differs from "empty everywhere reachable" in
    // facts only, which nothing observes. The side effects (class notes, summary reads) match
    // too: the sweep makes the solver's first visits in its order, and repeats are no-ops.
    // The solver cannot have hit its cap: facts only shrink after a node's first visit (a meet of
    // set/delete transfers), at most once per variable, so it makes at most
    // nodes * (1 + vars) visits; larger functions always take the solver.
    const sweepable = localPassOptions.sweep && nodes.length * (1 + this.fn.vars.size) <= visitCap(nodes.length);
    let inSt = sweepable ? sweepFromEmpty(nodes, order, tr, factsOnly) : null;
    if (!inSt) {
      const r = solveFixpoint(nodes, tr, order);
      inSt = r.inSt;
      if (r.capped) this.res.fixpointCapped = true;
    }
    // Recording pass over the converged states, in node order (deterministic).
    this.recording = true;
    for (const node of nodes) {
      const st = inSt[node.id];
      if (!st) continue;
      const outs = this.transfer(node, st.copy());
      if (this.env.lineFacts && node.line > 0 && node.kind !== 'exit' && node.kind !== 'nop' && outs[0]) {
        this.res.lines.push({ line: node.line, snap: outs[0].snap() });
      }
    }
    this.recording = false;
    this.finishSummary(inSt[1] ?? null);
    compactResult(this.res);
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

  /**
   * A one-element out list reused across transfers: callers read it before the next transfer,
   * and a single out-state stands for every successor.
   */
  private readonly out1: St[] = [];
  private one(st: St): St[] {
    this.out1[0] = st;
    return this.out1;
  }

  private transfer(node: CfgNode, st: St): St[] {
    this.curNode = node;
    switch (node.kind) {
      case 'expr':
        this.evalTop(node, st, node.assign ?? PLAIN, node.line);
        if (node.macro && this.recording) this.rcuIterator(node, st);
        return this.one(st);
      case 'return': {
        if (node.expr) this.evalTop(node, st, RETURN, node.line);
        return this.one(st);
      }
      case 'branch':
        return this.branch(node, st);
      case 'guard':
        return this.guard(node, st);
      case 'unguard': {
        const g = this.env.cat.guards.get(node.guard!.cls);
        if (g) this.releaseLocks(this.primLocks(g.prim, node.guard!.args, node.line), st, node.line, node.guard!.text, g.prim);
        return this.one(st);
      }
      case 'exitpoint': {
        if (this.recording) {
          const tryLocks = st.held.size ? [...st.held].filter(([k, v]) => v.try && !isPseudo(k)).map(([k]) => k).sort(cmpStr) : NONE;
          const r = node.expr ? stripCond(node.expr) : null;
          // Only boolean literals: `return 0;` vs `return 1;` in an int function is usually an error code.
          const lit = r && (r.k === 'id' ? r.name : r.k === 'num' ? r.text : null);
          const retConst = lit === 'true' || lit === 'false' ? lit === 'true' : null;
          this.res.exits.push({ line: node.line, snap: st.snap(), tryLocks, retConst });
        }
        return this.one(st);
      }
      default:
        // Every successor gets the same state (the solver falls back to outs[0]).
        return this.one(st);
    }
  }

  // --- expressions -------------------------------------------------------------------------------
  /** Evaluates the node's expression. */
  private evalTop(node: CfgNode, st: St, mode: Mode, line: number): void {
    const e = node.expr!;
    const calls = this.callsOf(node);
    const top = stripCond(e);
    for (const c of calls) {
      const isTop = c === top;
      const eff = this.call(c, st, isTop ? mode : PLAIN);
      if (eff) this.applyTry(eff, st, isTop ? mode : PLAIN, c.line || line);
    }
    // Assignment forms: pending trylock results follow the variable; RCU pointer provenance too.
    if (mode.k === 'assign') this.killFact(st, mode.v);
    if (e.k === 'assign' && e.left.k === 'id') this.killFact(st, e.left.name);
    if (mode.k === 'assign') {
      const isTry = top.k === 'call' && calls.length > 0 && calls[calls.length - 1] === top && this.tryLike(top);
      if (!isTry) st.delPending(mode.v);
      const w = this.rcuProvenance(top, line);
      if (w) st.wTaint().set(mode.v, w);
      else st.delTaint(mode.v);
      if (top.k === 'id' && st.pending.has(top.name)) st.wPending().set(mode.v, st.pending.get(top.name)!);
    }
    if (mode.k === 'return') {
      if (top.k === 'id' && st.pending.has(top.name)) this.noteTryRet(st.pending.get(top.name)!);
    }
    // Nested assignments inside expressions (`x = f(), y = g()`) still kill stale provenance.
    if (e.k === 'assign' && e.left.k === 'id' && mode.k !== 'assign') st.delTaint(e.left.name);
  }

  private killFact(st: St, v: string): void {
    if (!st.facts.has(v) && !heldMentions(st, v)) return;
    st.delFact(v);
    for (const [k, h] of st.held) {
      if (h.facts && v in h.facts) {
        const f = { ...h.facts };
        delete f[v];
        st.wHeld().set(k, { ...h, facts: Object.keys(f).length ? f : undefined });
      }
    }
  }

  private tryLike(c: CallExpr): boolean {
    const ce = this.callee(c);
    if (!ce.name) return false;
    const p = ce.prim;
    if (p) return p.op === 'trylock' || p.op === 'cond_acquire';
    const f = ce.fn?.[0];
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
    const tests = (this.tests ??= new Array<BranchTest>(this.cfgNodes.length));
    const test = (tests[node.id] ??= decodeBranchTest(atom, this.fn.vars));
    const { sense, named, testedCall, assignVar, testedVar } = test;
    const calls = this.callsOf(node);
    let eff: Pending | null = null;
    for (const c of calls) {
      if (c === testedCall) {
        eff = this.call(c, st, TEST);
      } else {
        const e2 = this.call(c, st, PLAIN);
        if (e2) this.applyTry(e2, st, PLAIN, c.line || node.line);
      }
    }
    if (assignVar) {
      st.delPending(assignVar);
      st.delTaint(assignVar);
    }
    const t = st;
    const f = st.copy();
    const outcome = (p: Pending): { t: boolean | null; f: boolean | null } => branchOutcome(p, sense, named);
    if (eff) {
      const o = outcome(eff);
      this.acquireTry(eff, t, node.line, o.t === true ? 'must' : o.t === null ? 'may' : 'none');
      this.acquireTry(eff, f, node.line, o.f === true ? 'must' : o.f === null ? 'may' : 'none');
      if (assignVar) {
        t.wPending().set(assignVar, eff);
        f.wPending().set(assignVar, eff);
      }
    } else if (testedVar && st.pending.has(testedVar)) {
      const p = st.pending.get(testedVar)!;
      const o = outcome(p);
      const settle = (s: St, acquired: boolean | null): void => {
        for (const l of p.locks) {
          const h = s.held.get(l.ref.id);
          if (acquired === true && h) s.wHeld().set(l.ref.id, { ...h, must: true });
          if (acquired === false) {
            s.delHeld(l.ref.id);
            s.addFailed(l.ref.id);
          }
        }
      };
      settle(t, o.t);
      settle(f, o.f);
    }
    if (testedVar && (sense === 'truthy' || sense === 'falsy') && this.fn.vars.has(testedVar)) {
      const vT = sense === 'truthy';
      const edge = (s: St, v: boolean): void => {
        s.wFacts().set(testedVar!, v);
        for (const [k, h] of s.held) {
          if (h.must || !h.facts) continue;
          if (testedVar! in h.facts && h.facts[testedVar!] !== v) s.delHeld(k);
          else if (h.condMust && Object.keys(h.facts).every((f) => s.facts.get(f) === h.facts![f])) s.wHeld().set(k, { ...h, must: true });
        }
      };
      edge(t, vT);
      edge(f, !vT);
    }
    return [t, f];
  }

  private acquireTry(p: Pending, st: St, line: number, how: 'must' | 'may' | 'none'): void {
    if (how === 'none') {
      for (const l of p.locks) if (!st.held.has(l.ref.id)) st.addFailed(l.ref.id);
      return;
    }
    for (const l of p.locks) this.acquireOne(l, st, line, p.chain, { try: !p.blocks, cond: true, must: how === 'must', record: true });
  }

  private applyTry(p: Pending, st: St, mode: Mode, line: number): void {
    switch (mode.k) {
      case 'assign':
        st.wPending().set(mode.v, p);
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
    if (!g) return node.succ.map((_, i) => (i === 0 ? st : st.copy()));
    const locks = this.primLocks(g.prim, node.guard!.args, node.line);
    const chain = this.memoChain(node, g, node.line, () => [this.step(node.line, `${node.guard!.text || `guard(${g.cls})`}`)]);
    const site = (): void => {
      if (this.recording) this.site(node.line, node.guard!.col, 'guard', locks.map((l) => l.ref.id), node.guard!.text, st, true);
    };
    if (g.conditional) {
      const f = st.copy();
      for (const l of locks) this.acquireOne(l, st, node.line, chain, { try: true, must: true, record: true });
      site();
      return [st, f];
    }
    if (g.prim.sleeps) this.sleepCheck(st, node.line, chain);
    if (g.prim.op === 'rcu_read_lock') {
      for (const l of locks) st.wHeld().set(l.ref.id, { must: true, shared: true, try: false, nested: false, assert: false, atomic: l.atomic, rcu: l.rcu, type: l.type, chain, text: l.text, count: 1 });
    } else for (const l of locks) this.acquireOne(l, st, node.line, chain, { try: false, must: true, record: true });
    site();
    return [st];
  }

  // --- calls -------------------------------------------------------------------------------------
  /** Applies a call's effect. Returns a pending effect for trylock-like calls (caller decides). */
  private callee(c: CallExpr): Callee {
    let r = this.calleeMemo.get(c);
    if (!r) {
      const name = calleeName(c);
      const prim = name ? this.env.cat.prims.get(name) : undefined;
      const fn = name && !prim ? this.env.prog.resolveCall(name, this.fn.file) : null;
      const cat = this.env.cat;
      r = { name, prim: prim ?? null, fn: fn ? [fn] : null, boundary: !!name && (cat.ioctlFunctions.has(name) || cat.netlinkTransact.has(name)) };
      this.calleeMemo.set(c, r);
    }
    return r;
  }

  private call(c: CallExpr, st: St, mode: Mode): Pending | null {
    const ce = this.callee(c);
    const name = ce.name;
    const line = c.line || this.curNode?.line || 0;
    if (name) {
      if (ce.boundary) this.boundary(name, c, st, line);
      if (ce.prim) return this.prim(ce.prim, c, st, line, mode);
      if (ce.fn) return this.callFn(ce.fn, c, st, line, false);
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
    this.noteClass({ ...ref, declType: 'mutex' });
    const chain = [this.step(line, `${name}(): kernel takes RTNL for ${what}`)];
    const l: LockAcq = { ref, shared: false, nested: false, atomic: false, rcu: false, type: 'mutex', text: 'rtnl_mutex' };
    if (this.recording) this.site(line, c.col, 'acquire', [ref.id], c.text, st, false, `kernel takes RTNL for ${what}`);
    this.acquireOne(l, st, line, chain, { try: false, must: true, record: true, transient: true });
    st.delHeld(ref.id);
  }

  private lockCache: Map<Expr[], Map<string, LockAcq[]>> | null = null;

  /** Lock classes a primitive call names; memoised per argument list (fixpoint revisits). */
  private primLocks(p: PrimDef, args: Expr[], line: number): LockAcq[] {
    const cache = (this.lockCache ??= new Map<Expr[], Map<string, LockAcq[]>>());
    let m = cache.get(args);
    if (!m) cache.set(args, (m = new Map()));
    let r = m.get(p.name);
    if (!r) m.set(p.name, (r = this.primLocksUncached(p, args, line)));
    return r;
  }

  private primLocksUncached(p: PrimDef, args: Expr[], line: number): LockAcq[] {
    const mk = (ref: LockRef, text: string): LockAcq => {
      const type = p.lockType && p.lockType !== 'unknown' ? p.lockType : ref.declType;
      const r: LockRef = { ...ref, declType: type };
      this.noteClass(r);
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
      this.noteClass(ref);
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
        const chain = this.memoChain(c, p, line, () => [this.step(line, `${p.name}(${locks.map((l) => l.text).join(', ')})`)]);
        if (p.sleeps) this.sleepCheck(st, line, chain);
        for (const l of locks) this.acquireOne(l, st, line, chain, { try: false, must: true, record: true });
        if (rec) this.site(line, c.col, 'acquire', locks.map((l) => l.ref.id), text, st, true);
        return null;
      }
      case 'trylock':
      case 'cond_acquire': {
        const locks = this.primLocks(p, c.args, line);
        const chain = this.memoChain(c, p, line, () => [this.step(line, `${p.name}(${locks.map((l) => l.text).join(', ')})`)]);
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
            st.wHeld().set(l.ref.id, { must: true, shared: false, try: false, nested: false, assert: true, atomic: l.atomic, rcu: false, type: l.type, chain: [this.step(line, `${p.name}(): held on entry (asserted)`)], text: l.text, count: 1, ...(l.ref.param !== undefined ? { param: l.ref.param } : {}) });
          }
        }
        if (rec) this.site(line, c.col, 'assert', locks.map((l) => l.ref.id), text, st, true);
        return null;
      }
      case 'rcu_read_lock': {
        const locks = this.primLocks(p, c.args, line);
        const chain = this.memoChain(c, p, line, () => [this.step(line, `${p.name}()`)]);
        for (const l of locks) {
          const h = st.held.get(l.ref.id);
          // RCU read sides nest; keep the outermost.
          if (h) {
            if (!h.must) st.wHeld().set(l.ref.id, { ...h, must: true });
          }
          else st.wHeld().set(l.ref.id, { must: true, shared: true, try: false, nested: false, assert: false, atomic: l.atomic, rcu: l.rcu, type: l.type, chain, text: l.text, count: 1 });
          if (rec) this.res.acqSites.push({ lock: l.ref.id, type: l.type, kind: 'rcu' });
        }
        if (rec) this.site(line, c.col, 'rcu-read-lock', locks.map((l) => l.ref.id), text, st, true);
        return null;
      }
      case 'rcu_read_unlock': {
        const locks = this.primLocks(p, c.args, line);
        for (const l of locks) st.delHeld(l.ref.id);
        if (rec) this.site(line, c.col, 'rcu-read-unlock', locks.map((l) => l.ref.id), text, st, false);
        return null;
      }
      case 'rcu_deref': {
        if (rec) {
          this.site(line, c.col, 'rcu-deref', [], text, st, false);
          if (p.deref && p.deref !== 'raw' && p.rcu !== 'ovsrcu') {
            this.res.derefs.push({ line, text, prim: p.name, mode: p.deref, condLocks: this.condLocks(p, c), rcuFlavour: p.rcu ?? 'rcu', snap: st.snap() });
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
        if (vs && vs.k === 'id') st.wTaint().set(vs.name, this.step(line, `published by ${p.name}(${exprText(c.args[(p.ptrArg ?? 1) - 1])}, ${vs.name})`));
        return null;
      }
      case 'rcu_free': {
        if (rec) this.site(line, c.col, 'rcu-free', [], text, st, false);
        if (p.sleeps && rec) this.sleepCheck(st, line, [this.step(line, `${p.name}()`)]);
        return null;
      }
      case 'grace_period': {
        if (rec) {
          this.site(line, c.col, 'grace-period', [], text, st, false);
          const chain = [this.step(line, `${p.name}()`)];
          this.sleepCheck(st, line, chain);
          this.waitCheck(st, line, { kind: p.wait ?? 'rcu', handle: null, chain, ...(p.note === 'expedited-under-rtnl' ? { expeditedUnderRtnl: true } : {}) });
        }
        st.clearTaint();
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
        if (!rec) return null;
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
        if (!rec) return null;
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
        if (p.op === 'atomic_enter') st.wHeld().set(id, { must: true, shared: false, try: false, nested: false, assert: false, atomic: true, rcu: false, type: 'unknown', chain: [this.step(line, `${p.name}()`)], text: id, count: 1 });
        else st.delHeld(id);
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
    this.res.derefs.push({ line: node.line, text, prim: m, mode: condArg ? 'check' : 'reader', condLocks: condArg ? this.condLocks(fake, call) : [], rcuFlavour: flavour, snap: st.snap() });
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

  /**
   * The callee summary's locks substituted at this call site, computed on the first visit only.
   * Later visits would repeat the same class notes, which change nothing (see noteClass), so the
   * notes still reach the registry in the original order.
   */
  private plan(c: CallExpr, t: FnInfo, s: FnSummary, single: boolean): CallPlan {
    const memo = (this.planMemo ??= new Map<CallExpr, CallPlan[]>());
    let m = memo.get(c);
    if (!m) memo.set(c, (m = []));
    const at = m.findIndex((p) => p.t === t);
    const hit = at >= 0 ? m[at]! : undefined;
    if (hit && hit.s === s && hit.single === single) return hit;
    const subst = (lock: string, param: number | undefined): string => {
      if (param === undefined) return lock;
      const a = c.args[param];
      if (!a) return lock;
      const r = this.resolveArg(a);
      this.noteClass(r);
      return r.id;
    };
    const acq: string[] = [];
    for (const a of s.acquires.values()) acq.push(subst(a.lock, a.param));
    const req: CallRec['requires'] = [];
    for (const r of s.requires.values()) req.push({ lock: subst(r.lock, r.param), calleeName: t.ir.name, source: r.source });
    const exc: CallRec['excluded'] = [];
    for (const x of s.excluded.values()) exc.push({ lock: subst(x.lock, x.param), calleeName: t.ir.name });
    const rel: { id: string; must: boolean }[] = [];
    let tryLocks: LockAcq[] | null = null;
    const hold: { id: string; h: HoldInfo; chain: WitnessStep[] | null }[] = [];
    if (single) {
      for (const r of s.releases.values()) rel.push({ id: subst(r.lock, r.param), must: r.must });
      if (s.tryRet) {
        tryLocks = s.tryRet.locks.map((l) => {
          const id = subst(l.lock, l.param);
          return { ref: { id, kind: 'other', name: id, struct: null, declType: l.type }, shared: l.shared, nested: false, atomic: !!l.atomic, rcu: false, type: l.type, text: id };
        });
      }
      for (const h of s.returnsHolding.values()) hold.push({ id: subst(h.lock, h.param), h, chain: null });
    }
    const p: CallPlan = { t, s, single, acq, req, exc, rel, tryLocks, tryEff: null, hold, line: -1 };
    if (at >= 0) m[at] = p;
    else m.push(p);
    return p;
  }

  private callFn(targets: FnInfo[], c: CallExpr, st: St, line: number, indirect: boolean): Pending | null {
    const rec = this.recording;
    const single = targets.length === 1;
    const s0 = rec ? st.snap() : null;
    let requires: CallRec['requires'] = NONE;
    let excluded: CallRec['excluded'] = NONE;
    let tryEff: Pending | null = null;
    const callHolding: string[] | null = rec ? [] : null;
    // Ops-table calls name the implementation the witness goes through
    // ("via netdev_class.construct = netdev_bsd_construct_tap"); only recorded witnesses need it.
    const opsSlot = rec && indirect ? this.opsSlot(c.callee) : null;
    for (const t of targets) {
      const s = this.env.summaryOf(t.key);
      if (!s) continue;
      const plan = this.plan(c, t, s, single);
      // Witness chains depend on the line (a call expression has one, but stay exact).
      if (plan.line !== line) {
        plan.line = line;
        plan.tryEff = null;
        for (const x of plan.hold) x.chain = null;
      }
      if (rec) {
        const viaStep = this.step(line, opsSlot ? `calls ${t.ir.name}() via ${opsSlot} = ${t.ir.name}` : `calls ${t.ir.name}()`);
        // Lock-order edges and recursion through the callee's (transitive) acquisitions.
        let i = 0;
        for (const a of s.acquires.values()) {
          const b = plan.acq[i++]!;
          const chain = joinChains([viaStep], a.chain);
          // A callee that requires b and takes it again reports the recursion itself; one annotated
          // OVS_EXCLUDED(b) is reported as requires-violation at this call.
          // The callee's per-run acquisition of the same lock may come through another path.
          const pr = s.perRun ? (s.perRun.get(a.lock) ?? null) : a;
          const perRun = pr === a ? undefined : pr ? { info: pr, chain: joinChains([viaStep], pr.chain) } : null;
          this.noteAcquire(st, b, a, chain, line, a.dropped, undefined, s.requires.has(a.lock) || s.excluded.has(a.lock), perRun);
        }
        if (s.sleep) this.sleepCheck(st, line, joinChains([viaStep], s.sleep));
        for (const w of s.waits) this.waitCheck(st, line, { ...w, chain: joinChains([viaStep], w.chain) });
        if (plan.req.length) requires = requires.length ? [...requires, ...plan.req] : plan.req;
        if (plan.exc.length) excluded = excluded.length ? [...excluded, ...plan.exc] : plan.exc;
      }
      if (!single) continue;
      for (const r of plan.rel) {
        const id = r.id;
        callHolding?.push(id);
        if (st.held.has(id)) {
          st.delHeld(id);
          st.addReleased(id);
        } else if (!isPseudo(id)) st.wDropped().set(id, r.must ? (st.dropped.get(id) ?? true) : false);
      }
      const tr = s.tryRet;
      if (tr && plan.tryLocks) {
        tryEff = plan.tryEff ??= { locks: plan.tryLocks, success: tr.success, ...(tr.successValue ? { successValue: tr.successValue } : {}), chain: joinChains([this.step(line, `calls ${t.ir.name}() (trylock)`)], tr.chain), blocks: !!tr.blocks };
        if (callHolding) for (const l of plan.tryLocks) callHolding.push(l.ref.id);
      }
      for (const x of plan.hold) {
        const { id, h } = x;
        callHolding?.push(id);
        const prev = st.held.get(id);
        if (!prev) {
          const chain = (x.chain ??= joinChains([this.step(line, `calls ${t.ir.name}(), returns holding ${id}`)], h.chain));
          st.wHeld().set(id, { must: h.must, shared: h.shared, try: !h.must, nested: false, assert: false, atomic: !!h.atomic, rcu: h.type === 'rcu', type: h.type, chain, text: id, count: 1 });
          st.delReleased(id);
          st.delDropped(id);
        } else if (h.must && !prev.must) st.wHeld().set(id, { ...prev, must: true });
      }
    }
    if (rec) {
      const calleeLabel = indirect ? `${exprText(c.callee)} → ${targets.map((t) => t.ir.name).join('|')}` : targets[0]!.ir.name;
      this.res.calls.push({ callee: targets.map((t) => t.key), line, col: c.col, text: calleeLabel, indirect, snap: s0!, loop: (this.curNode?.loop ?? 0) > 0, requires, excluded });
      if (callHolding!.length) this.site(line, c.col, 'call-holding', [...new Set(callHolding)].sort(cmpStr), c.text || exprText(c), st, true);
    }
    return tryEff;
  }

  /** Plans per call site (one per target; indirect calls may have several). */
  private planMemo: Map<CallExpr, CallPlan[]> | null = null;

  private argMemo: Map<Expr, LockRef> | null = null;

  /** Lock an argument names (callee parameter substitution); memoised per argument expression. */
  private resolveArg(a: Expr): LockRef {
    const memo = (this.argMemo ??= new Map<Expr, LockRef>());
    let r = memo.get(a);
    if (!r) memo.set(a, (r = resolveLock(this.env.prog, a, this.fn)));
    return r;
  }

  private chainMemo: Map<object, { cause: object; line: number; chain: WitnessStep[] }[]> | null = null;

  /**
   * Witness chain built once per (site, cause) instead of on every fixpoint visit; chains are
   * never mutated, so sharing one array between states and records is safe.
   */
  private memoChain(site: object, cause: object, line: number, make: () => WitnessStep[]): WitnessStep[] {
    const memo = (this.chainMemo ??= new Map<object, { cause: object; line: number; chain: WitnessStep[] }[]>());
    let m = memo.get(site);
    if (!m) memo.set(site, (m = []));
    const hit = m.find((x) => x.cause === cause);
    if (hit && hit.line === line) return hit.chain;
    const chain = make();
    if (hit) {
      hit.line = line;
      hit.chain = chain;
    } else m.push({ cause, line, chain });
    return chain;
  }

  // --- lock state changes --------------------------------------------------------------------------
  private acquireOne(l: LockAcq, st: St, line: number, chain: WitnessStep[], o: { try: boolean; cond?: boolean; must: boolean; record: boolean; transient?: boolean }): void {
    if (this.recording && !isPseudo(l.ref.id)) {
      this.res.acqSites.push({ lock: l.ref.id, type: l.type, kind: 'acquire' });
      if (!o.transient) this.res.acqEvents.push({ line, lock: l.ref.id, chain, before: st.snap(), try: o.try, nested: l.nested, shared: l.shared });
      const info: AcqInfo = {
        lock: l.ref.id,
        ...(l.ref.param !== undefined ? { param: l.ref.param } : {}),
        chain,
        try: o.try,
        shared: l.shared,
        nested: l.nested,
        type: l.type,
        dropped: NO_DROPS,
      };
      this.noteAcquire(st, l.ref.id, info, chain, line, NO_DROPS, l.text);
    }
    if (o.transient) return;
    const prev = st.held.get(l.ref.id);
    st.wHeld().set(l.ref.id, {
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
    st.delReleased(l.ref.id);
    st.delDropped(l.ref.id);
    st.delFailed(l.ref.id);
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
        res.recursive.push({ line, lock: b, chain, snap: st.snap(), sameExpr: text !== undefined && text === he.text, must: he.must, heldChain: he.chain });
        continue;
      }
      res.edges.push({ from: h, to: b, chain: joinChains(he.chain, chain), try: a.try, reachLine: chain[0]?.line ?? line, readRead: he.shared && a.shared });
    }
    // Built only when stored: most acquisitions lose to an earlier one of the same lock.
    let entryMemo: AcqInfo | null = null;
    const entry = (): AcqInfo => (entryMemo ??= withChain(a, chain, droppedBefore(st, calleeDropped)));
    const prev = res.summary.acquires.get(b);
    // Keep the acquisition reached from the earliest statement of this function (where rules
    // report), then the shortest chain; a blocking acquisition beats a trylock.
    const earlier = (): boolean => {
      const d = (chain[0]?.line ?? 0) - (prev!.chain[0]?.line ?? 0);
      return d < 0 || (d === 0 && cmpChain(chain, prev!.chain) < 0);
    };
    if (!prev || (prev.try && !a.try) || (prev.try === a.try && earlier())) {
      const e = entry();
      res.summary.acquires.set(b, prev && prev.try === false && e.try ? { ...e, try: false } : e);
    }
    // Same choice among the acquisitions paid on every run (not in once-only code).
    const perRun = res.summary.perRun;
    if (perRun && calleePerRun !== null && !inRanges(this.onceRanges, line)) {
      const ra = calleePerRun ? calleePerRun.info : a;
      const rchain = calleePerRun ? calleePerRun.chain : chain;
      const rentry = (): AcqInfo => (calleePerRun ? { ...ra, chain: rchain, dropped: entry().dropped } : entry());
      const pr = perRun.get(b);
      const earlierPr = (): boolean => {
        const d = (rchain[0]?.line ?? 0) - (pr!.chain[0]?.line ?? 0);
        return d < 0 || (d === 0 && cmpChain(rchain, pr!.chain) < 0);
      };
      if (!pr || (pr.try && !ra.try) || (pr.try === ra.try && earlierPr())) {
        const e = rentry();
        perRun.set(b, pr && pr.try === false && e.try ? { ...e, try: false } : e);
      }
    }
    if ((this.curNode?.loop ?? 0) > 0 && isRtnlClass(b)) res.rtnlInLoop.push({ line, chain });
  }

  private releaseLocks(locks: LockAcq[], st: St, line: number, text: string, p: PrimDef, col = 0): void {
    for (const l of locks) {
      const id = l.ref.id;
      const h = st.held.get(id);
      if (h && h.count > 1) {
        st.wHeld().set(id, { ...h, count: h.count - 1 });
      } else if (h) {
        if (this.recording && !h.must && !h.try && !h.assert) {
          // Held on some paths only: decided with the entry context by lock-imbalance.
          this.res.partialUnlock.push({ line, lock: id, chain: [...h.chain, this.step(line, `${p.name}(${l.text}) where ${id} is held on some paths only`)], snap: st.snap(), sameExpr: true, must: false, heldChain: h.chain });
        }
        st.delHeld(id);
        st.addReleased(id);
      } else if (st.failed.has(id)) {
        if (this.recording) this.res.badUnlock.push({ line, lock: id, chain: [this.step(line, `${p.name}(${l.text}) after its acquisition failed`)], snap: st.snap(), sameExpr: true, must: true, heldChain: [] });
      } else if (st.released.has(id)) {
        if (this.recording) this.res.doubleUnlock.push({ line, lock: id, chain: [this.step(line, `${p.name}(${l.text}) of a lock already released`)], snap: st.snap(), sameExpr: true, must: true, heldChain: [] });
      } else {
        st.wDropped().set(id, st.dropped.get(id) ?? true);
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
    this.res.sleeps.push({ line, chain, atomic: atomic.length ? atomic : NONE, snap: st.snap() });
  }

  private waitCheck(st: St, line: number, w: WaitInfo): void {
    if (!this.recording) return;
    const s = this.res.summary;
    if (s.waits.length < 4 && !s.waits.some((x) => x.kind === w.kind && x.handle === w.handle)) s.waits.push(w);
    const heldChains = new Map<string, WitnessStep[]>();
    for (const [k, h] of st.held) if (!isPseudo(k) && !h.rcu) heldChains.set(k, h.chain);
    this.res.waits.push({ line, wait: w, snap: st.snap(), heldChains });
  }

  private site(line: number, col: number, op: SiteOp, locks: string[], text: string, st: St, after: boolean, note?: string): void {
    void after;
    const ids: string[] = [];
    for (const l of locks) if (!isPseudo(l) && !ids.includes(l)) ids.push(l);
    this.res.sites.push({ line, col, op, locks: ids, text: (note ? `${text.trim()} /* ${note} */` : text.trim()).slice(0, 200), snap: st.snap() });
  }

  // --- summary ---------------------------------------------------------------------------------------
  private finishSummary(exit: St | null): void {
    finishSummary({ res: this.res, fn: this.fn, prog: this.env.prog, noAnnotations: this.env.noAnnotations, noteClass: (r) => this.noteClass(r), step: (line, note) => this.step(line, note) }, exit);
  }
}
