/**
 * Flat tree (tree/flat-tree.ts) → FileFacts IR: file-scope items (functions, prototypes, structs,
 * typedefs, globals and definer macros, #defines, `#if` variants) and recovery of functions from
 * top-level ERROR regions. Statements and expressions are in builder-stmts.ts /
 * builder-exprs.ts, shared tree and type helpers in builder-base.ts.
 *
 * Recursion is bounded (MAX_DEPTH): deeper nesting is kept as `unknown`/`other` with its calls
 * collected iteratively, so adversarial nesting cannot overflow the JS stack.
 */

import type { Expr, FileFacts, FunctionIR, Stmt, TypeRef, VarDecl } from '../../ir';
import { checkDeadline } from '../budget';
import { DEFINER_TYPES as DEFINERS, PER_CPU_DEFINERS } from '../preprocess/definer-macros';
import type { DefinerMark } from '../preprocess/macro-mask';
import { clip, DECLARATOR_NODES, initDefiner, MAX_STRUCT_DEPTH, otherExpr, structTag, TYPE_NODES } from './builder-base';
import { IrStmts } from './builder-stmts';
import { intern } from './intern';
import { EMPTY, exact, numExpr, typeRefOf } from './shared-values';

export class IrBuilder extends IrStmts {
  run(): void {
    const t = this.t;
    let errors = 0;
    for (let i = 0; i < t.n; i++) if (t.missing[i] || t.type[i] === 'ERROR') errors++;
    this.facts.errorNodes = errors;
    this.treeHasErrors = errors > 0;
    for (const off of this.mask.unbalancedConditionals) {
      this.problem('info', 'unbalanced-conditional', 'the arms of this #if open or close braces differently; only the first arm is analysed', this.offsetLine(off));
    }
    this.items(this.kids(0));
    if (this.mask.definers.length) {
      for (const d of this.mask.definers) this.definerGlobal(d);
      // Keep globals in source order (definers were blanked out of the tree).
      this.facts.globals.sort((a, b) => a.line - b.line);
    }
    this.settleTypes(this.typedefStructs);
    trimLists(this.facts);
  }

  // --- tree helpers ----------------------------------------------------------------------------

  /**
   * Top-level items in order. `#if` groups are expanded with an explicit stack (not recursion):
   * thousands of nested `#if`s must not overflow the JS stack.
   */
  protected items(list: number[]): void {
    type Frame = { list: number[]; k: number; cond: string | null; entered: boolean };
    const work: Frame[] = [{ list, k: 0, cond: null, entered: true }];
    while (work.length) {
      const top = work[work.length - 1];
      if (!top.entered) {
        top.entered = true;
        if (top.cond !== null) this.preproc.push(top.cond);
      }
      if (top.k >= top.list.length) {
        work.pop();
        if (top.cond !== null) this.preproc.pop();
        continue;
      }
      const k = top.k++;
      const n = top.list[k];
      const ty = this.ty(n);
      if ((k & 0x3f) === 0) checkDeadline(this.deadline, 'IR extraction');
      if (ty === 'preproc_if' || ty === 'preproc_ifdef') {
        const arms = this.preprocArms(n);
        // Pushed in reverse so the first arm runs first; an include guard is not a
        // configuration choice worth reporting, so it adds no condition.
        for (let a = arms.length - 1; a >= 0; a--) {
          const guardLike = arms.length === 1 && /^!defined\(\w*_H_*\)$/.test(arms[a].cond);
          work.push({ list: arms[a].items, k: 0, cond: guardLike ? null : arms[a].cond, entered: false });
        }
        continue;
      }
      if (!this.strandedStatement(top.list, k)) this.item(n);
    }
  }

  /**
   * Statements stranded at file scope next to an ERROR are what is left of a broken function
   * (e.g. after a stray `}`): reported with their calls instead of dropped. True when item `k` of
   * `list` was such a statement (and has been handled).
   */
  protected strandedStatement(list: number[], k: number): boolean {
    const n = list[k];
    if (this.ty(n) !== 'expression_statement') return false;
    if (!((k > 0 && this.ty(list[k - 1]) === 'ERROR') || (k + 1 < list.length && this.ty(list[k + 1]) === 'ERROR'))) return false;
    const calls: Expr[] = [];
    this.collectCallsOf(n, calls);
    if (!calls.length) return false;
    const names = calls.map((e) => (e.k === 'call' && e.callee.k === 'id' ? e.callee.name : '?'));
    this.facts.unmodeled.push({ name: null, line: this.line(n), reason: `statement outside any function next to a syntax error (calls: ${names.join(', ')})` });
    this.lastItemEnd = Math.max(this.lastItemEnd, this.t.end[n]);
    return true;
  }

