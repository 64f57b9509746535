/**
 * Incremental re-extraction of documents being edited (the extension's open editors, the
 * benchmark's edit loop). For each of a few recently edited files (LRU, `maxDocuments`) the
 * tree-sitter tree of the masked text is kept with the per-item IR records (ir/item-recorder.ts). An
 * edit is turned into one InputEdit (common prefix/suffix of the old and new texts, raw and
 * masked), the old tree is edited and re-parsed incrementally, and only the top-level items that
 * touch the edit or tree-sitter's changed ranges are copied out of the tree and rebuilt. Every
 * other item keeps its IR objects (FunctionIR identity is what tells the analysis session that a
 * function is unchanged). Items after an edit that added or removed lines are rebuilt, since all
 * their line numbers move.
 *
 * The FileFacts equal a from-scratch `extractFileFacts(..., { countUnmaskedErrors: false })` of the
 * new text (test/unit/parse/document.test.ts checks that on random edits). Whenever reuse cannot be
 * proven safe (masking side tables changed outside the edit, the typedef map changed, an item
 * no longer follows its predecessor) the whole file is rebuilt from the new tree; on any other
 * failure (budget, backend without `reparse`) the plain extractor runs and the state is dropped.
 *
 * Masking and hashing stay whole-file passes: masking the 148 KB benchmark file costs ~1.8 ms of
 * a ~3.6 ms update (median, CPU profile), the rest is proportional to the changed items.
 */

import type { FileFacts, FunctionIR } from '../ir';
import { clearIr, emptyFacts, extractFileFacts, utf8Length } from './extract';
import { RecordingIrBuilder, ReuseMismatch, type ItemRecord } from './ir/item-recorder';
import { maskSource, type MaskResult } from './preprocess/macro-mask';
import { sha1Hex } from './sha1';
import { flattenTopLevel } from './tree/flat-tree';
import type { CParser, InputEdit, Point, SyntaxTree } from './tree/parser';

export interface DocumentExtractOptions {
  timeoutMs?: number;
  /** Content hash computed by the caller (else sha1 here). */
  hash?: string;
  /**
   * The file's facts from before this edit (e.g. from the workspace's initial extraction). When no
   * tree is kept for the file yet, functions that come out deep-equal to the previous ones are
   * replaced by those very objects, so even the first edit of a file leaves the analysis session
   * only the changed functions to re-analyse.
   */
  previous?: FileFacts;
}

interface DocState {
  text: string;
  /** UTF-8 length and newline count of `text` (FileFacts.bytes / lines are derived from them). */
  bytes: number;
  newlines: number;
  mask: MaskResult;
  tree: SyntaxTree;
  records: ItemRecord[];
  typedefs: Map<string, string>;
}

/** How the last `extract` call went (tests and benchmarks). */
export interface DocumentExtractStats {
  mode: 'incremental' | 'rebuilt' | 'full' | 'fallback';
  /** Top-level items rebuilt / reused. */
  rebuilt: number;
  reused: number;
  /** Why an incremental attempt rebuilt everything. */
  reason?: string;
  /** Functions replaced by deep-equal ones of `previous` (full builds only). */
  adopted?: number;
}

export class DocumentExtractor {
  private readonly docs = new Map<string, DocState>();
  lastStats: DocumentExtractStats = { mode: 'full', rebuilt: 0, reused: 0 };

  constructor(
    private readonly parser: CParser,
    readonly maxDocuments = 3,
  ) {}

  /** Paths whose trees are kept (least recently used first). */
  get documents(): string[] {
    return [...this.docs.keys()];
  }

