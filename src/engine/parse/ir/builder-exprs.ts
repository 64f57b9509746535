/**
 * Expressions of the IR builder: tree-sitter expression nodes → `Expr`, and the flat call
 * collection used for regions that cannot be modelled (ERROR nodes, nesting past MAX_DEPTH).
 */

import type { Expr, Stmt } from '../../ir';
import { clip, IrBase, MAX_DEPTH, otherExpr, TYPE_NODES } from './builder-base';
import { EMPTY, exact, numExpr, SIZEOF_EXPR, STR_EXPR, typeRefOf } from './shared-values';

export abstract class IrExprs extends IrBase {
  /** Statement expressions `({ ... })` need the statement converter (builder-stmts.ts). */
  protected abstract block(n: number): Stmt;

  expr(n: number): Expr {
    const ty = this.t.type[n];
    if (ty === 'identifier' || ty === 'field_identifier') return this.idExpr(n); // leaves: no depth cost
    if (this.depth > MAX_DEPTH) {
      const sub: Expr[] = [];
      this.collectCallsOf(n, sub);
      return { k: 'other', text: clip(this.text(n)), sub: exact(sub) };
    }
    this.depth++;
    try {
      return this.exprInner(n);
    } finally {
      this.depth--;
    }
  }

  protected exprInner(n: number): Expr {
    const t = this.t;
    switch (t.type[n]) {
      case 'identifier':
      case 'field_identifier':
        return this.idExpr(n);
      case 'number_literal':
      case 'char_literal':
      case 'true':
      case 'false':
      case 'null':
        return numExpr(this.text(n));
      case 'string_literal':
      case 'concatenated_string':
      case 'raw_string_literal':
        return STR_EXPR;
      case 'call_expression': {
        const ch = this.nk(n);
        const f = ch.length ? ch[0] : -1;
        const argList = this.childOfType(n, 'argument_list');
        return {
          k: 'call',
          callee: f >= 0 && f !== argList ? this.expr(f) : otherExpr(''),
          args: this.args(argList),
          line: t.row[n] + 1,
          col: t.col[n],
          endLine: this.endLine(n),
          text: clip(this.text(n)),
        };
      }
      case 'field_expression': {
        const ch = this.nk(n);
        const base = ch.length ? ch[0] : -1;
        const field = ch.length > 1 ? ch[ch.length - 1] : -1;
        return {
          k: 'field',
          base: base >= 0 ? this.expr(base) : otherExpr(''),
          field: field >= 0 ? this.text(field) : '',
          arrow: this.opToken(n) === '->',
        };
      }
      case 'subscript_expression': {
        const ch = this.nk(n);
        return {
          k: 'index',
          base: ch.length > 0 ? this.expr(ch[0]) : otherExpr(''),
          index: ch.length > 1 ? this.expr(ch[1]) : otherExpr(''),
        };
      }
      case 'pointer_expression':
      case 'unary_expression': {
        const arg = this.firstNamed(n);
        return { k: 'unary', op: this.opToken(n), arg: arg >= 0 ? this.expr(arg) : otherExpr('') };
      }
      case 'update_expression': {
        const first = t.firstChild[n];
        const prefix = first >= 0 && !t.named[first];
        const arg = this.firstNamed(n);
        const op = this.opToken(n);
        return { k: 'unary', op: prefix ? op : `post${op}`, arg: arg >= 0 ? this.expr(arg) : otherExpr('') };
      }
      case 'binary_expression':
      case 'assignment_expression': {
        const ch = this.nk(n);
        const left = ch.length > 0 ? this.expr(ch[0]) : otherExpr('');
        const right = ch.length > 1 ? this.expr(ch[ch.length - 1]) : otherExpr('');
        const op = this.opToken(n);
        return t.type[n] === 'binary_expression' ? { k: 'binary', op, left, right } : { k: 'assign', op, left, right };
      }
      case 'conditional_expression': {
        let part = 0;
        let c0 = -1;
        let c1 = -1;
        let c2 = -1;
        for (let c = t.firstChild[n]; c >= 0; c = t.nextSibling[c]) {
          const ty = t.type[c];
          if (ty === '?') part = 1;
          else if (ty === ':') part = 2;
          else if (t.named[c] && ty !== 'comment') {
            if (part === 0) c0 = c;
            else if (part === 1) c1 = c;
            else c2 = c;
          }
        }
        const test = c0 >= 0 ? this.expr(c0) : otherExpr('');
        // GNU `a ?: b`: the test value is the result when true.
        return { k: 'cond', test, then: c1 >= 0 ? this.expr(c1) : test, else: c2 >= 0 ? this.expr(c2) : otherExpr('') };
      }
      case 'cast_expression': {
        const td = this.childOfType(n, 'type_descriptor');
        const v = this.lastNamed(n);
        return this.holdType<Expr & { k: 'cast' }>({
          k: 'cast',
          type: td >= 0 ? this.typeDescriptor(td) : typeRefOf('int', null, 0, false),
          arg: v >= 0 && v !== td ? this.expr(v) : otherExpr(''),
        });
      }
      case 'comma_expression': {
        // Right-nested in tree-sitter-c; flatten iteratively.
        const exprs: Expr[] = [];
        let cur = n;
        for (;;) {
          const ch = this.nk(cur);
          if (ch.length === 0) break;
          exprs.push(this.expr(ch[0]));
          if (ch.length < 2) break;
          const r = ch[ch.length - 1];
          if (t.type[r] === 'comma_expression') cur = r;
          else {
            exprs.push(this.expr(r));
            break;
          }
        }
        return { k: 'comma', exprs: exact(exprs) };
      }
      case 'sizeof_expression':
      case 'alignof_expression':
      case 'offsetof_expression':
        return SIZEOF_EXPR;
      case 'parenthesized_expression': {
        const inner = this.firstNamed(n);
        if (inner < 0) return otherExpr(clip(this.text(n)));
        if (t.type[inner] === 'compound_statement') return { k: 'stmtexpr', body: this.block(inner) };
        return this.expr(inner);
      }
      case 'initializer_list':
        return this.initList(n);
      case 'compound_literal_expression': {
        const v = this.childOfType(n, 'initializer_list');
        return v >= 0 ? this.expr(v) : otherExpr(clip(this.text(n)));
      }
      default: {
        const sub: Expr[] = [];
        for (const c of this.nk(n)) {
          const ty = t.type[c];
          if (ty === 'type_descriptor' || TYPE_NODES.has(ty)) continue;
          sub.push(this.expr(c));
        }
        return sub.length ? { k: 'other', text: clip(this.text(n)), sub: exact(sub) } : otherExpr(clip(this.text(n)));
      }
    }
  }