  protected item(n: number): void {
    switch (this.ty(n)) {
      case 'function_definition':
        this.functionDefinition(n);
        break;
      case 'declaration':
        this.topDeclaration(n);
        break;
      case 'type_definition':
        this.typeDefinition(n);
        break;
      case 'struct_specifier':
      case 'union_specifier':
        this.structSpecifier(n, null);
        break;
      case 'preproc_def':
      case 'preproc_function_def':
        this.macroDef(n);
        break;
      case 'preproc_if':
      case 'preproc_ifdef':
        this.items([n]);
        break;
      case 'expression_statement':
        this.topExpression(n);
        break;
      case 'linkage_specification': {
        const body = this.childOfType(n, 'declaration_list');
        if (body >= 0) this.items(this.nk(body));
        else {
          const f = this.lastNamed(n);
          if (f >= 0) this.item(f);
        }
        break;
      }
      case 'ERROR':
        this.topError(n);
        break;
      default:
        break;
    }
    this.lastItemEnd = Math.max(this.lastItemEnd, this.t.end[n]);
  }

  protected macroDef(n: number): void {
    const ch = this.nk(n);
    const name = ch.length && this.ty(ch[0]) === 'identifier' ? ch[0] : -1;
    if (name < 0) return;
    let params: string[] | null = null;
    const p = this.childOfType(n, 'preproc_params');
    if (p >= 0) {
      const names: string[] = [];
      for (const c of this.kids(p)) {
        const ct = this.ty(c);
        if (ct === 'identifier' || ct === '...') names.push(this.text(c));
      }
      params = exact(names);
    }
    const v = this.childOfType(n, 'preproc_arg');
    const body = v >= 0 ? intern(this.text(v).replace(/\\\r?\n/g, ' ').trim()) : '';
    this.facts.macros.push({ name: this.text(name), params, body, line: this.line(n) });
  }

  protected functionDefinition(n: number, fromError = false): void {
    const typeNode = this.typeNodeOf(n);
    const body = this.childOfType(n, 'compound_statement');
    const decls = this.declaratorsOf(n, typeNode).filter((d) => body < 0 || this.t.start[d] < this.t.start[body]);
    const info = this.declarator(decls.length ? decls[0] : -1);
    if (!info.name || body < 0) {
      this.facts.unmodeled.push({ name: info.name, line: this.line(n), reason: body < 0 ? 'function without a body' : 'function name not found' });
      return;
    }
    const retRcu = this.hasRcu(this.t.start[n], info.nameNode >= 0 ? this.t.start[info.nameNode] : this.t.start[n]);
    const annotations = this.takeAnnotations(Math.min(this.lastItemEnd, this.t.start[n]), this.t.start[body]);
    const fnIr: FunctionIR = {
      name: info.name,
      file: this.file,
      line: this.line(n),
      col: this.t.col[n],
      endLine: this.endLine(n),
      isStatic: this.isStatic(n),
      returnType: this.typeRef(typeNode, info.ptr, retRcu),
      params: this.params(info.fn),
      annotations,
      body: this.block(body),
      hasErrors: fromError || this.subtreeHasError(n),
      preproc: exact(this.preproc),
    };
    this.facts.functions.push(this.holdReturnType(fnIr));
  }

  /** False once the whole tree is known to be clean: then no function needs its subtree scanned. */
  protected treeHasErrors = true;

  protected subtreeHasError(n: number): boolean {
    if (!this.treeHasErrors) return false;
    const t = this.t;
    // Pre-order: the subtree of n is [n, first node after n that is not a descendant).
    let end = -1;
    for (let a = n; a >= 0 && end < 0; a = t.parent[a]) end = t.nextSibling[a];
    if (end < 0) end = t.n;
    for (let i = n; i < end; i++) if (t.missing[i] || t.type[i] === 'ERROR') return true;
    return false;
  }

