/**
 * Statements of the IR builder: tree-sitter statement nodes → `Stmt`, including iterator macros
 * (rewritten to `while` by masking), cleanup.h guards, `#if` arms inside bodies (`alt`) and
 * `unknown` statements that keep the calls of unparsable regions.
 */

import type { Expr, Stmt } from '../../ir';
import { checkDeadline } from '../budget';
import { clip, MAX_DEPTH, otherExpr } from './builder-base';
import { IrExprs } from './builder-exprs';
import { intern } from './intern';
import { EMPTY, exact } from './shared-values';

export abstract class IrStmts extends IrExprs {
  /** Nested or misparsed function definitions and `#define`s inside bodies (builder.ts). */
  protected abstract functionDefinition(n: number, fromError?: boolean): void;
  protected abstract macroDef(n: number): void;

  protected block(n: number): Stmt {
    if (this.depth > MAX_DEPTH) return { k: 'block', body: [this.unknown(n)], line: this.line(n), endLine: this.endLine(n) };
    const body: Stmt[] = [];
    this.depth++;
    try {
      for (let c = this.t.firstChild[n]; c >= 0; c = this.t.nextSibling[c]) this.stmtInto(c, body);
    } finally {
      this.depth--;
    }
    return { k: 'block', body: exact(body), line: this.line(n), endLine: this.endLine(n) };
  }

  /** One statement (a loop or if body); several become a block. */
  protected stmt(n: number): Stmt {
    if (n < 0) return { k: 'block', body: EMPTY, line: 0, endLine: 0 };
    if (this.ty(n) === 'compound_statement') return this.block(n);
    const out: Stmt[] = [];
    this.stmtInto(n, out);
    if (out.length === 1) return out[0];
    return { k: 'block', body: exact(out), line: this.line(n), endLine: this.endLine(n) };
  }

  protected stmtInto(n: number, out: Stmt[]): void {
    const t = this.t;
    const line = t.row[n] + 1;
    if (this.depth > MAX_DEPTH) {
      if (t.named[n]) out.push(this.unknown(n));
      return;
    }
    this.depth++;
    try {
      this.stmtIntoInner(n, out, line);
    } finally {
      this.depth--;
    }
  }

  protected stmtCount = 0;

  protected stmtIntoInner(n: number, out: Stmt[], line: number): void {
    if ((++this.stmtCount & 0x3ff) === 0) checkDeadline(this.deadline, 'IR extraction');
    switch (this.ty(n)) {
      case 'compound_statement':
        out.push(this.block(n));
        return;
      case 'expression_statement': {
        const e = this.firstNamed(n);
        if (e < 0) return;
        const g = this.guardStmt(e, line);
        out.push(g ?? { k: 'expr', expr: this.expr(e), line });
        if (this.hasErrorChild(n)) out.push(this.unknownFromErrors(n, line));
        return;
      }
      case 'declaration':
        this.localDeclaration(n, out);
        return;
      case 'if_statement': {
        const ch = this.nk(n);
        const cond = ch.length > 0 ? ch[0] : -1;
        const cons = ch.length > 1 && this.ty(ch[1]) !== 'else_clause' ? ch[1] : -1;
        const elseClause = this.childOfType(n, 'else_clause');
        const elseStmt = elseClause >= 0 ? this.firstNamed(elseClause) : -1;
        out.push({
          k: 'if',
          cond: cond >= 0 ? this.expr(cond) : otherExpr(''),
          then: this.stmt(cons),
          else: elseClause >= 0 ? this.stmt(elseStmt) : null,
          line,
        });
        return;
      }
      case 'while_statement': {
        const start = this.t.start[n];
        const sg = this.mask.scopedGuards.get(start);
        if (sg) {
          out.push(this.scopedGuard(n, sg.macro, sg.failKeyword, line));
          return;
        }
        const ch = this.nk(n);
        out.push({
          k: 'while',
          cond: ch.length > 0 ? this.expr(ch[0]) : otherExpr(''),
          body: this.stmt(ch.length > 1 ? ch[1] : -1),
          line,
          macro: loopMacro(this.mask.loopMacros.get(start)),
        });
        return;
      }
      case 'do_statement': {
        const ch = this.nk(n);
        out.push({
          k: 'do',
          body: this.stmt(ch.length > 0 ? ch[0] : -1),
          cond: ch.length > 1 ? this.expr(ch[1]) : otherExpr(''),
          line,
        });
        return;
      }
      case 'for_statement':
        out.push(this.forStmt(n, line));
        return;
      case 'switch_statement': {
        const ch = this.nk(n);
        out.push({
          k: 'switch',
          cond: ch.length > 0 ? this.expr(ch[0]) : otherExpr(''),
          body: this.stmt(ch.length > 1 ? ch[1] : -1),
          line,
        });
        return;
      }
      case 'case_statement':
        this.caseInto(n, out, line);
        return;
      case 'labeled_statement':
        this.labeledInto(n, out, line);
        return;
      case 'break_statement':
        out.push({ k: 'break', line });
        return;
      case 'continue_statement':
        out.push({ k: 'continue', line });
        return;
      case 'return_statement': {
        const e = this.firstNamed(n);
        out.push({ k: 'return', expr: e >= 0 ? this.expr(e) : null, line });
        return;
      }
      case 'goto_statement': {
        const label = this.childOfType(n, 'statement_identifier');
        out.push({ k: 'goto', label: label >= 0 ? this.text(label) : '', line });
        return;
      }
      case 'attributed_statement': {
        for (const c of this.nk(n)) if (this.ty(c) !== 'attribute_declaration') this.stmtInto(c, out);
        return;
      }
      case 'preproc_if':
      case 'preproc_ifdef':
        out.push(this.preprocAlt(n, line));
        return;
      case 'preproc_def':
      case 'preproc_function_def':
        this.macroDef(n);
        return;
      case 'function_definition':
        // GNU nested function or a misparse: extract it as a function of its own.
        this.functionDefinition(n, true);
        return;
      case 'comment':
      case 'preproc_call':
      case 'preproc_include':
      case 'type_definition':
      case 'struct_specifier':
      case 'union_specifier':
      case 'enum_specifier':
      case 'preproc_else':
      case 'preproc_elif':
        return;
      default:
        if (!this.t.named[n]) return; // `;`, braces
        out.push(this.unknown(n));
        return;
    }
  }

