/**
 * Shared pieces of the robustness suite: fast-check settings (fixed seed, modest run counts that
 * LOCKLENS_FC_RUNS can raise), the seed corpus (C files and mailboxes already in the repo),
 * mutation operators, both parser backends, and a tiny stats recorder so every test can report
 * how many cases it generated and which input was slowest.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import type { CParser, SyntaxNode } from '../../../src/engine/parse/tree/parser';

export const ROOT = process.env.LOCKLENS_ROOT ?? process.cwd();
export const FIX = join(ROOT, 'test/fixtures/robustness');

/** Fixed seed so CI is reproducible; LOCKLENS_FC_SEED explores other corners locally. */
export const FC_SEED = Number(process.env.LOCKLENS_FC_SEED ?? 20261121);

/** Run count for one property: `base` by default, LOCKLENS_FC_RUNS overrides (e.g. 2000 locally). */
export function runs(base: number): number {
  const env = Number(process.env.LOCKLENS_FC_RUNS);
  return Number.isFinite(env) && env > 0 ? Math.floor(env) : base;
}

export function fcParams<T>(base: number): fc.Parameters<T> {
  return { seed: FC_SEED, numRuns: runs(base), endOnFailure: true };
}

// ---------------------------------------------------------------------------------------------
// Seed corpus

function walk(dir: string, keep: (p: string) => boolean, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, keep, out);
    else if (keep(p)) out.push(p);
  }
  return out;
}

export interface Seed {
  /** Relative to the repo root. */
  name: string;
  text: string;
}

let cSeeds: Seed[] | null = null;
/** Every C source and header under test/fixtures/** and examples/** (sorted: deterministic). */
export function cSeedCorpus(): Seed[] {
  cSeeds ??= [join(ROOT, 'test/fixtures'), join(ROOT, 'examples')]
    .flatMap((d) => walk(d, (p) => /\.[ch]$/.test(p)))
    .map((p) => ({ name: relative(ROOT, p).split('\\').join('/'), text: readFileSync(p, 'utf8') }));
  return cSeeds;
}

let mailSeeds: { name: string; bytes: Buffer }[] | null = null;
/** Every mailbox/patch file in the repo, as raw bytes (mail is decoded from bytes). */
export function mailSeedCorpus(): { name: string; bytes: Buffer }[] {
  mailSeeds ??= [join(ROOT, 'test/fixtures'), join(ROOT, 'examples')]
    .flatMap((d) => walk(d, (p) => /\.(mbox|patch|eml|txt)$/.test(p) && !p.includes('/sim/')))
    .map((p) => ({ name: relative(ROOT, p).split('\\').join('/'), bytes: readFileSync(p) }));
  return mailSeeds;
}

// ---------------------------------------------------------------------------------------------
// Mutations

/** Fragments that stress the masker, the parser's error recovery and the extractor. */
export const HOSTILE_FRAGMENTS = [
  '{',
  '}',
  '(',
  ')',
  '[',
  '#if CONFIG_X\n',
  '#ifdef CONFIG_Y\n',
  '#else\n',
  '#endif\n',
  '#define WRAP(x) do { mutex_lock(x); \\\n',
  '/*',
  '*/',
  '//',
  '"',
  "'",
  '\\\n',
  '\0',
  '\r\n',
  '\r',
  '\uFFFD',
  '\u00e9',
  '\uD800',
  ';',
  'OVS_REQUIRES(',
  'OVS_EXCLUDED(m) ',
  '__acquires(x) ',
  '__must_hold(&dp->lock)',
  'list_for_each_entry(p, &h, node) ',
  'HMAP_FOR_EACH (n, node, &map) ',
  'scoped_guard(mutex, &m) ',
  'guard(rcu)();',
  'mutex_lock(&dp->lock);',
  'spin_unlock_bh(&l);',
  'rcu_read_lock();',
  'goto out;',
  'out:',
  'else ',
  'case 1:',
  'struct ',
  '({ ',
  ' })',
] as const;