  protected topDeclaration(n: number): void {
    const typeNode = this.typeNodeOf(n);
    const isStatic = this.isStatic(n);
    if (typeNode >= 0) {
      const tt = this.ty(typeNode);
      if (tt === 'struct_specifier' || tt === 'union_specifier') this.structSpecifier(typeNode, null);
    }
    let annFrom = Math.min(this.lastItemEnd, this.t.start[n]);
    for (const d of this.declaratorsOf(n, typeNode)) {
      const info = this.declarator(d);
      if (!info.name) continue;
      if (info.fn >= 0 && info.init < 0 && this.isFunctionShaped(d)) {
        const annotations = this.takeAnnotations(annFrom, this.t.end[n]);
        annFrom = this.t.end[d];
        this.facts.prototypes.push({ name: info.name, line: this.line(n), isStatic, params: this.params(info.fn), annotations });
        continue;
      }
      const typeName = typeNode >= 0 ? this.text(typeNode) : '';
      const definerType = info.parenOnly && typeNode >= 0 && this.ty(typeNode) === 'type_identifier' ? DEFINERS[typeName] : undefined;
      if (definerType !== undefined) {
        this.facts.globals.push({
          name: info.name,
          type: typeRefOf(definerType, structTag(definerType), 0, false),
          isStatic,
          line: this.line(n),
          init: null,
          definer: typeName,
        });
        continue;
      }
      const init = info.init >= 0 ? this.expr(info.init) : null;
      this.facts.globals.push(
        this.holdType({
          name: info.name,
          type: this.typeRef(typeNode, info.ptr, this.hasRcu(this.t.start[n], this.t.end[n])),
          isStatic,
          line: this.line(n),
          init,
          definer: init ? initDefiner(init) : null,
        }),
      );
    }
  }

  /** A function declarator that names a function (not a function pointer variable `(*fp)(...)`). */
  protected isFunctionShaped(d: number): boolean {
    // Walk down: a pointer inside parentheses before the function declarator means a pointer variable.
    let cur = d;
    while (cur >= 0) {
      const ty = this.ty(cur);
      if (ty === 'function_declarator') {
        const inner = this.firstNamed(cur);
        return !(inner >= 0 && this.ty(inner) === 'parenthesized_declarator' && this.childOfType(inner, 'pointer_declarator') >= 0);
      }
      if (ty === 'pointer_declarator') {
        let next = -1;
        for (const c of this.nk(cur)) if (DECLARATOR_NODES.has(this.ty(c))) next = c;
        cur = next;
      } else if (ty === 'init_declarator' || ty === 'attributed_declarator' || ty === 'parenthesized_declarator') {
        cur = this.firstNamed(cur);
      } else return false;
    }
    return false;
  }

  /** A blanked `[static] DEFINE_X(args);` → a global with `definer`. */
  protected definerGlobal(d: DefinerMark): void {
    const ident = /^[A-Za-z_]\w*$/;
    if (PER_CPU_DEFINERS.has(d.macro)) {
      if (d.args.length < 2) return;
      const name = intern(d.args[d.args.length - 1].text);
      if (!ident.test(name)) return;
      const tyText = d.args[0].text;
      const ptr = (tyText.match(/\*/g) ?? []).length;
      const base = intern(tyText.replace(/\*/g, '').replace(/\s+/g, ' ').trim());
      const tag = /^(struct|union) (\w+)$/.exec(base);
      const type: TypeRef = tag ? typeRefOf(base, tag[2], ptr, false) : this.placeholder(base, ptr, false);
      this.facts.globals.push(this.holdType({ name, type, isStatic: d.isStatic, line: d.line, init: null, definer: d.macro }));
      return;
    }
    const tyBase = DEFINERS[d.macro];
    if (tyBase === undefined || d.args.length === 0 || !ident.test(d.args[0].text)) return;
    let init: Expr | null = null;
    if (d.args.length > 1) {
      // `DECLARE_WORK(w, fn)`: keep the arguments (the work function) as a call expression.
      const args: Expr[] = [];
      for (const a of d.args) {
        if (ident.test(a.text)) {
          const line = this.offsetLine(a.offset);
          args.push({ k: 'id', name: a.text, line, col: a.offset - this.lineStartOf(line) });
        } else if (/^[0-9]/.test(a.text)) args.push(numExpr(a.text));
        else args.push(otherExpr(clip(a.text)));
      }
      const line = d.line;
      init = {
        k: 'call',
        callee: { k: 'id', name: d.macro, line, col: d.offset - this.lineStartOf(line) },
        args: exact(args),
        line,
        col: d.offset - this.lineStartOf(line),
        endLine: this.offsetLine(d.args[d.args.length - 1].offset),
        text: clip(`${d.macro}(${d.args.map((a) => a.text).join(', ')})`),
      };
    }
    this.facts.globals.push({
      name: intern(d.args[0].text),
      type: typeRefOf(tyBase, structTag(tyBase), 0, false),
      isStatic: d.isStatic,
      line: d.line,
      init,
      definer: d.macro,
    });
  }