  protected initList(n: number): Expr {
    const entries: { field: string | null; value: Expr }[] = [];
    for (const c of this.nk(n)) {
      if (this.ty(c) === 'initializer_pair') {
        const names: string[] = [];
        let value = -1;
        let seenEq = false;
        for (let d = this.t.firstChild[c]; d >= 0; d = this.t.nextSibling[d]) {
          const dt = this.ty(d);
          if (dt === '=' || dt === ':') {
            seenEq = true;
            continue;
          }
          if (!this.t.named[d] || dt === 'comment') continue;
          if (seenEq) value = d;
          else if (dt === 'field_designator') {
            const f = this.firstNamed(d);
            if (f >= 0) names.push(this.text(f));
          } else if (dt === 'field_identifier') names.push(this.text(d)); // old GNU `field: value`
        }
        entries.push({ field: names.length ? names.join('.') : null, value: value >= 0 ? this.expr(value) : otherExpr('') });
      } else {
        entries.push({ field: null, value: this.expr(c) });
      }
    }
    return { k: 'init', entries: exact(entries) };
  }

  protected args(list: number): Expr[] {
    if (list < 0) return EMPTY;
    const ch = this.nk(list);
    if (ch.length === 0) return EMPTY;
    const out: Expr[] = [];
    for (let i = 0; i < ch.length; i++) out.push(this.expr(ch[i]));
    return exact(out);
  }

  protected idExpr(n: number): Expr {
    return { k: 'id', name: this.text(n), line: this.t.row[n] + 1, col: this.t.col[n] };
  }