  extract(file: string, text: string, opts: DocumentExtractOptions = {}): FileFacts {
    const t0 = performance.now();
    const budget = opts.timeoutMs !== undefined && opts.timeoutMs > 0 ? opts.timeoutMs : undefined;
    const deadline = budget !== undefined ? t0 + budget : Infinity;
    const prev = this.docs.get(file);
    this.docs.delete(file); // re-inserted at the end (LRU order) when the state survives
    let prevAlive = prev !== undefined;
    const dropPrev = (): void => {
      if (prev && prevAlive) {
        prevAlive = false;
        prev.tree.delete();
      }
    };
    if (!this.parser.reparse) {
      dropPrev();
      return this.fallback(file, text, opts);
    }
    try {
      const mask = maskSource(text, deadline);
      const plan = prev ? editPlan(prev, text, mask) : null;
      const size = plan && prev ? sizeAfterEdit(prev, text, plan) : null;
      const facts = size ? factsShell(file, text, opts.hash ?? sha1Hex(text), size) : emptyFacts(file, text, opts.hash ?? sha1Hex(text));
      let tree: SyntaxTree | null = null;
      let changed: { startIndex: number; endIndex: number }[] | null = null;
      const t1 = performance.now();
      if (prev) {
        if (plan) {
          tree = this.parser.reparse(mask.masked, prev.tree, plan.edit, left(deadline));
          if (tree) changed = prev.tree.changedRanges ? prev.tree.changedRanges(tree) : null;
        }
        dropPrev();
      }
      if (!tree) tree = this.parser.parse(mask.masked, left(deadline));
      const t2 = performance.now();
      if (!tree) return this.fallback(file, text, opts);
      let state: Omit<DocState, 'bytes' | 'newlines'> | null = null;
      try {
        let reason: string | undefined;
        if (plan && prev && changed && tree) {
          try {
            state = this.build(file, text, mask, tree, facts, deadline, prev, plan, changed);
          } catch (e) {
            if (!(e instanceof ReuseMismatch)) throw e;
            reason = e.message;
            clearIr(facts);
          }
        }
        if (!state) {
          state = this.build(file, text, mask, tree, facts, deadline, null, null, null);
          const adopted = opts.previous ? adoptUnchanged(state.records, facts, opts.previous) : 0;
          this.lastStats = { mode: prev ? 'rebuilt' : 'full', rebuilt: state.records.length, reused: 0, reason, adopted };
        }
      } finally {
        if (!state) tree.delete();
      }
      this.docs.set(file, { ...state, bytes: facts.bytes, newlines: size ? size.newlines : newlinesOf(text, facts.lines) });
      this.evict();
      facts.errorNodesUnmasked = facts.errorNodes;
      facts.parseMs = t2 - t1;
      facts.extractMs = performance.now() - t0 - facts.parseMs;
      return facts;
    } catch {
      // Budget exceeded or an internal error: the plain extractor reports it the usual way.
      dropPrev();
      return this.fallback(file, text, opts);
    }
  }

  /** Drops the kept tree of `file` (closed editor, deleted file). */
  forget(file: string): void {
    const d = this.docs.get(file);
    if (d) {
      d.tree.delete();
      this.docs.delete(file);
    }
  }

  dispose(): void {
    for (const d of this.docs.values()) d.tree.delete();
    this.docs.clear();
  }

  private evict(): void {
    while (this.docs.size > this.maxDocuments) {
      const oldest = this.docs.keys().next().value as string;
      this.forget(oldest);
    }
  }

  private fallback(file: string, text: string, opts: DocumentExtractOptions): FileFacts {
    this.lastStats = { mode: 'fallback', rebuilt: 0, reused: 0 };
    return extractFileFacts(this.parser, file, text, { timeoutMs: opts.timeoutMs, hash: opts.hash, countUnmaskedErrors: false });
  }

  /** Copies the needed items out of `tree` and builds the facts; `prev` null = every item. */
  private build(
    file: string,
    text: string,
    mask: MaskResult,
    tree: SyntaxTree,
    facts: FileFacts,
    deadline: number,
    prev: DocState | null,
    plan: EditPlan | null,
    changed: { startIndex: number; endIndex: number }[] | null,
  ): Omit<DocState, 'bytes' | 'newlines'> {
    const reuse: (ItemRecord | null)[] = [];
    let j = 0;
    const decide = (k: number, type: string, tsStart: number, tsEnd: number): number | true => {
      reuse[k] = null;
      if (!prev || !plan || !changed) return true;
      const r = reusable(prev.records, j, plan, changed, text, type, tsStart, tsEnd);
      j = r.next;
      if (!r.record) return true;
      reuse[k] = r.record;
      return r.record.flatEnd;
    };
    const out = flattenTopLevel(tree.rootNode, mask.masked, decide, deadline);
    if (!out) throw new Error('this backend cannot copy top-level items'); // → plain extractor
    const b = new RecordingIrBuilder(file, text, mask, out.flat, facts, deadline, out.items, reuse);
    const { records, typedefs } = b.runRecorded(prev ? prev.typedefs : null);
    const reused = reuse.filter((r) => r !== null).length;
    this.lastStats = { mode: 'incremental', rebuilt: records.length - reused, reused };
    return { text, mask, tree, records, typedefs };
  }
}

/** Newlines in `text` from emptyFacts' `lines` (which does not count a final newline). */
function newlinesOf(text: string, lines: number): number {
  return text.length === 0 ? 0 : lines - 1 + (text.endsWith('\n') ? 1 : 0);
}

/**
 * FileFacts.bytes and the newline count after the edit, from the old ones and the changed
 * segments only (150 KB of UTF-8 counting per keystroke otherwise). Null when a surrogate is
 * near the edit: pairs make the byte count non-additive there, and full counting is exact.
 */
