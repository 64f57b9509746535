/**
 * Control-flow graph of one function body, built from the structured IR. Conditions are split
 * at `!`, `&&`, `||` so that a trylock result can be tested on the exact edge where it holds.
 * Guards (`guard()`, `scoped_guard()`) get explicit release nodes on every exit of their scope
 * (block end, return, break/continue, goto out of the block).
 */
import type { Expr, Stmt } from '../ir';
import { stripCond } from './expr';

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
  const nodes: CfgNode[] = [];
  let loop = 0;
  const mk = (kind: NodeKind, line: number, succ: number[] = [], expr: Expr | null = null): number => {
    nodes.push({ id: nodes.length, kind, line, expr, assignTo: null, succ, loop, guard: null, calls: null, assign: null });
    return nodes.length - 1;
  };
  const entry = mk('entry', 0);
  const exit = mk('exit', endLine);
  const scopes: Scope[] = [];
  /** Guards declared in `scopes`, all together. */
  let guardsInScope = 0;
  const jumps: JumpCtx[] = [];
  const labels = new Map<string, number>();
  // Which blocks enclose each label: a goto leaves every scope that is not one of them.
  // Computed on the first goto only (most functions have none), with one shared stack of
  // enclosing blocks that is copied only at labels.
  let labelBlocksMemo: Map<string, Set<Stmt>> | null = null;
  const labelBlocks = (): Map<string, Set<Stmt>> => {
    if (!labelBlocksMemo) {
      labelBlocksMemo = new Map();
      findLabels(body);
    }
    return labelBlocksMemo;
  };
  const stack: Stmt[] = [];
  const findLabels = (s: Stmt | null): void => {
    if (!s) return;
    switch (s.k) {
      case 'label':
        labelBlocksMemo!.set(s.name, new Set(stack));
        return;
      case 'block':
        stack.push(s);
        for (const k of s.body) findLabels(k);
        stack.pop();
        return;
      case 'scoped_guard':
        stack.push(s);
        findLabels(s.fail);
        findLabels(s.body);
        stack.pop();
        return;
      case 'if':
        findLabels(s.then);
        findLabels(s.else);
        return;
      case 'while':
      case 'do':
      case 'switch':
        findLabels(s.body);
        return;
      case 'for':
        findLabels(s.init);
        findLabels(s.body);
        return;
      case 'alt':
        for (const k of s.arms) findLabels(k);
        return;
      default:
        return;
    }
  };

  const labelNode = (name: string): number => {
    let n = labels.get(name);
    if (n === undefined) {
      n = mk('nop', 0);
      labels.set(name, n);
    }
    return n;
  };

  const activeGuards = (sc: Scope): GuardInfo[] =>
    sc.guards.filter((g) => g.index < 0 || g.index < sc.cur).map((g) => g.info);

  /** Release nodes for the guards of scopes[from..], innermost first, then `next`. */
  const releaseChain = (from: number, line: number, next: number, keep?: (sc: Scope) => boolean): number => {
    // Most functions declare no guard at all: nothing to release.
    if (guardsInScope === 0) return next;
    let n = next;
    // Build outermost-last so execution order is innermost-first, reverse declaration order.
    const list: GuardInfo[] = [];
    for (let i = scopes.length - 1; i >= from; i--) {
      const sc = scopes[i]!;
      if (keep && keep(sc)) continue;
      const g = activeGuards(sc);
      for (let j = g.length - 1; j >= 0; j--) list.push(g[j]!);
    }
    for (let i = list.length - 1; i >= 0; i--) {
      const g = list[i]!;
      if (g.cleanupCall) {
        n = evalNode(g.cleanupCall, line, n);
        continue;
      }
      const r = mk('unguard', line, [n]);
      nodes[r]!.guard = g;
      n = r;
    }
    return n;
  };

  const evalNode = (e: Expr, line: number, next: number, assignTo: string | null = null): number => {
    const n = mk('expr', line, [next], e);
    nodes[n]!.assignTo = assignTo;
    if (assignTo) nodes[n]!.assign = { k: 'assign', v: assignTo };
    return n;
  };

  const exprLine = (e: Expr, dflt: number): number => {
    if (e.k === 'call' || e.k === 'id') return e.line || dflt;
    return dflt;
  };

  const cond = (e: Expr, t: number, f: number, line: number): number => {
    const x = stripCond(e);
    if (x.k === 'unary' && x.op === '!') return cond(x.arg, f, t, line);
    if (x.k === 'binary' && x.op === '&&') return cond(x.left, cond(x.right, t, f, line), f, line);
    if (x.k === 'binary' && x.op === '||') return cond(x.left, t, cond(x.right, t, f, line), line);
    if (x.k === 'comma' && x.exprs.length > 1) {
      const last = cond(x.exprs[x.exprs.length - 1]!, t, f, line);
      let n = last;
      for (let i = x.exprs.length - 2; i >= 0; i--) n = evalNode(x.exprs[i]!, line, n);
      return n;
    }
    // `if (WARN_ON(!x))` style wrappers were stripped above; `x == 0` is kept as an atom.
    return mk('branch', line, [t, f], x);
  };

  const block = (stmts: Stmt[], next: number, blk: Stmt | null, preGuards: GuardInfo[], line: number): number => {
    const sc: Scope = { guards: [], cur: stmts.length, block: blk };
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i]!;
      if (s.k === 'guard') sc.guards.push({ info: { cls: s.cls, args: s.args, text: s.text, col: s.col, conditional: false }, line: s.line, index: i });
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
        sc.guards.push({ info: { cls: '__cleanup', args: [], text, col: 0, conditional: false, cleanupCall: call }, line: s.line, index: i });
      }
    }
    for (const g of preGuards) sc.guards.push({ info: g, line, index: -1 });
    scopes.push(sc);
    guardsInScope += sc.guards.length;
    // Falling off the end of the block releases every guard of the scope.
    sc.cur = stmts.length;
    let n = sc.guards.length ? releaseChain(scopes.length - 1, blk && blk.k === 'block' ? blk.endLine : line, next, (x) => x !== sc) : next;
    for (let i = stmts.length - 1; i >= 0; i--) {
      sc.cur = i;
      n = stmt(stmts[i]!, n);
    }
    scopes.pop();
    guardsInScope -= sc.guards.length;
    return n;
  };

  const loopBody = (s: Stmt, next: number, brk: number, cont: number): number => {
    jumps.push({ brk, cont, depth: scopes.length, cases: null, hasDefault: false });
    loop++;
    const b = stmt(s, next);
    loop--;
    jumps.pop();
    return b;
  };

  const stmt = (s: Stmt, next: number): number => {
    switch (s.k) {
      case 'block':
        return block(s.body, next, s, NO_GUARDS, 0);
      case 'expr': {
        const e = s.expr;
        if (e.k === 'assign' && e.op === '=' && e.left.k === 'id') return evalNode(e.right, s.line, next, e.left.name);
        return evalNode(e, s.line, next);
      }
      case 'decl':
        return s.init ? evalNode(s.init, s.line, next, s.decl.name) : next;
      case 'if': {
        const t = stmt(s.then, next);
        const f = s.else ? stmt(s.else, next) : next;
        return cond(s.cond, t, f, s.line);
      }
      case 'while': {
        const head = mk('nop', s.line);
        const body = loopBody(s.body, head, next, head);
        // Iterator macros (`list_for_each_entry(...)`) evaluate their arguments, then may run 0 times.
        const c = s.macro ? evalNode(s.cond, s.line, mk('choice', s.line, [body, next])) : cond(s.cond, body, next, s.line);
        if (s.macro) nodes[c]!.macro = s.macro;
        nodes[head]!.succ = [c];
        return head;
      }
      case 'do': {
        const head = mk('nop', s.line);
        const c = cond(s.cond, head, next, s.line);
        const body = loopBody(s.body, c, next, c);
        nodes[head]!.succ = [body];
        return head;
      }
      case 'for': {
        const head = mk('nop', s.line);
        const upd = s.update ? evalNode(s.update, s.line, head) : head;
        const body = loopBody(s.body, upd, next, upd);
        const c = s.cond ? cond(s.cond, body, next, s.line) : body;
        nodes[head]!.succ = [c];
        return s.init ? stmt(s.init, head) : head;
      }
      case 'switch': {
        const ctx: JumpCtx = { brk: next, cont: jumps.length ? jumps[jumps.length - 1]!.cont : null, depth: scopes.length, cases: [], hasDefault: false };
        jumps.push(ctx);
        stmt(s.body, next);
        jumps.pop();
        const targets = ctx.cases!.reverse();
        if (!ctx.hasDefault) targets.push(next);
        const dispatch = mk('choice', s.line, targets);
        return evalNode(s.cond, s.line, dispatch);
      }
      case 'case': {
        for (let i = jumps.length - 1; i >= 0; i--) {
          const j = jumps[i]!;
          if (j.cases) {
            const n = mk('nop', s.line, [next]);
            // Pushed in reverse source order (statements are built last to first); see 'switch'.
            j.cases.push(n);
            if (s.value === null) j.hasDefault = true;
            return n;
          }
        }
        return next;
      }
      case 'break': {
        const j = jumps[jumps.length - 1];
        if (!j || j.brk === null) return next;
        return releaseChain(j.depth, s.line, j.brk);
      }
      case 'continue': {
        for (let i = jumps.length - 1; i >= 0; i--) {
          const j = jumps[i]!;
          if (!j.cases && j.cont !== null) return releaseChain(j.depth, s.line, j.cont);
        }
        return next;
      }
      case 'return': {
        const ep = mk('exitpoint', s.line, [exit], s.expr);
        const rel = releaseChain(0, s.line, ep);
        return mk('return', s.line, [rel], s.expr);
      }
      case 'goto': {
        const target = labelNode(s.label);
        const keepBlocks = labelBlocks().get(s.label) ?? new Set<Stmt>();
        return releaseChain(0, s.line, target, (sc) => sc.block !== null && keepBlocks.has(sc.block));
      }
      case 'label': {
        const n = labelNode(s.name);
        nodes[n]!.line = s.line;
        nodes[n]!.succ = [next];
        return n;
      }
      case 'guard': {
        const n = mk('guard', s.line, [next]);
        nodes[n]!.guard = { cls: s.cls, args: s.args, text: s.text, col: s.col, conditional: false };
        return n;
      }
      case 'scoped_guard': {
        const info: GuardInfo = { cls: s.cls, args: s.args, text: s.text, col: s.col, conditional: s.fail !== null || /_(try|intr|kill)$/.test(s.cls) };
        const body = block([s.body], next, s, [info], s.line);
        const fail = s.fail ? stmt(s.fail, next) : next;
        const n = mk('guard', s.line, info.conditional ? [body, fail] : [body]);
        nodes[n]!.guard = info;
        return n;
      }
      case 'alt': {
        if (s.arms.length === 0) return next;
        return mk('choice', s.line, s.arms.map((a) => stmt(a, next)));
      }
      case 'unknown': {
        let n = next;
        for (let i = s.calls.length - 1; i >= 0; i--) n = evalNode(s.calls[i]!, exprLine(s.calls[i]!, s.line), n);
        return n;
      }
      default:
        return next;
    }
  };

  const fallOff = mk('exitpoint', endLine, [exit]);
  const first = stmt(body, fallOff);
  nodes[entry]!.succ = [first];
  // Labels never defined (macro-generated) just fall through to the end.
  for (const n of labels.values()) if (nodes[n]!.succ.length === 0) nodes[n]!.succ = [fallOff];
  return { nodes, entry, exit };
}
