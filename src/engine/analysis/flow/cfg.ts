/**
 * Control-flow graph of one function body, built from the structured IR. Conditions are split
 * at `!`, `&&`, `||` so that a trylock result can be tested on the exact edge where it holds.
 * Guards (`guard()`, `scoped_guard()`) get explicit release nodes on every exit of their scope
 * (block end, return, break/continue, goto out of the block).
 */
import type { Expr, Stmt } from '../../ir';
import { stripCond } from '../expr';

export type NodeKind =
  | 'entry'
  | 'exit'
  | 'nop'
  /** Evaluates `expr`; `assignTo` names the local receiving its value (decl or `x = ...`). */
  | 'expr'
  /** Evaluates the atom `expr`; succ[0] = true edge, succ[1] = false edge. */
  | 'branch'
  /** Non-deterministic choice (switch dispatch, #ifdef arms). */
  | 'choice'
  /** Evaluates the returned expression. */
  | 'return'
  /** One function exit point (after guard releases); its in-state is a return state. */
  | 'exitpoint'
  /** Guard acquisition; conditional guards have succ[0] = acquired, succ[1] = failed. */
  | 'guard'
  | 'unguard';

export interface GuardInfo {
  /** A `__cleanup(fn)` local: this call (`fn(&var)`) runs at every exit of the scope instead. */
  cleanupCall?: Expr;
  cls: string;
  args: Expr[];
  text: string;
  col: number;
  conditional: boolean;
}

export type CallExpr = Expr & { k: 'call' };

export interface CfgNode {
  id: number;
  kind: NodeKind;
  line: number;
  expr: Expr | null;
  assignTo: string | null;
  succ: number[];
  loop: number;
  guard: GuardInfo | null;
  /** Iterator macro whose arguments this node evaluates (`list_for_each_entry_rcu`). */
  macro?: string;
  /** Calls of `expr` in evaluation order: filled by the local pass on first use. */
  calls: CallExpr[] | null;
  /** `{ k: 'assign', v: assignTo }` when `assignTo` is set (the local pass's mode): one object per node, not per visit. */
  assign: { k: 'assign'; v: string } | null;
}

const NO_GUARDS: GuardInfo[] = Object.freeze([]) as unknown as GuardInfo[];

export interface Cfg {
  nodes: CfgNode[];
  entry: number;
  exit: number;
}

interface Scope {
  /** Guards declared in this scope with the statement index they appear at (-1 = whole scope). */
  guards: { info: GuardInfo; line: number; index: number }[];
  cur: number;
  block: Stmt | null;
}

interface JumpCtx {
  brk: number | null;
  cont: number | null;
  /** Scope depth at the loop/switch: guards in deeper scopes are released on break/continue. */
  depth: number;
  cases: number[] | null;
  hasDefault: boolean;
}

export function buildCfg(body: Stmt, endLine: number): Cfg {
  return new CfgBuilder(body, endLine).build();
}

/**
 * Which blocks enclose each label: a goto leaves every scope that is not one of them. One shared
 * stack of enclosing blocks, copied only at labels.
 */
function findLabels(s: Stmt | null, stack: Stmt[], out: Map<string, Set<Stmt>>): void {
  if (!s) return;
  switch (s.k) {
    case 'label':
      out.set(s.name, new Set(stack));
      return;
    case 'block':
      stack.push(s);
      for (const k of s.body) findLabels(k, stack, out);
      stack.pop();
      return;
    case 'scoped_guard':
      stack.push(s);
      findLabels(s.fail, stack, out);
      findLabels(s.body, stack, out);
      stack.pop();
      return;
    case 'if':
      findLabels(s.then, stack, out);
      findLabels(s.else, stack, out);
      return;
    case 'while':
    case 'do':
    case 'switch':
      findLabels(s.body, stack, out);
      return;
    case 'for':
      findLabels(s.init, stack, out);
      findLabels(s.body, stack, out);
      return;
    case 'alt':
      for (const k of s.arms) findLabels(k, stack, out);
      return;
    default:
      return;
  }
}

const activeGuards = (sc: Scope): GuardInfo[] => sc.guards.filter((g) => g.index < 0 || g.index < sc.cur).map((g) => g.info);