/** One edit. Positions are raw naturals, reduced modulo the current size when applied. */
export type Mutation =
  | { op: 'delete-lines'; at: number; n: number }
  | { op: 'dup-lines'; at: number; from: number; n: number }
  | { op: 'swap-lines'; a: number; b: number }
  | { op: 'insert'; at: number; frag: number }
  | { op: 'delete-bytes'; at: number; n: number }
  | { op: 'copy-bytes'; at: number; from: number; n: number }
  | { op: 'truncate'; at: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete-lines' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ op: fc.constant('dup-lines' as const), at: fc.nat(), from: fc.nat(), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ op: fc.constant('swap-lines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), frag: fc.nat(HOSTILE_FRAGMENTS.length - 1) }),
  fc.record({ op: fc.constant('delete-bytes' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ op: fc.constant('copy-bytes' as const), at: fc.nat(), from: fc.nat(), n: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);

/** Applies edits in order; pure, so a failing case replays exactly from its counterexample. */
export function mutate(text: string, edits: readonly Mutation[]): string {
  let s = text;
  for (const m of edits) {
    const len = s.length + 1;
    switch (m.op) {
      case 'delete-lines':
      case 'dup-lines':
      case 'swap-lines': {
        const lines = s.split('\n');
        const n = lines.length;
        if (m.op === 'delete-lines') lines.splice(m.at % n, m.n);
        else if (m.op === 'dup-lines') lines.splice(m.at % n, 0, ...lines.slice(m.from % n, (m.from % n) + m.n));
        else {
          const a = m.a % n;
          const b = m.b % n;
          [lines[a], lines[b]] = [lines[b], lines[a]];
        }
        s = lines.join('\n');
        break;
      }
      case 'insert': {
        const p = m.at % len;
        s = s.slice(0, p) + HOSTILE_FRAGMENTS[m.frag] + s.slice(p);
        break;
      }
      case 'delete-bytes': {
        const p = m.at % len;
        s = s.slice(0, p) + s.slice(p + m.n);
        break;
      }
      case 'copy-bytes': {
        const p = m.at % len;
        const q = m.from % len;
        s = s.slice(0, p) + s.slice(q, q + m.n) + s.slice(p);
        break;
      }
      case 'truncate':
        s = s.slice(0, m.at % len);
        break;
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Parsers

export { wasmParser, nativeParser, untimed } from '../support/parsers';

/**
 * The tree as an S-expression built only from the common `SyntaxNode` subset. Used to tell a
 * LockLens divergence (same tree, different facts) from a tree-sitter runtime divergence.
 */
export function sexp(parser: CParser, text: string): string | null {
  const tree = parser.parse(text);
  if (!tree) return null;
  try {
    const out: string[] = [];
    const visit = (n: SyntaxNode): void => {
      out.push(n.isMissing ? `(MISSING ${n.type}` : `(${n.type} ${n.startIndex}-${n.endIndex}`);
      for (let i = 0; i < n.childCount; i++) visit(n.child(i)!);
      out.push(')');
    };
    visit(tree.rootNode);
    return out.join('');
  } finally {
    tree.delete();
  }
}

// ---------------------------------------------------------------------------------------------
// Stats

/** Counts generated cases and remembers the slowest one, for the closing report. */
export class CaseStats {
  cases = 0;
  slowestMs = 0;
  slowest = '';
  time<T>(label: string, fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.note(label, performance.now() - t0);
    }
  }
  async timeAsync<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.note(label, performance.now() - t0);
    }
  }
  note(label: string, ms: number): void {
    this.cases++;
    if (ms > this.slowestMs) {
      this.slowestMs = ms;
      this.slowest = label;
    }
  }
  summary(what: string): string {
    return `${what}: ${this.cases} generated cases, slowest ${this.slowestMs.toFixed(0)} ms (${this.slowest})`;
  }
}

/** A compact label for a mutated input (seed + edit list), short enough for a log line. */
export function label(seed: string, edits: readonly Mutation[]): string {
  const s = JSON.stringify(edits);
  return `${seed} ${s.length > 160 ? s.slice(0, 157) + '...' : s}`;
}

export const MB = 1024 * 1024;
