/**
 * A tree-sitter tree copied into flat typed arrays (pre-order), so IR extraction is plain JS.
 *
 * Why: every property read on a tree-sitter node crosses the WASM or N-API boundary, and the
 * node-object APIs (`children`, `childForFieldName`) allocate wrapper objects per call; on a
 * 150 KB kernel file that made extraction cost as much as the parse itself. One TreeCursor pass
 * reading 3 numbers per node is the cheapest way through both backends, and because both
 * backends produce the same arrays the IR is identical by construction (backend parity).
 *
 * Fields are not copied: the extractor locates children by position and type, which is stable
 * for the C grammar and saves one boundary crossing per node.
 *
 * web-tree-sitter trees are copied by reading the WASM memory directly (wasm-raw-tree.ts, no
 * boundary crossing per node) when the start-up layout check passed, else with the direct cursor
 * exports (wasm-cursor.ts). Measured (CPU, median of 5; 50 largest files of the realistic 12 MB
 * corpus, 772 k nodes): 170–182 ms → 125–135 ms, of which ~15 ms is `done()`; in full extraction
 * runs the copy went from ≈0.37× to ≈0.25× the parse time (≈1.2 s → ≈0.8 s).
 */

import { checkDeadline, type Deadline } from '../budget';
import type { SyntaxNode } from './parser';
import { rawMemoryCursorFor, rawTreeApiFor, rawWasmCursorFor } from './wasm-cursor';
import { RawLayoutError, walkRawTree, type RawTreeVisitor } from './wasm-raw-tree';

/** The TreeCursor subset both backends provide (web-tree-sitter and node tree-sitter). */
export interface TreeCursorLike {
  readonly nodeTypeId: number;
  readonly nodeType: string;
  readonly nodeIsNamed: boolean;
  readonly nodeIsMissing: boolean;
  readonly startIndex: number;
  readonly endIndex: number;
  gotoFirstChild(): boolean;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
  /** web-tree-sitter cursors hold WASM memory; node tree-sitter's are garbage-collected. */
  delete?(): void;
}

export interface FlatTree {
  /** Number of nodes; node 0 is the root. */
  n: number;
  /** Type name per node (interned strings: compare with ===); index below `n` only (scratch builds keep stale entries after it). */
  type: string[];
  named: Uint8Array;
  /** 1 for MISSING nodes (zero-width nodes inserted by error recovery). */
  missing: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  /** 0-based row and UTF-16 column of `start`, computed from the source text. */
  row: Int32Array;
  col: Int32Array;
  parent: Int32Array;
  firstChild: Int32Array;
  nextSibling: Int32Array;
}

/**
 * Scratch arrays reused from one `scratch` flatten to the next: the extractor drops its flat tree
 * before it extracts the next file, and allocating ~40 bytes per node afresh for every file was a
 * steady source of GC work (12 MB corpus: ~5 M nodes). Not kept beyond MAX_POOLED nodes.
 */
interface Scratch {
  type: string[];
  named: Uint8Array;
  missing: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  parent: Int32Array;
  firstChild: Int32Array;
  nextSibling: Int32Array;
  lastChild: Int32Array;
  row: Int32Array;
  col: Int32Array;
}
let pool: Scratch | null = null;
const MAX_POOLED = 1 << 19;

class Builder {
  n = 0;
  cap: number;
  type: string[] = [];
  named: Uint8Array;
  missing: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  parent: Int32Array;
  firstChild: Int32Array;
  nextSibling: Int32Array;
  lastChild: Int32Array;

