/**
 * Offset-preserving macro masking before tree-sitter sees the text.
 *
 * tree-sitter has no preprocessor, so kernel/OVS annotation macros (`OVS_REQUIRES(m)`,
 * `__acquires(x)`, `__rcu`...) and iterator macros (`list_for_each_entry(...) { }`) turn
 * otherwise clean functions into ERROR nodes. We replace them by spaces (or rename an iterator
 * to `while`) WITHOUT changing the length or the newlines, so every offset, line and column in
 * the tree still refers to the original text. What we removed is returned as side tables keyed
 * by offset, and the extractor attaches it back (annotations to functions, `__rcu` to types,
 * macro names to `while` loops).
 *
 * Implementation: one linear lexer pass (comments, strings, char literals and preprocessor
 * directives skipped) into compact token arrays, one stack pass to pair parentheses, one pass
 * to decide. No regular expressions over the text, so a 20 MB file or 10,000 nesting levels
 * stay linear.
 */

import type { Annotation } from '../../ir';
import { ANNOTATION_KINDS, GUARDED_MACROS, KERNEL_COND, TRY_WITH_RET } from '../../catalog/annotations';
import { checkDeadline, type Deadline } from '../budget';
import { isDefinerMacro } from './definer-macros';

/** An annotation macro found in the text (before it is attached to a function). */
export interface RawAnnotation {
  /** Offset of the macro name in the original text. */
  offset: number;
  /** 1-based line of the macro name. */
  line: number;
  kind: Annotation['kind'];
  macro: string;
  locks: string[];
  ret: string | null;
}

/** A masked macro with arguments that the extractor wants back (`__free(kfree)`, `OVS_GUARDED_BY(m)`). */
export interface MaskedCall {
  offset: number;
  macro: string;
  args: string;
}

/** A file-scope definer macro that was blanked (`static DEFINE_MUTEX(m);`). */
export interface DefinerMark {
  offset: number;
  line: number;
  macro: string;
  /** Argument texts (whitespace collapsed) with their offsets. */
  args: { text: string; offset: number }[];
  isStatic: boolean;
}

export interface ScopedGuardMark {
  macro: 'scoped_guard' | 'scoped_cond_guard';
  /** For scoped_cond_guard: the keyword masked out of the fail argument (`return`, `goto`...), else null. */
  failKeyword: string | null;
}

export interface MaskResult {
  /** Same length as the input; newlines kept. */
  masked: string;
  /** Nothing was changed (then masked === text and the unmasked parse can be skipped). */
  unchanged: boolean;
  annotations: RawAnnotation[];
  /** Offset of an iterator macro name that was renamed to `while` → the macro name. */
  loopMacros: Map<number, string>;
  /** Offset of `scoped_guard`/`scoped_cond_guard` renamed to `while`. */
  scopedGuards: Map<number, ScopedGuardMark>;
  /** Offsets of `__rcu` qualifiers and `OVSRCU_TYPE(` wrappers (sorted). */
  rcuOffsets: number[];
  /** `__free(x)` / `__cleanup(x)` (sorted by offset). */
  cleanups: MaskedCall[];
  /** `OVS_GUARDED_BY(m)` / `__guarded_by(m)` / `OVS_GUARDED` (sorted by offset). */
  guardedBy: MaskedCall[];
  /**
   * Offsets of `#if` groups whose arms do not balance braces/parentheses (`#ifdef A / if (a) {
   * / #else / if (b) { / #endif`). tree-sitter cannot parse such arms together, so only the
   * first arm is kept (the directives and the other arms are blanked).
   */
  unbalancedConditionals: number[];
  definers: DefinerMark[];
}

// ---------------------------------------------------------------------------------------------
// Macro tables

/** Words a kernel conditional annotation (KERNEL_COND) may give as its return value. */
const KERNEL_RET_WORDS = new Set(['true', 'false', 'nonzero', '0', '1', 'nonnull', 'NULL', 'null', '-1']);