function sizeAfterEdit(prev: DocState, text: string, p: EditPlan): { bytes: number; newlines: number } | null {
  const a = prev.text;
  const from = Math.max(0, p.start - 1);
  const oldSeg = a.slice(from, Math.min(a.length, p.oldEnd + 1));
  const newSeg = text.slice(from, Math.min(text.length, p.newEnd + 1));
  if (/[\ud800-\udfff]/.test(oldSeg) || /[\ud800-\udfff]/.test(newSeg)) return null;
  return {
    bytes: prev.bytes - utf8Length(oldSeg) + utf8Length(newSeg),
    newlines: prev.newlines - newlines(a, p.start, p.oldEnd) + newlines(text, p.start, p.newEnd),
  };
}

/** emptyFacts with a known size. */
function factsShell(file: string, text: string, hash: string, size: { bytes: number; newlines: number }): FileFacts {
  const f = emptyFacts(file, '', hash);
  f.bytes = size.bytes;
  f.lines = text.length === 0 ? 0 : size.newlines + 1 - (text.endsWith('\n') ? 1 : 0);
  return f;
}

/**
 * Replaces each new function that deep-equals the previous extraction's function at the same
 * position (same name; the common case after an edit that adds no function) by that old object,
 * in the facts and in the records. Returns how many were adopted.
 */
function adoptUnchanged(records: ItemRecord[], facts: FileFacts, previous: FileFacts): number {
  const old = new Map<string, FunctionIR[]>();
  for (const f of previous.functions) {
    const l = old.get(f.name);
    if (l) l.push(f);
    else old.set(f.name, [f]);
  }
  const seen = new Map<string, number>();
  const swap = new Map<FunctionIR, FunctionIR>();
  for (const f of facts.functions) {
    const nth = seen.get(f.name) ?? 0;
    seen.set(f.name, nth + 1);
    const o = old.get(f.name)?.[nth];
    if (o && o.line === f.line && sameValue(o, f)) swap.set(f, o);
  }
  if (swap.size === 0) return 0;
  facts.functions = facts.functions.map((f) => swap.get(f) ?? f);
  for (const r of records) if (r.functions.length) r.functions = r.functions.map((f) => swap.get(f) ?? f);
  return swap.size;
}

/** Structural equality of plain IR data (objects, arrays, primitives). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

function left(deadline: number): number | undefined {
  return deadline === Infinity ? undefined : Math.max(1, deadline - performance.now());
}

/** The edit between two versions: [start, oldEnd) of the old text became [start, newEnd). */
interface EditPlan {
  edit: InputEdit;
  start: number;
  oldEnd: number;
  newEnd: number;
  /** newEnd − oldEnd. */
  shift: number;
  /** Newlines added (negative: removed). */
  lineDelta: number;
}

/**
 * Common prefix length. Compares 1 KB slices first (string equality is a memory compare in V8,
 * ~10× faster than a charCodeAt loop over 150 KB), then characters inside the first differing one.
 */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i + CHUNK <= n && a.slice(i, i + CHUNK) === b.slice(i, i + CHUNK)) i += CHUNK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Common suffix length, at most `limit` (so it never overlaps the common prefix). */
function commonSuffix(a: string, b: string, limit: number): number {
  const la = a.length;
  const lb = b.length;
  let i = 0;
  while (i + CHUNK <= limit && a.slice(la - i - CHUNK, la - i) === b.slice(lb - i - CHUNK, lb - i)) i += CHUNK;
  while (i < limit && a.charCodeAt(la - 1 - i) === b.charCodeAt(lb - 1 - i)) i++;
  return i;
}

const CHUNK = 1024;