  /** `DEFINE_SPINLOCK(x);` without `static` parses as a call at top level. */
  protected topExpression(n: number): void {
    const e = this.firstNamed(n);
    if (e < 0 || this.ty(e) !== 'call_expression') return;
    const f = this.firstNamed(e);
    if (f < 0 || this.ty(f) !== 'identifier') return;
    const name = this.text(f);
    const ty = DEFINERS[name];
    if (ty === undefined) return;
    const args = this.childOfType(e, 'argument_list');
    const first = args >= 0 ? this.firstNamed(args) : -1;
    if (first < 0 || this.ty(first) !== 'identifier') return;
    this.facts.globals.push({
      name: this.text(first),
      type: typeRefOf(ty, structTag(ty), 0, false),
      isStatic: false,
      line: this.line(n),
      init: null,
      definer: name,
    });
  }

  protected typeDefinition(n: number): void {
    const typeNode = this.typeNodeOf(n);
    const decls = this.declaratorsOf(n, typeNode);
    let structName: string | null = null;
    if (typeNode >= 0) {
      const tt = this.ty(typeNode);
      if (tt === 'struct_specifier' || tt === 'union_specifier') {
        // `typedef struct { ... } foo_t;`: the anonymous struct is known by the typedef name.
        let fallback: string | null = null;
        if (this.childOfType(typeNode, 'type_identifier') < 0 && decls.length) fallback = this.declarator(decls[0]).name;
        structName = this.structSpecifier(typeNode, fallback);
      }
    }
    for (const d of decls) {
      const info = this.declarator(d);
      if (!info.name) continue;
      const ref = this.typeRef(typeNode, info.ptr, this.hasRcu(this.t.start[n], this.t.end[n]), structName);
      if (ref.struct && info.ptr === 0) this.typedefStructs.set(info.name, ref.struct);
      this.facts.typedefs.push(this.holdType({ name: info.name, type: ref }));
    }
  }

  /**
   * Records a struct/union that has a body (and the named ones nested in it); returns its name.
   * `fallbackName` names an anonymous one (typedef name or `outer.field`).
   */
  protected structSpecifier(n: number, fallbackName: string | null): string | null {
    const body = this.childOfType(n, 'field_declaration_list');
    if (body < 0 || this.structDepth >= MAX_STRUCT_DEPTH) return null;
    const nameNode = this.childOfType(n, 'type_identifier');
    const name = nameNode >= 0 ? this.text(nameNode) : fallbackName;
    const fields: VarDecl[] = [];
    // Pushed before the fields, so an outer struct precedes the nested ones it contains.
    const rec = name !== null ? { name, line: this.line(n), fields } : null;
    if (rec) this.facts.structs.push(rec);
    this.fieldList(body, fields, name ?? '<anon>');
    if (rec) rec.fields = exact(fields);
    return name;
  }

  protected fieldList(body: number, fields: VarDecl[], owner: string): void {
    if (this.structDepth >= MAX_STRUCT_DEPTH) return;
    this.structDepth++;
    try {
      this.fieldListInner(body, fields, owner);
    } finally {
      this.structDepth--;
    }
  }

