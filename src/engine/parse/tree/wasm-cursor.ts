/**
 * A TreeCursor for web-tree-sitter that calls the WASM cursor functions directly.
 *
 * Why: every public `TreeCursor` getter/move in web-tree-sitter 0.25 first copies the cursor's 4
 * state words from JS into the module's transfer buffer and, after moves, back again (8
 * `getValue`/`setValue` calls around one cheap C call). The C functions only read and write that
 * buffer, so while nothing else uses it the state can simply stay there: one copy in, the C calls,
 * one copy out. Measured (CPU, median) on a generated 1.28 MB kernel-like file, 473k nodes: the
 * tree copy went from ~240 ms to ~130 ms together with the token shortcut in flat-tree.ts.
 *
 * This relies on two facts of the pinned web-tree-sitter 0.25.10 build, both feature-checked at
 * start-up (any mismatch ⇒ `null` ⇒ the public cursor is used): emscripten attaches the exports
 * (`_ts_*`, `HEAP32`) to the options object passed to `Parser.init`, and `_ts_init()` returns the
 * transfer buffer's address. The differential test (test/unit/parse/fast-cursor.test.ts) checks
 * that this cursor and the public one yield identical flat trees and FileFacts.
 *
 * Not re-entrant: nothing may touch web-tree-sitter between `attach` and `detach` (the flattener
 * is a synchronous loop that only calls this cursor).
 *
 * Since then the default is the raw-memory reader (wasm-raw-tree.ts: no WASM call per node,
 * ≈1.3–1.4× faster again on the tree copy); this cursor stays as its fallback when the start-up
 * layout check fails and as the reference the differential tests compare it with.
 */

import type { TreeCursorLike } from './flat-tree';
import { RawMemoryCursor, type RawTreeApi } from './wasm-raw-tree';

/** The emscripten exports this cursor uses (names as emitted by web-tree-sitter 0.25). */
export interface WasmCursorExports {
  HEAP32: Int32Array;
  _ts_init(): number;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_named_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_missing_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
}

const FUNCTIONS: (keyof WasmCursorExports)[] = [
  '_ts_init',
  '_ts_tree_cursor_goto_first_child_wasm',
  '_ts_tree_cursor_goto_next_sibling_wasm',
  '_ts_tree_cursor_goto_parent_wasm',
  '_ts_tree_cursor_current_node_type_id_wasm',
  '_ts_tree_cursor_current_node_is_named_wasm',
  '_ts_tree_cursor_current_node_is_missing_wasm',
  '_ts_tree_cursor_start_index_wasm',
  '_ts_tree_cursor_end_index_wasm',
];

/** The exports found on the object given to `Parser.init`, or null when the build differs. */
export function wasmCursorExports(moduleObject: unknown): { exports: WasmCursorExports; buffer: number } | null {
  if (typeof moduleObject !== 'object' || moduleObject === null) return null;
  const m = moduleObject as Partial<Record<keyof WasmCursorExports, unknown>>;
  if (!(m.HEAP32 instanceof Int32Array)) return null;
  for (const f of FUNCTIONS) if (typeof m[f] !== 'function') return null;
  const exports = m as unknown as WasmCursorExports;
  // ts_init only (re)writes the two version words at the buffer's start and returns its address.
  const buffer = exports._ts_init();
  if (typeof buffer !== 'number' || buffer <= 0 || (buffer & 3) !== 0) return null;
  return { exports, buffer };
}

/** The public web-tree-sitter cursor's internals this file needs: state words 0..3 and the tree pointer. */
interface PublicWasmCursor {
  [i: number]: number;
  tree: { [i: number]: number; language: { types: string[] } };
  delete(): void;
}

function isPublicWasmCursor(c: unknown): c is PublicWasmCursor {
  const x = c as PublicWasmCursor | null;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x[0] === 'number' &&
    typeof x[3] === 'number' &&
    typeof x.tree === 'object' &&
    x.tree !== null &&
    typeof x.tree[0] === 'number' &&
    Array.isArray(x.tree.language?.types) &&
    typeof x.delete === 'function'
  );
}

export class RawWasmCursor implements TreeCursorLike {
  private readonly tree: number;
  private readonly types: string[];

