/**
 * Reads web-tree-sitter trees straight out of the WASM linear memory, with no call into WASM per
 * node: `walkRawTree` (the whole-tree copy of flattenTree) and `RawMemoryCursor` (a TreeCursor, for
 * flattenTopLevel), both the cursor walk of tree_cursor.c re-implemented in JS.
 *
 * Why: even with the direct cursor exports (wasm-cursor.ts) the tree copy cost ≈1.24 s of a ≈10 s
 * full run on the realistic 12 MB corpus (~5 M nodes): ~3 JS→WASM calls per node, and the C cursor
 * re-iterates the parent's children on every sibling step and rebuilds `current_node` for every
 * getter. Reading the structs from `HEAPU8/HEAPU16/HEAPU32` is plain typed-array access. Measured
 * (CPU, median of 5; the 50 largest files of that corpus, 2.0 MB, 772 k nodes): flattenTree
 * 170–182 ms with the cursor exports → 125–135 ms with `walkRawTree` (public cursor: ~470 ms); in
 * full extraction runs flattenTree went from ≈0.37× to ≈0.25× the parse time (≈1.2 s → ≈0.8 s).
 * What is left is mostly memory-bound: a walk that does nothing per node takes ~80 ms there (one
 * scattered SubtreeHeapData per node).
 *
 * The struct layouts (tree.h, subtree.h, parser.h of the pinned web-tree-sitter 0.25.10 build,
 * wasm32: 4-byte pointers, little-endian, clang bit-field order) are in `DEFAULT_RAW_LAYOUT`.
 * They are not a public API, so `verifyRawTreeLayout` checks them when a parser is created: it
 * walks built-in snippets that exercise every field used here (inline and heap subtrees, aliases,
 * extras between aliased children, hidden nodes, ERROR and inline/heap MISSING nodes, long tokens,
 * UTF-16 offsets) with `walkRawTree`, `RawMemoryCursor` and the public cursor, and compares the
 * symbol metadata with the public API; any disagreement disables the reader (the wasm-cursor.ts
 * path is used instead), so a different build can make extraction slower but never different.
 * test/unit/parse/raw-tree.test.ts checks that a wrong value of any layout field is rejected.
 *
 * Offsets: web-tree-sitter parses UTF-16, so byte offsets in the tree are 2 × code units; like
 * `ts_tree_cursor_start_index_wasm` the getters return bytes >>> 1.
 */

import type { TreeCursorLike } from './flat-tree';

/** Field offsets (bytes) and flag bit masks of the structs this reader uses. */
export interface RawTreeLayout {
  /** sizeof(Subtree): children are an array of these immediately before a SubtreeHeapData. */
  subtreeSize: number;
  /** TSTree.language */
  treeLanguage: number;
  // SubtreeInlineData (the 8-byte form, `is_inline` = bit 0 of byte 0)
  inlineFlags: number;
  inlineSymbol: number;
  inlinePaddingBytes: number;
  inlineSizeBytes: number;
  inlineVisible: number;
  inlineNamed: number;
  inlineExtra: number;
  inlineMissing: number;
  // SubtreeHeapData
  heapPaddingBytes: number;
  heapSizeBytes: number;
  heapChildCount: number;
  heapSymbol: number;
  /** Byte holding visible/named/extra. */
  heapFlags: number;
  heapVisible: number;
  heapNamed: number;
  heapExtra: number;
  /** Byte holding is_missing. */
  heapFlags2: number;
  heapMissing: number;
  heapVisibleChildCount: number;
  heapProductionId: number;
  // TSLanguage
  /** Only checked against the public API (the type names array has symbol + alias count entries). */
  langSymbolCount: number;
  langAliasCount: number;
  langMaxAliasSequenceLength: number;
  langSymbolMetadata: number;
  langPublicSymbolMap: number;
  langAliasSequences: number;
  /** sizeof(TSSymbolMetadata) and the offset of its `named` bool. */
  metadataSize: number;
  metadataNamed: number;
}

/** wasm32 C ABI of web-tree-sitter 0.25.10 (verified at start-up, see `verifyRawTreeLayout`). */
export const DEFAULT_RAW_LAYOUT: Readonly<RawTreeLayout> = Object.freeze({
  subtreeSize: 8,
  treeLanguage: 8,
  inlineFlags: 0,
  inlineSymbol: 1,
  inlinePaddingBytes: 6,
  inlineSizeBytes: 7,
  inlineVisible: 1 << 1,
  inlineNamed: 1 << 2,
  inlineExtra: 1 << 3,
  inlineMissing: 1 << 5,
  heapPaddingBytes: 4,
  heapSizeBytes: 16,
  heapChildCount: 36,
  heapSymbol: 40,
  heapFlags: 44,
  heapVisible: 1 << 0,
  heapNamed: 1 << 1,
  heapExtra: 1 << 2,
  heapFlags2: 45,
  heapMissing: 1 << 1,
  heapVisibleChildCount: 48,
  heapProductionId: 66,
  langSymbolCount: 4,
  langAliasCount: 8,
  langMaxAliasSequenceLength: 36,
  langSymbolMetadata: 72,
  langPublicSymbolMap: 76,
  langAliasSequences: 84,
  metadataSize: 3,
  metadataNamed: 1,
});