/** Attribute-like macros removed without a trace; an argument list is consumed when present. */
const MASK_WITH_ARGS = new Set([
  '__attribute__',
  '__attribute',
  '__declspec',
  'OVS_ACQ_AFTER',
  'OVS_ACQ_BEFORE',
  'OVS_PRINTF_FORMAT',
  'OVS_SCANF_FORMAT',
  'OVS_ALIGNED_VAR',
  '__printf',
  '__scanf',
  '__aligned',
  '__section',
  '__alloc_size',
  '__nonstring',
  '__counted_by',
  '__counted_by_le',
  '__counted_by_be',
  '__guarded_by',
  '__pt_guarded_by',
  'OVS_GUARDED_BY',
  'OVS_PT_GUARDED_BY',
  '__free',
  '__cleanup',
  '__releases_ctx_lock',
  '__acquires_ctx_lock',
]);

/** Bare attribute/qualifier macros (never followed by an argument list of their own). */
const MASK_BARE = new Set([
  'OVS_GUARDED',
  'OVS_PT_GUARDED',
  'OVS_LOCKABLE',
  'OVS_SCOPED_LOCKABLE',
  'OVS_UNUSED',
  'OVS_WARN_UNUSED_RESULT',
  'OVS_NO_RETURN',
  'OVS_NO_SANITIZE_FUNCTION',
  'OVS_NO_SANITIZE_ADDRESS',
  '__must_check',
  '__cold',
  '__hot',
  '__init',
  '__exit',
  '__net_init',
  '__net_exit',
  '__always_inline',
  'noinline',
  'noinline_for_stack',
  '__noinline',
  '__maybe_unused',
  '__always_unused',
  '__rcu',
  '__percpu',
  '__user',
  '__iomem',
  '__kernel',
  '__force',
  '__bitwise',
  '__private',
  '__safe',
  '__nocast',
  '__read_mostly',
  '__ro_after_init',
  '__initdata',
  '__initconst',
  '__exitdata',
  '__refdata',
  '__cacheline_aligned',
  '__cacheline_aligned_in_smp',
  '____cacheline_aligned',
  '____cacheline_aligned_in_smp',
  '__packed',
  '__weak',
  '__used',
  '__visible',
  '__noreturn',
  '__pure',
  '__malloc',
  '__sched',
  'notrace',
  '__latent_entropy',
  '__randomize_layout',
  '__no_randomize_layout',
  '__deprecated',
  '__noclone',
  '__flatten',
  '__always_unused',
  'asmlinkage',
  '__guarded',
  '__context_unsafe',
]);

/** Parenthesised constructs where `struct x` is legitimately a type (not a macro argument). */
const NOT_MACRO_CALLS = new Set([
  'sizeof',
  'offsetof',
  '__builtin_offsetof',
  'typeof',
  '__typeof__',
  '__typeof',
  '_Alignof',
  'alignof',
  '__alignof__',
  'va_arg',
  '__builtin_va_arg',
  '__builtin_types_compatible_p',
  '_Generic',
  'if',
  'while',
  'for',
  'switch',
  'return',
]);

/** First characters of every attribute/annotation macro name (a cheap pre-filter). */
const ATTR_FIRST_CHAR = ((): Uint8Array => {
  const a = new Uint8Array(128);
  for (const n of [...Object.keys(ANNOTATION_KINDS), ...MASK_WITH_ARGS, ...MASK_BARE, 'OVSRCU_TYPE']) a[n.charCodeAt(0)] = 1;
  return a;
})();

/** Recorded, not just masked (with GUARDED_MACROS from the catalog). */
const CLEANUP_MACROS = new Set(['__free', '__cleanup']);

/**
 * Iterator macros: `list_for_each_entry`, `HMAP_FOR_EACH_SAFE`, `nla_for_each_nested`,
 * `for_each_possible_cpu`, `xa_for_each`, `idr_for_each_entry`... all contain `for_each`.
 * A few well-known loop macros do not.
 */
const EXTRA_LOOP_MACROS = new Set(['do_each_thread', 'while_each_thread', 'LIST_FOR_EACH', 'rhl_for_each_entry_rcu']);

export function isLoopMacroName(name: string): boolean {
  if (name.length < 5) return false;
  if (name.includes('for_each') || name.includes('FOR_EACH') || EXTRA_LOOP_MACROS.has(name)) return true;
  // skb_queue_walk, skb_list_walk_safe, skb_walk_frags...
  const w = name.indexOf('walk');
  return w >= 0 && (w === 0 || name.charCodeAt(w - 1) === 95) && (w + 4 === name.length || name.charCodeAt(w + 4) === 95);
}

