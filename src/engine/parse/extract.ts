/**
 * C source text → FileFacts (src/engine/ir.ts).
 *
 * 1. `maskSource` blanks annotation/attribute macros and renames iterator macros to `while`
 *    (offsets preserved); 2. tree-sitter parses the masked text; 3. the tree is copied into flat
 *    arrays (`tree/flat-tree.ts`, one cursor pass; on wasm by reading its memory) and freed;
 *    4. `IrBuilder` turns the flat tree into IR, re-attaching what masking removed (annotations,
 *    `__rcu`, loop macro names, `__free`) by offset. Text is always sliced from the ORIGINAL
 *    source, so names and call texts are what the user wrote.
 *
 * Never throws on bad input: problems go to `problems[]`, unrecoverable function-like regions to
 * `unmodeled[]`.
 */

import type { FileFacts } from '../ir';
import { BudgetExceeded, checkDeadline } from './budget';
import { IrBuilder } from './ir/builder';
import { maskSource } from './preprocess/macro-mask';
import { sha1Hex } from './sha1';
import { flattenTree } from './tree/flat-tree';
import type { CParser, SyntaxNode } from './tree/parser';

export interface ExtractOptions {
  /** Abort a parse that takes longer than this (the file then yields a `parse-timeout` problem). */
  timeoutMs?: number;
  /** Content hash (sha1 hex) computed by the caller, e.g. with node:crypto; computed here when absent. */
  hash?: string;
  /**
   * Also parse the unmasked text to fill `errorNodesUnmasked` (default true). Costs a second
   * parse when masking changed anything; when false the field repeats `errorNodes`.
   */
  countUnmaskedErrors?: boolean;
  /**
   * Copy the tree with the parser's public cursor API only (the pre-optimisation path, see
   * wasm-cursor.ts). For the differential test and benchmarks; the FileFacts are identical.
   */
  publicCursorApi?: boolean;
}

export function emptyFacts(file: string, text: string, hash: string): FileFacts {
  let lines = 0;
  if (text.length > 0) {
    lines = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    if (text.endsWith('\n')) lines--;
  }
  return {
    file,
    hash,
    bytes: utf8Length(text),
    lines,
    functions: [],
    prototypes: [],
    structs: [],
    typedefs: [],
    globals: [],
    macros: [],
    errorNodes: 0,
    errorNodesUnmasked: 0,
    unmodeled: [],
    problems: [],
    parseMs: 0,
    extractMs: 0,
  };
}

export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 2; // surrogate pair: 2 UTF-16 units → 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

/**
 * ERROR and MISSING nodes under `root`, descending only into subtrees that contain errors
 * (cheap on a clean tree: one `hasError` read).
 */
export function countErrorNodes(root: SyntaxNode): number {
  let count = 0;
  const stack: SyntaxNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'ERROR' || n.isMissing) count++;
    if (!n.hasError) continue;
    for (let i = 0, m = n.childCount; i < m; i++) {
      const c = n.child(i)!;
      if (c.hasError || c.isMissing) stack.push(c);
    }
  }
  return count;
}

export function extractFileFacts(parser: CParser, file: string, text: string, opts: ExtractOptions = {}): FileFacts {
  const facts = emptyFacts(file, text, opts.hash ?? '');
  const t0 = performance.now();
  // One deadline for every phase: a huge file must not spend seconds masking before the parse
  // timeout even starts.
  const budget = opts.timeoutMs !== undefined && opts.timeoutMs > 0 ? opts.timeoutMs : undefined;
  const deadline = budget !== undefined ? t0 + budget : Infinity;
  let parseMs = 0;
  try {
    if (!opts.hash) facts.hash = sha1Hex(text);
    checkDeadline(deadline, 'hashing');
    const mask = maskSource(text, deadline);
    const left = budget !== undefined ? deadline - performance.now() : undefined;
    if (left !== undefined && left <= 0) throw new BudgetExceeded('masking');
    const t1 = performance.now();
    const tree = parser.parse(mask.masked, left === undefined ? undefined : Math.max(1, left));
    const t2 = performance.now();
    parseMs = t2 - t1;
    if (!tree) {
      clearFacts(facts);
      facts.problems.push({
        severity: 'error',
        code: 'parse-timeout',
        message: `parsing ${file} did not finish within the ${budget ?? '?'} ms budget; file skipped`,
      });
      facts.parseMs = parseMs;
      facts.extractMs = performance.now() - t0 - parseMs;
      return facts;
    }
    let flat;
    try {
      // The parsed (masked) text: same lines, and what the leaves actually tile.
      flat = flattenTree(tree.rootNode, mask.masked, deadline, { publicApiOnly: opts.publicCursorApi === true, scratch: true });
    } finally {
      tree.delete();
    }
    new IrBuilder(file, text, mask, flat, facts, deadline).run();
    const t3 = performance.now();
    facts.parseMs = parseMs;
    facts.extractMs = t3 - t0 - parseMs;
    facts.errorNodesUnmasked = facts.errorNodes;
    if (opts.countUnmaskedErrors !== false && !mask.unchanged) {
      const rest = budget !== undefined ? deadline - t3 : undefined;
      const raw = rest === undefined || rest > 0 ? parser.parse(text, rest === undefined ? undefined : Math.max(1, rest)) : null;
      if (raw) {
        try {
          facts.errorNodesUnmasked = countErrorNodes(raw.rootNode);
        } finally {
          raw.delete();
        }
      } else {
        facts.errorNodesUnmasked = -1;
        facts.problems.push({
          severity: 'info',
          code: 'unmasked-parse-skipped',
          message: 'the comparison parse of the unmasked text did not fit in the time budget; errorNodesUnmasked = -1',
        });
      }
    }
  } catch (e) {
    clearFacts(facts);
    facts.parseMs = parseMs;
    facts.extractMs = Math.max(0, performance.now() - t0 - parseMs);
    if (e instanceof BudgetExceeded) {
      facts.problems.push({
        severity: 'error',
        code: 'time-budget',
        message: `${file}: the ${budget} ms per-file budget ran out during ${e.phase}; file skipped`,
      });
    } else {
      // A bug in the extractor must not take the whole analysis down: report it for this file.
      facts.problems.push({
        severity: 'error',
        code: 'extract-failed',
        message: `internal error while extracting ${file}: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  }
  return facts;
}

/** Drops partial results: a file is either extracted completely or skipped with a problem. */
function clearFacts(f: FileFacts): void {
  clearIr(f);
  f.errorNodesUnmasked = 0;
}

/** Empties the IR and problems of `f` (the unmasked error count, a separate parse's, is kept). */
export function clearIr(f: FileFacts): void {
  f.functions = [];
  f.prototypes = [];
  f.structs = [];
  f.typedefs = [];
  f.globals = [];
  f.macros = [];
  f.unmodeled = [];
  f.problems = [];
  f.errorNodes = 0;
}