  private constructor(
    private readonly m: WasmCursorExports,
    private readonly buffer: number,
    private readonly cursor: PublicWasmCursor,
  ) {
    this.tree = cursor.tree[0]!;
    this.types = cursor.tree.language.types;
    const heap = m.HEAP32;
    const b = buffer >> 2;
    for (let k = 0; k < 4; k++) heap[b + k] = cursor[k]!;
  }

  /** Wraps a public cursor (from `node.walk()`), or returns null when it is not a web-tree-sitter one. */
  static attach(api: { exports: WasmCursorExports; buffer: number }, publicCursor: unknown): RawWasmCursor | null {
    if (!isPublicWasmCursor(publicCursor)) return null;
    return new RawWasmCursor(api.exports, api.buffer, publicCursor);
  }

  get nodeTypeId(): number {
    return this.m._ts_tree_cursor_current_node_type_id_wasm(this.tree);
  }
  get nodeType(): string {
    // What the public getter returns: the language's name for the id, ERROR when it has none.
    return this.types[this.nodeTypeId] || 'ERROR';
  }
  get nodeIsNamed(): boolean {
    return this.m._ts_tree_cursor_current_node_is_named_wasm(this.tree) === 1;
  }
  get nodeIsMissing(): boolean {
    return this.m._ts_tree_cursor_current_node_is_missing_wasm(this.tree) === 1;
  }
  get startIndex(): number {
    return this.m._ts_tree_cursor_start_index_wasm(this.tree);
  }
  get endIndex(): number {
    return this.m._ts_tree_cursor_end_index_wasm(this.tree);
  }
  gotoFirstChild(): boolean {
    return this.m._ts_tree_cursor_goto_first_child_wasm(this.tree) === 1;
  }
  gotoNextSibling(): boolean {
    return this.m._ts_tree_cursor_goto_next_sibling_wasm(this.tree) === 1;
  }
  gotoParent(): boolean {
    return this.m._ts_tree_cursor_goto_parent_wasm(this.tree) === 1;
  }

  /**
   * Copies the state back into the public cursor (its stack may have been reallocated, which
   * changes word 0) and frees it.
   */
  delete(): void {
    const heap = this.m.HEAP32; // re-read: memory growth replaces the view
    const b = this.buffer >> 2;
    for (let k = 0; k < 4; k++) this.cursor[k] = heap[b + k]!;
    this.cursor.delete();
  }
}

/** How trees of one wasm parser can be walked: direct cursor exports and/or the raw memory reader. */
export interface WasmRootApi {
  cursor: { exports: WasmCursorExports; buffer: number } | null;
  /** Verified raw-memory reader (wasm-raw-tree.ts), null when the layout check failed. */
  tree: RawTreeApi | null;
}

/** Root nodes of trees parsed by the wasm backend → how to walk them. */
const rawApiByRoot = new WeakMap<object, WasmRootApi>();

export function registerWasmRoot(root: object, api: WasmRootApi): void {
  rawApiByRoot.set(root, api);
}

/** A raw cursor over `root` when it came from the wasm backend and the fast path is available. */
export function rawWasmCursorFor(root: object, walk: () => unknown): RawWasmCursor | null {
  const api = rawApiByRoot.get(root)?.cursor;
  if (!api) return null;
  const c = walk();
  const raw = RawWasmCursor.attach(api, c);
  if (!raw) (c as { delete?: () => void }).delete?.();
  return raw;
}

/** How `root` (a tree registered by wasm-parser.ts) can be walked; undefined for other nodes. */
export function wasmRootApiFor(root: object): WasmRootApi | undefined {
  return rawApiByRoot.get(root);
}

/** The verified raw-memory reader for `root`'s tree (wasm-raw-tree.ts), if any. */
export function rawTreeApiFor(root: object): RawTreeApi | null {
  return rawApiByRoot.get(root)?.tree ?? null;
}

/**
 * A cursor reading `root`'s tree straight from WASM memory (wasm-raw-tree.ts) when it came from a
 * wasm parser whose layout check passed. It owns no WASM memory and shares no state with
 * web-tree-sitter, but holds the heap views of its creation: make a new one after any WASM call.
 */
export function rawMemoryCursorFor(root: object): RawMemoryCursor | null {
  const api = rawApiByRoot.get(root)?.tree;
  return api ? RawMemoryCursor.at(api, root) : null;
}