/** Never loop headers even when followed by a brace or a statement. */
const NOT_LOOP_MACROS = new Set([
  // C keywords that take a parenthesised operand.
  'switch',
  'while',
  'return',
  'sizeof',
  '_Alignof',
  '_Generic',
  '_Static_assert',
  'asm',
  '__asm__',
  '__asm',
  '__volatile__',
  'typeof',
  '__typeof__',
  '__typeof',
  // Type-producing macros.
  'ATOMIC',
  'OVS_PACKED',
  'OVS_ALIGNED_STRUCT',
]);

// ---------------------------------------------------------------------------------------------
// Lexer

const T_IDENT = 1;
const T_LPAREN = 2;
const T_RPAREN = 3;
const T_LBRACE = 4;
const T_RBRACE = 5;
const T_SEMI = 6;
const T_COMMA = 7;
const T_OTHER = 8; // operators, numbers, strings, chars
/** A conditional directive line; `sub` says which: */
const T_DIRECTIVE = 9;
const D_IF = 1;
const D_ELIF = 2;
const D_ELSE = 3;
const D_ENDIF = 4;

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

interface Tokens {
  n: number;
  kind: Uint8Array;
  /** For T_DIRECTIVE: D_IF / D_ELIF / D_ELSE / D_ENDIF. */
  sub: Uint8Array;
  start: Int32Array;
  end: Int32Array;
}

/**
 * Token arrays of the last `lex` call, reused by the next one: masking every file of a tree
 * otherwise allocates ~2.5 bytes per source byte of short-lived typed arrays, a steady source of
 * GC work. Only arrays up to MAX_POOLED_TOKENS entries are kept.
 */
let lexPool: Tokens | null = null;
const MAX_POOLED_TOKENS = 1 << 20;

function releaseTokens(t: Tokens): void {
  if (t.kind.length <= MAX_POOLED_TOKENS) lexPool = t;
}

/** Tokenises code, skipping comments, directives and literal contents. Linear. */
function lex(text: string, deadline: Deadline): Tokens {
  const len = text.length;
  // Upper bound on tokens: one per character; grow lazily to keep memory small on big files.
  // The arrays of the previous call are reused (maskSource gives them back when done).
  const pooled = lexPool;
  lexPool = null;
  let cap = pooled ? pooled.kind.length : Math.max(1024, len >> 2);
  let kind = pooled ? pooled.kind : new Uint8Array(cap);
  let sub = pooled ? pooled.sub : new Uint8Array(cap);
  let start = pooled ? pooled.start : new Int32Array(cap);
  let end = pooled ? pooled.end : new Int32Array(cap);
  let n = 0;
  const push = (k: number, s: number, e: number, d = 0): void => {
    if (n === cap) {
      cap *= 2;
      const k2 = new Uint8Array(cap);
      k2.set(kind);
      kind = k2;
      const d2 = new Uint8Array(cap);
      d2.set(sub);
      sub = d2;
      const s2 = new Int32Array(cap);
      s2.set(start);
      start = s2;
      const e2 = new Int32Array(cap);
      e2.set(end);
      end = e2;
    }
    kind[n] = k;
    sub[n] = d;
    start[n] = s;
    end[n] = e;
    n++;
  };

  let i = 0;
  let lineStart = true; // only whitespace seen since the last newline
  let nextCheck = 1 << 16;
  while (i < len) {
    if (i > nextCheck) {
      checkDeadline(deadline, 'masking');
      nextCheck = i + (1 << 16);
    }
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
      i++;
      continue;
    }
    if (c === 92 /* \ */ && (text.charCodeAt(i + 1) === 10 || (text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10))) {
      i += text.charCodeAt(i + 1) === 10 ? 2 : 3; // line splice outside a directive
      continue;
    }
    if (c === 47 /* / */) {
      const d = text.charCodeAt(i + 1);
      if (d === 47) {
        i = skipLineComment(text, i + 2);
        continue;
      }
      if (d === 42) {
        i = skipBlockComment(text, i + 2);
        continue;
      }
    }
    if (c === 35 /* # */ && lineStart) {
      const e = skipDirective(text, i + 1);
      const d = directiveKind(text, i + 1, e);
      if (d) push(T_DIRECTIVE, i, e, d);
      i = e;
      continue;
    }
    lineStart = false;
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < len && isIdentPart(text.charCodeAt(j))) j++;
      // String/char prefixes: L"..", u8"..", u'..'
      const q = text.charCodeAt(j);
      if ((q === 34 || q === 39) && j - i <= 2 && isLiteralPrefix(text, i, j)) {
        const e = skipQuoted(text, j + 1, q);
        push(T_OTHER, i, e);
        i = e;
        continue;
      }
      push(T_IDENT, i, j);
      i = j;
      continue;
    }
    if (c === 34 || c === 39) {
      const e = skipQuoted(text, i + 1, c);
      push(T_OTHER, i, e);
      i = e;
      continue;
    }
    if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < len && (isIdentPart(text.charCodeAt(j)) || text.charCodeAt(j) === 46)) j++;
      push(T_OTHER, i, j);
      i = j;
      continue;
    }
    let k = T_OTHER;
    if (c === 40) k = T_LPAREN;
    else if (c === 41) k = T_RPAREN;
    else if (c === 123) k = T_LBRACE;
    else if (c === 125) k = T_RBRACE;
    else if (c === 59) k = T_SEMI;
    else if (c === 44) k = T_COMMA;
    push(k, i, i + 1);
    i++;
  }
  return { n, kind, sub, start, end };
}