  /** `case V: stmts...` / `default: stmts...`: marker, then the statements in the same block. */
  private caseInto(n: number, out: Stmt[], line: number): void {
    let seenColon = false;
    let value = -1;
    const rest: number[] = [];
    for (let c = this.t.firstChild[n]; c >= 0; c = this.t.nextSibling[c]) {
      if (!seenColon) {
        if (this.ty(c) === ':') seenColon = true;
        else if (this.t.named[c] && this.ty(c) !== 'comment') value = c;
        continue;
      }
      rest.push(c);
    }
    out.push({ k: 'case', value: value >= 0 ? this.expr(value) : null, line });
    for (const c of rest) this.stmtInto(c, out);
  }

  /** `label: stmt`: the label marker, then the statement(s) after the colon. */
  private labeledInto(n: number, out: Stmt[], line: number): void {
    const ch = this.kids(n);
    const label = ch.length ? ch[0] : -1;
    out.push({ k: 'label', name: label >= 0 ? this.text(label) : '', line });
    let seenColon = false;
    for (const c of ch) {
      if (!seenColon) {
        if (this.ty(c) === ':') seenColon = true;
        continue;
      }
      this.stmtInto(c, out);
    }
  }

  /** `#if` arms inside a body: one `alt` with a block per arm. */
  private preprocAlt(n: number, line: number): Stmt {
    const arms = this.preprocArms(n);
    const stmts: Stmt[] = [];
    for (const arm of arms) {
      const body: Stmt[] = [];
      for (const c of arm.items) this.stmtInto(c, body);
      stmts.push({ k: 'block', body: exact(body), line: arm.line, endLine: arm.endLine });
    }
    // Without `#else`, skipping the region is the other possibility.
    if (!arms.some((a) => a.isElse)) stmts.push({ k: 'block', body: EMPTY, line, endLine: line });
    return { k: 'alt', arms: exact(stmts), line };
  }

  protected hasErrorChild(n: number): boolean {
    for (let c = this.t.firstChild[n]; c >= 0; c = this.t.nextSibling[c]) if (this.ty(c) === 'ERROR') return true;
    return false;
  }

  /** Calls in the ERROR children of a statement that otherwise parsed. */
  protected unknownFromErrors(n: number, line: number): Stmt {
    const calls: Expr[] = [];
    const texts: string[] = [];
    for (let c = this.t.firstChild[n]; c >= 0; c = this.t.nextSibling[c]) {
      if (this.ty(c) !== 'ERROR') continue;
      texts.push(this.text(c));
      this.collectCalls(c, calls);
    }
    return { k: 'unknown', text: clip(texts.join(' ')), calls: exact(calls), line };
  }

  protected forStmt(n: number, line: number): Stmt {
    // for ( init ; cond ; update ) body — a declaration initialiser carries its own `;`.
    let seg = -1; // -1 before '(', 0 init, 1 cond, 2 update, 3 body
    let init: Stmt | null = null;
    let cond: Expr | null = null;
    let update: Expr | null = null;
    let body = -1;
    for (let c = this.t.firstChild[n]; c >= 0; c = this.t.nextSibling[c]) {
      const ty = this.ty(c);
      if (seg === -1) {
        if (ty === '(') seg = 0;
        continue;
      }
      if (ty === ';' && seg < 3) {
        seg++;
        continue;
      }
      if (ty === ')' && seg < 3) {
        seg = 3;
        continue;
      }
      if (!this.t.named[c] || ty === 'comment') continue;
      if (seg === 0) {
        if (ty === 'declaration') {
          const decls: Stmt[] = [];
          this.localDeclaration(c, decls);
          init = decls.length === 1 ? decls[0] : { k: 'block', body: exact(decls), line, endLine: line };
          seg = 1;
        } else init = { k: 'expr', expr: this.expr(c), line };
      } else if (seg === 1) cond = this.expr(c);
      else if (seg === 2) update = this.expr(c);
      else body = c;
    }
    return { k: 'for', init, cond, update, body: this.stmt(body), line };
  }