const exprLine = (e: Expr, dflt: number): number => {
  if (e.k === 'call' || e.k === 'id') return e.line || dflt;
  return dflt;
};

/** Guards a block declares: `guard(...)` statements and `__cleanup` declarations, by statement index. */
function blockGuards(stmts: Stmt[]): Scope['guards'] {
  const guards: Scope['guards'] = [];
  for (let i = 0; i < stmts.length; i++) {
    const s = stmts[i]!;
    if (s.k === 'guard') guards.push({ info: { cls: s.cls, args: s.args, text: s.text, col: s.col, conditional: false }, line: s.line, index: i });
    if (s.k === 'decl' && s.cleanup) {
      const text = `${s.cleanup}(&${s.decl.name})`;
      const call: Expr = {
        k: 'call',
        callee: { k: 'id', name: s.cleanup, line: s.line, col: 0 },
        args: [{ k: 'unary', op: '&', arg: { k: 'id', name: s.decl.name, line: s.line, col: 0 } }],
        line: s.line,
        col: 0,
        endLine: s.line,
        text,
      };
      guards.push({ info: { cls: '__cleanup', args: [], text, col: 0, conditional: false, cleanupCall: call }, line: s.line, index: i });
    }
  }
  return guards;
}

/** Builds the nodes last statement first: each statement is built knowing its successor. */
class CfgBuilder {
  private readonly nodes: CfgNode[] = [];
  /** Loop nesting depth of the statements being built. */
  private loop = 0;
  private readonly exit: number;
  private readonly entry: number;
  private readonly scopes: Scope[] = [];
  /** Guards declared in `scopes`, all together. */
  private guardsInScope = 0;
  private readonly jumps: JumpCtx[] = [];
  private readonly labels = new Map<string, number>();
  // Computed on the first goto only (most functions have none).
  private labelBlocksMemo: Map<string, Set<Stmt>> | null = null;

  constructor(
    private readonly body: Stmt,
    private readonly endLine: number,
  ) {
    this.entry = this.mk('entry', 0);
    this.exit = this.mk('exit', endLine);
  }

  build(): Cfg {
    const { nodes } = this;
    const fallOff = this.mk('exitpoint', this.endLine, [this.exit]);
    const first = this.stmt(this.body, fallOff);
    nodes[this.entry]!.succ = [first];
    // Labels never defined (macro-generated) just fall through to the end.
    for (const n of this.labels.values()) if (nodes[n]!.succ.length === 0) nodes[n]!.succ = [fallOff];
    return { nodes, entry: this.entry, exit: this.exit };
  }

  private mk(kind: NodeKind, line: number, succ: number[] = [], expr: Expr | null = null): number {
    const nodes = this.nodes;
    nodes.push({ id: nodes.length, kind, line, expr, assignTo: null, succ, loop: this.loop, guard: null, calls: null, assign: null });
    return nodes.length - 1;
  }

  private labelBlocks(): Map<string, Set<Stmt>> {
    if (!this.labelBlocksMemo) {
      this.labelBlocksMemo = new Map();
      findLabels(this.body, [], this.labelBlocksMemo);
    }
    return this.labelBlocksMemo;
  }

  private labelNode(name: string): number {
    let n = this.labels.get(name);
    if (n === undefined) {
      n = this.mk('nop', 0);
      this.labels.set(name, n);
    }
    return n;
  }

  /** Release nodes for the guards of scopes[from..], innermost first, then `next`. */
  private releaseChain(from: number, line: number, next: number, keep?: (sc: Scope) => boolean): number {
    // Most functions declare no guard at all: nothing to release.
    if (this.guardsInScope === 0) return next;
    let n = next;
    // Build outermost-last so execution order is innermost-first, reverse declaration order.
    const list: GuardInfo[] = [];
    for (let i = this.scopes.length - 1; i >= from; i--) {
      const sc = this.scopes[i]!;
      if (keep && keep(sc)) continue;
      const g = activeGuards(sc);
      for (let j = g.length - 1; j >= 0; j--) list.push(g[j]!);
    }
    for (let i = list.length - 1; i >= 0; i--) {
      const g = list[i]!;
      if (g.cleanupCall) {
        n = this.evalNode(g.cleanupCall, line, n);
        continue;
      }
      const r = this.mk('unguard', line, [n]);
      this.nodes[r]!.guard = g;
      n = r;
    }
    return n;
  }

