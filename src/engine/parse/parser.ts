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

export interface SyntaxTree {
  readonly rootNode: SyntaxNode;
  /** Frees native/WASM memory. Must be called for every tree (`finally`). */
  delete(): void;
}

export interface CParser {
  readonly backend: 'wasm' | 'native';
  /**
   * Parses `text`. `timeoutMs` aborts a pathological parse (returns null), so one hostile
   * file cannot hang the analysis.
   */
  parse(text: string, timeoutMs?: number): SyntaxTree | null;
  delete(): void;
}