/** The emscripten heap views (replaced when the memory grows: read them per walk). */
export interface WasmHeapViews {
  HEAPU8: Uint8Array;
  HEAPU16: Uint16Array;
  HEAPU32: Uint32Array;
}

function hasHeapViews(m: unknown): m is WasmHeapViews {
  const x = m as Partial<WasmHeapViews> | null;
  return typeof x === 'object' && x !== null && x.HEAPU8 instanceof Uint8Array && x.HEAPU16 instanceof Uint16Array && x.HEAPU32 instanceof Uint32Array;
}

/** What a raw walk needs besides the node: the module (for its current heap views) and a verified layout. */
export interface RawTreeApi {
  module: WasmHeapViews;
  layout: Readonly<RawTreeLayout>;
}

/** The web-tree-sitter Node internals used here: subtree address, start, alias, tree pointer and type names. */
interface PublicWasmNode {
  [0]: number;
  id: number;
  startIndex: number;
  tree: { [0]: number; language: { types: string[] } };
}

function isPublicWasmNode(n: unknown): n is PublicWasmNode {
  const x = n as PublicWasmNode | null;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x[0] === 'number' &&
    typeof x.id === 'number' &&
    typeof x.startIndex === 'number' &&
    typeof x.tree === 'object' &&
    x.tree !== null &&
    typeof x.tree[0] === 'number' &&
    Array.isArray(x.tree.language?.types)
  );
}

const ERROR_SYMBOL = 0xffff; // ts_builtin_sym_error

const enum Step {
  None = 0,
  Hidden = 1,
  Visible = 2,
}

/**
 * The cursor. Stack entries mirror tree_cursor.h's TreeCursorEntry (subtree address, position in
 * bytes, child index, structural child index) plus what the C code recomputes from the parent on
 * demand: whether the entry is visible and its alias symbol.
 */
export class RawMemoryCursor implements TreeCursorLike {
  private readonly u8: Uint8Array;
  private readonly u16: Uint16Array;
  private readonly u32: Uint32Array;
  private readonly L: Readonly<RawTreeLayout>;
  private readonly types: string[];
  private readonly publicMap: number; // u16 index of public_symbol_map
  private readonly metadata: number; // byte address of symbol_metadata
  private readonly aliasSeqs: number; // u16 index of alias_sequences
  private readonly maxAliasLen: number;
  private readonly limit: number; // heap size in bytes: pointer reads are checked against it

  private size = 0;
  private sub = new Int32Array(64);
  private pos = new Float64Array(64); // uint32 byte positions
  private childIdx = new Int32Array(64);
  private structIdx = new Int32Array(64);
  private vis = new Uint8Array(64);
  private alias = new Uint16Array(64);

  // The child iterator of tree_cursor.c (one at a time is enough).
  private itChildren = 0; // byte address of the first child
  private itCount = 0;
  private itAliasBase = -1; // u16 index of the parent's alias sequence, -1 for none
  private itPos = 0;
  private itIdx = 0;
  private itStruct = 0;
  // The child `itNext` just passed.
  private cAddr = 0;
  private cPos = 0;
  private cIdx = 0;
  private cStruct = 0;
  private cVisible = false;
  private cAlias = 0;

  private constructor(api: RawTreeApi, node: PublicWasmNode) {
    const m = api.module;
    this.u8 = m.HEAPU8;
    this.u16 = m.HEAPU16;
    this.u32 = m.HEAPU32;
    this.limit = this.u8.length;
    const L = (this.L = api.layout);
    this.types = node.tree.language.types;
    const lang = this.word(node.tree[0] + L.treeLanguage);
    this.publicMap = this.word(lang + L.langPublicSymbolMap) >>> 1;
    this.metadata = this.word(lang + L.langSymbolMetadata);
    this.aliasSeqs = this.word(lang + L.langAliasSequences) >>> 1;
    this.maxAliasLen = this.u16[(lang + L.langMaxAliasSequenceLength) >>> 1]!;
    // ts_tree_cursor_init: the node's subtree and position; root_alias_symbol = node.context[3].
    this.size = 1;
    this.sub[0] = node.id;
    this.pos[0] = node.startIndex * 2;
    this.childIdx[0] = 0;
    this.structIdx[0] = 0;
    this.vis[0] = 1;
    this.alias[0] = node[0];
  }

  /** A cursor at `node` (a web-tree-sitter Node), or null when `node` is not one. */
  static at(api: RawTreeApi, node: unknown): RawMemoryCursor | null {
    if (!isPublicWasmNode(node) || !hasHeapViews(api.module)) return null;
    return new RawMemoryCursor(api, node);
  }

  /** A 32-bit word; out-of-range addresses stop the walk (only a wrong layout can produce them). */
  private word(addr: number): number {
    const w = this.u32[addr >>> 2];
    if (!(addr >= 0 && addr + 4 <= this.limit && (addr & 3) === 0 && w !== undefined)) throw new RawLayoutError(addr);
    return w;
  }

