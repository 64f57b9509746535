/**
 * Function-pointer bindings found anywhere in the program:
 * - ops tables: `.create = netdev_create` in an initialiser of `struct vport_ops` (also arrays of
 *   such structs and nested initialisers), and assignments `x->cb = fn`;
 * - work items / threads / RCU callbacks: INIT_WORK(&w, fn), xpthread_create(.., fn, ..),
 *   ovs_thread_create(name, fn, arg), call_rcu(head, fn), ovsrcu_postpone(fn, arg);
 * - recursive OVS mutexes (ovs_mutex_init_recursive), which may be re-taken by their owner.
 */
import type { Expr, FileFacts } from '../ir';
import type { Catalog } from '../catalog/catalog';
import { callsInOrder, calleeName, collectIds, forEachStmtExpr, stripAddr } from './expr';
import { WORK_DEFINERS } from '../catalog/kernel';
import { resolveLock } from './lock-identity';
import type { FnInfo, Program } from './program';
import { cmpStr } from './util';

export interface Bindings {
  /** `struct.field` → functions bound to it (`?.field` when the struct is unknown). */
  ops: Map<string, FnInfo[]>;
  /** field name → functions bound to that field of any struct. */
  byField: Map<string, FnInfo[]>;
  /** Work/thread handle class → functions run by it. */
  handles: Map<string, FnInfo[]>;
  /** Functions queued as work/threads without a resolvable handle. */
  workFns: FnInfo[];
  threadFns: FnInfo[];
  /** Functions run after a grace period (call_rcu / ovsrcu_postpone callbacks). */
  rcuCallbacks: FnInfo[];
  recursiveLocks: Set<string>;
}

/**
 * One binding found in one file, with the bound function as the call-resolution inputs (name,
 * calling file) rather than an object: records of unchanged files stay valid when other files'
 * FnInfos are rebuilt, and merging re-resolves them (see `mergeBindings`).
 */
export type BindRec =
  | { k: 'op'; struct: string | null; field: string; name: string; from: string }
  | { k: 'handle'; handle: string; name: string; from: string }
  | { k: 'work' | 'thread' | 'rcu'; name: string; from: string }
  | { k: 'rec'; lock: string };

/** Per file: bindings from global initialisers, then from each function body (in `prog.fns` order). */
export interface FileBindRecs {
  globals: BindRec[];
  fns: BindRec[];
}

export function collectBindings(prog: Program, cat: Catalog): Bindings {
  return mergeBindings(prog, prog.files.map((f) => fileBindRecs(prog, cat, f)));
}