  constructor(
    private readonly text: string,
    private readonly deadline: Deadline = Infinity,
    capacity?: number,
    /** Build in the module's scratch arrays (see `FlattenOptions.scratch`). */
    private readonly scratch = false,
  ) {
    const pooled = scratch ? pool : null;
    if (scratch) pool = null; // taken; given back by done()
    // ~0.4 nodes per byte on kernel C; start a bit above and grow by doubling.
    const want = capacity ?? Math.max(256, (text.length >> 1) + 16);
    if (pooled) {
      this.cap = pooled.named.length;
      this.type = pooled.type;
      this.named = pooled.named;
      this.missing = pooled.missing;
      this.start = pooled.start;
      this.end = pooled.end;
      this.parent = pooled.parent;
      this.firstChild = pooled.firstChild;
      this.nextSibling = pooled.nextSibling;
      this.lastChild = pooled.lastChild;
      this.rowBuf = pooled.row;
      this.colBuf = pooled.col;
      return;
    }
    this.cap = want;
    this.named = new Uint8Array(this.cap);
    this.missing = new Uint8Array(this.cap);
    this.start = new Int32Array(this.cap);
    this.end = new Int32Array(this.cap);
    this.parent = new Int32Array(this.cap);
    this.firstChild = new Int32Array(this.cap);
    this.nextSibling = new Int32Array(this.cap);
    this.lastChild = new Int32Array(this.cap);
  }

  private rowBuf: Int32Array | null = null;
  private colBuf: Int32Array | null = null;

  private grow(): void {
    const cap = this.cap * 2;
    const g8 = (a: Uint8Array): Uint8Array => {
      const b = new Uint8Array(cap);
      b.set(a);
      return b;
    };
    const g32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.named = g8(this.named);
    this.missing = g8(this.missing);
    this.start = g32(this.start);
    this.end = g32(this.end);
    this.parent = g32(this.parent);
    this.firstChild = g32(this.firstChild);
    this.nextSibling = g32(this.nextSibling);
    this.lastChild = g32(this.lastChild);
    this.cap = cap;
  }

  /** Adds a node; offsets are filled later (leaves by `setLeaf`, inner nodes by `done`). */
  add(parent: number, type: string, named: boolean): number {
    if (this.n === this.cap) this.grow();
    if ((this.n & 0x3fff) === 0) checkDeadline(this.deadline, 'tree copy');
    const i = this.n++;
    this.type[i] = type; // (a scratch array may hold stale entries beyond n)
    this.named[i] = named ? 1 : 0;
    this.missing[i] = 0;
    this.parent[i] = parent;
    this.firstChild[i] = -1;
    this.nextSibling[i] = -1;
    this.lastChild[i] = -1;
    if (parent >= 0) {
      const last = this.lastChild[parent];
      if (last >= 0) this.nextSibling[last] = i;
      else this.firstChild[parent] = i;
      this.lastChild[parent] = i;
    }
    return i;
  }

  /** Drops the nodes added so far (a walk that has to start over). */
  reset(): void {
    this.n = 0;
    if (!this.scratch) this.type.length = 0;
  }

  setLeaf(i: number, start: number, end: number, missing: boolean): void {
    this.start[i] = start;
    this.end[i] = end;
    this.missing[i] = missing ? 1 : 0;
  }