/** Conditional directive kind of `# word ...` (0 for #define, #include, ...). */
function directiveKind(text: string, i: number, e: number): number {
  while (i < e && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  let j = i;
  while (j < e && isIdentPart(text.charCodeAt(j))) j++;
  const w = text.slice(i, j);
  if (w === 'if' || w === 'ifdef' || w === 'ifndef') return D_IF;
  if (w === 'elif' || w === 'elifdef' || w === 'elifndef') return D_ELIF;
  if (w === 'else') return D_ELSE;
  if (w === 'endif') return D_ENDIF;
  return 0;
}

type Edit = { s: number; e: number; rep: string | null };

/**
 * Finds `#if` groups whose arms change the brace or parenthesis depth and blanks everything but
 * the first arm (directives included), so the remaining code is balanced. Returns the `#if`
 * offsets. Linear: each token is visited once, groups are handled when their `#endif` is seen.
 */
function balanceConditionals(t: Tokens, edits: Edit[], dead: Uint8Array): number[] {
  interface Arm {
    dir: number; // token index of the directive opening the arm
    braces: number;
    parens: number;
  }
  const groups: Arm[][] = [];
  const found: number[] = [];
  for (let i = 0; i < t.n; i++) {
    const k = t.kind[i];
    if (k === T_DIRECTIVE) {
      const d = t.sub[i];
      if (d === D_IF) groups.push([{ dir: i, braces: 0, parens: 0 }]);
      else if ((d === D_ELIF || d === D_ELSE) && groups.length) groups[groups.length - 1].push({ dir: i, braces: 0, parens: 0 });
      else if (d === D_ENDIF && groups.length) {
        const arms = groups.pop()!;
        const unbalanced = arms.some((a) => a.braces !== 0 || a.parens !== 0);
        const kept = arms[0];
        if (unbalanced) {
          found.push(t.start[kept.dir]);
          edits.push({ s: t.start[kept.dir], e: t.end[kept.dir], rep: null });
          for (let a = 1; a < arms.length; a++) {
            const to = a + 1 < arms.length ? t.start[arms[a + 1].dir] : t.start[i];
            edits.push({ s: t.start[arms[a].dir], e: to, rep: null });
            // Tokens of dropped arms no longer exist for the parser (nor for brace tracking).
            const toTok = a + 1 < arms.length ? arms[a + 1].dir : i;
            for (let j = arms[a].dir; j < toTok; j++) dead[j] = 1;
          }
          edits.push({ s: t.start[i], e: t.end[i], rep: null });
        }
        // The kept arm's imbalance now belongs to the enclosing arm.
        if (groups.length) {
          const outer = groups[groups.length - 1];
          const cur = outer[outer.length - 1];
          cur.braces += unbalanced ? kept.braces : 0;
          cur.parens += unbalanced ? kept.parens : 0;
        }
      }
      continue;
    }
    if (!groups.length) continue;
    const top = groups[groups.length - 1];
    const arm = top[top.length - 1];
    if (k === T_LBRACE) arm.braces++;
    else if (k === T_RBRACE) arm.braces--;
    else if (k === T_LPAREN) arm.parens++;
    else if (k === T_RPAREN) arm.parens--;
  }
  return found;
}

function isLiteralPrefix(text: string, i: number, j: number): boolean {
  const p = text.slice(i, j);
  return p === 'L' || p === 'u' || p === 'U' || p === 'u8';
}

function skipLineComment(text: string, i: number): number {
  const len = text.length;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      // A backslash before the newline continues the comment (rare, but C says so).
      if (text.charCodeAt(i - 1) === 92 || (text.charCodeAt(i - 1) === 13 && text.charCodeAt(i - 2) === 92)) {
        i++;
        continue;
      }
      return i;
    }
    i++;
  }
  return len;
}