/** The bindings a file contributes (its global initialisers and function bodies). */
export function fileBindRecs(prog: Program, cat: Catalog, file: FileFacts, fnCache?: WeakMap<FnInfo, BindRec[]>): FileBindRecs {
  const path = file.file;
  const out: FileBindRecs = { globals: [], fns: [] };
  let sink = out.globals;
  const fnRef = (e: Expr | undefined, file: string): string | null => {
    if (!e) return null;
    const x = stripAddr(e);
    return x.k === 'id' && prog.resolveCall(x.name, file) ? x.name : null;
  };
  const initEntries = (e: Expr, struct: string | null, file: string, depth = 0): void => {
    if (e.k !== 'init' || depth > 6) return;
    for (const en of e.entries) {
      if (en.value.k === 'init') {
        // Nested initialiser: a member struct (designated) or an array element (same struct).
        const ft = en.field && struct ? prog.structs.get(struct)?.get(en.field) : null;
        initEntries(en.value, en.field ? prog.structOf(ft ?? null) : struct, file, depth + 1);
        continue;
      }
      if (!en.field) continue;
      const f = fnRef(en.value, file);
      if (f) sink.push({ k: 'op', struct, field: en.field, name: f, from: file });
    }
  };
  for (const g of file.globals ?? []) {
    if (g.init) initEntries(g.init, prog.structOf(g.type), path);
    // DECLARE_WORK(name, fn): the extractor may keep fn in the initialiser; bind the first function.
    if (g.definer && WORK_DEFINERS.includes(g.definer) && g.init) {
      const ids = new Set<string>();
      collectIds(g.init, ids);
      const f = [...ids].find((i) => prog.resolveCall(i, path));
      if (f) {
        sink.push({ k: 'handle', handle: prog.globalId(g.name, path), name: f, from: path });
        sink.push({ k: 'work', name: f, from: path });
      }
    }
  }
  for (const fn of prog.fnsByFile.get(path) ?? []) {
    // A function's records depend on its IR and on names/types elsewhere: the cache is only
    // handed in while those are unchanged.
    const cached = fnCache?.get(fn);
    if (cached) {
      for (const r of cached) out.fns.push(r);
      continue;
    }
    sink = [];
    fnCache?.set(fn, sink);
    forEachStmtExpr(fn.ir.body, (top) => {
      const visit = (e: Expr): void => {
        if (e.k === 'assign' && e.op === '=' && e.left.k === 'field') {
          const f = fnRef(e.right, fn.file);
          if (f) sink.push({ k: 'op', struct: prog.structOf(prog.typeOf(e.left.base, fn)), field: e.left.field, name: f, from: fn.file });
        }
        if (e.k === 'init') initEntries(e, null, fn.file);
        // `thread = ovs_thread_create(name, fn, arg)`: the handle is the assigned variable.
        if (e.k === 'assign' && e.op === '=' && e.right.k === 'call') {
          const p = cat.prims.get(calleeName(e.right) ?? '');
          if (p && p.op === 'bind' && p.bind === 'thread' && !p.handleArg) {
            const f = fnRef(p.fnArg ? e.right.args[p.fnArg - 1] : undefined, fn.file);
            if (f) sink.push({ k: 'handle', handle: resolveLock(prog, e.left, fn).id, name: f, from: fn.file });
          }
        }
      };
      walkExpr(top, visit);
      const calls: (Expr & { k: 'call' })[] = [];
      callsInOrder(top, calls);
      for (const c of calls) {
        const name = calleeName(c) ?? '';
        if (name === 'ovs_mutex_init_recursive' && c.args[0]) sink.push({ k: 'rec', lock: resolveLock(prog, c.args[0], fn).id });
        const p = cat.prims.get(name);
        if (!p || p.op === 'acquire') continue;
        if (p.bind || p.op === 'bind') {
          const f = fnRef(p.fnArg ? c.args[p.fnArg - 1] : undefined, fn.file);
          if (!f) continue;
          if (p.bind === 'rcu_callback') {
            sink.push({ k: 'rcu', name: f, from: fn.file });
            continue;
          }
          const h = p.handleArg ? c.args[p.handleArg - 1] : undefined;
          if (h) sink.push({ k: 'handle', handle: resolveLock(prog, h, fn).id, name: f, from: fn.file });
          sink.push({ k: p.bind === 'work' ? 'work' : 'thread', name: f, from: fn.file });
        }
      }
    });
    for (const d of declInits(fn)) {
      const st = prog.structOf(d.type);
      if (d.init.k === 'init') initEntries(d.init, st, fn.file);
    }
    for (const r of sink) out.fns.push(r);
  }
  return out;
}

