/**
 * C source text → FileFacts (src/engine/ir.ts).
 *
 * 1. `maskSource` blanks annotation/attribute macros and renames iterator macros to `while`
 *    (offsets preserved); 2. tree-sitter parses the masked text; 3. the tree is copied into flat
 *    arrays (`flat-tree.ts`, one cursor pass) and freed; 4. `IrBuilder` turns the flat tree into
 *    IR, re-attaching what masking removed (annotations, `__rcu`, loop macro names, `__free`) by
 *    offset. Text is always sliced from the ORIGINAL source, so names and call texts are what
 *    the user wrote.
 *
 * Never throws on bad input: problems go to `problems[]`, unrecoverable function-like regions to
 * `unmodeled[]`.
 */

import type { FileFacts } from '../ir';
import { flattenTree } from './flat-tree';
import { IrBuilder } from './ir-builder';
import type { CParser, SyntaxNode } from './parser';
import { maskSource } from './preprocess';
import { sha1Hex } from './sha1';

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

function utf8Length(s: string): number {
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
  try {
    const t0 = performance.now();
    if (!opts.hash) facts.hash = sha1Hex(text);
    const mask = maskSource(text);
    const t1 = performance.now();
    const tree = parser.parse(mask.masked, opts.timeoutMs);
    const t2 = performance.now();
    facts.parseMs = t2 - t1;
    if (!tree) {
      facts.problems.push({
        severity: 'error',
        code: 'parse-timeout',
        message: `parsing ${file} did not finish within ${opts.timeoutMs ?? '?'} ms; file skipped`,
      });
      facts.extractMs = t1 - t0;
      return facts;
    }
    let flat;
    try {
      flat = flattenTree(tree.rootNode, text);
    } finally {
      tree.delete();
    }
    const b = new IrBuilder(file, text, mask, flat, facts);
    b.run();
    const t3 = performance.now();
    facts.extractMs = t1 - t0 + (t3 - t2);
    facts.errorNodesUnmasked = facts.errorNodes;
    if (opts.countUnmaskedErrors !== false && !mask.unchanged) {
      const left = opts.timeoutMs !== undefined ? Math.max(1, opts.timeoutMs - (t3 - t0)) : undefined;
      const raw = parser.parse(text, left);
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
          code: 'unmasked-parse-timeout',
          message: 'the comparison parse of the unmasked text timed out; errorNodesUnmasked = -1',
        });
      }
    }
  } catch (e) {
    // A bug in the extractor must not take the whole analysis down: report it for this file.
    facts.problems.push({
      severity: 'error',
      code: 'extract-failed',
      message: `internal error while extracting ${file}: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
  return facts;
}