  done(): FlatTree {
    const n = this.n;
    const { start, end, firstChild, lastChild } = this;
    // An inner node spans its children: start of the first, end of the last. (Checked against
    // tree-sitter's own offsets on ~270k inner nodes of real C: starts always agree; ends differ
    // only by hidden trailing tokens such as a directive's newline, which nothing here uses.)
    for (let i = n - 1; i >= 0; i--) {
      const f = firstChild[i];
      if (f >= 0) {
        start[i] = start[f];
        end[i] = end[lastChild[i]];
      }
    }
    // Rows/columns: pre-order starts never decrease, so one moving pointer over line starts.
    let row: Int32Array;
    let col: Int32Array;
    if (this.scratch) {
      if (!this.rowBuf || this.rowBuf.length < n) {
        this.rowBuf = new Int32Array(this.cap);
        this.colBuf = new Int32Array(this.cap);
      }
      row = this.rowBuf;
      col = this.colBuf!;
    } else {
      row = new Int32Array(n);
      col = new Int32Array(n);
    }
    const text = this.text;
    let r = 0;
    let lineStart = 0;
    let nextNl = text.indexOf('\n');
    for (let i = 0; i < n; i++) {
      const s = start[i];
      if (s < lineStart) {
        // Not monotone (defensive): recount from the beginning.
        r = 0;
        lineStart = 0;
        nextNl = text.indexOf('\n');
      }
      while (nextNl >= 0 && nextNl < s) {
        r++;
        lineStart = nextNl + 1;
        nextNl = text.indexOf('\n', lineStart);
      }
      row[i] = r;
      col[i] = s - lineStart;
    }
    if (this.scratch) {
      if (this.cap <= MAX_POOLED) {
        pool = {
          type: this.type,
          named: this.named,
          missing: this.missing,
          start: this.start,
          end: this.end,
          parent: this.parent,
          firstChild: this.firstChild,
          nextSibling: this.nextSibling,
          lastChild: this.lastChild,
          row,
          col,
        };
      }
      return {
        n,
        type: this.type,
        named: this.named.subarray(0, n),
        missing: this.missing.subarray(0, n),
        start: start.subarray(0, n),
        end: end.subarray(0, n),
        row: row.subarray(0, n),
        col: col.subarray(0, n),
        parent: this.parent.subarray(0, n),
        firstChild: firstChild.subarray(0, n),
        nextSibling: this.nextSibling.subarray(0, n),
      };
    }
    return {
      n,
      type: this.type,
      named: this.named,
      missing: this.missing,
      start,
      end,
      row,
      col,
      parent: this.parent,
      firstChild,
      nextSibling: this.nextSibling,
    };
  }
}

/**
 * Subtrees the IR never looks into (strings become `{k:'str'}`, sizeof `{k:'sizeof'}`, enum
 * bodies and attributes are ignored): copied as leaves, which saves boundary crossings.
 */
const OPAQUE = new Set([
  'string_literal',
  'concatenated_string',
  'char_literal',
  'raw_string_literal',
  'sizeof_expression',
  'alignof_expression',
  'offsetof_expression',
  'enumerator_list',
  'attribute_specifier',
  'attribute_declaration',
  'gnu_asm_expression',
  'ms_declspec_modifier',
]);

export interface FlattenOptions {
  /**
   * Build in module-level scratch arrays that the next `scratch` flatten overwrites (less
   * allocation and GC). Only for callers that are done with the tree before flattening another
   * one, such as `extractFileFacts`; `type` may then be longer than `n`.
   */
  scratch?: boolean;
  /**
   * The original walk: the parser's public cursor API even when a faster path exists
   * (wasm-cursor.ts), and a first-child query on every node, tokens included. For the
   * differential test and benchmarks: the result must be the same either way.
   */
  publicApiOnly?: boolean;
  /**
   * Walk web-tree-sitter trees with the direct cursor exports (wasm-cursor.ts) even when the raw
   * memory reader (wasm-raw-tree.ts) is available. For the differential test and benchmarks.
   */
  noRawMemory?: boolean;
}

/**
 * Copies the tree under `root` (`text` = the text that was parsed): for web-tree-sitter roots by
 * reading the WASM memory (wasm-raw-tree.ts), else with one TreeCursor pass (measured cheaper than
 * node `children` arrays on both backends once GC is counted), or the `child(i)` API for other
 * implementations. All paths produce the same arrays (test/unit/parse/raw-tree.test.ts).
 */