function pointAt(text: string, index: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * The edit covering both the raw and the masked change (masking may change the masked text where
 * the raw text did not, e.g. a macro becoming an iterator), or null when the masking side tables
 * differ outside it (then nothing can be reused safely).
 */
function editPlan(prev: DocState, text: string, mask: MaskResult): EditPlan | null {
  const a = prev.text;
  const am = prev.mask.masked;
  const bm = mask.masked;
  const start = Math.min(commonPrefix(a, text), commonPrefix(am, bm));
  const limit = Math.min(a.length, text.length) - start;
  const suffix = Math.min(commonSuffix(a, text, limit), commonSuffix(am, bm, limit));
  const oldEnd = a.length - suffix;
  const newEnd = text.length - suffix;
  const startPosition = pointAt(am, start);
  const oldNl = newlines(am, start, oldEnd);
  const newNl = newlines(bm, start, newEnd);
  const endPos = (t: string, end: number, nl: number): Point =>
    nl === 0 ? { row: startPosition.row, column: startPosition.column + (end - start) } : { row: startPosition.row + nl, column: end - (t.lastIndexOf('\n', end - 1) + 1) };
  const plan: EditPlan = {
    edit: {
      startIndex: start,
      oldEndIndex: oldEnd,
      newEndIndex: newEnd,
      startPosition,
      oldEndPosition: endPos(am, oldEnd, oldNl),
      newEndPosition: endPos(bm, newEnd, newNl),
    },
    start,
    oldEnd,
    newEnd,
    shift: newEnd - oldEnd,
    lineDelta: newNl - oldNl,
  };
  return sideTablesAgree(prev.mask, mask, plan) ? plan : null;
}

/**
 * Masking's side tables (what the IR re-attaches by offset) must be the same outside the edit:
 * entries before it identical, entries after it shifted by the edit (lines by `lineDelta`).
 */
function sideTablesAgree(a: MaskResult, b: MaskResult, p: EditPlan): boolean {
  const same = <T>(xs: T[], ys: T[], off: (x: T) => number, eq: (x: T, y: T, after: boolean) => boolean): boolean => {
    // Outside entries of xs (old) in order must pair up with outside entries of ys (new).
    let i = 0;
    let j = 0;
    for (;;) {
      while (i < xs.length && off(xs[i]) >= p.start && off(xs[i]) < p.oldEnd) i++;
      while (j < ys.length && off(ys[j]) >= p.start && off(ys[j]) < p.newEnd) j++;
      if (i >= xs.length || j >= ys.length) return i >= xs.length && j >= ys.length;
      const ox = off(xs[i]);
      const oy = off(ys[j]);
      const after = ox >= p.oldEnd;
      if ((after ? ox + p.shift : ox) !== oy || !eq(xs[i], ys[j], after)) return false;
      i++;
      j++;
    }
  };
  const lines = (x: number, y: number, after: boolean): boolean => (after ? x + p.lineDelta : x) === y;
  const entries = <V>(m: Map<number, V>): [number, V][] => [...m.entries()].sort((x, y) => x[0] - y[0]);
  return (
    same(a.annotations, b.annotations, (x) => x.offset, (x, y, af) => x.kind === y.kind && x.macro === y.macro && x.ret === y.ret && lines(x.line, y.line, af) && sameStrings(x.locks, y.locks)) &&
    same(a.rcuOffsets, b.rcuOffsets, (x) => x, () => true) &&
    same(a.cleanups, b.cleanups, (x) => x.offset, (x, y) => x.macro === y.macro && x.args === y.args) &&
    same(entries(a.loopMacros), entries(b.loopMacros), (x) => x[0], (x, y) => x[1] === y[1]) &&
    same(entries(a.scopedGuards), entries(b.scopedGuards), (x) => x[0], (x, y) => x[1].macro === y[1].macro && x[1].failKeyword === y[1].failKeyword)
  );
}

function sameStrings(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether the new top-level item (type, tree-sitter offsets in the new text) is an old item that
 * the edit did not touch: same type and extent, its region [end of the previous item, its end]
 * (annotations written before an item belong to it) clear of the edit and of tree-sitter's
 * changed ranges, and, after the edit, no line shift and a start on a later line than the edit
 * (columns). Returns the record in new offsets, and where to continue scanning the old records.
 */
function reusable(
  records: ItemRecord[],
  from: number,
  p: EditPlan,
  changed: { startIndex: number; endIndex: number }[],
  text: string,
  type: string,
  tsStart: number,
  tsEnd: number,
): { record: ItemRecord | null; next: number } {
  let after: boolean;
  if (tsEnd < p.start) after = false;
  else if (tsStart > p.newEnd && p.lineDelta === 0 && text.lastIndexOf('\n', tsStart - 1) >= p.newEnd) after = true;
  else return { record: null, next: from };
  const shift = after ? p.shift : 0;
  const oldStart = tsStart - shift;
  let j = from;
  while (j < records.length && records[j].tsStart < oldStart) j++;
  const r = records[j];
  if (!r || r.tsStart !== oldStart || r.type !== type || r.tsEnd + shift !== tsEnd || type === 'expression_statement') return { record: null, next: j };
  // Its region starts at the previous item's end; after the edit that must lie after the edit too.
  if (after && r.prevEnd <= p.oldEnd) return { record: null, next: j + 1 };
  const prevEnd = r.prevEnd + shift;
  for (const c of changed) if (c.startIndex <= tsEnd && c.endIndex >= prevEnd) return { record: null, next: j + 1 };
  if (shift === 0) return { record: r, next: j + 1 };
  return {
    record: { ...r, tsStart, tsEnd, flatEnd: r.flatEnd + shift, prevEnd, lastEnd: r.lastEnd + shift },
    next: j + 1,
  };
}