  protected fieldListInner(body: number, fields: VarDecl[], owner: string): void {
    for (const f of this.nk(body)) {
      const ty = this.ty(f);
      if (ty === 'field_declaration') this.fieldDeclaration(f, fields, owner);
      else if (ty === 'preproc_if' || ty === 'preproc_ifdef') {
        // Fields under `#ifdef CONFIG_X`: every arm's fields are part of the struct.
        for (const arm of this.preprocArms(f)) {
          for (const w of arm.items) if (this.ty(w) === 'field_declaration') this.fieldDeclaration(w, fields, owner);
        }
      }
    }
  }

  protected fieldDeclaration(f: number, fields: VarDecl[], owner: string): void {
    const typeNode = this.typeNodeOf(f);
    const rcu = this.hasRcu(this.t.start[f], this.t.end[f]);
    const tt = typeNode >= 0 ? this.ty(typeNode) : '';
    const isAggregate = (tt === 'struct_specifier' || tt === 'union_specifier') && this.childOfType(typeNode, 'field_declaration_list') >= 0;
    const decls = this.declaratorsOf(f, typeNode);
    let innerName: string | null = null;
    if (isAggregate && decls.length && this.childOfType(typeNode, 'type_identifier') >= 0) innerName = this.structSpecifier(typeNode, null);
    for (const d of decls) {
      const info = this.declarator(d);
      if (!info.name) continue;
      let type = this.typeRef(typeNode, info.ptr, rcu);
      if (isAggregate) {
        // `struct { spinlock_t lock; } stats;` → a struct named `owner.stats`.
        const inner = innerName ?? this.structSpecifier(typeNode, `${owner}.${info.name}`);
        if (inner) type = typeRefOf(intern(`${tt === 'union_specifier' ? 'union' : 'struct'} ${inner}`), inner, type.ptr, type.rcu);
      }
      // A copy: a placeholder's struct is still null here and stays so (as it always has).
      if (info.fn >= 0) type = typeRefOf('fnptr', null, type.ptr, type.rcu);
      fields.push(this.holdType({ name: info.name, type, line: this.line(f) }));
    }
    if (decls.length === 0 && isAggregate) {
      // Anonymous member struct/union: its fields belong to the parent (C11).
      if (this.childOfType(typeNode, 'type_identifier') >= 0) this.structSpecifier(typeNode, null);
      else this.fieldList(this.childOfType(typeNode, 'field_declaration_list'), fields, owner);
    }
  }

  // --- ERROR recovery at top level -------------------------------------------------------------

  /**
   * A top-level ERROR: tree-sitter gave up on a region. Complete items inside are kept; a
   * function header (`name ( ... )`) followed by a brace block or by loose statements becomes a
   * function with `hasErrors`; statements outside any recognisable function are reported in
   * `unmodeled` with the calls they contain.
   */
  protected topError(n: number): void {
    const ch = this.kids(n);
    type Cand = { name: string; fnDecl: number; params: number; start: number; typeNode: number };
    let cand: Cand | null = null;
    let lastType = -1;
    let pending: number[] = [];
    let stray: number[] = [];

    const emit = (c: Cand, bodyNodes: number[], block: number): void => {
      let params: VarDecl[] = EMPTY;
      if (c.fnDecl >= 0) params = this.params(c.fnDecl);
      else if (c.params >= 0 && this.ty(c.params) === 'parameter_list') params = this.paramsOfList(c.params);
      const bodyStart = block >= 0 ? this.t.start[block] : bodyNodes.length ? this.t.start[bodyNodes[0]] : this.t.end[c.start];
      const annotations = this.takeAnnotations(Math.min(this.lastItemEnd, this.t.start[c.start]), bodyStart);
      const stmts: Stmt[] = [];
      for (const x of bodyNodes) this.stmtInto(x, stmts);
      if (block >= 0) stmts.push(this.block(block));
      const last = block >= 0 ? block : bodyNodes.length ? bodyNodes[bodyNodes.length - 1] : c.start;
      const body: Stmt = block >= 0 && stmts.length === 1 ? stmts[0] : { k: 'block', body: exact(stmts), line: this.line(c.start), endLine: this.endLine(last) };
      const fnIr: FunctionIR = {
        name: c.name,
        file: this.file,
        line: this.line(c.start),
        col: this.t.col[c.start],
        endLine: this.endLine(last),
        isStatic: this.src.slice(this.t.start[n], this.t.start[c.start]).includes('static'),
        returnType: this.typeRef(c.typeNode, 0, false),
        params,
        annotations,
        body,
        hasErrors: true,
        preproc: exact(this.preproc),
      };
      this.facts.functions.push(this.holdReturnType(fnIr));
      this.problem('warning', 'recovered-function', `function ${c.name} was recovered from a syntax error region`, this.line(c.start));
    };
    const flush = (): void => {
      if (cand && pending.length) emit(cand, pending, -1);
      if (stray.length) {
        const calls: Expr[] = [];
        for (const x of stray) this.collectCallsOf(x, calls);
        const names = calls.map((e) => (e.k === 'call' && e.callee.k === 'id' ? e.callee.name : '?'));
        this.facts.unmodeled.push({
          name: null,
          line: this.line(stray[0]),
          reason: `code outside any recognisable function in a syntax error region${names.length ? ` (calls: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''})` : ''}`,
        });
      }
      cand = null;
      pending = [];
      stray = [];
    };

