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
 */

import type { SyntaxNode } from './parser';

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
  /** Type name per node (interned strings: compare with ===). */
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

class Builder {
  n = 0;
  cap: number;
  type: string[] = [];
  named: Uint8Array;
  missing: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  row: Int32Array;
  col: Int32Array;
  parent: Int32Array;
  firstChild: Int32Array;
  nextSibling: Int32Array;
  lastChild: Int32Array;
  // Line tracking: pre-order start offsets never decrease, so a moving pointer finds the row.
  private readonly lineStarts: number[];
  private curRow = 0;

  constructor(private readonly text: string) {
    // ~0.4 nodes per byte on kernel C; start a bit above and grow by doubling.
    this.cap = Math.max(256, (text.length >> 1) + 16);
    this.named = new Uint8Array(this.cap);
    this.missing = new Uint8Array(this.cap);
    this.start = new Int32Array(this.cap);
    this.end = new Int32Array(this.cap);
    this.row = new Int32Array(this.cap);
    this.col = new Int32Array(this.cap);
    this.parent = new Int32Array(this.cap);
    this.firstChild = new Int32Array(this.cap);
    this.nextSibling = new Int32Array(this.cap);
    this.lastChild = new Int32Array(this.cap);
    const ls = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) ls.push(i + 1);
    this.lineStarts = ls;
  }

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
    this.row = g32(this.row);
    this.col = g32(this.col);
    this.parent = g32(this.parent);
    this.firstChild = g32(this.firstChild);
    this.nextSibling = g32(this.nextSibling);
    this.lastChild = g32(this.lastChild);
    this.cap = cap;
  }

  add(parent: number, type: string, named: boolean, start: number, end: number, missing: boolean): number {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.type.push(type);
    this.named[i] = named ? 1 : 0;
    this.missing[i] = missing ? 1 : 0;
    this.start[i] = start;
    this.end[i] = end;
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
    // Row/column of `start`.
    const ls = this.lineStarts;
    let r = this.curRow;
    if (start < ls[r]) {
      // Not monotone (should not happen): binary search.
      let lo = 0;
      let hi = r;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (ls[mid] <= start) lo = mid;
        else hi = mid - 1;
      }
      r = lo;
    } else {
      while (r + 1 < ls.length && ls[r + 1] <= start) r++;
    }
    this.curRow = r;
    this.row[i] = r;
    this.col[i] = start - ls[r];
    return i;
  }

  done(): FlatTree {
    return {
      n: this.n,
      type: this.type,
      named: this.named,
      missing: this.missing,
      start: this.start,
      end: this.end,
      row: this.row,
      col: this.col,
      parent: this.parent,
      firstChild: this.firstChild,
      nextSibling: this.nextSibling,
    };
  }
}

/**
 * Copies the tree under `root`. Uses the node's TreeCursor when available, else the
 * `child(i)` API (slower; for other SyntaxNode implementations).
 */
export function flattenTree(root: SyntaxNode, text: string): FlatTree {
  const b = new Builder(text);
  const walk = (root as unknown as { walk?: () => TreeCursorLike }).walk;
  if (typeof walk === 'function') {
    const c = walk.call(root);
    try {
      flattenWithCursor(c, b);
    } finally {
      c.delete?.();
    }
  } else {
    flattenWithNodes(root, b);
  }
  return b.done();
}

function flattenWithCursor(c: TreeCursorLike, b: Builder): void {
  // Per type id: name and named flag, read from the cursor once.
  const names: string[] = [];
  const namedById: boolean[] = [];
  const stack: number[] = [];
  let parent = -1;
  for (;;) {
    const id = c.nodeTypeId;
    let name = names[id];
    if (name === undefined) {
      name = c.nodeType;
      names[id] = name;
      namedById[id] = c.nodeIsNamed;
    }
    const s = c.startIndex;
    const e = c.endIndex;
    // Only zero-width nodes can be MISSING; ask the cursor just for those.
    const missing = s === e && c.nodeIsMissing;
    const i = b.add(parent, name, namedById[id], s, e, missing);
    if (c.gotoFirstChild()) {
      stack.push(parent);
      parent = i;
      continue;
    }
    for (;;) {
      if (c.gotoNextSibling()) break;
      if (!c.gotoParent()) return;
      parent = stack.pop()!;
    }
  }
}

function flattenWithNodes(root: SyntaxNode, b: Builder): void {
  const rec = (n: SyntaxNode, parent: number): void => {
    const i = b.add(parent, n.type, n.isNamed, n.startIndex, n.endIndex, n.isMissing);
    for (let k = 0, m = n.childCount; k < m; k++) rec(n.child(k)!, i);
  };
  // Iterative for deep trees would be safer; nesting beyond the JS stack is handled by callers
  // through the cursor path, which both real backends take.
  rec(root, -1);
}