  private isInline(addr: number): boolean {
    return (this.u8[addr]! & 1) === 1;
  }
  /** The SubtreeHeapData address of a non-inline subtree. */
  private heap(addr: number): number {
    return this.word(addr);
  }
  private symbolOf(addr: number): number {
    return this.isInline(addr) ? this.u8[addr + this.L.inlineSymbol]! : this.u16[(this.heap(addr) + this.L.heapSymbol) >>> 1]!;
  }
  private flagOf(addr: number, inlineMask: number, heapByte: number, heapMask: number): boolean {
    return this.isInline(addr) ? (this.u8[addr + this.L.inlineFlags]! & inlineMask) !== 0 : (this.u8[this.heap(addr) + heapByte]! & heapMask) !== 0;
  }
  private visibleOf(addr: number): boolean {
    return this.flagOf(addr, this.L.inlineVisible, this.L.heapFlags, this.L.heapVisible);
  }
  private extraOf(addr: number): boolean {
    return this.flagOf(addr, this.L.inlineExtra, this.L.heapFlags, this.L.heapExtra);
  }
  private paddingOf(addr: number): number {
    return this.isInline(addr) ? this.u8[addr + this.L.inlinePaddingBytes]! : this.word(this.heap(addr) + this.L.heapPaddingBytes);
  }
  private sizeOf(addr: number): number {
    return this.isInline(addr) ? this.u8[addr + this.L.inlineSizeBytes]! : this.word(this.heap(addr) + this.L.heapSizeBytes);
  }
  private childCountOf(addr: number): number {
    return this.isInline(addr) ? 0 : this.word(this.heap(addr) + this.L.heapChildCount);
  }
  /** ts_subtree_visible_child_count */
  private visibleChildCountOf(addr: number): number {
    return this.childCountOf(addr) > 0 ? this.word(this.heap(addr) + this.L.heapVisibleChildCount) : 0;
  }

  /** ts_tree_cursor_iterate_children on the entry at `d` (itCount = 0: no children). */
  private iterate(d: number): void {
    const addr = this.sub[d]!;
    const count = this.childCountOf(addr);
    this.itCount = count;
    this.itIdx = 0;
    this.itStruct = 0;
    this.itPos = this.pos[d]!;
    if (count === 0) return;
    const h = this.heap(addr);
    const children = h - count * this.L.subtreeSize;
    if (!(children > 0 && count <= 0xffffff)) throw new RawLayoutError(h);
    this.itChildren = children;
    const prod = this.u16[(h + this.L.heapProductionId) >>> 1]!;
    this.itAliasBase = prod ? this.aliasSeqs + prod * this.maxAliasLen : -1;
  }

  /** ts_tree_cursor_child_iterator_next: passes one child, described in the c* fields. */
  private itNext(): boolean {
    if (this.itIdx >= this.itCount) return false;
    const S = this.L.subtreeSize;
    const child = this.itChildren + this.itIdx * S;
    this.cAddr = child;
    this.cPos = this.itPos;
    this.cIdx = this.itIdx;
    this.cStruct = this.itStruct;
    let visible = this.visibleOf(child);
    let alias = 0;
    if (!this.extraOf(child)) {
      if (this.itAliasBase >= 0) {
        alias = this.u16[this.itAliasBase + this.itStruct]!;
        if (alias !== 0) visible = true;
      }
      this.itStruct++;
    }
    this.cVisible = visible;
    this.cAlias = alias;
    this.itPos += this.sizeOf(child);
    this.itIdx++;
    if (this.itIdx < this.itCount) this.itPos += this.paddingOf(child + S);
    return true;
  }

  /** array_push of the child `itNext` just passed. */
  private pushChild(): void {
    const d = this.size;
    if (d === this.sub.length) this.growStack();
    this.sub[d] = this.cAddr;
    this.pos[d] = this.cPos;
    this.childIdx[d] = this.cIdx;
    this.structIdx[d] = this.cStruct;
    this.vis[d] = this.cVisible ? 1 : 0;
    this.alias[d] = this.cAlias;
    this.size = d + 1;
  }

  private growStack(): void {
    const n = this.sub.length * 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array | Uint16Array>(a: T, b: T): T => {
      b.set(a as never);
      return b;
    };
    this.sub = g(this.sub, new Int32Array(n));
    this.pos = g(this.pos, new Float64Array(n));
    this.childIdx = g(this.childIdx, new Int32Array(n));
    this.structIdx = g(this.structIdx, new Int32Array(n));
    this.vis = g(this.vis, new Uint8Array(n));
    this.alias = g(this.alias, new Uint16Array(n));
  }

  /** Moves the iterator on to the next child a cursor stops at (visible, or hidden with visible children) and enters it. */
  private enterNextChild(): Step {
    while (this.itNext()) {
      if (this.cVisible) {
        this.pushChild();
        return Step.Visible;
      }
      if (this.visibleChildCountOf(this.cAddr) > 0) {
        this.pushChild();
        return Step.Hidden;
      }
    }
    return Step.None;
  }

  private firstChildStep(): Step {
    this.iterate(this.size - 1);
    return this.enterNextChild();
  }

  gotoFirstChild(): boolean {
    for (;;) {
      const step = this.firstChildStep();
      if (step === Step.Hidden) continue;
      return step === Step.Visible;
    }
  }