export function flattenTree(root: SyntaxNode, text: string, deadline: Deadline = Infinity, opts: FlattenOptions = {}): FlatTree {
  const b = new Builder(text, deadline, undefined, opts.scratch === true);
  const walk = (root as unknown as { walk?: () => TreeCursorLike }).walk;
  if (typeof walk === 'function') {
    const fast = !root.hasError;
    const skipTokens = opts.publicApiOnly !== true;
    // The raw memory reader: no WASM call per node (created after the hasError call above, which
    // may grow the memory and so replace the heap views the reader captures).
    const mem = opts.publicApiOnly || opts.noRawMemory ? null : rawTreeApiFor(root);
    if (mem) {
      try {
        if (walkRawTree(mem, root, new RawTreeSink(b, text, fast))) return b.done();
      } catch (e) {
        // A read outside the heap: only a layout the start-up check missed. Copy it the slow way.
        if (!(e instanceof RawLayoutError)) throw e;
        b.reset();
      }
    }
    // Read before the walk: a raw wasm cursor keeps its state in the buffer node calls use.
    const raw = opts.publicApiOnly ? null : rawWasmCursorFor(root, () => walk.call(root));
    const c: TreeCursorLike = raw ?? walk.call(root);
    try {
      flattenWithCursor(c, b, text, fast, skipTokens);
    } finally {
      c.delete?.();
    }
  } else {
    flattenWithNodes(root, b);
  }
  return b.done();
}

/**
 * Named node types that are tokens in tree-sitter-c 0.24 (a token or pattern rule, or an alias of
 * one), so they never have children and the walk does not ask the cursor for a first child.
 * Anonymous nodes are all tokens too (the grammar aliases only patterns to anonymous names).
 * `primitive_type` and `null` are left out: they are aliases of/choices over strings, which
 * tree-sitter may build as inner nodes. test/unit/parse/fast-cursor.test.ts checks this list
 * against the grammar and the trees.
 */
export const TOKEN_TYPES: ReadonlySet<string> = new Set([
  'identifier',
  'field_identifier',
  'type_identifier',
  'statement_identifier',
  'number_literal',
  'comment',
  'preproc_arg',
  'preproc_directive',
  'escape_sequence',
  'system_lib_string',
  'string_content',
  'character',
  'true',
  'false',
]);

/** What the walk does on reaching a node of a type: look for children, or copy it as a leaf. */
const enum Visit {
  Descend = 0,
  /** A token: cannot have children. */
  Token = 1,
  /** In OPAQUE: its subtree is not copied. */
  Opaque = 2,
}

/** Per type id: name, named flag and what the walk does there (read from the cursor once). */
interface TypeCache {
  names: string[];
  namedById: boolean[];
  visitById: Visit[];
}

function newTypeCache(): TypeCache {
  return { names: [], namedById: [], visitById: [] };
}

/** Leaves whose extent is an identifier-like run of characters. */
const IDENT_LEAVES = new Set(['identifier', 'field_identifier', 'type_identifier', 'statement_identifier', 'primitive_type', 'true', 'false', 'null']);

function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;
}

/** The end `computedLeafStart` found (a second return value without an allocation). */
let computedLeafEnd = -1;

/**
 * A leaf's start computed from the previous leaf's end (see `fast` below), -1 when the shortcut
 * does not apply; the end is left in `computedLeafEnd`.
 */
function computedLeafStart(text: string, prevEnd: number, name: string, named: boolean): number {
  let p = prevEnd;
  for (;;) {
    const ch = text.charCodeAt(p);
    if (ch === 32 || ch === 9 || ch === 10 || ch === 13 || ch === 12 || ch === 11) p++;
    else if (ch === 92 && text.charCodeAt(p + 1) === 10) p += 2;
    else if (ch === 92 && text.charCodeAt(p + 1) === 13 && text.charCodeAt(p + 2) === 10) p += 3;
    else break;
  }
  if (!named) {
    if (name.length > 0 && name.charCodeAt(0) !== 10 && text.startsWith(name, p)) {
      computedLeafEnd = p + name.length;
      return p;
    }
  } else if (IDENT_LEAVES.has(name)) {
    const len = text.length;
    let q = p;
    while (q < len && isIdentChar(text.charCodeAt(q))) q++;
    if (q > p) {
      computedLeafEnd = q;
      return p;
    }
  }
  return -1;
}

/**
 * Copies the tree with `walkRawTree` (wasm-raw-tree.ts): the same per-node decisions as
 * `flattenWithCursor` (type cache, OPAQUE/token subtrees not entered, leaf shortcuts), with the
 * offsets the walk already knows instead of cursor calls.
 */
