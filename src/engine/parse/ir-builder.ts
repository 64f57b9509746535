/**
 * Flat tree (flat-tree.ts) → FileFacts IR. Children are located by position and node type
 * (tree-sitter-c 0.24 shapes), never by field name, so the same code serves both backends.
 *
 * Recursion is bounded (MAX_DEPTH): deeper nesting is kept as `unknown`/`other` with its calls
 * collected iteratively, so adversarial nesting cannot overflow the JS stack.
 */

import type { Annotation, Expr, FileFacts, FunctionIR, Stmt, TypeRef, VarDecl } from '../ir';
import { checkDeadline, type Deadline } from './budget';
import type { FlatTree } from './flat-tree';
import { DEFINER_TYPES as DEFINERS, PER_CPU_DEFINERS } from './definers';
import type { DefinerMark, MaskResult, RawAnnotation } from './preprocess';

const MAX_TEXT = 400;
/**
 * Maximum IR nesting (statements + expressions). Real code stays far below; beyond it, subtrees
 * become `unknown`/`other` holding their calls flat. Bounding the IR also bounds the recursion of
 * every consumer (CFG building, summaries), not only ours.
 */
const MAX_DEPTH = 256;
/** Nesting of struct definitions inside struct definitions that is still recorded. */
const MAX_STRUCT_DEPTH = 64;

const TYPE_NODES = new Set([
  'primitive_type',
  'type_identifier',
  'sized_type_specifier',
  'struct_specifier',
  'union_specifier',
  'enum_specifier',
  'macro_type_specifier',
]);

const DECLARATOR_NODES = new Set([
  'identifier',
  'field_identifier',
  'type_identifier',
  'init_declarator',
  'pointer_declarator',
  'array_declarator',
  'function_declarator',
  'parenthesized_declarator',
  'attributed_declarator',
  'abstract_pointer_declarator',
  'abstract_array_declarator',
  'abstract_function_declarator',
  'abstract_parenthesized_declarator',
]);

function clip(s: string): string {
  return s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) + '…' : s;
}

function otherExpr(text: string): Expr {
  return { k: 'other', text, sub: [] };
}

function structTag(base: string): string | null {
  return base.startsWith('struct ') ? base.slice(7) : null;
}

