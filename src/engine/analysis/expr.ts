/** Read-only helpers over IR expressions: printing, stripping, walking calls. */
import type { Expr, Stmt } from '../ir';

export function exprText(e: Expr | null | undefined): string {
  if (!e) return '';
  switch (e.k) {
    case 'id':
      return e.name;
    case 'num':
      return e.text;
    case 'str':
      return '"…"';
    case 'call':
      return e.text || `${exprText(e.callee)}(${e.args.map(exprText).join(', ')})`;
    case 'field':
      return `${exprText(e.base)}${e.arrow ? '->' : '.'}${e.field}`;
    case 'index':
      return `${exprText(e.base)}[${exprText(e.index)}]`;
    case 'unary':
      return e.op.startsWith('post') ? `${exprText(e.arg)}${e.op.slice(4)}` : `${e.op}${exprText(e.arg)}`;
    case 'binary':
      return `${exprText(e.left)} ${e.op} ${exprText(e.right)}`;
    case 'assign':
      return `${exprText(e.left)} ${e.op} ${exprText(e.right)}`;
    case 'cond':
      return `${exprText(e.test)} ? ${exprText(e.then)} : ${exprText(e.else)}`;
    case 'cast':
      return `(${e.type.base}${'*'.repeat(e.type.ptr)})${exprText(e.arg)}`;
    case 'comma':
      return e.exprs.map(exprText).join(', ');
    case 'sizeof':
      return 'sizeof(…)';
    case 'init':
      return '{…}';
    case 'stmtexpr':
      return '({…})';
    case 'other':
      return e.text;
  }
}