class RawTreeSink implements RawTreeVisitor {
  private names: string[] = [];
  private namedById: boolean[] = [];
  private visitById: Visit[] = [];
  private types: string[] = [];
  private parent = -1;
  private readonly stack: number[] = [];
  private prevEnd = 0;
  // The node last passed to `node`.
  private cur = 0;
  private curStart = 0;
  private curEnd = 0;
  private curMissing = false;

  constructor(
    private readonly b: Builder,
    private readonly text: string,
    private readonly fast: boolean,
  ) {}

  begin(types: string[]): void {
    this.types = types;
  }

  node(typeId: number, named: boolean, start: number, end: number, missing: boolean): boolean {
    let name = this.names[typeId];
    if (name === undefined) {
      name = this.types[typeId] || 'ERROR'; // what the public cursor's nodeType returns
      this.names[typeId] = name;
      this.namedById[typeId] = named;
      this.visitById[typeId] = OPAQUE.has(name) ? Visit.Opaque : !named || TOKEN_TYPES.has(name) ? Visit.Token : Visit.Descend;
    }
    this.cur = this.b.add(this.parent, name, this.namedById[typeId]!);
    this.curStart = start;
    this.curEnd = end;
    this.curMissing = missing;
    return this.visitById[typeId] === Visit.Descend;
  }

  down(): void {
    this.stack.push(this.parent);
    this.parent = this.cur;
  }

  leaf(): void {
    const i = this.cur;
    const name = this.b.type[i]!;
    let s = this.fast ? computedLeafStart(this.text, this.prevEnd, name, this.b.named[i] === 1) : -1;
    let e = computedLeafEnd;
    if (s < 0) {
      s = this.curStart;
      e = this.curEnd;
    }
    this.b.setLeaf(i, s, e, !this.fast && s === e && this.curMissing);
    this.prevEnd = e;
  }

  up(): void {
    this.parent = this.stack.pop()!;
  }
}

/**
 * `fast`: the tree has no ERROR/MISSING node, so leaves tile the text with only whitespace
 * between them and a leaf's offsets can be computed in JS from the previous leaf's end: its type
 * name for punctuation/keywords, an identifier scan for names. Only other leaves (numbers,
 * comments, directive arguments, opaque subtrees) ask the cursor, which halves the boundary
 * crossings per leaf. Any mismatch falls back to the cursor for that leaf.
 *
 * `skipTokens`: tokens (anonymous nodes, TOKEN_TYPES) cannot have children, so the walk does not
 * ask for a first child there: one boundary crossing less for most leaves (~55% of all nodes).
 */
function flattenWithCursor(
  c: TreeCursorLike,
  b: Builder,
  text: string,
  fast: boolean,
  skipTokens: boolean,
  sub: { parent: number; prevEnd: number; types: TypeCache } | null = null,
): void {
  // Per type id: name and named flag, read from the cursor once.
  const { names, namedById, visitById } = sub ? sub.types : newTypeCache();
  const stack: number[] = [];
  // `sub`: copy only the subtree at the cursor (under node `sub.parent`) and stop there.
  let parent = sub ? sub.parent : -1;
  let prevEnd = sub ? sub.prevEnd : 0;
  for (;;) {
    const id = c.nodeTypeId;
    let name = names[id];
    if (name === undefined) {
      name = c.nodeType;
      names[id] = name;
      const isNamed = c.nodeIsNamed;
      namedById[id] = isNamed;
      visitById[id] = OPAQUE.has(name) ? Visit.Opaque : skipTokens && (!isNamed || TOKEN_TYPES.has(name)) ? Visit.Token : Visit.Descend;
    }
    const named = namedById[id]!;
    const i = b.add(parent, name, named);
    if (visitById[id] === Visit.Descend && c.gotoFirstChild()) {
      stack.push(parent);
      parent = i;
      continue;
    }
    // A leaf: offsets computed or read; inner nodes get theirs from their children.
    let s = fast ? computedLeafStart(text, prevEnd, name, named) : -1;
    let e = computedLeafEnd;
    if (s < 0) {
      s = c.startIndex;
      e = c.endIndex;
    }
    b.setLeaf(i, s, e, !fast && s === e && c.nodeIsMissing); // only zero-width nodes can be MISSING
    prevEnd = e;
    for (;;) {
      if (sub && stack.length === 0) return; // back at the subtree's root
      if (c.gotoNextSibling()) break;
      if (!c.gotoParent()) return;
      parent = stack.pop()!;
    }
  }
}

