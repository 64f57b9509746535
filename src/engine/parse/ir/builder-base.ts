/**
 * Shared base of the IR builder (see builder.ts): the flat tree and source, positions,
 * annotation/`__rcu` side tables from masking, and C type/declarator decoding. Children are
 * located by position and node type (tree-sitter-c 0.24 shapes), never by field name, so the
 * same code serves both backends.
 */

import type { Annotation, Expr, FileFacts, TypeRef, VarDecl } from '../../ir';
import { type Deadline } from '../budget';
import type { MaskResult, RawAnnotation } from '../preprocess/macro-mask';
import type { FlatTree } from '../tree/flat-tree';
import { intern, internRange } from './intern';
import { EMPTY, exact, otherLeaf, typeRefOf } from './shared-values';

export const MAX_TEXT = 400;
/**
 * Maximum IR nesting (statements + expressions). Real code stays far below; beyond it, subtrees
 * become `unknown`/`other` holding their calls flat. Bounding the IR also bounds the recursion of
 * every consumer (CFG building, summaries), not only ours.
 */
export const MAX_DEPTH = 256;
/** Nesting of struct definitions inside struct definitions that is still recorded. */
export const MAX_STRUCT_DEPTH = 64;

export const TYPE_NODES = new Set([
  'primitive_type',
  'type_identifier',
  'sized_type_specifier',
  'struct_specifier',
  'union_specifier',
  'enum_specifier',
  'macro_type_specifier',
]);