  protected unknown(n: number): Stmt {
    const calls: Expr[] = [];
    this.collectCalls(n, calls);
    return { k: 'unknown', text: clip(this.text(n)), calls: exact(calls), line: this.line(n) };
  }

  /** `guard(cls)(args);` */
  protected guardStmt(e: number, line: number): Stmt | null {
    if (this.ty(e) !== 'call_expression') return null;
    const inner = this.firstNamed(e);
    if (inner < 0 || this.ty(inner) !== 'call_expression') return null;
    const g = this.firstNamed(inner);
    if (g < 0 || this.ty(g) !== 'identifier' || this.text(g) !== 'guard') return null;
    const clsArgs = this.childOfType(inner, 'argument_list');
    const cls = clsArgs >= 0 ? this.firstNamed(clsArgs) : -1;
    return {
      k: 'guard',
      cls: cls >= 0 ? this.text(cls) : '',
      args: this.args(this.childOfType(e, 'argument_list')),
      line,
      col: this.t.col[e],
      text: clip(this.text(e)),
    };
  }

  /** A `while` that masking made out of `scoped_guard(cls, args) body`. */
  protected scopedGuard(n: number, macro: string, failKeyword: string | null, line: number): Stmt {
    const ch = this.nk(n);
    const condNode = ch.length > 0 ? ch[0] : -1;
    const inner = condNode >= 0 ? this.expr(condNode) : otherExpr('');
    const parts = inner.k === 'comma' ? inner.exprs : [inner];
    const clsExpr = parts[0];
    const cls = clsExpr && clsExpr.k === 'id' ? clsExpr.name : condNode >= 0 ? this.firstArgText(condNode) : '';
    let fail: Stmt | null = null;
    let args = parts.length > 1 ? parts.slice(1) : EMPTY;
    if (macro === 'scoped_cond_guard') {
      const f = parts[1];
      args = parts.length > 2 ? parts.slice(2) : EMPTY;
      if (failKeyword === 'return') fail = { k: 'return', expr: f ?? null, line };
      else if (failKeyword === 'goto') fail = { k: 'goto', label: f && f.k === 'id' ? f.name : '', line };
      else if (failKeyword === 'break') fail = { k: 'break', line };
      else if (failKeyword === 'continue') fail = { k: 'continue', line };
      else if (f) fail = { k: 'expr', expr: f, line };
    }
    const headerEnd = condNode >= 0 ? this.t.end[condNode] : this.t.start[n];
    return {
      k: 'scoped_guard',
      cls,
      args,
      fail,
      body: this.stmt(ch.length > 1 ? ch[1] : -1),
      line,
      col: this.t.col[n],
      text: clip(this.src.slice(this.t.start[n], headerEnd)),
    };
  }

  protected firstArgText(paren: number): string {
    const s = this.text(paren).replace(/^\(\s*/, '');
    const comma = s.indexOf(',');
    return (comma >= 0 ? s.slice(0, comma) : s.replace(/\)\s*$/, '')).trim();
  }

  protected localDeclaration(n: number, out: Stmt[]): void {
    const typeNode = this.typeNodeOf(n);
    const line = this.line(n);
    const decls = this.declaratorsOf(n, typeNode);
    let any = false;
    for (const d of decls) {
      const info = this.declarator(d);
      if (!info.name) continue;
      any = true;
      // `FOO(x);` in a body is a macro call that the grammar reads as a declaration of x.
      if (info.parenOnly && info.init < 0 && typeNode >= 0 && this.ty(typeNode) === 'type_identifier' && !this.isStatic(n) && decls.length === 1) {
        out.push({
          k: 'expr',
          expr: {
            k: 'call',
            callee: this.idExpr(typeNode),
            args: [this.idExpr(info.nameNode)],
            line,
            col: this.t.col[n],
            endLine: this.endLine(d),
            text: clip(this.src.slice(this.t.start[n], this.t.end[d])),
          },
          line,
        });
        continue;
      }
      out.push({
        k: 'decl',
        decl: this.holdType({ name: info.name, type: this.typeRef(typeNode, info.ptr, this.hasRcu(this.t.start[n], this.t.end[n])), line }),
        init: info.init >= 0 ? this.expr(info.init) : null,
        cleanup: this.cleanupIn(this.t.start[d], this.t.end[d]),
        line,
      });
    }
    if (!any || this.hasErrorChild(n)) {
      if (!any) out.push(this.unknown(n));
      else out.push(this.unknownFromErrors(n, line));
    }
  }

  // --- expressions -----------------------------------------------------------------------------
}

function loopMacro(m: string | undefined): string | null {
  return m === undefined ? null : intern(m);
}