  /** ts_tree_cursor_goto_sibling_internal with the forward iterator. */
  private nextSiblingStep(): Step {
    const initial = this.size;
    while (this.size > 1) {
      const e = --this.size;
      this.iterate(this.size - 1);
      this.itIdx = this.childIdx[e]!;
      this.itStruct = this.structIdx[e]!;
      this.itPos = this.pos[e]!;
      this.itNext(); // passes the entry itself
      if (this.cVisible && this.size + 1 < initial) break;
      const step = this.enterNextChild();
      if (step !== Step.None) return step;
    }
    this.size = initial;
    return Step.None;
  }

  gotoNextSibling(): boolean {
    switch (this.nextSiblingStep()) {
      case Step.Hidden:
        this.gotoFirstChild();
        return true;
      case Step.Visible:
        return true;
      default:
        return false;
    }
  }

  gotoParent(): boolean {
    for (let i = this.size - 2; i >= 0; i--) {
      if (this.vis[i] === 1) {
        this.size = i + 1;
        return true;
      }
    }
    return false;
  }

  /** ts_tree_cursor_current_node's alias: none for extras; the entry's alias below the root. */
  private currentAlias(): number {
    const d = this.size - 1;
    return this.extraOf(this.sub[d]!) ? 0 : this.alias[d]!;
  }

  get nodeTypeId(): number {
    const a = this.currentAlias();
    const sym = a || this.symbolOf(this.sub[this.size - 1]!);
    return sym === ERROR_SYMBOL ? sym : this.u16[this.publicMap + sym]!;
  }
  get nodeType(): string {
    return this.types[this.nodeTypeId] || 'ERROR';
  }
  get nodeIsNamed(): boolean {
    const a = this.currentAlias();
    if (a) return this.u8[this.metadata + a * this.L.metadataSize + this.L.metadataNamed] === 1;
    return this.flagOf(this.sub[this.size - 1]!, this.L.inlineNamed, this.L.heapFlags, this.L.heapNamed);
  }
  get nodeIsMissing(): boolean {
    return this.flagOf(this.sub[this.size - 1]!, this.L.inlineMissing, this.L.heapFlags2, this.L.heapMissing);
  }
  get startIndex(): number {
    return this.pos[this.size - 1]! / 2;
  }
  get endIndex(): number {
    const d = this.size - 1;
    return (this.pos[d]! + this.sizeOf(this.sub[d]!)) / 2;
  }

  /** Stack depth (hidden entries included), for the verification. */
  get depth(): number {
    return this.size;
  }

  /** `Seen` bits of the current entry, for the verification. */
  coverage(): number {
    const d = this.size - 1;
    const addr = this.sub[d]!;
    let seen = 0;
    const inline = this.isInline(addr);
    if (inline) seen |= Seen.Inline;
    else if (this.childCountOf(addr) === 0) seen |= Seen.HeapLeaf;
    if (this.extraOf(addr)) seen |= inline ? Seen.InlineExtra : Seen.HeapExtra;
    else if (d > 0 && this.alias[d] !== 0) seen |= Seen.Alias;
    if (this.nodeIsMissing) seen |= inline ? Seen.InlineMissing : Seen.HeapMissing;
    return seen;
  }

  /** Nothing to free: the cursor owns no WASM memory. */
  delete(): void {}
}

/** A read outside the heap: the layout is wrong for this build. */
export class RawLayoutError extends Error {
  constructor(addr: number) {
    super(`raw tree read out of range at ${addr}`);
  }
}

/**
 * A snippet that exercises what the reader relies on: heap and inline leaves (long comment,
 * wide padding, many rows of padding), aliases (field/type/statement identifiers), extras inside
 * nodes, hidden repeat nodes, preprocessor lines, CRLF and non-BMP characters, ERROR and MISSING
 * nodes.
 */
const CHECK_SNIPPETS = [
  '#include <linux/x.h>\r\n#define M(a) ((a) + 1)\n/* ' +
    'long comment '.repeat(30) +
    '*/\ntypedef struct s { int a, b; unsigned long f[4]; } s_t;\n' +
    'static int f(s_t *p, const char *n)\n{\n\tint i = 0; /* é 😀 */\n\tp->a = p->f[1] ? 1 : 2;' +
    ' '.repeat(300) +
    'for (i = 0; i < 3; i++) { if (!p) goto out; }\n' +
    '\n'.repeat(20) +
    '\tswitch (i) { case 1: break; default: ; }\n\treturn "x😀y"[0] + sizeof(s_t) + M(i);\nout:\n\treturn -1;\n}\n' +
    'int g(void) { int x = ; h( ; }\nint k(void) { return 1 }\nvoid z(void) { a.b = 1 +; } }} @@ \n' +
    // Extras between aliased children (the structural index skips them); heap MISSING leaves
    // (padding too long for the inline form).
    'void y(void) { struct t { int /* c */ f; } v; v./**/f = 1; goto /*c*/ out; out: ; }\n' +
    'int k(void) { return 1' +
    '\n'.repeat(20) +
    '}\nint m(void) { return (1 + 2' +
    ' '.repeat(300) +
    '; }\n',
  'enum e { A = 1, B };\nunion u { int a; char b; };\nint (*fp)(int);\n#ifdef X\nint y;\n#else\nint w;\n#endif\n',
];

/**
 * The layout offsets `walkRawTree` reads with, pre-scaled to the index of the typed array each is
 * read through, and the language tables of the tree being walked. Read once per walk; the walk
 * copies them into locals.
 */
