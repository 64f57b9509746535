/** Shared test helpers for the parsing layer: parsers for both backends, fixtures, IR walkers. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Expr, FileFacts, FunctionIR, Stmt } from '../../../src/engine/ir';
import { extractFileFacts, type ExtractOptions } from '../../../src/engine/parse/extract';

import { ROOT } from '../support/parsers';
export { ROOT };
export const FIXTURES = join(ROOT, 'test/fixtures/parse');

export { wasmParser, nativeParser } from '../support/parsers';
import { wasmParser } from '../support/parsers';

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export async function factsOf(name: string, opts?: ExtractOptions): Promise<FileFacts> {
  return extractFileFacts(await wasmParser(), name, fixture(name), opts);
}

export async function factsOfText(text: string, opts?: ExtractOptions): Promise<FileFacts> {
  return extractFileFacts(await wasmParser(), 'inline.c', text, opts);
}

export function fn(facts: FileFacts, name: string, nth = 0): FunctionIR {
  const all = facts.functions.filter((f) => f.name === name);
  const f = all[nth];
  if (!f) throw new Error(`function ${name}#${nth} not found; have: ${facts.functions.map((x) => x.name).join(', ')}`);
  return f;
}

/** Every statement in pre-order (nested bodies, alt arms, scoped_guard fail/body). */
export function stmts(s: Stmt): Stmt[] {
  const out: Stmt[] = [];
  const visit = (x: Stmt): void => {
    out.push(x);
    switch (x.k) {
      case 'block':
        x.body.forEach(visit);
        break;
      case 'if':
        visit(x.then);
        if (x.else) visit(x.else);
        break;
      case 'while':
      case 'do':
      case 'switch':
        visit(x.body);
        break;
      case 'for':
        if (x.init) visit(x.init);
        visit(x.body);
        break;
      case 'alt':
        x.arms.forEach(visit);
        break;
      case 'scoped_guard':
        if (x.fail) visit(x.fail);
        visit(x.body);
        break;
      default:
        break;
    }
  };
  visit(s);
  return out;
}

/** Names of called functions (callee identifiers) in source order, through every statement and expression. */
export function calleeNames(s: Stmt): string[] {
  const out: string[] = [];
  const ex = (e: Expr | null | undefined): void => {
    if (!e) return;
    switch (e.k) {
      case 'call':
        if (e.callee.k === 'id') out.push(e.callee.name);
        else ex(e.callee);
        e.args.forEach(ex);
        break;
      case 'field':
        ex(e.base);
        break;
      case 'index':
        ex(e.base);
        ex(e.index);
        break;
      case 'unary':
      case 'cast':
        ex(e.arg);
        break;
      case 'binary':
      case 'assign':
        ex(e.left);
        ex(e.right);
        break;
      case 'cond':
        ex(e.test);
        ex(e.then);
        ex(e.else);
        break;
      case 'comma':
        e.exprs.forEach(ex);
        break;
      case 'init':
        e.entries.forEach((en) => ex(en.value));
        break;
      case 'stmtexpr':
        st(e.body);
        break;
      case 'other':
        e.sub.forEach(ex);
        break;
      default:
        break;
    }
  };
  const st = (x: Stmt): void => {
    switch (x.k) {
      case 'block':
        x.body.forEach(st);
        break;
      case 'expr':
        ex(x.expr);
        break;
      case 'decl':
        ex(x.init);
        break;
      case 'if':
        ex(x.cond);
        st(x.then);
        if (x.else) st(x.else);
        break;
      case 'while':
        ex(x.cond);
        st(x.body);
        break;
      case 'do':
        st(x.body);
        ex(x.cond);
        break;
      case 'for':
        if (x.init) st(x.init);
        ex(x.cond);
        ex(x.update);
        st(x.body);
        break;
      case 'switch':
        ex(x.cond);
        st(x.body);
        break;
      case 'case':
        ex(x.value);
        break;
      case 'return':
        ex(x.expr);
        break;
      case 'guard':
        out.push(`guard:${x.cls}`);
        x.args.forEach(ex);
        break;
      case 'scoped_guard':
        out.push(`scoped_guard:${x.cls}`);
        x.args.forEach(ex);
        if (x.fail) st(x.fail);
        st(x.body);
        break;
      case 'alt':
        x.arms.forEach(st);
        break;
      case 'unknown':
        x.calls.forEach(ex);
        break;
      default:
        break;
    }
  };
  st(s);
  return out;
}

/** Facts without the timing fields (for deep equality across runs/backends). */
export function untimed(f: FileFacts): Omit<FileFacts, 'parseMs' | 'extractMs'> {
  const { parseMs: _p, extractMs: _e, ...rest } = f;
  return rest;
}

/** Every .c/.h file below `dir` (recursively). */
export function cFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) cFiles(p, out);
    else if (name.endsWith('.c') || name.endsWith('.h')) out.push(p);
  }
  return out;
}

/** Deterministic damage: delete a few short spans (LCG-chosen), so error recovery paths run. */
export function broken(text: string, seed: number): string {
  let s = seed >>> 0 || 1;
  const rnd = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % Math.max(1, n);
  };
  let t = text;
  for (let k = 0; k < 4; k++) {
    const at = rnd(t.length);
    t = t.slice(0, at) + t.slice(at + 1 + rnd(6));
  }
  return t;
}
