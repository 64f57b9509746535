/**
 * Whole-program index over all files' IR: functions (keyed `file::name`), struct fields,
 * typedefs, globals, prototypes with their annotations, and expression typing. Built once per
 * analysis; everything later looks names up here.
 */
import type { Annotation, Expr, FileFacts, FunctionIR, GlobalIR, PrototypeIR, Stmt, TypeRef } from '../ir';
import { cmpStr } from './util';
import { forEachStmtExpr } from './expr';
import { lockTypeOfBase } from './lock-identity';
import { NONE, sharedIfEmpty } from './flow/compact';

export interface FnInfo {
  key: string;
  ir: FunctionIR;
  file: string;
  /** Definition annotations merged with every matching prototype's (read-only; often the shared empty list). */
  annotations: readonly Annotation[];
  /**
   * Params and locals by name (flow-insensitive; the last declaration wins). The three maps are
   * read-only once built; empty ones are one shared instance (one per function costs ~240 bytes).
   */
  vars: ReadonlyMap<string, TypeRef>;
  /** Parameter position by name (the last one wins on duplicates). */
  paramIndex: ParamIndex;
  /** Simple pointer aliases `struct mutex *m = &x->lock;` / `m = &x->lock;` (single assignment; computed on first use). */
  readonly aliases: ReadonlyMap<string, Expr>;
}

/** Replaces each short list of `m` by an exact-size copy (same elements, same order). */
export function tightenLists<K, T>(m: Map<K, T[]>): void {
  for (const [k, l] of m) if (l.length < 16) m.set(k, l.slice());
}

/**
 * Parameter positions by name, read from the IR's parameter list on demand: functions have a
 * few parameters, and a Map per function cost ~240 bytes each for the whole analysis.
 */
export class ParamIndex {
  constructor(private readonly params: readonly ({ name?: string | null } | null | undefined)[]) {}

  get(name: string): number | undefined {
    if (!name) return undefined; // unnamed parameters have no position by name
    const ps = this.params;
    for (let i = ps.length - 1; i >= 0; i--) if (ps[i]?.name === name) return i;
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
}

/** Single-assignment locals and the expression assigned to them (see FnInfo.aliases). */
function aliasesOf(ir: FunctionIR, paramIndex: ParamIndex): ReadonlyMap<string, Expr> {
  const aliases = new Map<string, Expr>();
  const assigned = new Map<string, number>();
  const visitDecl = (s: Stmt): void => {
    if (s.k === 'decl' && s.init) {
      aliases.set(s.decl.name, s.init);
      assigned.set(s.decl.name, (assigned.get(s.decl.name) ?? 0) + 1);
    }
    walkStmts(s, visitDecl);
  };
  walkStmts(ir.body, visitDecl);
  forEachStmtExpr(ir.body, (e) => {
    if (e.k === 'assign' && e.op === '=' && e.left.k === 'id') {
      aliases.set(e.left.name, e.right);
      assigned.set(e.left.name, (assigned.get(e.left.name) ?? 0) + 1);
    }
  });
  // Only single-assignment locals are trustworthy aliases.
  for (const [n, c] of assigned) if (c > 1 || paramIndex.has(n)) aliases.delete(n);
  return sharedIfEmpty(aliases);
}

/**
 * A FnInfo whose aliases are computed on first use: only functions that resolve a lock
 * expression or an indirect callee read them, and a Map per function costs ~240 bytes.
 */
class FnRecord implements FnInfo {
  private aliasMap: ReadonlyMap<string, Expr> | undefined;

  constructor(
    readonly key: string,
    readonly ir: FunctionIR,
    readonly file: string,
    readonly annotations: readonly Annotation[],
    readonly vars: ReadonlyMap<string, TypeRef>,
    readonly paramIndex: ParamIndex,
  ) {}