interface RawWalkConstants {
  u8: Uint8Array;
  u16: Uint16Array;
  u32: Uint32Array;
  /** Every pointer read from the tree is checked to leave room for the largest struct read there. */
  limit: number;
  S: number;
  iSym: number;
  iPad: number;
  iSize: number;
  iFlags: number;
  iVisible: number;
  iNamed: number;
  iExtra: number;
  iMissing: number;
  hPad: number;
  hSize: number;
  hCount: number;
  hSym: number;
  hFlags: number;
  hVisible: number;
  hNamed: number;
  hExtra: number;
  hFlags2: number;
  hMissing: number;
  hVcc: number;
  hProd: number;
  publicMap: number;
  metadata: number;
  aliasSeqs: number;
  maxAliasLen: number;
  mSize: number;
  mNamed: number;
}

function rawWalkConstants(views: WasmHeapViews, L: Readonly<RawTreeLayout>, root: PublicWasmNode): RawWalkConstants {
  const { HEAPU8: u8, HEAPU16: u16, HEAPU32: u32 } = views;
  const limit = u8.length - 128;
  const treeAddr = root.tree[0];
  if (!(treeAddr > 0 && treeAddr <= limit && (treeAddr & 3) === 0)) throw new RawLayoutError(treeAddr);
  const lang = u32[(treeAddr + L.treeLanguage) >>> 2]!;
  if (!(lang > 0 && lang <= limit && (lang & 3) === 0)) throw new RawLayoutError(lang);
  return {
    u8,
    u16,
    u32,
    limit,
    S: L.subtreeSize,
    iSym: L.inlineSymbol,
    iPad: L.inlinePaddingBytes,
    iSize: L.inlineSizeBytes,
    iFlags: L.inlineFlags,
    iVisible: L.inlineVisible,
    iNamed: L.inlineNamed,
    iExtra: L.inlineExtra,
    iMissing: L.inlineMissing,
    hPad: L.heapPaddingBytes >>> 2,
    hSize: L.heapSizeBytes >>> 2,
    hCount: L.heapChildCount >>> 2,
    hSym: L.heapSymbol >>> 1,
    hFlags: L.heapFlags,
    hVisible: L.heapVisible,
    hNamed: L.heapNamed,
    hExtra: L.heapExtra,
    hFlags2: L.heapFlags2,
    hMissing: L.heapMissing,
    hVcc: L.heapVisibleChildCount >>> 2,
    hProd: L.heapProductionId >>> 1,
    publicMap: u32[(lang + L.langPublicSymbolMap) >>> 2]! >>> 1,
    metadata: u32[(lang + L.langSymbolMetadata) >>> 2]!,
    aliasSeqs: u32[(lang + L.langAliasSequences) >>> 2]! >>> 1,
    maxAliasLen: u16[(lang + L.langMaxAliasSequenceLength) >>> 1]!,
    mSize: L.metadataSize,
    mNamed: L.metadataNamed,
  };
}

/**
 * The frames of `walkRawTree`, one per node whose children are being iterated
 * (ts_tree_cursor_child_iterator state per level), as parallel typed arrays. The walk reads them
 * through locals and re-reads them after `grow`.
 */
class RawWalkFrames {
  cap = 64;
  children = new Int32Array(this.cap);
  count = new Int32Array(this.cap);
  /** u16 index of the alias sequence, -1 for none. */
  alias = new Int32Array(this.cap);
  idx = new Int32Array(this.cap);
  struct = new Int32Array(this.cap);
  /** uint32 byte position of child `idx`. */
  pos = new Float64Array(this.cap);
  /** The frame's node is hidden (entered transparently). */
  hidden = new Uint8Array(this.cap);
  /** The frame produced a visible node. */
  found = new Uint8Array(this.cap);

  constructor(private readonly k: RawWalkConstants) {}

  /**
   * Frame `f` iterates the children of the node with heap data `h` (ts_tree_cursor_iterate_children),
   * the first at byte position `pos`. True when the arrays had to grow (the walk then re-reads them).
   */
  open(f: number, h: number, pos: number, hidden: boolean): boolean {
    const grew = f === this.cap;
    if (grew) this.grow();
    const k = this.k;
    const count = k.u32[(h >>> 2) + k.hCount]!;
    const children = h - count * k.S;
    if (!(children > 0 && count <= 0xffffff)) throw new RawLayoutError(h);
    const prod = k.u16[(h >>> 1) + k.hProd]!;
    this.children[f] = children;
    this.count[f] = count;
    this.alias[f] = prod ? k.aliasSeqs + prod * k.maxAliasLen : -1;
    this.idx[f] = 0;
    this.struct[f] = 0;
    this.pos[f] = pos;
    this.hidden[f] = hidden ? 1 : 0;
    this.found[f] = 0;
    return grew;
  }

  /**
   * The children of hidden frame `f` are done: its parent frame found a visible node. tree_cursor.c
   * enters a hidden node only when it has visible children, and then stays on it if none shows up:
   * a copy would differ, so leave it to the cursor.
   */
  closeHidden(f: number): void {
    if (this.found[f] === 0) throw new RawLayoutError(this.children[f]!);
    this.found[f - 1] = 1;
  }