    for (let k = 0; k < ch.length; k++) {
      const c = ch[k];
      const ty = this.ty(c);
      if (
        ty === 'function_definition' ||
        ty === 'declaration' ||
        ty === 'type_definition' ||
        ty === 'preproc_if' ||
        ty === 'preproc_ifdef' ||
        ty === 'preproc_def' ||
        ty === 'preproc_function_def' ||
        ty === 'ERROR'
      ) {
        flush();
        this.item(c);
        lastType = -1;
        continue;
      }
      if (TYPE_NODES.has(ty)) {
        flush();
        if (ty === 'struct_specifier' || ty === 'union_specifier') this.structSpecifier(c, null);
        lastType = c;
        continue;
      }
      if (ty === 'function_declarator' || ty === 'pointer_declarator') {
        const info = this.declarator(c);
        if (info.name && info.fn >= 0) {
          flush();
          cand = { name: info.name, fnDecl: info.fn, params: -1, start: lastType >= 0 ? lastType : c, typeNode: lastType };
          continue;
        }
      }
      if (ty === 'identifier' && k + 1 < ch.length) {
        const nt = this.ty(ch[k + 1]);
        if (nt === 'parameter_list' || ((nt === 'argument_list' || nt === 'parenthesized_expression') && lastType >= 0)) {
          flush();
          cand = { name: this.text(c), fnDecl: -1, params: ch[k + 1], start: lastType >= 0 ? lastType : c, typeNode: lastType };
          k++;
          continue;
        }
      }
      if (ty === 'call_expression' && k + 1 < ch.length && this.ty(ch[k + 1]) === 'compound_statement') {
        const f = this.firstNamed(c);
        if (f >= 0 && this.ty(f) === 'identifier') {
          flush();
          cand = { name: this.text(f), fnDecl: -1, params: -1, start: lastType >= 0 ? lastType : c, typeNode: lastType };
          continue;
        }
      }
      if (ty === 'compound_statement') {
        if (cand) {
          emit(cand, pending, c);
          cand = null;
          pending = [];
        } else {
          flush();
          this.facts.unmodeled.push({ name: null, line: this.line(c), reason: 'brace block in a syntax error region without a recognisable function header' });
        }
        lastType = -1;
        continue;
      }
      if (this.t.named[c] && ty !== 'comment' && ty !== 'storage_class_specifier' && ty !== 'type_qualifier' && ty !== 'attribute_specifier') {
        if (cand) pending.push(c);
        else stray.push(c);
      }
      this.lastItemEnd = Math.max(this.lastItemEnd, this.t.end[c]);
    }
    flush();
  }
}

/**
 * The file's lists without spare capacity (they were grown by `push`). Empty ones stay as they are:
 * they have no backing store, and callers may still append to `problems`.
 */
export function trimLists(f: FileFacts): void {
  if (f.functions.length) f.functions = f.functions.slice();
  if (f.prototypes.length) f.prototypes = f.prototypes.slice();
  if (f.structs.length) f.structs = f.structs.slice();
  if (f.typedefs.length) f.typedefs = f.typedefs.slice();
  if (f.globals.length) f.globals = f.globals.slice();
  if (f.macros.length) f.macros = f.macros.slice();
  if (f.unmodeled.length) f.unmodeled = f.unmodeled.slice();
  if (f.problems.length) f.problems = f.problems.slice();
}