  get aliases(): ReadonlyMap<string, Expr> {
    return (this.aliasMap ??= aliasesOf(this.ir, this.paramIndex));
  }
}

interface GlobalDef {
  file: string;
  g: GlobalIR;
}

export class Program {
  readonly fns: FnInfo[] = [];
  readonly byName = new Map<string, FnInfo[]>();
  readonly structs = new Map<string, Map<string, TypeRef>>();
  readonly fieldOwners = new Map<string, string[]>();
  readonly typedefs = new Map<string, TypeRef>();
  readonly globals = new Map<string, GlobalDef[]>();
  readonly protos = new Map<string, { file: string; p: PrototypeIR }[]>();
  files: FileFacts[];
  /** Function definitions per file, in `fns` order (a segment of `fns`). */
  readonly fnsByFile = new Map<string, FnInfo[]>();

  constructor(facts: FileFacts[]) {
    this.files = [...facts].filter((f) => f && typeof f.file === 'string').sort((a, b) => cmpStr(a.file, b.file));
    for (const f of this.files) {
      for (const s of f.structs ?? []) {
        if (!s?.name) continue;
        let m = this.structs.get(s.name);
        if (!m) this.structs.set(s.name, (m = new Map()));
        for (const fld of s.fields ?? []) if (fld?.name && !m.has(fld.name)) m.set(fld.name, fld.type);
      }
      for (const t of f.typedefs ?? []) if (t?.name && !this.typedefs.has(t.name)) this.typedefs.set(t.name, t.type);
      for (const g of f.globals ?? []) {
        if (!g?.name) continue;
        const l = this.globals.get(g.name) ?? [];
        l.push({ file: f.file, g });
        this.globals.set(g.name, l);
      }
      for (const p of f.prototypes ?? []) {
        if (!p?.name) continue;
        const l = this.protos.get(p.name) ?? [];
        l.push({ file: f.file, p });
        this.protos.set(p.name, l);
      }
    }
    for (const [sname, fields] of [...this.structs].sort((a, b) => cmpStr(a[0], b[0]))) {
      for (const fname of fields.keys()) {
        const l = this.fieldOwners.get(fname) ?? [];
        l.push(sname);
        this.fieldOwners.set(fname, l);
      }
    }
    for (const f of this.files) {
      for (const fn of f.functions ?? []) {
        if (!fn?.name || !fn.body) continue;
        const info = this.makeFn(f.file, fn);
        this.fns.push(info);
        const l = this.byName.get(fn.name) ?? [];
        l.push(info);
        this.byName.set(fn.name, l);
      }
    }
    this.fns.sort(cmpFn);
    for (const f of this.fns) {
      const l = this.fnsByFile.get(f.file);
      if (l) l.push(f);
      else this.fnsByFile.set(f.file, [f]);
    }
    // Most name lists hold one entry in a push-grown store of 16+ slots: keep exact-size copies
    // (later edits replace or push into them like any array).
    tightenLists(this.byName);
    tightenLists(this.globals);
    tightenLists(this.protos);
    tightenLists(this.fieldOwners);
  }