  /** Doubles the capacity, keeping the frames. */
  grow(): void {
    this.cap *= 2;
    this.children = grown(this.children, new Int32Array(this.cap));
    this.count = grown(this.count, new Int32Array(this.cap));
    this.alias = grown(this.alias, new Int32Array(this.cap));
    this.idx = grown(this.idx, new Int32Array(this.cap));
    this.struct = grown(this.struct, new Int32Array(this.cap));
    this.pos = grown(this.pos, new Float64Array(this.cap));
    this.hidden = grown(this.hidden, new Uint8Array(this.cap));
    this.found = grown(this.found, new Uint8Array(this.cap));
  }
}

/** The SubtreeHeapData address of the (not inline) Subtree at `addr`, checked. */
function heapDataOf(u32: Uint32Array, addr: number, limit: number): number {
  const h = u32[addr >>> 2]!;
  if (!(h > 0 && h <= limit && (h & 3) === 0)) throw new RawLayoutError(addr);
  return h;
}

function grown<T extends Int32Array | Float64Array | Uint8Array>(x: T, y: T): T {
  y.set(x as never);
  return y;
}

/**
 * Receives the visible nodes of a tree in pre-order from `walkRawTree`; the calls for one node are
 * `node`, then either `down` (its children follow, closed by `up`) or `leaf`.
 */
export interface RawTreeVisitor {
  /** Before the first node: the language's type names (index = type id). */
  begin(types: string[]): void;
  /** A visible node; true asks for its children. Offsets in UTF-16 code units. */
  node(typeId: number, named: boolean, start: number, end: number, missing: boolean): boolean;
  /** The children of the last `node` follow. */
  down(): void;
  /** The last `node` is copied without children (not asked for, or it has none). */
  leaf(): void;
  /** After the last child of a node `down` opened. */
  up(): void;
}

/**
 * The tree walk `flattenTree` does with a cursor (first child, next sibling, parent), as one
 * loop over the raw structs: a frame per node whose children are being iterated, hidden nodes
 * (no type of their own) entered transparently exactly where tree_cursor.c enters them, aliases
 * and positions as its child iterator computes them. Same nodes and fields as `RawMemoryCursor`
 * (both are checked against the public cursor at start-up), without the cursor's re-iteration of
 * the parent on every sibling step. Returns false when `root` is not a web-tree-sitter node.
 * Throws `RawLayoutError` on an impossible read or a hidden node that yields no visible child
 * where the cursor would have stopped on it (only a wrong layout can cause either).
 */