/** Name of a direct callee (`f(...)`), or null for indirect calls. */
export function calleeName(c: Expr & { k: 'call' }): string | null {
  let e = c.callee;
  while (e.k === 'unary' && e.op === '*') e = e.arg;
  if (e.k === 'other' && e.sub.length === 1 && /^\(/.test(e.text)) e = e.sub[0]!;
  return e.k === 'id' ? e.name : null;
}

/** Strips `&`, casts and parentheses: what a lock argument points at. */
export function stripAddr(e: Expr): Expr {
  for (;;) {
    if (e.k === 'unary' && e.op === '&') e = e.arg;
    else if (e.k === 'cast') e = e.arg;
    else if (e.k === 'other' && e.sub.length === 1 && /^\(.*\)$/s.test(e.text.trim())) e = e.sub[0]!;
    else if (e.k === 'comma' && e.exprs.length === 1) e = e.exprs[0]!;
    else return e;
  }
}

/** Strips casts/parens and `likely()`/`unlikely()` wrappers around a condition. */
export function stripCond(e: Expr): Expr {
  for (;;) {
    if (e.k === 'cast') e = e.arg;
    else if (e.k === 'other' && e.sub.length === 1 && /^\(.*\)$/s.test(e.text.trim())) e = e.sub[0]!;
    else if (e.k === 'comma' && e.exprs.length === 1) e = e.exprs[0]!;
    else if (e.k === 'call' && e.args.length === 1 && /^(likely|unlikely|WARN_ON|WARN_ON_ONCE|OVS_UNLIKELY|OVS_LIKELY)$/.test(calleeName(e) ?? '')) e = e.args[0]!;
    else return e;
  }
}

/** Every identifier name appearing in an expression (for GFP flags, ioctl constants, RTM types). */
export function collectIds(e: Expr | null | undefined, out: Set<string>): void {
  if (!e) return;
  switch (e.k) {
    case 'id':
      out.add(e.name);
      return;
    case 'other':
      for (const m of e.text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) out.add(m[0]);
      for (const s of e.sub) collectIds(s, out);
      return;
    default:
      forEachChild(e, (c) => collectIds(c, out));
  }
}

export function forEachChild(e: Expr, f: (c: Expr) => void): void {
  switch (e.k) {
    case 'call':
      f(e.callee);
      e.args.forEach(f);
      return;
    case 'field':
      f(e.base);
      return;
    case 'index':
      f(e.base);
      f(e.index);
      return;
    case 'unary':
      f(e.arg);
      return;
    case 'binary':
    case 'assign':
      f(e.left);
      f(e.right);
      return;
    case 'cond':
      f(e.test);
      f(e.then);
      f(e.else);
      return;
    case 'cast':
      f(e.arg);
      return;
    case 'comma':
      e.exprs.forEach(f);
      return;
    case 'init':
      e.entries.forEach((x) => f(x.value));
      return;
    case 'other':
      e.sub.forEach(f);
      return;
    case 'stmtexpr':
      forEachStmtExpr(e.body, f);
      return;
    default:
      return;
  }
}

/** Top-level expressions of a statement tree, in source order (control flow ignored). */
export function forEachStmtExpr(s: Stmt | null, f: (e: Expr) => void): void {
  if (!s) return;
  switch (s.k) {
    case 'block':
      s.body.forEach((x) => forEachStmtExpr(x, f));
      return;
    case 'expr':
      f(s.expr);
      return;
    case 'decl':
      if (s.init) f(s.init);
      return;
    case 'if':
      f(s.cond);
      forEachStmtExpr(s.then, f);
      forEachStmtExpr(s.else, f);
      return;
    case 'while':
    case 'do':
      f(s.cond);
      forEachStmtExpr(s.body, f);
      return;
    case 'for':
      forEachStmtExpr(s.init, f);
      if (s.cond) f(s.cond);
      if (s.update) f(s.update);
      forEachStmtExpr(s.body, f);
      return;
    case 'switch':
      f(s.cond);
      forEachStmtExpr(s.body, f);
      return;
    case 'return':
      if (s.expr) f(s.expr);
      return;
    case 'guard':
      s.args.forEach(f);
      return;
    case 'scoped_guard':
      s.args.forEach(f);
      forEachStmtExpr(s.fail, f);
      forEachStmtExpr(s.body, f);
      return;
    case 'alt':
      s.arms.forEach((a) => forEachStmtExpr(a, f));
      return;
    case 'unknown':
      s.calls.forEach(f);
      return;
    default:
      return;
  }
}

/** All calls in an expression, innermost/leftmost first (C evaluation order, approximately). */
export function callsInOrder(e: Expr, out: (Expr & { k: 'call' })[]): void {
  // One visitor closure per walk instead of one per node (this runs for every statement).
  const visit = (c: Expr): void => {
    forEachChild(c, visit);
    if (c.k === 'call') out.push(c);
  };
  visit(e);
}

/**
 * Parses an annotation lock expression (`umap->mutex`, `&dp->lock`, `(*result)->mutex`,
 * `ovs_mutex`) into an Expr. Unparseable text yields an `other` expr (resolves to kind other).
 */
export function parseLockText(text: string): Expr {
  const toks = text.match(/->|[A-Za-z_][A-Za-z0-9_]*|\d+|[&*().[\]]/g) ?? [];
  let i = 0;
  const fail: Expr = { k: 'other', text, sub: [] };
  const primary = (): Expr | null => {
    const t = toks[i];
    if (t === undefined) return null;
    if (t === '&' || t === '*') {
      i++;
      const a = primary();
      return a ? { k: 'unary', op: t, arg: a } : null;
    }
    let e: Expr | null;
    if (t === '(') {
      i++;
      e = primary();
      if (toks[i] !== ')') return null;
      i++;
    } else if (/^[A-Za-z_]/.test(t)) {
      i++;
      e = { k: 'id', name: t, line: 0, col: 0 };
    } else if (/^\d/.test(t)) {
      i++;
      e = { k: 'num', text: t };
    } else return null;
    while (e) {
      const op = toks[i];
      if (op === '->' || op === '.') {
        const f = toks[i + 1];
        if (!f || !/^[A-Za-z_]/.test(f)) return null;
        i += 2;
        e = { k: 'field', base: e, field: f, arrow: op === '->' };
      } else if (op === '[') {
        i++;
        const idx = primary();
        if (!idx || toks[i] !== ']') return null;
        i++;
        e = { k: 'index', base: e, index: idx };
      } else break;
    }
    return e;
  };
  const r = primary();
  return r && i === toks.length ? r : fail;
}