  /**
   * Replaces some files in place (edits, additions, removals), for incremental analysis. The
   * caller guarantees that the changed files' structs and typedefs are unchanged (otherwise it
   * builds a new Program). A function keeps its FnInfo (identity) when its IR is unchanged in
   * content and its name is not in `rebuild` (names whose prototypes may have changed).
   * Returns the FnInfos that are new (replaced or added) and the ones that are gone.
   */
  applyFiles(files: FileFacts[], changed: ReadonlyMap<string, FileFacts | null>, rebuild: ReadonlySet<string>, sameIr: (a: FunctionIR, b: FunctionIR) => boolean): { added: FnInfo[]; removed: FnInfo[] } {
    const oldFiles = new Map<string, FileFacts>();
    for (const f of this.files) if (changed.has(f.file)) oldFiles.set(f.file, f);
    this.files = files;
    const names = new Set<string>();
    const declNames = (f: FileFacts | undefined | null): void => {
      if (!f) return;
      for (const g of f.globals ?? []) if (g?.name) names.add(g.name);
      for (const p of f.prototypes ?? []) if (p?.name) names.add(p.name);
    };
    for (const [path, cur] of changed) {
      declNames(oldFiles.get(path));
      declNames(cur);
    }
    const byFile = (a: { file: string }, b: { file: string }): number => cmpStr(a.file, b.file);
    for (const n of names) {
      const gl = (this.globals.get(n) ?? []).filter((d) => !changed.has(d.file));
      const pl = (this.protos.get(n) ?? []).filter((d) => !changed.has(d.file));
      for (const [path, cur] of changed) {
        if (!cur) continue;
        for (const g of cur.globals ?? []) if (g?.name === n) gl.push({ file: path, g });
        for (const p of cur.prototypes ?? []) if (p?.name === n) pl.push({ file: path, p });
      }
      // Stable sort: file order, declaration order within a file (as the constructor builds them).
      gl.sort(byFile);
      pl.sort(byFile);
      if (gl.length) this.globals.set(n, gl);
      else this.globals.delete(n);
      if (pl.length) this.protos.set(n, pl);
      else this.protos.delete(n);
    }
    const added: FnInfo[] = [];
    const removed: FnInfo[] = [];
    const fnNames = new Set<string>();
    const declOrder = new Map<string, FnInfo[]>();
    const rebuilt = new Map<FnInfo, FnInfo>();
    for (const [path, cur] of changed) {
      const old = this.fnsByFile.get(path) ?? [];
      // Old definitions by key, in order, so duplicates (#ifdef alternatives) pair up in order.
      const pool = new Map<string, FnInfo[]>();
      for (const f of old) {
        const l = pool.get(f.key);
        if (l) l.push(f);
        else pool.set(f.key, [f]);
        fnNames.add(f.ir.name);
      }
      const seg: FnInfo[] = [];
      declOrder.set(path, seg);
      for (const ir of cur?.functions ?? []) {
        if (!ir?.name || !ir.body) continue;
        fnNames.add(ir.name);
        const cand = pool.get(`${path}::${ir.name}`);
        const o = cand && cand.length ? cand.shift()! : undefined;
        if (o && !rebuild.has(ir.name) && (o.ir === ir || sameIr(o.ir, ir))) seg.push(o);
        else {
          if (o) removed.push(o);
          const info = this.makeFn(path, ir);
          seg.push(info);
          added.push(info);
        }
      }
      for (const l of pool.values()) for (const o of l) removed.push(o);
      const sorted = [...seg].sort(cmpFn);
      if (sorted.length) this.fnsByFile.set(path, sorted);
      else this.fnsByFile.delete(path);
    }
    // Functions elsewhere whose merged annotations may have changed (prototype edits).
    for (const n of rebuild) {
      for (const f of this.byName.get(n) ?? []) {
        if (changed.has(f.file)) continue;
        const seg = this.fnsByFile.get(f.file)!;
        const i = seg.indexOf(f);
        const info = this.makeFn(f.file, f.ir);
        seg[i] = info;
        rebuilt.set(f, info);
        removed.push(f);
        added.push(info);
        fnNames.add(n);
      }
    }
    // byName: file order, declaration order within a file (as the constructor builds it).
    for (const n of fnNames) {
      const l: FnInfo[] = [];
      for (const f of this.byName.get(n) ?? []) {
        if (changed.has(f.file)) continue;
        l.push(rebuilt.get(f) ?? f);
      }
      for (const [path] of changed) for (const f of declOrder.get(path) ?? []) if (f.ir.name === n) l.push(f);
      l.sort(byFile);
      if (l.length) this.byName.set(n, l);
      else this.byName.delete(n);
    }
    this.fns.length = 0;
    for (const f of this.files) for (const x of this.fnsByFile.get(f.file) ?? []) this.fns.push(x);
    return { added, removed };
  }