  /** `x`, `&a->b.c`, `*p`, `a[1]` with bounded recursion; anything else is `other`. */
  protected simpleExpr(n: number, budget: number): Expr {
    const ty = this.ty(n);
    if (budget > 0) {
      if (ty === 'identifier' || ty === 'field_identifier') return this.idExpr(n);
      if (ty === 'number_literal') return numExpr(this.text(n));
      if (ty === 'parenthesized_expression') {
        const inner = this.firstNamed(n);
        if (inner >= 0) return this.simpleExpr(inner, budget - 1);
      }
      if (ty === 'field_expression') {
        const ch = this.nk(n);
        if (ch.length >= 2) return { k: 'field', base: this.simpleExpr(ch[0], budget - 1), field: this.text(ch[ch.length - 1]), arrow: this.opToken(n) === '->' };
      }
      if (ty === 'pointer_expression' || ty === 'unary_expression') {
        const arg = this.firstNamed(n);
        if (arg >= 0) return { k: 'unary', op: this.opToken(n), arg: this.simpleExpr(arg, budget - 1) };
      }
      if (ty === 'subscript_expression') {
        const ch = this.nk(n);
        if (ch.length >= 2) return { k: 'index', base: this.simpleExpr(ch[0], budget - 1), index: this.simpleExpr(ch[1], budget - 1) };
      }
    }
    return otherExpr(clip(this.text(n)));
  }

  /** A call whose arguments are kept only as simple lock-like expressions (used past the depth limit). */
  protected shallowCall(n: number): Expr {
    const f = this.firstNamed(n);
    const argList = this.childOfType(n, 'argument_list');
    const args: Expr[] = [];
    if (argList >= 0) for (const a of this.nk(argList)) args.push(this.simpleExpr(a, 12));
    return {
      k: 'call',
      callee: f >= 0 && this.ty(f) === 'identifier' ? this.idExpr(f) : otherExpr(f >= 0 ? clip(this.text(f)) : ''),
      args: exact(args),
      line: this.line(n),
      col: this.t.col[n],
      endLine: this.endLine(n),
      text: clip(this.text(n)),
    };
  }

  protected splitCall(id: number, argsNode: number): Expr {
    const args: Expr[] = [];
    if (this.depth <= MAX_DEPTH) {
      for (const a of this.nk(argsNode)) args.push(this.expr(a));
    }
    const flat = args.length === 1 && args[0].k === 'comma' ? args[0].exprs : exact(args);
    return {
      k: 'call',
      callee: this.idExpr(id),
      args: flat,
      line: this.line(id),
      col: this.t.col[id],
      endLine: this.endLine(argsNode),
      text: clip(this.src.slice(this.t.start[id], this.t.end[argsNode])),
    };
  }

  /**
   * Calls inside an unmodelled region, in source order (iterative: safe on any depth). Also
   * rebuilds calls an ERROR split into `identifier` + `argument_list`/`parenthesized_expression`.
   */
  protected collectCalls(root: number, out: Expr[]): void {
    const t = this.t;
    const stack: number[] = [root];
    while (stack.length) {
      const n = stack.pop()!;
      const ch = this.kids(n);
      const push: number[] = [];
      for (let k = 0; k < ch.length; k++) {
        const c = ch[k];
        const ty = t.type[c];
        if (ty === 'call_expression') {
          if (this.depth > MAX_DEPTH) {
            // Too deep for full expressions: a shallow call, and keep looking for the calls
            // nested in its arguments.
            out.push(this.shallowCall(c));
            push.push(c);
          } else out.push(this.expr(c));
          continue;
        }
        // `identifier (args)` as siblings is a call that an ERROR split (inside a real
        // call_expression the pair is just its callee and arguments).
        if (ty === 'identifier' && k + 1 < ch.length && t.type[n] !== 'call_expression') {
          const nt = t.type[ch[k + 1]];
          if (nt === 'argument_list' || nt === 'parenthesized_expression') {
            out.push(this.splitCall(c, ch[k + 1]));
            if (this.depth > MAX_DEPTH) push.push(ch[k + 1]);
            k++;
            continue;
          }
        }
        if (t.firstChild[c] >= 0) push.push(c);
      }
      // Children are processed in order: push reversed so the first is popped first.
      for (let k = push.length - 1; k >= 0; k--) stack.push(push[k]);
    }
  }

  /** Calls in a node, including the node itself when it is a call. */
  protected collectCallsOf(x: number, out: Expr[]): void {
    if (this.ty(x) !== 'call_expression') this.collectCalls(x, out);
    else if (this.depth <= MAX_DEPTH) out.push(this.expr(x));
    else {
      out.push(this.shallowCall(x));
      this.collectCalls(x, out);
    }
  }
}