  private evalNode(e: Expr, line: number, next: number, assignTo: string | null = null): number {
    const n = this.mk('expr', line, [next], e);
    this.nodes[n]!.assignTo = assignTo;
    if (assignTo) this.nodes[n]!.assign = { k: 'assign', v: assignTo };
    return n;
  }

  private cond(e: Expr, t: number, f: number, line: number): number {
    const x = stripCond(e);
    if (x.k === 'unary' && x.op === '!') return this.cond(x.arg, f, t, line);
    if (x.k === 'binary' && x.op === '&&') return this.cond(x.left, this.cond(x.right, t, f, line), f, line);
    if (x.k === 'binary' && x.op === '||') return this.cond(x.left, t, this.cond(x.right, t, f, line), line);
    if (x.k === 'comma' && x.exprs.length > 1) {
      const last = this.cond(x.exprs[x.exprs.length - 1]!, t, f, line);
      let n = last;
      for (let i = x.exprs.length - 2; i >= 0; i--) n = this.evalNode(x.exprs[i]!, line, n);
      return n;
    }
    // `if (WARN_ON(!x))` style wrappers were stripped above; `x == 0` is kept as an atom.
    return this.mk('branch', line, [t, f], x);
  }

  private block(stmts: Stmt[], next: number, blk: Stmt | null, preGuards: GuardInfo[], line: number): number {
    const sc: Scope = { guards: blockGuards(stmts), cur: stmts.length, block: blk };
    for (const g of preGuards) sc.guards.push({ info: g, line, index: -1 });
    const scopes = this.scopes;
    scopes.push(sc);
    this.guardsInScope += sc.guards.length;
    // Falling off the end of the block releases every guard of the scope.
    sc.cur = stmts.length;
    let n = sc.guards.length ? this.releaseChain(scopes.length - 1, blk && blk.k === 'block' ? blk.endLine : line, next, (x) => x !== sc) : next;
    for (let i = stmts.length - 1; i >= 0; i--) {
      sc.cur = i;
      n = this.stmt(stmts[i]!, n);
    }
    scopes.pop();
    this.guardsInScope -= sc.guards.length;
    return n;
  }

  private loopBody(s: Stmt, next: number, brk: number, cont: number): number {
    this.jumps.push({ brk, cont, depth: this.scopes.length, cases: null, hasDefault: false });
    this.loop++;
    const b = this.stmt(s, next);
    this.loop--;
    this.jumps.pop();
    return b;
  }

  private stmt(s: Stmt, next: number): number {
    switch (s.k) {
      case 'block':
        return this.block(s.body, next, s, NO_GUARDS, 0);
      case 'expr': {
        const e = s.expr;
        if (e.k === 'assign' && e.op === '=' && e.left.k === 'id') return this.evalNode(e.right, s.line, next, e.left.name);
        return this.evalNode(e, s.line, next);
      }
      case 'decl':
        return s.init ? this.evalNode(s.init, s.line, next, s.decl.name) : next;
      case 'if': {
        const t = this.stmt(s.then, next);
        const f = s.else ? this.stmt(s.else, next) : next;
        return this.cond(s.cond, t, f, s.line);
      }
      case 'while':
      case 'do':
      case 'for':
        return this.loopStmt(s, next);
      case 'switch':
        return this.switchStmt(s, next);
      case 'case':
        return this.caseLabel(s, next);
      case 'break':
      case 'continue':
      case 'return':
      case 'goto':
        return this.jumpStmt(s, next);
      case 'label': {
        const n = this.labelNode(s.name);
        this.nodes[n]!.line = s.line;
        this.nodes[n]!.succ = [next];
        return n;
      }
      case 'guard':
      case 'scoped_guard':
        return this.guardStmt(s, next);
      case 'alt': {
        if (s.arms.length === 0) return next;
        return this.mk('choice', s.line, s.arms.map((a) => this.stmt(a, next)));
      }
      case 'unknown': {
        let n = next;
        for (let i = s.calls.length - 1; i >= 0; i--) n = this.evalNode(s.calls[i]!, exprLine(s.calls[i]!, s.line), n);
        return n;
      }
      default:
        return next;
    }
  }