export function walkRawTree(api: RawTreeApi, root: unknown, v: RawTreeVisitor): boolean {
  if (!isPublicWasmNode(root) || !hasHeapViews(api.module)) return false;
  // One loop with everything in locals (no closures): this runs once per node and child.
  const k = rawWalkConstants(api.module, api.layout, root);
  const { u8, u16, u32, limit, S, iSym, iPad, iSize, iFlags, iVisible, iNamed, iExtra, iMissing } = k;
  const { hPad, hSize, hCount, hSym, hFlags, hVisible, hNamed, hExtra, hFlags2, hMissing, hVcc } = k;
  const { publicMap, metadata, mSize, mNamed } = k;
  const frames = new RawWalkFrames(k);
  let { children: fChildren, count: fCount, alias: fAlias, idx: fIdx, struct: fStruct, pos: fPos, hidden: fHidden, found: fFound } = frames;
  let top = -1;
  // A visible node's frame was opened and no visible node found since: `down` not yet reported.
  let pendingDown = false;

  // The node being visited.
  let addr = root.id;
  let pos = root.startIndex * 2;
  let alias = root[0];
  // The frame to open next (h = its heap data; 0 = none).
  let openH = 0;
  let openPos = 0;
  let openHidden = false;

  v.begin(root.tree.language.types);
  for (;;) {
    // --- The current node (ts_tree_cursor_current_node: an extra node has no alias). ---
    let sym: number;
    let named: boolean;
    let missing: boolean;
    let size: number;
    let count = 0;
    let h = 0;
    let extra: boolean;
    if ((u8[addr]! & 1) === 1) {
      const fl = u8[addr + iFlags]!;
      sym = u8[addr + iSym]!;
      named = (fl & iNamed) !== 0;
      extra = (fl & iExtra) !== 0;
      missing = (fl & iMissing) !== 0;
      size = u8[addr + iSize]!;
    } else {
      h = heapDataOf(u32, addr, limit);
      const fl = u8[h + hFlags]!;
      sym = u16[(h >>> 1) + hSym]!;
      named = (fl & hNamed) !== 0;
      extra = (fl & hExtra) !== 0;
      missing = (u8[h + hFlags2]! & hMissing) !== 0;
      size = u32[(h >>> 2) + hSize]!;
      count = u32[(h >>> 2) + hCount]!;
    }
    const a = extra ? 0 : alias;
    if (a !== 0) {
      sym = a;
      named = u8[metadata + a * mSize + mNamed] === 1;
    }
    const typeId = sym === ERROR_SYMBOL ? sym : u16[publicMap + sym]!;
    if (v.node(typeId, named, pos / 2, (pos + size) / 2, missing) && count > 0) {
      openH = h;
      openPos = pos;
      openHidden = false;
      pendingDown = true;
    } else {
      v.leaf();
    }

    // --- Advance to the next visible node: first child, next sibling or an ancestor's. ---
    for (;;) {
      if (openH !== 0) {
        // ts_tree_cursor_iterate_children
        if (frames.open(++top, openH, openPos, openHidden)) {
          ({ children: fChildren, count: fCount, alias: fAlias, idx: fIdx, struct: fStruct, pos: fPos, hidden: fHidden, found: fFound } = frames);
        }
        openH = 0;
      }
      if (top < 0) return true; // back at the root
      const f = top;
      const idx = fIdx[f]!;
      const n = fCount[f]!;
      if (idx === n) {
        top--;
        if (fHidden[f] === 0) {
          // The children of a visible node are done (or it had none to show).
          if (pendingDown) v.leaf();
          else v.up();
          pendingDown = false;
        } else frames.closeHidden(f);
        continue;
      }
      // ts_tree_cursor_child_iterator_next
      const child = fChildren[f]! + idx * S;
      const childPos = fPos[f]!;
      let visible: boolean;
      let childExtra: boolean;
      let childSize: number;
      let ch = 0;
      if ((u8[child]! & 1) === 1) {
        const fl = u8[child + iFlags]!;
        visible = (fl & iVisible) !== 0;
        childExtra = (fl & iExtra) !== 0;
        childSize = u8[child + iSize]!;
      } else {
        ch = heapDataOf(u32, child, limit);
        const fl = u8[ch + hFlags]!;
        visible = (fl & hVisible) !== 0;
        childExtra = (fl & hExtra) !== 0;
        childSize = u32[(ch >>> 2) + hSize]!;
      }
      let childAlias = 0;
      if (!childExtra) {
        const base = fAlias[f]!;
        if (base >= 0) {
          childAlias = u16[base + fStruct[f]!]!;
          if (childAlias !== 0) visible = true;
        }
        fStruct[f]++;
      }
      // The next child's position: this one's end plus the next one's padding.
      let p = childPos + childSize;
      const nextIdx = idx + 1;
      fIdx[f] = nextIdx;
      if (nextIdx < n) {
        const sib = child + S;
        if ((u8[sib]! & 1) === 1) p += u8[sib + iPad]!;
        else p += u32[(heapDataOf(u32, sib, limit) >>> 2) + hPad]!;
      }
      fPos[f] = p;
      if (visible) {
        fFound[f] = 1;
        if (pendingDown) {
          pendingDown = false;
          v.down();
        }
        addr = child;
        pos = childPos;
        alias = childAlias;
        break;
      }
      // A hidden child is entered when it has visible children (ts_subtree_visible_child_count).
      if (ch !== 0) {
        const c2 = u32[(ch >>> 2) + hCount]!;
        if (c2 > 0 && u32[(ch >>> 2) + hVcc]! > 0) {
          openH = ch;
          openPos = childPos;
          openHidden = true;
        }
      }
    }
  }
}

/** What a check walk covered, so the verification knows each layout field was exercised. */
const enum Seen {
  Inline = 1 << 0,
  HeapLeaf = 1 << 1,
  Hidden = 1 << 2,
  Alias = 1 << 3,
  InlineExtra = 1 << 4,
  HeapExtra = 1 << 5,
  Error = 1 << 6,
  InlineMissing = 1 << 7,
  HeapMissing = 1 << 8,
  Wide = 1 << 9,
  All = (1 << 10) - 1,
}

/**
 * Walks `root` with the raw reader and `reference` (a cursor at the same node) in lockstep,
 * asking for the first child of every node. Returns what the walk covered (`Seen` bits), or -1
 * when any step or field disagrees.
 */
export function compareWalk(api: RawTreeApi, root: unknown, reference: TreeCursorLike): number {
  let seen = 0;
  try {
    const c = RawMemoryCursor.at(api, root);
    if (!c) return -1;
    const r = reference;
    for (let nodes = 0; ; nodes++) {
      if (
        nodes > 1_000_000 ||
        c.nodeTypeId !== r.nodeTypeId ||
        c.nodeIsNamed !== r.nodeIsNamed ||
        c.nodeIsMissing !== r.nodeIsMissing ||
        c.startIndex !== r.startIndex ||
        c.endIndex !== r.endIndex
      ) {
        return -1;
      }
      seen |= c.coverage();
      if (r.nodeTypeId === ERROR_SYMBOL) seen |= Seen.Error;
      if (r.endIndex - r.startIndex > 255 || r.startIndex > 0x7fff) seen |= Seen.Wide;
      const depth = c.depth;
      const down = c.gotoFirstChild();
      if (down !== r.gotoFirstChild()) return -1;
      if (down) {
        if (c.depth > depth + 1) seen |= Seen.Hidden;
        continue;
      }
      for (;;) {
        const next = c.gotoNextSibling();
        if (next !== r.gotoNextSibling()) return -1;
        if (next) break;
        const up = c.gotoParent();
        if (up !== r.gotoParent()) return -1;
        if (!up) return seen;
      }
    }
  } catch {
    return -1;
  }
}

/**
 * Pre-order (depth, type id, named, missing, start, end) of every visible node, or null past
 * `max` entries (a runaway walk).
 */