function flattenWithNodes(root: SyntaxNode, b: Builder): void {
  const nodes: SyntaxNode[] = [root];
  const parents: number[] = [-1];
  while (nodes.length) {
    const n = nodes.pop()!;
    const type = n.type;
    const i = b.add(parents.pop()!, type, n.isNamed);
    const m = OPAQUE.has(type) ? 0 : n.childCount;
    if (m === 0) {
      b.setLeaf(i, n.startIndex, n.endIndex, n.isMissing);
      continue;
    }
    for (let k = m - 1; k >= 0; k--) {
      nodes.push(n.child(k)!);
      parents.push(i);
    }
  }
}

/** A top-level item (child of the root) as `flattenTopLevel` saw it. */
export interface TopItem {
  /** Its node in the flat tree. */
  node: number;
  type: string;
  /** tree-sitter's own offsets (the flat tree derives inner nodes' ends from their children). */
  tsStart: number;
  tsEnd: number;
  /** Its subtree was copied; otherwise it is a leaf stub with `stubEnd` as its flat end. */
  copied: boolean;
}

/**
 * Copies the root and its children, but descends only into the children `copy` selects; the
 * others become leaf stubs (type, start, and the end `copy` returns, e.g. the flat end recorded
 * when the same item was copied before). For incremental re-extraction (document.ts): the IR of
 * unchanged items is reused, so their subtrees need not cross the WASM boundary again. Returns
 * null when the fast cursor path is not available (other backends: copy everything instead).
 * Copied subtrees are identical to what `flattenTree` produces for them.
 */
export function flattenTopLevel(
  root: SyntaxNode,
  text: string,
  copy: (k: number, type: string, tsStart: number, tsEnd: number) => number | true,
  deadline: Deadline = Infinity,
): { flat: FlatTree; items: TopItem[] } | null {
  const walk = (root as unknown as { walk?: () => TreeCursorLike }).walk;
  if (typeof walk !== 'function') return null;
  const fast = !root.hasError;
  const c = rawMemoryCursorFor(root) ?? rawWasmCursorFor(root, () => walk.call(root));
  if (!c) return null;
  const b = new Builder(text, deadline, 4096, true); // scratch: the caller drops the flat tree before the next flatten
  const types = newTypeCache();
  const items: TopItem[] = [];
  try {
    const rootName = c.nodeType;
    b.add(-1, rootName, c.nodeIsNamed);
    if (c.gotoFirstChild()) {
      let k = 0;
      do {
        const type = c.nodeType;
        const tsStart = c.startIndex;
        const tsEnd = c.endIndex;
        const decision = copy(k++, type, tsStart, tsEnd);
        if (decision === true) {
          const node = b.n;
          flattenWithCursor(c, b, text, fast, true, { parent: 0, prevEnd: tsStart, types });
          items.push({ node, type, tsStart, tsEnd, copied: true });
        } else {
          const node = b.add(0, type, c.nodeIsNamed);
          b.setLeaf(node, tsStart, decision, false);
          items.push({ node, type, tsStart, tsEnd, copied: false });
        }
      } while (c.gotoNextSibling());
      c.gotoParent();
    } else {
      // Not root.startIndex: node calls would clobber the raw cursor's state (wasm-cursor.ts).
      b.setLeaf(0, c.startIndex, c.endIndex, false);
    }
  } finally {
    c.delete();
  }
  return { flat: b.done(), items };
}