  private loopStmt(s: Stmt & { k: 'while' | 'do' | 'for' }, next: number): number {
    const nodes = this.nodes;
    const head = this.mk('nop', s.line);
    if (s.k === 'while') {
      const body = this.loopBody(s.body, head, next, head);
      // Iterator macros (`list_for_each_entry(...)`) evaluate their arguments, then may run 0 times.
      const c = s.macro ? this.evalNode(s.cond, s.line, this.mk('choice', s.line, [body, next])) : this.cond(s.cond, body, next, s.line);
      if (s.macro) nodes[c]!.macro = s.macro;
      nodes[head]!.succ = [c];
      return head;
    }
    if (s.k === 'do') {
      const c = this.cond(s.cond, head, next, s.line);
      const body = this.loopBody(s.body, c, next, c);
      nodes[head]!.succ = [body];
      return head;
    }
    const upd = s.update ? this.evalNode(s.update, s.line, head) : head;
    const body = this.loopBody(s.body, upd, next, upd);
    const c = s.cond ? this.cond(s.cond, body, next, s.line) : body;
    nodes[head]!.succ = [c];
    return s.init ? this.stmt(s.init, head) : head;
  }

  private switchStmt(s: Stmt & { k: 'switch' }, next: number): number {
    const jumps = this.jumps;
    const ctx: JumpCtx = { brk: next, cont: jumps.length ? jumps[jumps.length - 1]!.cont : null, depth: this.scopes.length, cases: [], hasDefault: false };
    jumps.push(ctx);
    this.stmt(s.body, next);
    jumps.pop();
    const targets = ctx.cases!.reverse();
    if (!ctx.hasDefault) targets.push(next);
    const dispatch = this.mk('choice', s.line, targets);
    return this.evalNode(s.cond, s.line, dispatch);
  }

  private caseLabel(s: Stmt & { k: 'case' }, next: number): number {
    const jumps = this.jumps;
    for (let i = jumps.length - 1; i >= 0; i--) {
      const j = jumps[i]!;
      if (j.cases) {
        const n = this.mk('nop', s.line, [next]);
        // Pushed in reverse source order (statements are built last to first); see switchStmt.
        j.cases.push(n);
        if (s.value === null) j.hasDefault = true;
        return n;
      }
    }
    return next;
  }

  /** break / continue / return / goto: release the guards of the scopes left, then jump. */
  private jumpStmt(s: Stmt & { k: 'break' | 'continue' | 'return' | 'goto' }, next: number): number {
    const jumps = this.jumps;
    switch (s.k) {
      case 'break': {
        const j = jumps[jumps.length - 1];
        if (!j || j.brk === null) return next;
        return this.releaseChain(j.depth, s.line, j.brk);
      }
      case 'continue': {
        for (let i = jumps.length - 1; i >= 0; i--) {
          const j = jumps[i]!;
          if (!j.cases && j.cont !== null) return this.releaseChain(j.depth, s.line, j.cont);
        }
        return next;
      }
      case 'return': {
        const ep = this.mk('exitpoint', s.line, [this.exit], s.expr);
        const rel = this.releaseChain(0, s.line, ep);
        return this.mk('return', s.line, [rel], s.expr);
      }
      case 'goto': {
        const target = this.labelNode(s.label);
        const keepBlocks = this.labelBlocks().get(s.label) ?? new Set<Stmt>();
        return this.releaseChain(0, s.line, target, (sc) => sc.block !== null && keepBlocks.has(sc.block));
      }
    }
  }

  private guardStmt(s: Stmt & { k: 'guard' | 'scoped_guard' }, next: number): number {
    if (s.k === 'guard') {
      const n = this.mk('guard', s.line, [next]);
      this.nodes[n]!.guard = { cls: s.cls, args: s.args, text: s.text, col: s.col, conditional: false };
      return n;
    }
    const info: GuardInfo = { cls: s.cls, args: s.args, text: s.text, col: s.col, conditional: s.fail !== null || /_(try|intr|kill)$/.test(s.cls) };
    const body = this.block([s.body], next, s, [info], s.line);
    const fail = s.fail ? this.stmt(s.fail, next) : next;
    const n = this.mk('guard', s.line, info.conditional ? [body, fail] : [body]);
    this.nodes[n]!.guard = info;
    return n;
  }
}