function lowerBound(a: ReadonlyArray<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `= OVS_MUTEX_INITIALIZER`, `= __SPIN_LOCK_UNLOCKED(x)`, `= PTHREAD_MUTEX_INITIALIZER`. */
function initDefiner(e: Expr): string | null {
  let name: string | null = null;
  if (e.k === 'id') name = e.name;
  else if (e.k === 'call' && e.callee.k === 'id') name = e.callee.name;
  if (!name || !(name.endsWith('_INITIALIZER') || name.endsWith('_UNLOCKED') || name.endsWith('_INIT'))) return null;
  // Only lock initialisers: HMAP_INITIALIZER or LIST_HEAD_INIT do not define a lock.
  return /MUTEX|LOCK|SPIN|RWSEM|SEMAPHORE|SRCU|SEQCNT|COND/.test(name) ? name : null;
}

interface DeclaratorInfo {
  name: string | null;
  nameNode: number;
  ptr: number;
  /** The function_declarator closest to the name, or -1. */
  fn: number;
  /** init_declarator value, or -1. */
  init: number;
  /** `(name)` with no pointer or function: the `DEFINE_MUTEX(x)` shape. */
  parenOnly: boolean;
}

interface PreprocArm {
  cond: string;
  items: number[];
  isElse: boolean;
  line: number;
  endLine: number;
}

export class IrBuilder {
  private readonly t: FlatTree;
  private readonly typedefStructs = new Map<string, string>();
  /** TypeRefs whose base is a bare type name: `struct` resolved through typedefs at the end. */
  private readonly pendingTypes: TypeRef[] = [];
  private readonly annotations: RawAnnotation[];
  private annIdx = 0;
  /** End offset of the previous top-level item: annotations written before a declaration attach to it. */
  private lastItemEnd = 0;
  private readonly preproc: string[] = [];
  private readonly cleanupOffsets: number[];
  private depth = 0;
  private structDepth = 0;

  constructor(
    private readonly file: string,
    private readonly src: string,
    private readonly mask: MaskResult,
    flat: FlatTree,
    private readonly facts: FileFacts,
    private readonly deadline: Deadline = Infinity,
  ) {
    this.t = flat;
    this.annotations = mask.annotations;
    this.cleanupOffsets = mask.cleanups.map((c) => c.offset);
  }

  run(): void {
    const t = this.t;
    let errors = 0;
    for (let i = 0; i < t.n; i++) if (t.missing[i] || t.type[i] === 'ERROR') errors++;
    this.facts.errorNodes = errors;
    for (const off of this.mask.unbalancedConditionals) {
      this.problem('info', 'unbalanced-conditional', 'the arms of this #if open or close braces differently; only the first arm is analysed', this.offsetLine(off));
    }
    this.items(this.kids(0));
    if (this.mask.definers.length) {
      for (const d of this.mask.definers) this.definerGlobal(d);
      // Keep globals in source order (definers were blanked out of the tree).
      this.facts.globals.sort((a, b) => a.line - b.line);
    }
    for (const ref of this.pendingTypes) {
      if (ref.struct === null) {
        const s = this.typedefStructs.get(ref.base);
        if (s !== undefined) ref.struct = s;
      }
    }
  }

  // --- tree helpers ----------------------------------------------------------------------------

  private ty(i: number): string {
    return this.t.type[i];
  }

  private text(i: number): string {
    return this.src.slice(this.t.start[i], this.t.end[i]);
  }

  private line(i: number): number {
    return this.t.row[i] + 1;
  }

  private endLine(i: number): number {
    // Row of the last character (end is exclusive).
    const e = this.t.end[i];
    let k = i;
    // The deepest last descendant starts on or before the end row; walk last children.
    for (;;) {
      let c = this.t.firstChild[k];
      if (c < 0) break;
      let last = c;
      while ((c = this.t.nextSibling[c]) >= 0) last = c;
      k = last;
    }
    let row = this.t.row[k];
    const s = this.t.start[k];
    // Count newlines inside the last leaf (multi-line comments/strings/preproc args).
    for (let p = this.src.indexOf('\n', s); p >= 0 && p < e - 1; p = this.src.indexOf('\n', p + 1)) row++;
    return row + 1;
  }

  /** All children. */
  private kids(i: number): number[] {
    const out: number[] = [];
    for (let c = this.t.firstChild[i]; c >= 0; c = this.t.nextSibling[c]) out.push(c);
    return out;
  }

  /** Named children, comments excluded. */
  private nk(i: number): number[] {
    const out: number[] = [];
    const t = this.t;
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) if (t.named[c] && t.type[c] !== 'comment') out.push(c);
    return out;
  }

  private firstNamed(i: number): number {
    const t = this.t;
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) if (t.named[c] && t.type[c] !== 'comment') return c;
    return -1;
  }

  private lastNamed(i: number): number {
    const t = this.t;
    let last = -1;
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) if (t.named[c] && t.type[c] !== 'comment') last = c;
    return last;
  }

  private childOfType(i: number, type: string): number {
    const t = this.t;
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) if (t.type[c] === type) return c;
    return -1;
  }

  /** First anonymous child (an operator token). */
  private opToken(i: number): string {
    const t = this.t;
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) if (!t.named[c]) return t.type[c];
    return '?';
  }

  private hasRcu(start: number, end: number): boolean {
    const a = this.mask.rcuOffsets;
    const k = lowerBound(a, start);
    return k < a.length && a[k] < end;
  }

  private cleanupIn(start: number, end: number): string | null {
    const k = lowerBound(this.cleanupOffsets, start);
    return k < this.cleanupOffsets.length && this.cleanupOffsets[k] < end ? this.mask.cleanups[k].args : null;
  }

  /** Annotations with offsets in [from, to), consumed in order. */
  private takeAnnotations(from: number, to: number): Annotation[] {
    const out: Annotation[] = [];
    const a = this.annotations;
    while (this.annIdx < a.length && a[this.annIdx].offset < from) this.annIdx++;
    while (this.annIdx < a.length && a[this.annIdx].offset < to) {
      const r = a[this.annIdx++];
      out.push({ kind: r.kind, macro: r.macro, locks: r.locks, ret: r.ret, line: r.line });
    }
    return out;
  }

  private lineStarts: number[] | null = null;
  /** 1-based line of an offset (binary search over lazily computed line starts). */
  private offsetLine(off: number): number {
    if (!this.lineStarts) {
      const ls = [0];
      for (let i = this.src.indexOf('\n'); i >= 0; i = this.src.indexOf('\n', i + 1)) ls.push(i + 1);
      this.lineStarts = ls;
    }
    const ls = this.lineStarts;
    let lo = 0;
    let hi = ls.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ls[mid] <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  private problem(severity: 'error' | 'warning' | 'info', code: string, message: string, line?: number): void {
    if (this.facts.problems.length < 200) this.facts.problems.push(line === undefined ? { severity, code, message } : { severity, code, message, line });
  }

  // --- types -----------------------------------------------------------------------------------

  private typeNodeOf(i: number): number {
    const t = this.t;
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) if (TYPE_NODES.has(t.type[c])) return c;
    return -1;
  }

  /** Declarator children of a declaration-like node (after its type node). */
  private declaratorsOf(i: number, typeNode: number): number[] {
    const t = this.t;
    const out: number[] = [];
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) {
      if (c === typeNode || !t.named[c]) continue;
      if (typeNode >= 0 && t.start[c] < t.end[typeNode]) continue;
      if (DECLARATOR_NODES.has(t.type[c])) out.push(c);
    }
    return out;
  }

  private typeRef(typeNode: number, ptr: number, rcu: boolean): TypeRef {
    if (typeNode < 0) return { base: 'int', struct: null, ptr, rcu };
    const ty = this.ty(typeNode);
    if (ty === 'struct_specifier' || ty === 'union_specifier' || ty === 'enum_specifier') {
      const nameNode = this.childOfType(typeNode, 'type_identifier');
      const kw = ty === 'struct_specifier' ? 'struct' : ty === 'union_specifier' ? 'union' : 'enum';
      const tag = nameNode >= 0 ? this.text(nameNode) : '<anon>';
      return { base: `${kw} ${tag}`, struct: kw === 'enum' || nameNode < 0 ? null : tag, ptr, rcu };
    }
    if (ty === 'macro_type_specifier') {
      // `OVSRCU_TYPE(struct x *)` if it was not masked, or another type-wrapping macro.
      const name = this.childOfType(typeNode, 'identifier');
      const inner = this.childOfType(typeNode, 'type_descriptor');
      if (inner >= 0) {
        const r = this.typeDescriptor(inner);
        return { ...r, ptr: r.ptr + ptr, rcu: rcu || r.rcu || (name >= 0 && this.text(name) === 'OVSRCU_TYPE') };
      }
    }
    let base = this.text(typeNode);
    if (ty === 'sized_type_specifier') base = base.replace(/\s+/g, ' ');
    const ref: TypeRef = { base, struct: null, ptr, rcu };
    if (ty === 'type_identifier') this.pendingTypes.push(ref);
    return ref;
  }

  /** `type_descriptor` (casts, sizeof, macro types): type + abstract declarator. */
  private typeDescriptor(i: number): TypeRef {
    const typeNode = this.typeNodeOf(i);
    let ptr = 0;
    let d = -1;
    for (const c of this.nk(i)) if (c !== typeNode && this.ty(c).startsWith('abstract_')) d = c;
    while (d >= 0) {
      const ty = this.ty(d);
      if (ty === 'abstract_pointer_declarator' || ty === 'abstract_array_declarator') ptr++;
      else if (ty !== 'abstract_parenthesized_declarator' && ty !== 'abstract_function_declarator') break;
      let next = -1;
      for (const c of this.nk(d)) if (this.ty(c).startsWith('abstract_')) next = c;
      d = next;
    }
    return this.typeRef(typeNode, ptr, this.hasRcu(this.t.start[i], this.t.end[i]));
  }

  private declarator(d: number): DeclaratorInfo {
    const info: DeclaratorInfo = { name: null, nameNode: -1, ptr: 0, fn: -1, init: -1, parenOnly: false };
    let sawParen = false;
    let guard = 0;
    while (d >= 0 && guard++ < 100000) {
      switch (this.ty(d)) {
        case 'identifier':
        case 'field_identifier':
        case 'type_identifier':
        case 'primitive_type':
          info.name = this.text(d);
          info.nameNode = d;
          info.parenOnly = sawParen && info.ptr === 0 && info.fn < 0;
          return info;
        case 'init_declarator': {
          const ch = this.nk(d);
          info.init = ch.length > 1 ? ch[ch.length - 1] : -1;
          d = ch.length ? ch[0] : -1;
          break;
        }
        case 'pointer_declarator':
        case 'abstract_pointer_declarator': {
          info.ptr++;
          // `* const name`: the declarator is the last named child that is declarator-shaped.
          let next = -1;
          for (const c of this.nk(d)) if (DECLARATOR_NODES.has(this.ty(c))) next = c;
          d = next;
          break;
        }
        case 'array_declarator':
        case 'abstract_array_declarator': {
          info.ptr++;
          const f = this.firstNamed(d);
          d = f >= 0 && DECLARATOR_NODES.has(this.ty(f)) ? f : -1;
          break;
        }
        case 'function_declarator':
        case 'abstract_function_declarator': {
          info.fn = d;
          const f = this.firstNamed(d);
          d = f >= 0 && DECLARATOR_NODES.has(this.ty(f)) ? f : -1;
          break;
        }
        case 'parenthesized_declarator':
        case 'abstract_parenthesized_declarator':
        case 'attributed_declarator': {
          if (this.ty(d) === 'parenthesized_declarator') sawParen = true;
          let next = -1;
          for (const c of this.nk(d)) {
            if (DECLARATOR_NODES.has(this.ty(c))) {
              next = c;
              break;
            }
          }
          d = next;
          break;
        }
        default:
          return info;
      }
    }
    return info;
  }

  private isStatic(i: number): boolean {
    const t = this.t;
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) {
      if (t.type[c] === 'storage_class_specifier' && this.src.startsWith('static', t.start[c])) return true;
    }
    return false;
  }

  private params(fn: number): VarDecl[] {
    const out: VarDecl[] = [];
    if (fn < 0) return out;
    const list = this.childOfType(fn, 'parameter_list');
    if (list < 0) return out;
    for (const p of this.nk(list)) {
      if (this.ty(p) !== 'parameter_declaration') continue;
      const typeNode = this.typeNodeOf(p);
      const decls = this.declaratorsOf(p, typeNode);
      const info = this.declarator(decls.length ? decls[0] : -1);
      if (!info.name && typeNode >= 0 && this.ty(typeNode) === 'primitive_type' && this.text(typeNode) === 'void' && info.ptr === 0) continue;
      out.push({
        name: info.name ?? '',
        type: this.typeRef(typeNode, info.ptr, this.hasRcu(this.t.start[p], this.t.end[p])),
        line: this.line(p),
      });
    }
    return out;
  }

  // --- top level -------------------------------------------------------------------------------

  /**
   * Top-level items in order. `#if` groups are expanded with an explicit stack (not recursion):
   * thousands of nested `#if`s must not overflow the JS stack.
   */
  private items(list: number[]): void {
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
        this.lastItemEnd = Math.max(this.lastItemEnd, this.t.end[n]);
        continue;
      }
      // Statements stranded at file scope next to an ERROR are what is left of a broken
      // function (e.g. after a stray `}`): report them with their calls instead of dropping them.
      const list2 = top.list;
      if (ty === 'expression_statement' && ((k > 0 && this.ty(list2[k - 1]) === 'ERROR') || (k + 1 < list2.length && this.ty(list2[k + 1]) === 'ERROR'))) {
        const calls: Expr[] = [];
        this.collectCallsOf(n, calls);
        if (calls.length) {
          const names = calls.map((e) => (e.k === 'call' && e.callee.k === 'id' ? e.callee.name : '?'));
          this.facts.unmodeled.push({ name: null, line: this.line(n), reason: `statement outside any function next to a syntax error (calls: ${names.join(', ')})` });
          this.lastItemEnd = Math.max(this.lastItemEnd, this.t.end[n]);
          continue;
        }
      }
      this.item(n);
    }
  }

  private item(n: number): void {
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

  private preprocArms(n: number): PreprocArm[] {
    const arms: PreprocArm[] = [];
    const prior: string[] = [];
    let cur = n;
    let guard = 0;
    while (cur >= 0 && guard++ < 100000) {
      const ty = this.ty(cur);
      const ch = this.kids(cur);
      let cond = '';
      let isElse = false;
      let condNode = -1;
      let next = -1;
      if (ty === 'preproc_else') {
        isElse = true;
        cond = prior.length ? `!(${prior.join(' || ')})` : 'else';
      } else {
        condNode = this.firstNamed(cur);
        const directive = ch.length ? this.ty(ch[0]) : '';
        const ctext = condNode >= 0 ? this.text(condNode).replace(/\s+/g, ' ').trim() : '';
        if (directive === '#ifdef' || directive === '#elifdef') cond = `defined(${ctext})`;
        else if (directive === '#ifndef' || directive === '#elifndef') cond = `!defined(${ctext})`;
        else cond = ctext;
      }
      const items: number[] = [];
      for (const c of ch) {
        if (!this.t.named[c] || c === condNode) continue;
        const ct = this.ty(c);
        if (ct === 'preproc_else' || ct === 'preproc_elif' || ct === 'preproc_elifdef') {
          next = c;
          continue;
        }
        items.push(c);
      }
      arms.push({ cond, items, isElse, line: this.line(cur), endLine: this.endLine(cur) });
      if (!isElse) prior.push(cond);
      cur = next;
    }
    return arms;
  }

  private macroDef(n: number): void {
    const ch = this.nk(n);
    const name = ch.length && this.ty(ch[0]) === 'identifier' ? ch[0] : -1;
    if (name < 0) return;
    let params: string[] | null = null;
    const p = this.childOfType(n, 'preproc_params');
    if (p >= 0) {
      params = [];
      for (const c of this.kids(p)) {
        const ct = this.ty(c);
        if (ct === 'identifier' || ct === '...') params.push(this.text(c));
      }
    }
    const v = this.childOfType(n, 'preproc_arg');
    const body = v >= 0 ? this.text(v).replace(/\\\r?\n/g, ' ').trim() : '';
    this.facts.macros.push({ name: this.text(name), params, body, line: this.line(n) });
  }

  private functionDefinition(n: number, fromError = false): void {
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
      preproc: [...this.preproc],
    };
    this.facts.functions.push(fnIr);
  }

  private subtreeHasError(n: number): boolean {
    const t = this.t;
    // Pre-order: the subtree of n is [n, first node after n that is not a descendant).
    let end = -1;
    for (let a = n; a >= 0 && end < 0; a = t.parent[a]) end = t.nextSibling[a];
    if (end < 0) end = t.n;
    for (let i = n; i < end; i++) if (t.missing[i] || t.type[i] === 'ERROR') return true;
    return false;
  }

  private topDeclaration(n: number): void {
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
          type: { base: definerType, struct: structTag(definerType), ptr: 0, rcu: false },
          isStatic,
          line: this.line(n),
          init: null,
          definer: typeName,
        });
        continue;
      }
      const init = info.init >= 0 ? this.expr(info.init) : null;
      this.facts.globals.push({
        name: info.name,
        type: this.typeRef(typeNode, info.ptr, this.hasRcu(this.t.start[n], this.t.end[n])),
        isStatic,
        line: this.line(n),
        init,
        definer: init ? initDefiner(init) : null,
      });
    }
  }

  /** A function declarator that names a function (not a function pointer variable `(*fp)(...)`). */
  private isFunctionShaped(d: number): boolean {
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
  private definerGlobal(d: DefinerMark): void {
    const ident = /^[A-Za-z_]\w*$/;
    if (PER_CPU_DEFINERS.has(d.macro)) {
      if (d.args.length < 2) return;
      const name = d.args[d.args.length - 1].text;
      if (!ident.test(name)) return;
      const tyText = d.args[0].text;
      const ptr = (tyText.match(/\*/g) ?? []).length;
      const base = tyText.replace(/\*/g, '').replace(/\s+/g, ' ').trim();
      const tag = /^(struct|union) (\w+)$/.exec(base);
      const type: TypeRef = { base, struct: tag ? tag[2] : null, ptr, rcu: false };
      if (!tag) this.pendingTypes.push(type);
      this.facts.globals.push({ name, type, isStatic: d.isStatic, line: d.line, init: null, definer: d.macro });
      return;
    }
    const tyBase = DEFINERS[d.macro];
    if (tyBase === undefined || d.args.length === 0 || !ident.test(d.args[0].text)) return;
    let init: Expr | null = null;
    if (d.args.length > 1) {
      // `DECLARE_WORK(w, fn)`: keep the arguments (the work function) as a call expression.
      const args: Expr[] = d.args.map((a) => {
        if (ident.test(a.text)) {
          const line = this.offsetLine(a.offset);
          return { k: 'id', name: a.text, line, col: a.offset - this.lineStartOf(line) };
        }
        if (/^[0-9]/.test(a.text)) return { k: 'num', text: a.text };
        return otherExpr(clip(a.text));
      });
      const line = d.line;
      init = {
        k: 'call',
        callee: { k: 'id', name: d.macro, line, col: d.offset - this.lineStartOf(line) },
        args,
        line,
        col: d.offset - this.lineStartOf(line),
        endLine: this.offsetLine(d.args[d.args.length - 1].offset),
        text: clip(`${d.macro}(${d.args.map((a) => a.text).join(', ')})`),
      };
    }
    this.facts.globals.push({
      name: d.args[0].text,
      type: { base: tyBase, struct: structTag(tyBase), ptr: 0, rcu: false },
      isStatic: d.isStatic,
      line: d.line,
      init,
      definer: d.macro,
    });
  }

  private lineStartOf(line: number): number {
    this.offsetLine(0); // ensures lineStarts
    return this.lineStarts![line - 1] ?? 0;
  }

  /** `DEFINE_SPINLOCK(x);` without `static` parses as a call at top level. */
  private topExpression(n: number): void {
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
      type: { base: ty, struct: structTag(ty), ptr: 0, rcu: false },
      isStatic: false,
      line: this.line(n),
      init: null,
      definer: name,
    });
  }

  private typeDefinition(n: number): void {
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
      const ref = this.typeRef(typeNode, info.ptr, this.hasRcu(this.t.start[n], this.t.end[n]));
      if (structName && ref.struct === null) ref.struct = structName;
      if (ref.struct && info.ptr === 0) this.typedefStructs.set(info.name, ref.struct);
      this.facts.typedefs.push({ name: info.name, type: ref });
    }
  }

  /**
   * Records a struct/union that has a body (and the named ones nested in it); returns its name.
   * `fallbackName` names an anonymous one (typedef name or `outer.field`).
   */
  private structSpecifier(n: number, fallbackName: string | null): string | null {
    const body = this.childOfType(n, 'field_declaration_list');
    if (body < 0 || this.structDepth >= MAX_STRUCT_DEPTH) return null;
    const nameNode = this.childOfType(n, 'type_identifier');
    const name = nameNode >= 0 ? this.text(nameNode) : fallbackName;
    const fields: VarDecl[] = [];
    // Pushed before the fields, so an outer struct precedes the nested ones it contains.
    if (name !== null) this.facts.structs.push({ name, line: this.line(n), fields });
    this.fieldList(body, fields, name ?? '<anon>');
    return name;
  }

  private fieldList(body: number, fields: VarDecl[], owner: string): void {
    if (this.structDepth >= MAX_STRUCT_DEPTH) return;
    this.structDepth++;
    try {
      this.fieldListInner(body, fields, owner);
    } finally {
      this.structDepth--;
    }
  }

  private fieldListInner(body: number, fields: VarDecl[], owner: string): void {
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

  private fieldDeclaration(f: number, fields: VarDecl[], owner: string): void {
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
        if (inner) type = { ...type, base: `${tt === 'union_specifier' ? 'union' : 'struct'} ${inner}`, struct: inner };
      }
      if (info.fn >= 0) type = { ...type, base: 'fnptr', struct: null };
      fields.push({ name: info.name, type, line: this.line(f) });
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
  private topError(n: number): void {
    const ch = this.kids(n);
    type Cand = { name: string; fnDecl: number; params: number; start: number; typeNode: number };
    let cand: Cand | null = null;
    let lastType = -1;
    let pending: number[] = [];
    let stray: number[] = [];

    const emit = (c: Cand, bodyNodes: number[], block: number): void => {
      let params: VarDecl[] = [];
      if (c.fnDecl >= 0) params = this.params(c.fnDecl);
      else if (c.params >= 0 && this.ty(c.params) === 'parameter_list') params = this.paramsOfList(c.params);
      const bodyStart = block >= 0 ? this.t.start[block] : bodyNodes.length ? this.t.start[bodyNodes[0]] : this.t.end[c.start];
      const annotations = this.takeAnnotations(Math.min(this.lastItemEnd, this.t.start[c.start]), bodyStart);
      const stmts: Stmt[] = [];
      for (const x of bodyNodes) this.stmtInto(x, stmts);
      if (block >= 0) stmts.push(this.block(block));
      const last = block >= 0 ? block : bodyNodes.length ? bodyNodes[bodyNodes.length - 1] : c.start;
      const body: Stmt = block >= 0 && stmts.length === 1 ? stmts[0] : { k: 'block', body: stmts, line: this.line(c.start), endLine: this.endLine(last) };
      this.facts.functions.push({
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
        preproc: [...this.preproc],
      });
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

  /** Calls in a node, including the node itself when it is a call. */
  private collectCallsOf(x: number, out: Expr[]): void {
    if (this.ty(x) !== 'call_expression') this.collectCalls(x, out);
    else if (this.depth <= MAX_DEPTH) out.push(this.expr(x));
    else {
      out.push(this.shallowCall(x));
      this.collectCalls(x, out);
    }
  }

  private paramsOfList(list: number): VarDecl[] {
    const out: VarDecl[] = [];
    for (const p of this.nk(list)) {
      if (this.ty(p) !== 'parameter_declaration') continue;
      const typeNode = this.typeNodeOf(p);
      const decls = this.declaratorsOf(p, typeNode);
      const info = this.declarator(decls.length ? decls[0] : -1);
      if (!info.name) continue;
      out.push({ name: info.name, type: this.typeRef(typeNode, info.ptr, false), line: this.line(p) });
    }
    return out;
  }

  // --- statements ------------------------------------------------------------------------------

  private block(n: number): Stmt {
    const body: Stmt[] = [];
    if (this.depth > MAX_DEPTH) {
      body.push(this.unknown(n));
      return { k: 'block', body, line: this.line(n), endLine: this.endLine(n) };
    }
    this.depth++;
    try {
      for (let c = this.t.firstChild[n]; c >= 0; c = this.t.nextSibling[c]) this.stmtInto(c, body);
    } finally {
      this.depth--;
    }
    return { k: 'block', body, line: this.line(n), endLine: this.endLine(n) };
  }

  /** One statement (a loop or if body); several become a block. */
  private stmt(n: number): Stmt {
    if (n < 0) return { k: 'block', body: [], line: 0, endLine: 0 };
    if (this.ty(n) === 'compound_statement') return this.block(n);
    const out: Stmt[] = [];
    this.stmtInto(n, out);
    if (out.length === 1) return out[0];
    return { k: 'block', body: out, line: this.line(n), endLine: this.endLine(n) };
  }

  private stmtInto(n: number, out: Stmt[]): void {
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

  private stmtCount = 0;

  private stmtIntoInner(n: number, out: Stmt[], line: number): void {
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
          macro: this.mask.loopMacros.get(start) ?? null,
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
      case 'case_statement': {
        // `case V: stmts...` / `default: stmts...`: marker, then the statements in the same block.
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
        return;
      }
      case 'labeled_statement': {
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
        return;
      }
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
      case 'preproc_ifdef': {
        const arms = this.preprocArms(n);
        const stmts: Stmt[] = arms.map((arm) => {
          const body: Stmt[] = [];
          for (const c of arm.items) this.stmtInto(c, body);
          return { k: 'block', body, line: arm.line, endLine: arm.endLine };
        });
        // Without `#else`, skipping the region is the other possibility.
        if (!arms.some((a) => a.isElse)) stmts.push({ k: 'block', body: [], line, endLine: line });
        out.push({ k: 'alt', arms: stmts, line });
        return;
      }
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

  private hasErrorChild(n: number): boolean {
    for (let c = this.t.firstChild[n]; c >= 0; c = this.t.nextSibling[c]) if (this.ty(c) === 'ERROR') return true;
    return false;
  }

  /** Calls in the ERROR children of a statement that otherwise parsed. */
  private unknownFromErrors(n: number, line: number): Stmt {
    const calls: Expr[] = [];
    const texts: string[] = [];
    for (let c = this.t.firstChild[n]; c >= 0; c = this.t.nextSibling[c]) {
      if (this.ty(c) !== 'ERROR') continue;
      texts.push(this.text(c));
      this.collectCalls(c, calls);
    }
    return { k: 'unknown', text: clip(texts.join(' ')), calls, line };
  }

  private forStmt(n: number, line: number): Stmt {
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
          init = decls.length === 1 ? decls[0] : { k: 'block', body: decls, line, endLine: line };
          seg = 1;
        } else init = { k: 'expr', expr: this.expr(c), line };
      } else if (seg === 1) cond = this.expr(c);
      else if (seg === 2) update = this.expr(c);
      else body = c;
    }
    return { k: 'for', init, cond, update, body: this.stmt(body), line };
  }

  private unknown(n: number): Stmt {
    const calls: Expr[] = [];
    this.collectCalls(n, calls);
    return { k: 'unknown', text: clip(this.text(n)), calls, line: this.line(n) };
  }

  /**
   * Calls inside an unmodelled region, in source order (iterative: safe on any depth). Also
   * rebuilds calls an ERROR split into `identifier` + `argument_list`/`parenthesized_expression`.
   */
  private collectCalls(root: number, out: Expr[]): void {
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

  /** A call whose arguments are kept only as simple lock-like expressions (used past the depth limit). */
  private shallowCall(n: number): Expr {
    const f = this.firstNamed(n);
    const argList = this.childOfType(n, 'argument_list');
    const args = argList >= 0 ? this.nk(argList).map((a) => this.simpleExpr(a, 12)) : [];
    return {
      k: 'call',
      callee: f >= 0 && this.ty(f) === 'identifier' ? this.idExpr(f) : otherExpr(f >= 0 ? clip(this.text(f)) : ''),
      args,
      line: this.line(n),
      col: this.t.col[n],
      endLine: this.endLine(n),
      text: clip(this.text(n)),
    };
  }

  /** `x`, `&a->b.c`, `*p`, `a[1]` with bounded recursion; anything else is `other`. */
  private simpleExpr(n: number, budget: number): Expr {
    const ty = this.ty(n);
    if (budget > 0) {
      if (ty === 'identifier' || ty === 'field_identifier') return this.idExpr(n);
      if (ty === 'number_literal') return { k: 'num', text: this.text(n) };
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

  private splitCall(id: number, argsNode: number): Expr {
    const args: Expr[] = [];
    if (this.depth <= MAX_DEPTH) {
      for (const a of this.nk(argsNode)) args.push(this.expr(a));
    }
    const flat = args.length === 1 && args[0].k === 'comma' ? args[0].exprs : args;
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

  /** `guard(cls)(args);` */
  private guardStmt(e: number, line: number): Stmt | null {
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
  private scopedGuard(n: number, macro: string, failKeyword: string | null, line: number): Stmt {
    const ch = this.nk(n);
    const condNode = ch.length > 0 ? ch[0] : -1;
    const inner = condNode >= 0 ? this.expr(condNode) : otherExpr('');
    const parts = inner.k === 'comma' ? inner.exprs : [inner];
    const clsExpr = parts[0];
    const cls = clsExpr && clsExpr.k === 'id' ? clsExpr.name : condNode >= 0 ? this.firstArgText(condNode) : '';
    let fail: Stmt | null = null;
    let args = parts.slice(1);
    if (macro === 'scoped_cond_guard') {
      const f = parts[1];
      args = parts.slice(2);
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

  private firstArgText(paren: number): string {
    const s = this.text(paren).replace(/^\(\s*/, '');
    const comma = s.indexOf(',');
    return (comma >= 0 ? s.slice(0, comma) : s.replace(/\)\s*$/, '')).trim();
  }

  private localDeclaration(n: number, out: Stmt[]): void {
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
        decl: { name: info.name, type: this.typeRef(typeNode, info.ptr, this.hasRcu(this.t.start[n], this.t.end[n])), line },
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

  private args(list: number): Expr[] {
    const out: Expr[] = [];
    if (list < 0) return out;
    for (const a of this.nk(list)) out.push(this.expr(a));
    return out;
  }

  private idExpr(n: number): Expr {
    return { k: 'id', name: this.text(n), line: this.t.row[n] + 1, col: this.t.col[n] };
  }

  expr(n: number): Expr {
    const ty = this.t.type[n];
    if (ty === 'identifier' || ty === 'field_identifier') return this.idExpr(n); // leaves: no depth cost
    if (this.depth > MAX_DEPTH) {
      const sub: Expr[] = [];
      this.collectCallsOf(n, sub);
      return { k: 'other', text: clip(this.text(n)), sub };
    }
    this.depth++;
    try {
      return this.exprInner(n);
    } finally {
      this.depth--;
    }
  }

  private exprInner(n: number): Expr {
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
        return { k: 'num', text: this.text(n) };
      case 'string_literal':
      case 'concatenated_string':
      case 'raw_string_literal':
        return { k: 'str' };
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
        return {
          k: 'cast',
          type: td >= 0 ? this.typeDescriptor(td) : { base: 'int', struct: null, ptr: 0, rcu: false },
          arg: v >= 0 && v !== td ? this.expr(v) : otherExpr(''),
        };
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
        return { k: 'comma', exprs };
      }
      case 'sizeof_expression':
      case 'alignof_expression':
      case 'offsetof_expression':
        return { k: 'sizeof' };
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
        return { k: 'other', text: clip(this.text(n)), sub };
      }
    }
  }

  private initList(n: number): Expr {
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
    return { k: 'init', entries };
  }
}