function skipBlockComment(text: string, i: number): number {
  const e = text.indexOf('*/', i);
  return e < 0 ? text.length : e + 2;
}

function skipQuoted(text: string, i: number, quote: number): number {
  const len = text.length;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c === 92) {
      i += 2;
      continue;
    }
    if (c === quote) return i + 1;
    if (c === 10) return i; // unterminated: stop at the line end
    i++;
  }
  return len;
}

/** Skips a preprocessor directive up to its unescaped newline (comments may span lines). */
function skipDirective(text: string, i: number): number {
  const len = text.length;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c === 10) return i;
    if (c === 92 && text.charCodeAt(i + 1) === 10) {
      i += 2;
      continue;
    }
    if (c === 92 && text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10) {
      i += 3;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      i = skipBlockComment(text, i + 2);
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 47) return skipLineComment(text, i + 2);
    if (c === 34 || c === 39) {
      i = skipQuoted(text, i + 1, c);
      continue;
    }
    i++;
  }
  return len;
}

/** match[i] = index of the paired paren token, or -1. One stack pass. */
function pairParens(t: Tokens, dead: Uint8Array): Int32Array {
  const match = new Int32Array(t.n).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < t.n; i++) {
    if (dead[i]) continue;
    const k = t.kind[i];
    if (k === T_LPAREN) stack.push(i);
    else if (k === T_RPAREN) {
      if (stack.length) {
        const o = stack.pop()!;
        match[o] = i;
        match[i] = o;
      }
    } else if (k === T_LBRACE || k === T_RBRACE || k === T_SEMI) {
      // A brace or semicolon never sits inside parentheses except in statement expressions
      // `({ ... })` and initialisers in calls; keep pairing across them (stack untouched).
    }
  }
  return match;
}

// ---------------------------------------------------------------------------------------------
// Masking

/** Splits a macro argument text on top-level commas (parens/brackets/braces balanced). */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (c === 34 || c === 39) i = skipQuoted(s, i + 1, c) - 1;
    else if (c === 44 && depth === 0) {
      out.push(s.slice(cur, i).trim());
      cur = i + 1;
    }
  }
  const last = s.slice(cur).trim();
  if (last || out.length) out.push(last);
  return out.filter((a) => a.length > 0);
}

