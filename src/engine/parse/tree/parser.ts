/**
 * The one parser interface with two backends: web-tree-sitter (WASM; default, used by the
 * extension) in `wasm-parser.ts`, and native node tree-sitter (optional fast path for the CLI)
 * in `src/host/native-parser.ts`. The extractor only sees `SyntaxNode`, the common subset of
 * both APIs, so analysis output is identical whichever backend parsed the file.
 */

export interface Point {
  row: number;
  column: number;
}

/** The subset of the tree-sitter node API that both backends provide. */
export interface SyntaxNode {
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
  readonly childCount: number;
  readonly namedChildCount: number;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  readonly hasError: boolean;
  child(i: number): SyntaxNode | null;
  namedChild(i: number): SyntaxNode | null;
  childForFieldName(name: string): SyntaxNode | null;
}

/**
 * One text change for incremental re-parsing (tree-sitter's InputEdit). Offsets and columns are in
 * the backend's string units (UTF-16 code units for web-tree-sitter, like `startIndex`).
 */
export interface InputEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: Point;
  oldEndPosition: Point;
  newEndPosition: Point;
}

/** A region of a new tree whose syntactic structure differs from the old one (same units as `startIndex`). */
export interface ChangedRange {
  startIndex: number;
  endIndex: number;
}

export interface SyntaxTree {
  readonly rootNode: SyntaxNode;
  /** Frees native/WASM memory. Must be called for every tree (`finally`). */
  delete(): void;
  /**
   * Optional (incremental parsing, see `CParser.reparse`): regions where `newer`, parsed from this
   * tree after an edit, differs structurally from this one.
   */
  changedRanges?(newer: SyntaxTree): ChangedRange[];
}

export interface CParser {
  readonly backend: 'wasm' | 'native';
  /**
   * Parses `text`. `timeoutMs` aborts a pathological parse (returns null), so one hostile
   * file cannot hang the analysis.
   */
  parse(text: string, timeoutMs?: number): SyntaxTree | null;
  /**
   * Optional incremental parse (only backends that support it; callers fall back to `parse`):
   * applies `edit` to `old` (which then describes the new text's coordinates and may only be used
   * for `changedRanges` and `delete`) and parses `text` reusing its unchanged subtrees. Null on
   * timeout. The caller still owns and must delete both trees.
   */
  reparse?(text: string, old: SyntaxTree, edit: InputEdit, timeoutMs?: number): SyntaxTree | null;
  delete(): void;
}