function cursorRecord(c: TreeCursorLike, max = Infinity): number[] | null {
  const out: number[] = [];
  let depth = 0;
  for (;;) {
    if (out.length > max) return null;
    out.push(depth, c.nodeTypeId, c.nodeIsNamed ? 1 : 0, c.nodeIsMissing ? 1 : 0, c.startIndex, c.endIndex);
    if (c.gotoFirstChild()) {
      depth++;
      continue;
    }
    for (;;) {
      if (c.gotoNextSibling()) break;
      if (!c.gotoParent()) return out;
      depth--;
    }
  }
}

/** `walkRawTree` over every node yields `want` (the public cursor's `cursorRecord`). */
function walkerRecordIs(api: RawTreeApi, root: unknown, want: number[]): boolean {
  const got: number[] = [];
  let depth = 0;
  const ok = walkRawTree(api, root, {
    begin: () => {},
    node: (typeId, named, start, end, missing) => {
      got.push(depth, typeId, named ? 1 : 0, missing ? 1 : 0, start, end);
      if (got.length > want.length) throw new RawLayoutError(0); // a runaway walk stops here
      return true;
    },
    down: () => void depth++,
    leaf: () => {},
    up: () => void depth--,
  });
  return ok && sameNumbers(got, want);
}

function sameNumbers(a: number[] | null, b: number[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `Seen` bits of a walk with the raw cursor, plus ERROR and wide nodes from the public record. */
function coverageOf(api: RawTreeApi, root: unknown, want: number[]): number {
  let seen = 0;
  for (let i = 0; i < want.length; i += 6) {
    if (want[i + 1] === ERROR_SYMBOL) seen |= Seen.Error;
    if (want[i + 5]! - want[i + 4]! > 255 || want[i + 4]! > 0x7fff) seen |= Seen.Wide;
  }
  const c = RawMemoryCursor.at(api, root);
  if (!c) return 0;
  for (;;) {
    seen |= c.coverage();
    const depth = c.depth;
    if (c.gotoFirstChild()) {
      if (c.depth > depth + 1) seen |= Seen.Hidden;
      continue;
    }
    for (;;) {
      if (c.gotoNextSibling()) break;
      if (!c.gotoParent()) return seen;
    }
  }
}

/**
 * The language's symbol count and, for every visible symbol, the `named` flag as the public API
 * reports them: checks the metadata table for every symbol, not only those in the snippets.
 */
function sameSymbolTables(api: RawTreeApi, root: unknown): boolean {
  if (!isPublicWasmNode(root)) return false;
  const language = root.tree.language as { types: string[]; nodeTypeIsNamed?: (id: number) => boolean; nodeTypeIsVisible?: (id: number) => boolean };
  if (typeof language.nodeTypeIsNamed !== 'function' || typeof language.nodeTypeIsVisible !== 'function') return false;
  const { HEAPU8: u8, HEAPU32: u32 } = api.module;
  const L = api.layout;
  const lang = u32[(root.tree[0] + L.treeLanguage) >>> 2]!;
  const count = u32[(lang + L.langSymbolCount) >>> 2]!;
  if (count + u32[(lang + L.langAliasCount) >>> 2]! !== language.types.length) return false;
  const metadata = u32[(lang + L.langSymbolMetadata) >>> 2]!;
  for (let s = 0; s < count; s++) {
    if (!language.nodeTypeIsVisible(s)) continue;
    if ((u8[metadata + s * L.metadataSize + L.metadataNamed] === 1) !== language.nodeTypeIsNamed(s)) return false;
  }
  return true;
}

/** A parser as far as the verification needs it (wasm-parser.ts passes web-tree-sitter's). */
export interface CheckParser {
  parse(text: string): { rootNode: unknown; delete(): void } | null;
}

/**
 * The reader for trees of `parser`, or null when the module lacks the heap views or `layout`
 * disagrees with the public cursor on the check snippets (then callers use wasm-cursor.ts).
 */
export function verifyRawTreeLayout(module: unknown, parser: CheckParser, layout: Readonly<RawTreeLayout> = DEFAULT_RAW_LAYOUT): RawTreeApi | null {
  if (!hasHeapViews(module)) return null;
  const api: RawTreeApi = { module, layout };
  let seen = 0;
  try {
    for (const text of CHECK_SNIPPETS) {
      const tree = parser.parse(text);
      if (!tree) return null;
      try {
        const root = tree.rootNode as { walk?: () => TreeCursorLike & { delete?: () => void } };
        if (typeof root.walk !== 'function') return null;
        // One walk with the public cursor (slow: a few WASM calls per getter), then the same
        // walk with the raw cursor, and `walkRawTree`, must record exactly the same.
        const ref = root.walk();
        let want: number[] | null;
        try {
          want = cursorRecord(ref);
        } finally {
          ref.delete?.();
        }
        const mem = RawMemoryCursor.at(api, root);
        if (!want || !mem || !sameNumbers(cursorRecord(mem, want.length), want)) return null;
        if (!walkerRecordIs(api, root, want) || !sameSymbolTables(api, root)) return null;
        seen |= coverageOf(api, root, want);
      } finally {
        tree.delete();
      }
    }
  } catch {
    return null;
  }
  // Every field was exercised (else a wrong offset could have gone unnoticed).
  return seen === Seen.All ? api : null;
}