function collapseWs(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function makeAnnotation(macro: string, kind: Annotation['kind'], args: string | null, offset: number, line: number): RawAnnotation {
  const parts = args === null ? [] : splitArgs(args).map(collapseWs);
  let ret: string | null = null;
  let locks = parts;
  if (TRY_WITH_RET.has(macro)) {
    ret = parts[0] ?? null;
    locks = parts.slice(1);
  } else if (KERNEL_COND.has(macro)) {
    if (parts.length >= 2 && KERNEL_RET_WORDS.has(parts[0])) {
      ret = parts[0];
      locks = parts.slice(1);
    } else {
      ret = 'nonzero'; // sparse `__cond_acquires(x)`: acquired when the return value is non-zero
    }
  }
  return { offset, line, kind, macro, locks, ret };
}

/** `deadline` (performance.now() based) aborts with BudgetExceeded on huge inputs. */
export function maskSource(text: string, deadline: Deadline = Infinity): MaskResult {
  const t = lex(text, deadline);
  // Edits: [start, end, replacement|null]; null = blank out (spaces, newlines kept).
  const edits: Edit[] = [];
  // Tokens in #if arms that balanceConditionals drops are `dead`: invisible to what follows.
  const dead = new Uint8Array(t.n);
  const unbalancedConditionals = balanceConditionals(t, edits, dead);
  const balanceEdits = edits.length;
  const match = pairParens(t, dead);
  const annotations: RawAnnotation[] = [];
  const loopMacros = new Map<number, string>();
  const scopedGuards = new Map<number, ScopedGuardMark>();
  const rcuOffsets: number[] = [];
  const cleanups: MaskedCall[] = [];
  const guardedBy: MaskedCall[] = [];
  const definers: DefinerMark[] = [];

  let depth = 0;
  // 1 = the brace opened a block of code (function body, compound statement), 0 = data
  // (struct/union/enum body, initialiser).
  const braceCode: number[] = [];
  const openParens: number[] = [];
  const identIs = (j: number, w: string): boolean => j >= 0 && t.kind[j] === T_IDENT && t.end[j] - t.start[j] === w.length && text.startsWith(w, t.start[j]);
  const prevLive = (i: number): number => {
    let p = i - 1;
    while (p >= 0 && dead[p]) p--;
    return p;
  };
  const isCodeBrace = (i: number): boolean => {
    const p = prevLive(i);
    if (p < 0) return false;
    const pk = t.kind[p];
    if (pk === T_RPAREN) return true; // function body, if/for/while/iterator body
    if (identIs(p, 'else') || identIs(p, 'do')) return true;
    const parentCode = braceCode.length > 0 && braceCode[braceCode.length - 1] === 1;
    if (parentCode && (pk === T_SEMI || pk === T_LBRACE || pk === T_RBRACE)) return true;
    if (parentCode && pk === T_OTHER && text.charCodeAt(t.start[p]) === 58 /* : */) return true;
    return false;
  };
  /** `struct` at i starts a macro argument inside code: `IDENT( ..., struct x, ...)`. */
  const isTypeArgOfMacro = (i: number): boolean => {
    if (!braceCode.length || braceCode[braceCode.length - 1] !== 1 || !openParens.length) return false;
    const pi = prevLive(i);
    const prev = pi >= 0 ? t.kind[pi] : 0;
    if (prev !== T_LPAREN && prev !== T_COMMA) return false;
    const open = openParens[openParens.length - 1];
    const callee = prevLive(open);
    if (callee < 0 || t.kind[callee] !== T_IDENT) return false;
    const name = text.slice(t.start[callee], t.end[callee]);
    return !NOT_MACRO_CALLS.has(name);
  };
  // Line numbers for annotations: offsets only grow, so count newlines incrementally.
  let lineOff = 0;
  let lineNo = 1;
  const lineAt = (off: number): number => {
    for (let p = text.indexOf('\n', lineOff); p >= 0 && p < off; p = text.indexOf('\n', p + 1)) lineNo++;
    lineOff = off;
    return lineNo;
  };

  for (let i = 0; i < t.n; i++) {
    if (dead[i]) continue;
    if ((i & 0xffff) === 0) checkDeadline(deadline, 'masking');
    const k = t.kind[i];
    if (k === T_LBRACE) {
      depth++;
      braceCode.push(isCodeBrace(i) ? 1 : 0);
      continue;
    }
    if (k === T_RBRACE) {
      if (depth > 0) depth--;
      if (braceCode.length) braceCode.pop();
      continue;
    }
    if (k === T_LPAREN) {
      openParens.push(i);
      continue;
    }
    if (k === T_RPAREN) {
      if (openParens.length) openParens.pop();
      continue;
    }
    if (k !== T_IDENT) continue;
    const s = t.start[i];
    const e = t.end[i];
    if (e - s === 6 || e - s === 5 || e - s === 4) {
      // `container_of(p, struct foo, member)`, `list_first_entry(&h, struct foo, node)`: a type
      // as a macro argument is not an expression. Blanking the keyword leaves an identifier.
      const kw = text.slice(s, e);
      if ((kw === 'struct' || kw === 'union' || kw === 'enum') && isTypeArgOfMacro(i)) {
        edits.push({ s, e, rep: null });
        continue;
      }
    }
    const c0 = text.charCodeAt(s);
    if (e - s < 5) continue;
    const hasParen = i + 1 < t.n && t.kind[i + 1] === T_LPAREN && match[i + 1] > i + 1;
    const close = hasParen ? match[i + 1] : -1;
    // Decide from token kinds and the first character whether this identifier can matter at
    // all, before paying for the string: most identifiers are plain names.
    const attrCandidate = c0 < 128 && ATTR_FIRST_CHAR[c0] === 1;
    const definerCandidate = depth === 0 && hasParen && close + 1 < t.n && t.kind[close + 1] === T_SEMI;
    const after = depth > 0 && hasParen && close + 1 < t.n ? t.kind[close + 1] : 0;
    // A statement follows the macro's argument list (not `;`, `,`, `)` or an operator): a loop
    // header or scoped guard, not a call.
    const loopCandidate = after === T_LBRACE || after === T_IDENT || after === T_LPAREN;
    if (!attrCandidate && !definerCandidate && !loopCandidate) continue;
    const name = text.slice(s, e);

    if (depth === 0 && hasParen && close + 1 < t.n && t.kind[close + 1] === T_SEMI && isDefinerMacro(name)) {
      // `[static] DEFINE_X(args);` at file scope: blank it whole, keep it as a definer record.
      const prevIsStatic = i > 0 && t.kind[i - 1] === T_IDENT && text.slice(t.start[i - 1], t.end[i - 1]) === 'static';
      const from = prevIsStatic ? t.start[i - 1] : s;
      const args: { text: string; offset: number }[] = [];
      let argStart = i + 2;
      let pd = 0;
      for (let j = i + 2; j <= close; j++) {
        const kj = t.kind[j];
        if (kj === T_LPAREN) pd++;
        else if ((kj === T_COMMA && pd === 0) || j === close) {
          if (j > argStart) args.push({ text: collapseWs(text.slice(t.start[argStart], t.end[j - 1])), offset: t.start[argStart] });
          argStart = j + 1;
        } else if (kj === T_RPAREN) pd--;
      }
      definers.push({ offset: s, line: lineAt(s), macro: name, args, isStatic: prevIsStatic });
      edits.push({ s: from, e: t.end[close + 1], rep: null });
      i = close + 1;
      continue;
    }
    const ak = c0 === 95 || c0 === 79 ? ANNOTATION_KINDS[name] : undefined;
    if (ak !== undefined) {
      const args = hasParen ? text.slice(t.end[i + 1], t.start[close]) : null;
      annotations.push(makeAnnotation(name, ak, args, s, lineAt(s)));
      const endOff = hasParen ? t.end[close] : e;
      edits.push({ s, e: endOff, rep: null });
      if (hasParen) i = close;
      continue;
    }
    if (MASK_WITH_ARGS.has(name)) {
      const endOff = hasParen ? t.end[close] : e;
      const args = hasParen ? text.slice(t.end[i + 1], t.start[close]) : '';
      if (CLEANUP_MACROS.has(name)) cleanups.push({ offset: s, macro: name, args: collapseWs(args) });
      if (GUARDED_MACROS.has(name)) guardedBy.push({ offset: s, macro: name, args: collapseWs(args) });
      edits.push({ s, e: endOff, rep: null });
      if (hasParen) i = close;
      continue;
    }
    if (MASK_BARE.has(name)) {
      if (name === '__rcu') rcuOffsets.push(s);
      if (GUARDED_MACROS.has(name)) guardedBy.push({ offset: s, macro: name, args: '' });
      edits.push({ s, e, rep: null });
      continue;
    }
    if (name === 'OVSRCU_TYPE' && hasParen) {
      // `OVSRCU_TYPE(struct flow *) p;` → `            struct flow *  p;`
      // Recorded at the first token of the wrapped type: that is where the declaration node starts.
      rcuOffsets.push(i + 2 < close ? t.start[i + 2] : s);
      edits.push({ s, e: t.end[i + 1], rep: null });
      edits.push({ s: t.start[close], e: t.end[close], rep: null });
      continue;
    }
    if (loopCandidate) {
      if (name === 'scoped_guard' || name === 'scoped_cond_guard') {
        let failKeyword: string | null = null;
        if (name === 'scoped_cond_guard') failKeyword = maskFailKeyword(text, t, i + 2, close, edits);
        scopedGuards.set(s, { macro: name, failKeyword });
        edits.push({ s, e, rep: 'while' + ' '.repeat(e - s - 5) });
        continue;
      }
      // A `NAME(args) {` inside code cannot be a call (a call is never followed by a block),
      // so any such macro is an iterator, whatever its name (`skb_list_walk_safe(...) {`).
      const inCode = braceCode.length > 0 && braceCode[braceCode.length - 1] === 1;
      if ((isLoopMacroName(name) || (after === T_LBRACE && inCode)) && !NOT_LOOP_MACROS.has(name)) {
        loopMacros.set(s, name);
        edits.push({ s, e, rep: 'while' + ' '.repeat(e - s - 5) });
      }
    }
  }

  releaseTokens(t); // the token arrays are not used after the decision pass
  if (edits.length === 0) {
    return { masked: text, unchanged: true, annotations, loopMacros, scopedGuards, rcuOffsets, cleanups, guardedBy, unbalancedConditionals, definers };
  }
  let inBlankFinal: (off: number) => boolean = () => false;
  if (balanceEdits > 0) {
    // Whatever was found inside blanked arms no longer exists for the parser.
    const blanked = edits.slice(0, balanceEdits).sort((a, b) => a.s - b.s);
    const inBlank = (off: number): boolean => {
      let lo = 0;
      let hi = blanked.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (blanked[mid].s <= off) lo = mid + 1;
        else hi = mid;
      }
      return lo > 0 && off < blanked[lo - 1].e;
    };
    inBlankFinal = inBlank;
    const keep = <T extends { offset: number }>(a: T[]): T[] => a.filter((x) => !inBlank(x.offset));
    annotationsFiltered(annotations, keep);
    for (const off of [...loopMacros.keys()]) if (inBlank(off)) loopMacros.delete(off);
    for (const off of [...scopedGuards.keys()]) if (inBlank(off)) scopedGuards.delete(off);
    const rcu = rcuOffsets.filter((o) => !inBlank(o));
    rcuOffsets.length = 0;
    rcuOffsets.push(...rcu);
    const cl = keep(cleanups);
    cleanups.length = 0;
    cleanups.push(...cl);
    const gb = keep(guardedBy);
    guardedBy.length = 0;
    guardedBy.push(...gb);
  }
  edits.sort((a, b) => a.s - b.s);
  const parts: string[] = [];
  let last = 0;
  for (const ed of edits) {
    if (ed.s < last) {
      // Inside a blanked arm: the later edit is covered already.
      continue;
    }
    parts.push(text.slice(last, ed.s));
    parts.push(ed.rep ?? blank(text, ed.s, ed.e));
    last = ed.e;
  }
  parts.push(text.slice(last));
  return { masked: parts.join(''), unchanged: false, annotations, loopMacros, scopedGuards, rcuOffsets, cleanups, guardedBy, unbalancedConditionals, definers: definers.filter((d) => !inBlankFinal(d.offset)) };
}