export const DECLARATOR_NODES = new Set([
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

/** Text kept in the IR: at most MAX_TEXT characters, interned (intern.ts). */
export function clip(s: string): string {
  return intern(s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) + '…' : s);
}

/** Texts up to this length are interned when read (names, types); longer ones are clipped first. */
const INTERN_TEXT = 64;

/** An `other` without sub-expressions (shared per text, see shared-values.ts). */
export function otherExpr(text: string): Expr {
  return otherLeaf(text);
}

export function structTag(base: string): string | null {
  return base.startsWith('struct ') ? base.slice(7) : null;
}

export function lowerBound(a: ReadonlyArray<number>, x: number): number {
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
export function initDefiner(e: Expr): string | null {
  let name: string | null = null;
  if (e.k === 'id') name = e.name;
  else if (e.k === 'call' && e.callee.k === 'id') name = e.callee.name;
  if (!name || !(name.endsWith('_INITIALIZER') || name.endsWith('_UNLOCKED') || name.endsWith('_INIT'))) return null;
  // Only lock initialisers: HMAP_INITIALIZER or LIST_HEAD_INIT do not define a lock.
  return /MUTEX|LOCK|SPIN|RWSEM|SEMAPHORE|SRCU|SEQCNT|COND/.test(name) ? name : null;
}

export interface DeclaratorInfo {
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

export interface PreprocArm {
  cond: string;
  items: number[];
  isElse: boolean;
  line: number;
  endLine: number;
}

export abstract class IrBase {
  protected readonly t: FlatTree;
  protected readonly typedefStructs = new Map<string, string>();
  /**
   * TypeRefs whose base is a bare type name: `struct` is resolved through the file's typedefs at
   * the end (a typedef may follow its uses). These placeholders are per builder, one per
   * (base, ptr, rcu): every use of one resolves the same way. base → placeholders.
   */
  private readonly placeholders = new Map<string, TypeRef[]>();
  private readonly placeholderSet = new Set<TypeRef>();
  /**
   * IR objects holding a placeholder in `type` (VarDecl, GlobalIR, TypedefIR, cast) or in
   * `returnType` (FunctionIR): `settleTypes` swaps in the shared TypeRef once it is resolved.
   */
  private typeHolders: { type: TypeRef }[] = [];
  private retHolders: { returnType: TypeRef }[] = [];
  protected readonly annotations: RawAnnotation[];
  protected annIdx = 0;
  /** End offset of the previous top-level item: annotations written before a declaration attach to it. */
  protected lastItemEnd = 0;
  protected readonly preproc: string[] = [];
  protected readonly cleanupOffsets: number[];
  protected depth = 0;
  protected structDepth = 0;

  constructor(
    protected readonly file: string,
    protected readonly src: string,
    protected readonly mask: MaskResult,
    flat: FlatTree,
    protected readonly facts: FileFacts,
    protected readonly deadline: Deadline = Infinity,
  ) {
    this.t = flat;
    this.annotations = mask.annotations;
    this.cleanupOffsets = mask.cleanups.map((c) => c.offset);
  }

  protected ty(i: number): string {
    return this.t.type[i];
  }

  protected text(i: number): string {
    const a = this.t.start[i];
    const b = this.t.end[i];
    return b - a <= INTERN_TEXT ? internRange(this.src, a, b) : this.src.slice(a, b);
  }

  protected line(i: number): number {
    return this.t.row[i] + 1;
  }

  protected endLine(i: number): number {
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
  protected kids(i: number): number[] {
    const out: number[] = [];
    for (let c = this.t.firstChild[i]; c >= 0; c = this.t.nextSibling[c]) out.push(c);
    return out;
  }

  /** Named children, comments excluded. */
  protected nk(i: number): number[] {
    const out: number[] = [];
    const t = this.t;
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) if (t.named[c] && t.type[c] !== 'comment') out.push(c);
    return out;
  }

  protected firstNamed(i: number): number {
    const t = this.t;
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) if (t.named[c] && t.type[c] !== 'comment') return c;
    return -1;
  }

  protected lastNamed(i: number): number {
    const t = this.t;
    let last = -1;
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) if (t.named[c] && t.type[c] !== 'comment') last = c;
    return last;
  }

  protected childOfType(i: number, type: string): number {
    const t = this.t;
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) if (t.type[c] === type) return c;
    return -1;
  }

  /** First anonymous child (an operator token). */
  protected opToken(i: number): string {
    const t = this.t;
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) if (!t.named[c]) return t.type[c];
    return '?';
  }

  protected hasRcu(start: number, end: number): boolean {
    const a = this.mask.rcuOffsets;
    const k = lowerBound(a, start);
    return k < a.length && a[k] < end;
  }

  protected cleanupIn(start: number, end: number): string | null {
    const k = lowerBound(this.cleanupOffsets, start);
    return k < this.cleanupOffsets.length && this.cleanupOffsets[k] < end ? intern(this.mask.cleanups[k].args) : null;
  }

  /** Annotations with offsets in [from, to), consumed in order. */
  protected takeAnnotations(from: number, to: number): Annotation[] {
    const out: Annotation[] = [];
    const a = this.annotations;
    while (this.annIdx < a.length && a[this.annIdx].offset < from) this.annIdx++;
    while (this.annIdx < a.length && a[this.annIdx].offset < to) {
      const r = a[this.annIdx++];
      out.push({ kind: r.kind, macro: intern(r.macro), locks: r.locks.length ? r.locks.map(intern) : EMPTY, ret: r.ret === null ? null : intern(r.ret), line: r.line });
    }
    return exact(out);
  }

  protected lineStarts: number[] | null = null;
  /** 1-based line of an offset (binary search over lazily computed line starts). */
  protected offsetLine(off: number): number {
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

  protected lineStartOf(line: number): number {
    this.offsetLine(0); // ensures lineStarts
    return this.lineStarts![line - 1] ?? 0;
  }

  protected problem(severity: 'error' | 'warning' | 'info', code: string, message: string, line?: number): void {
    if (this.facts.problems.length < 200) this.facts.problems.push(line === undefined ? { severity, code, message } : { severity, code, message, line });
  }

  // --- types -----------------------------------------------------------------------------------

  protected typeNodeOf(i: number): number {
    const t = this.t;
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) if (TYPE_NODES.has(t.type[c])) return c;
    return -1;
  }

  /** Declarator children of a declaration-like node (after its type node). */
  protected declaratorsOf(i: number, typeNode: number): number[] {
    const t = this.t;
    const out: number[] = [];
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) {
      if (c === typeNode || !t.named[c]) continue;
      if (typeNode >= 0 && t.start[c] < t.end[typeNode]) continue;
      if (DECLARATOR_NODES.has(t.type[c])) out.push(c);
    }
    return out;
  }

  /**
   * The TypeRef of a type node: shared (shared-values.ts), except for a bare type name, which gets
   * this file's placeholder (see `pendingTypes`). `anonStruct` names an anonymous struct/union
   * (`typedef struct { ... } foo_t;`).
   */
  protected typeRef(typeNode: number, ptr: number, rcu: boolean, anonStruct: string | null = null): TypeRef {
    if (typeNode < 0) return typeRefOf('int', null, ptr, rcu);
    const ty = this.ty(typeNode);
    if (ty === 'struct_specifier' || ty === 'union_specifier' || ty === 'enum_specifier') {
      const nameNode = this.childOfType(typeNode, 'type_identifier');
      const kw = ty === 'struct_specifier' ? 'struct' : ty === 'union_specifier' ? 'union' : 'enum';
      const tag = nameNode >= 0 ? this.text(nameNode) : '<anon>';
      const struct = kw === 'enum' || nameNode < 0 ? null : tag;
      return typeRefOf(intern(`${kw} ${tag}`), struct === null && anonStruct ? anonStruct : struct, ptr, rcu);
    }
    if (ty === 'macro_type_specifier') {
      // `OVSRCU_TYPE(struct x *)` if it was not masked, or another type-wrapping macro.
      const name = this.childOfType(typeNode, 'identifier');
      const inner = this.childOfType(typeNode, 'type_descriptor');
      if (inner >= 0) {
        // A copy of the inner type as it is now: a placeholder's `struct` is still null here,
        // and the copy keeps that (it is not resolved later).
        const r = this.typeDescriptor(inner);
        return typeRefOf(r.base, r.struct, r.ptr + ptr, rcu || r.rcu || (name >= 0 && this.text(name) === 'OVSRCU_TYPE'));
      }
    }
    let base = this.text(typeNode);
    if (ty === 'sized_type_specifier') base = intern(base.replace(/\s+/g, ' '));
    if (ty === 'type_identifier') return this.placeholder(base, ptr, rcu);
    return typeRefOf(base, null, ptr, rcu);
  }

  /** This file's unresolved TypeRef for a bare type name (struct resolved at the end). */
  protected placeholder(base: string, ptr: number, rcu: boolean): TypeRef {
    let l = this.placeholders.get(base);
    if (l === undefined) this.placeholders.set(base, (l = []));
    else {
      for (let i = 0; i < l.length; i++) {
        const t = l[i];
        if (t.ptr === ptr && t.rcu === rcu) return t;
      }
    }
    const ref: TypeRef = { base, struct: null, ptr, rcu };
    l.push(ref);
    this.placeholderSet.add(ref);
    return ref;
  }

  /** Registers `h` for `settleTypes` when its type is a placeholder; returns `h`. */
  protected holdType<T extends { type: TypeRef }>(h: T): T {
    if (this.placeholderSet.has(h.type)) this.typeHolders.push(h);
    return h;
  }

  protected holdReturnType<T extends { returnType: TypeRef }>(h: T): T {
    if (this.placeholderSet.has(h.returnType)) this.retHolders.push(h);
    return h;
  }

  /**
   * Resolves the placeholders through the file's final typedef → struct map, then gives every IR
   * object holding one the shared TypeRef of the same value (the placeholders are then garbage).
   */
  protected settleTypes(typedefStructs: ReadonlyMap<string, string>): void {
    for (const ref of this.placeholderSet) {
      const s = typedefStructs.get(ref.base);
      if (s !== undefined) ref.struct = s;
    }
    for (const h of this.typeHolders) {
      const t = h.type;
      h.type = typeRefOf(t.base, t.struct, t.ptr, t.rcu);
    }
    for (const h of this.retHolders) {
      const t = h.returnType;
      h.returnType = typeRefOf(t.base, t.struct, t.ptr, t.rcu);
    }
    this.typeHolders = [];
    this.retHolders = [];
    this.placeholders.clear();
    this.placeholderSet.clear();
  }

  /** `type_descriptor` (casts, sizeof, macro types): type + abstract declarator. */
  protected typeDescriptor(i: number): TypeRef {
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

  protected declarator(d: number): DeclaratorInfo {
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

  protected isStatic(i: number): boolean {
    const t = this.t;
    for (let c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) {
      if (t.type[c] === 'storage_class_specifier' && this.src.startsWith('static', t.start[c])) return true;
    }
    return false;
  }

  protected params(fn: number): VarDecl[] {
    if (fn < 0) return EMPTY;
    const list = this.childOfType(fn, 'parameter_list');
    if (list < 0) return EMPTY;
    const out: VarDecl[] = [];
    for (const p of this.nk(list)) {
      if (this.ty(p) !== 'parameter_declaration') continue;
      const typeNode = this.typeNodeOf(p);
      const decls = this.declaratorsOf(p, typeNode);
      const info = this.declarator(decls.length ? decls[0] : -1);
      if (!info.name && typeNode >= 0 && this.ty(typeNode) === 'primitive_type' && this.text(typeNode) === 'void' && info.ptr === 0) continue;
      out.push(
        this.holdType({
          name: info.name ?? '',
          type: this.typeRef(typeNode, info.ptr, this.hasRcu(this.t.start[p], this.t.end[p])),
          line: this.line(p),
        }),
      );
    }
    return exact(out);
  }

  // --- top level -------------------------------------------------------------------------------

  protected paramsOfList(list: number): VarDecl[] {
    const out: VarDecl[] = [];
    for (const p of this.nk(list)) {
      if (this.ty(p) !== 'parameter_declaration') continue;
      const typeNode = this.typeNodeOf(p);
      const decls = this.declaratorsOf(p, typeNode);
      const info = this.declarator(decls.length ? decls[0] : -1);
      if (!info.name) continue;
      out.push(this.holdType({ name: info.name, type: this.typeRef(typeNode, info.ptr, false), line: this.line(p) }));
    }
    return exact(out);
  }

  // --- statements ------------------------------------------------------------------------------

  protected preprocArms(n: number): PreprocArm[] {
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
        const ctext = condNode >= 0 ? intern(this.text(condNode).replace(/\s+/g, ' ').trim()) : '';
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
}