  private makeFn(file: string, ir: FunctionIR): FnInfo {
    const vars = new Map<string, TypeRef>();
    const paramIndex = new ParamIndex(ir.params ?? NONE);
    for (const p of ir.params ?? []) if (p?.name) vars.set(p.name, p.type);
    const visitDecl = (s: Stmt): void => {
      if (s.k === 'decl') vars.set(s.decl.name, s.decl.type);
      walkStmts(s, visitDecl);
    };
    walkStmts(ir.body, visitDecl);
    const annotations = [...(ir.annotations ?? [])];
    for (const { file: pf, p } of this.protos.get(ir.name) ?? []) {
      if (ir.isStatic && pf !== file && p.isStatic) continue;
      for (const a of p.annotations ?? []) annotations.push(a);
    }
    return new FnRecord(`${file}::${ir.name}`, ir, file, annotations.length ? annotations : NONE, sharedIfEmpty(vars), paramIndex);
  }


  /** Function definitions a call by name from `fromFile` reaches: same-file statics first. */
  resolveCall(name: string, fromFile: string): FnInfo | null {
    const l = this.byName.get(name);
    if (!l || l.length === 0) return null;
    const same = l.find((f) => f.file === fromFile);
    if (same) return same;
    const pub = l.find((f) => !f.ir.isStatic);
    return pub ?? null;
  }

  /** Struct tag of a type, following typedefs. */
  structOf(t: TypeRef | null | undefined): string | null {
    if (!t) return null;
    if (t.struct) return t.struct;
    let base = t.base.replace(/\b(const|volatile|__rcu|unsigned|signed)\b/g, '').trim();
    for (let i = 0; i < 8; i++) {
      const m = /^(?:struct|union)\s+([A-Za-z_]\w*)/.exec(base);
      if (m) return m[1]!;
      const td = this.typedefs.get(base);
      if (!td) return null;
      if (td.struct) return td.struct;
      base = td.base.trim();
    }
    return null;
  }

  private readonly soleLockOwnerMemo = new Map<string, string | null>();

  /**
   * The one struct whose field `fname` has a lock type, when several structs have a field of
   * that name (`lock` is in hundreds of kernel structs: scanning them per operand was quadratic).
   */
  soleLockOwner(fname: string): string | null {
    let v = this.soleLockOwnerMemo.get(fname);
    if (v === undefined) {
      const owners = this.fieldOwners.get(fname) ?? [];
      const lockish = owners.filter((o) => lockTypeOfBase(this.structs.get(o)?.get(fname)?.base) !== 'unknown');
      v = lockish.length === 1 ? lockish[0]! : null;
      this.soleLockOwnerMemo.set(fname, v);
    }
    return v;
  }

  globalDefs(name: string): GlobalDef[] {
    return this.globals.get(name) ?? [];
  }

  /**
   * Class id of a global lock variable: the bare name, or `name@file` for a file-static whose
   * name is also defined by another file (lockdep keys are per definition).
   */
  globalId(name: string, fromFile: string): string {
    const defs = this.globalDefs(name).filter((d) => d.g.definer || !/\bextern\b/.test(d.g.type.base));
    const own = defs.find((d) => d.file === fromFile && d.g.isStatic);
    if (!own) return name;
    const others = new Set(defs.filter((d) => d.file !== fromFile).map((d) => d.file));
    return others.size > 0 ? `${name}@${fromFile}` : name;
  }

