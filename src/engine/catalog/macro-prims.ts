/**
 * Lock wrapper macros found in the analysed tree become catalog primitives:
 * `#define mpsc_queue_acquire(q) do { ovs_mutex_lock(&(q)->read_lock); } while (0)` acts like
 * a primitive that acquires `<arg 1>->read_lock`. tree-sitter has no preprocessor, so without
 * this such a call is an unknown function and callers look like they never take the lock.
 * Only a body that is exactly one call of a lock primitive, with the lock expression being a
 * macro parameter (optionally `&(p)->field`), is understood; anything else is left alone.
 */
import type { MacroIR } from '../ir';
import type { PrimDef } from './types';

/** Primitive ops a statement-like wrapper can forward (their lock comes from an argument). */
const FORWARDED = new Set<PrimDef['op']>(['acquire', 'release', 'assert', 'trylock', 'cond_acquire', 'rcu_read_lock', 'rcu_read_unlock']);

export function macroPrimitive(m: MacroIR, prims: ReadonlyMap<string, PrimDef>): PrimDef | null {
  if (!m || typeof m.name !== 'string' || !Array.isArray(m.params) || typeof m.body !== 'string') return null;
  let body = m.body.replace(/\\\r?\n/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').trim();
  let stmtOnly = false;
  const doWhile = /^do\s*\{([\s\S]*)\}\s*while\s*\(\s*0\s*\)\s*;?$/.exec(body);
  if (doWhile) {
    body = doWhile[1]!.trim();
    stmtOnly = true;
  }
  body = body.replace(/;\s*$/, '').trim();
  if (/^\(([\s\S]*)\)$/.test(body) && balanced(body.slice(1, -1))) body = body.slice(1, -1).trim();
  const call = /^([A-Za-z_]\w*)\s*\(([\s\S]*)\)$/.exec(body);
  if (!call || !balanced(call[2]!)) return null;
  const prim = prims.get(call[1]!);
  if (!prim || !FORWARDED.has(prim.op)) return null;
  // A do-while wrapper has no value: a try-lock inside it cannot report success to the caller.
  if (stmtOnly && (prim.op === 'trylock' || prim.op === 'cond_acquire')) return null;
  const { name: _n, ...rest } = prim;
  if (prim.lockArg === undefined) return { ...rest, name: m.name };
  const args = splitArgs(call[2]!);
  const lockText = args[prim.lockArg - 1];
  if (lockText === undefined) return null;
  const lm = /^&?\s*\(?\s*([A-Za-z_]\w*)\s*\)?\s*(?:->\s*([A-Za-z_]\w*))?$/.exec(lockText.trim());
  if (!lm) return null;
  const idx = m.params.indexOf(lm[1]!);
  if (idx < 0) return null;
  const field = lm[2];
  if (field && prim.lockField) return null;
  return { ...rest, name: m.name, lockArg: idx + 1, ...(field ? { lockField: field } : {}) };
}

/**
 * Primitives derived from the macros of all files. A name that is also a function definition,
 * an existing primitive, or defined differently by two files is skipped.
 */
export function macroPrimitives(macrosByFile: readonly (readonly MacroIR[] | undefined)[], prims: ReadonlyMap<string, PrimDef>, isFunction: (name: string) => boolean): PrimDef[] {
  const found = new Map<string, PrimDef | null>();
  for (const list of macrosByFile) {
    for (const m of list ?? []) {
      if (!m?.name || prims.has(m.name) || isFunction(m.name)) continue;
      const p = macroPrimitive(m, prims);
      if (!p) continue;
      const prev = found.get(m.name);
      if (prev === undefined) found.set(m.name, p);
      else if (prev && JSON.stringify(prev) !== JSON.stringify(p)) found.set(m.name, null);
    }
  }
  return [...found.values()].filter((p): p is PrimDef => p !== null).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function balanced(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === '(') d++;
    else if (c === ')' && --d < 0) return false;
  }
  return d === 0;
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let d = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(' || c === '[' || c === '{') d++;
    else if (c === ')' || c === ']' || c === '}') d--;
    if (c === ',' && d === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur.trim() || out.length) out.push(cur);
  return out;
}