/** Bindings from per-file records (in `prog.files` order): globals of all files first, then bodies. */
export function mergeBindings(prog: Program, recs: readonly FileBindRecs[]): Bindings {
  const b: Bindings = { ops: new Map(), byField: new Map(), handles: new Map(), workFns: [], threadFns: [], rcuCallbacks: [], recursiveLocks: new Set() };
  // Membership sets: `includes` on long lists (a field name bound in hundreds of tables) was quadratic.
  const members = new Map<FnInfo[], Set<FnInfo>>();
  const add = (m: Map<string, FnInfo[]>, k: string, f: FnInfo): void => {
    const l = m.get(k);
    if (!l) {
      const nl = [f];
      m.set(k, nl);
      members.set(nl, new Set(nl));
      return;
    }
    const ms = members.get(l)!;
    if (!ms.has(f)) {
      ms.add(f);
      l.push(f);
    }
  };
  const apply = (r: BindRec): void => {
    if (r.k === 'rec') {
      b.recursiveLocks.add(r.lock);
      return;
    }
    const f = prog.resolveCall(r.name, r.from);
    if (!f) return;
    if (r.k === 'op') {
      add(b.ops, `${r.struct ?? '?'}.${r.field}`, f);
      add(b.byField, r.field, f);
    } else if (r.k === 'handle') add(b.handles, r.handle, f);
    else {
      const list = r.k === 'work' ? b.workFns : r.k === 'thread' ? b.threadFns : b.rcuCallbacks;
      let ms = members.get(list);
      if (!ms) members.set(list, (ms = new Set()));
      if (!ms.has(f)) {
        ms.add(f);
        list.push(f);
      }
    }
  };
  for (const fr of recs) for (const r of fr.globals) apply(r);
  for (const fr of recs) for (const r of fr.fns) apply(r);
  for (const l of [...b.ops.values(), ...b.byField.values(), ...b.handles.values()]) l.sort((x, y) => cmpStr(x.key, y.key));
  return b;
}

function declInits(fn: FnInfo): { type: import('../ir').TypeRef; init: Expr }[] {
  const out: { type: import('../ir').TypeRef; init: Expr }[] = [];
  const visit = (s: import('../ir').Stmt | null): void => {
    if (!s) return;
    if (s.k === 'decl' && s.init && s.init.k === 'init') out.push({ type: s.decl.type, init: s.init });
    if (s.k === 'block') s.body.forEach(visit);
    else if (s.k === 'if') {
      visit(s.then);
      visit(s.else);
    } else if (s.k === 'while' || s.k === 'do' || s.k === 'switch') visit(s.body);
    else if (s.k === 'for') {
      visit(s.init);
      visit(s.body);
    } else if (s.k === 'scoped_guard') visit(s.body);
    else if (s.k === 'alt') s.arms.forEach(visit);
  };
  visit(fn.ir.body);
  return out;
}

function walkExpr(e: Expr, f: (e: Expr) => void): void {
  f(e);
  switch (e.k) {
    case 'call':
      walkExpr(e.callee, f);
      e.args.forEach((a) => walkExpr(a, f));
      return;
    case 'field':
      walkExpr(e.base, f);
      return;
    case 'index':
      walkExpr(e.base, f);
      walkExpr(e.index, f);
      return;
    case 'unary':
    case 'cast':
      walkExpr(e.arg, f);
      return;
    case 'binary':
    case 'assign':
      walkExpr(e.left, f);
      walkExpr(e.right, f);
      return;
    case 'cond':
      walkExpr(e.test, f);
      walkExpr(e.then, f);
      walkExpr(e.else, f);
      return;
    case 'comma':
      e.exprs.forEach((x) => walkExpr(x, f));
      return;
    case 'init':
      e.entries.forEach((x) => walkExpr(x.value, f));
      return;
    case 'other':
      e.sub.forEach((x) => walkExpr(x, f));
      return;
    default:
      return;
  }
}

/** Functions an indirect callee expression may reach (`ops->create`, `vport->ops->destroy`). */
export function indirectTargets(prog: Program, b: Bindings, callee: Expr, fn: FnInfo): FnInfo[] {
  let e = stripAddr(callee);
  while (e.k === 'unary' && e.op === '*') e = stripAddr(e.arg);
  if (e.k !== 'field') {
    // A local function pointer copied from an ops field: `cb = ops->f; cb(x)`.
    if (e.k === 'id') {
      const alias = fn.aliases.get(e.name);
      if (alias && alias.k === 'field') return indirectTargets(prog, b, alias, fn);
    }
    return [];
  }
  const st = prog.structOf(prog.typeOf(e.base, fn));
  if (st) {
    const exact = b.ops.get(`${st}.${e.field}`);
    if (exact) return exact;
    const unknownStruct = b.ops.get(`?.${e.field}`);
    if (unknownStruct) return unknownStruct;
    return [];
  }
  const any = b.byField.get(e.field) ?? [];
  return any.length <= 16 ? any : [];
}