function annotationsFiltered(a: RawAnnotation[], keep: (x: RawAnnotation[]) => RawAnnotation[]): void {
  const k = keep(a);
  a.length = 0;
  a.push(...k);
}

/**
 * `scoped_cond_guard(cls, return -EINTR, &lock)`: blank the statement keyword of the fail
 * argument so the header parses as a comma expression; the keyword is returned.
 */
function maskFailKeyword(text: string, t: Tokens, from: number, close: number, edits: Edit[]): string | null {
  // Find the first top-level comma, then the token after it.
  let depth = 0;
  for (let j = from; j < close; j++) {
    const k = t.kind[j];
    if (k === T_LPAREN) depth++;
    else if (k === T_RPAREN) depth--;
    else if (k === T_COMMA && depth === 0) {
      const n = j + 1;
      if (n < close && t.kind[n] === T_IDENT) {
        const w = text.slice(t.start[n], t.end[n]);
        if (w === 'return' || w === 'goto' || w === 'break' || w === 'continue') {
          edits.push({ s: t.start[n], e: t.end[n], rep: null });
          // `break`/`continue` leave an empty argument: put a 0 in so the comma list parses.
          if (w === 'break' || w === 'continue') edits[edits.length - 1].rep = '0' + ' '.repeat(w.length - 1);
          return w;
        }
      }
      return null;
    }
  }
  return null;
}

/** Spaces for [s, e), keeping newlines and carriage returns so positions stay identical. */
function blank(text: string, s: number, e: number): string {
  let out = '';
  let run = 0;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      if (run) out += ' '.repeat(run);
      run = 0;
      out += c === 10 ? '\n' : '\r';
    } else run++;
  }
  if (run) out += ' '.repeat(run);
  return out;
}