  /** Declared type of an expression, as far as the IR tells. */
  typeOf(e: Expr, fn: FnInfo | null, depth = 0): TypeRef | null {
    if (depth > 12) return null;
    switch (e.k) {
      case 'id': {
        const v = fn?.vars.get(e.name);
        if (v) return v;
        const g = this.globalDefs(e.name);
        const own = g.find((d) => d.file === fn?.file) ?? g[0];
        return own ? own.g.type : null;
      }
      case 'field': {
        const bt = this.typeOf(e.base, fn, depth + 1);
        let s = this.structOf(bt);
        if (!s || !this.structs.get(s)?.has(e.field)) {
          const owners = this.fieldOwners.get(e.field);
          s = owners && owners.length === 1 ? owners[0]! : s;
        }
        return s ? (this.structs.get(s)?.get(e.field) ?? null) : null;
      }
      case 'index': {
        const bt = this.typeOf(e.base, fn, depth + 1);
        return bt ? { ...bt, ptr: Math.max(0, bt.ptr - 1) } : null;
      }
      case 'unary': {
        const t = this.typeOf(e.arg, fn, depth + 1);
        if (!t) return null;
        if (e.op === '*') return { ...t, ptr: Math.max(0, t.ptr - 1) };
        if (e.op === '&') return { ...t, ptr: t.ptr + 1 };
        return t;
      }
      case 'cast':
        return e.type;
      case 'cond':
        return this.typeOf(e.then, fn, depth + 1) ?? this.typeOf(e.else, fn, depth + 1);
      case 'assign':
        return this.typeOf(e.left, fn, depth + 1);
      case 'comma':
        return e.exprs.length ? this.typeOf(e.exprs[e.exprs.length - 1]!, fn, depth + 1) : null;
      case 'other':
        return e.sub.length === 1 ? this.typeOf(e.sub[0]!, fn, depth + 1) : null;
      case 'call': {
        const name = e.callee.k === 'id' ? e.callee.name : null;
        if (!name) return null;
        // container_of(ptr, type, member) and friends name the result type in an argument.
        if (/^(container_of|container_of_const|list_entry|list_first_entry|list_last_entry|list_first_entry_or_null|hlist_entry|hlist_entry_safe|list_entry_rcu|CONTAINER_OF|OBJECT_CONTAINING)$/.test(name)) {
          const targ = name === 'OBJECT_CONTAINING' ? null : e.args[1];
          const m = targ ? /(?:struct|union)\s+([A-Za-z_]\w*)/.exec(typeText(targ)) : null;
          if (m) return { base: `struct ${m[1]}`, struct: m[1]!, ptr: 1, rcu: false };
          const td = targ ? this.typedefs.get(typeText(targ).trim()) : undefined;
          if (td) return { ...td, ptr: 1 };
          if (name === 'OBJECT_CONTAINING' && e.args[1]) {
            const t = this.typeOf(e.args[1], fn, depth + 1);
            if (t) return t;
          }
          return null;
        }
        if (/^(rcu_dereference\w*|rtnl_dereference|ovsl_dereference|srcu_dereference\w*|READ_ONCE|rcu_access_pointer|unrcu_pointer)$/.test(name) && e.args[0]) {
          const t = this.typeOf(e.args[0], fn, depth + 1);
          return t ? { ...t, rcu: false } : null;
        }
        if (/^(ovsrcu_get|ovsrcu_get_protected)$/.test(name) && e.args[0]) {
          const m = /(?:struct|union)\s+([A-Za-z_]\w*)\s*(\**)/.exec(typeText(e.args[0]));
          if (m) return { base: `struct ${m[1]}`, struct: m[1]!, ptr: Math.max(1, m[2]!.length), rcu: false };
          return null;
        }
        const f = this.resolveCall(name, fn?.file ?? '');
        return f ? f.ir.returnType : null;
      }
      default:
        return null;
    }
  }
}

const cmpFn = (a: FnInfo, b: FnInfo): number => cmpStr(a.file, b.file) || a.ir.line - b.ir.line || cmpStr(a.ir.name, b.ir.name);

function typeText(e: Expr): string {
  if (e.k === 'other') return e.text;
  if (e.k === 'id') return e.name;
  if (e.k === 'binary' && e.op === '*') return `${typeText(e.left)} *`;
  if (e.k === 'unary' && e.op === '*') return `* ${typeText(e.arg)}`;
  return '';
}

/** Visits direct child statements. */
export function walkStmts(s: Stmt | null, f: (s: Stmt) => void): void {
  if (!s) return;
  switch (s.k) {
    case 'block':
      s.body.forEach(f);
      return;
    case 'if':
      f(s.then);
      if (s.else) f(s.else);
      return;
    case 'while':
    case 'do':
    case 'switch':
      f(s.body);
      return;
    case 'for':
      if (s.init) f(s.init);
      f(s.body);
      return;
    case 'scoped_guard':
      if (s.fail) f(s.fail);
      f(s.body);
      return;
    case 'alt':
      s.arms.forEach(f);
      return;
    default:
      return;
  }
}
