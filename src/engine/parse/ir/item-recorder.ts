/**
 * The IR builder run item by item: what each top-level item (child of the root) contributed to
 * the FileFacts is kept as an `ItemRecord`, and items whose record is handed in are not rebuilt at
 * all (their IR objects are reused as they are). Used by incremental re-extraction (document.ts).
 *
 * The result is the same as `IrBuilder.run` over the whole tree: the cross-item state of the
 * builder is reproduced exactly: `lastItemEnd` (checked against the record, see ReuseMismatch),
 * the annotation cursor (it only moves forward and skips what lies before an item), the problem
 * cap (problems are kept uncapped per item and capped when assembled), typedef → struct resolution
 * (replayed from per-item logs; a reused item is only valid when the final map is unchanged), the
 * ERROR/MISSING count (per item) and the definer globals (recomputed from the mask every time).
 */

import type { FileFacts } from '../../ir';
import type { Deadline } from '../budget';
import type { MaskResult } from '../preprocess/macro-mask';
import type { FlatTree, TopItem } from '../tree/flat-tree';
import { IrBuilder, trimLists } from './builder';

type Problem = FileFacts['problems'][number];

/** The FileFacts lists an item contributes to (concatenated in item order). */
type ItemLists = Pick<FileFacts, 'functions' | 'prototypes' | 'structs' | 'typedefs' | 'globals' | 'macros' | 'unmodeled' | 'problems'>;

/** What one top-level item produced; offsets refer to the text version the record belongs to. */
export interface ItemRecord extends ItemLists {
  type: string;
  tsStart: number;
  tsEnd: number;
  /** The flat tree's end of the item (children-derived; may be before `tsEnd`). */
  flatEnd: number;
  /** The builder's `lastItemEnd` before and after the item. */
  prevEnd: number;
  lastEnd: number;
  /** `typedef struct x name;` entries, in order. */
  typedefSets: [string, string][];
  /** ERROR and MISSING nodes in the item. */
  errors: number;
}

/** A reused record does not fit where it was put (its predecessor changed): rebuild everything. */
export class ReuseMismatch extends Error {
  constructor(why: string) {
    super(`incremental reuse not possible: ${why}`);
    this.name = 'ReuseMismatch';
  }
}

const MAX_PROBLEMS = 200;

/** A Map that logs `set` calls into the item being built. */
class LoggingMap extends Map<string, string> {
  log: [string, string][] | null = null;
  override set(k: string, v: string): this {
    this.log?.push([k, v]);
    return super.set(k, v);
  }
}

export class RecordingIrBuilder extends IrBuilder {
  private problemSink: Problem[] = [];
  private readonly logMap = new LoggingMap();

  constructor(
    file: string,
    src: string,
    mask: MaskResult,
    flat: FlatTree,
    facts: FileFacts,
    deadline: Deadline,
    private readonly top: TopItem[],
    /** Per top item: the record to reuse (already in this text's offsets), or null to build it. */
    private readonly reuse: (ItemRecord | null)[],
  ) {
    super(file, src, mask, flat, facts, deadline);
    // The base's map is only read after all items: route its writes through the logging one.
    (this as unknown as { typedefStructs: Map<string, string> }).typedefStructs = this.logMap;
  }

  protected override problem(severity: 'error' | 'warning' | 'info', code: string, message: string, line?: number): void {
    this.problemSink.push(line === undefined ? { severity, code, message } : { severity, code, message, line });
  }

  /**
   * Builds the facts. `expectTypedefs`: the final typedef map the reused records were resolved
   * with (ReuseMismatch when it changed). Returns the records and the final typedef map.
   */
  runRecorded(expectTypedefs: Map<string, string> | null): { records: ItemRecord[]; typedefs: Map<string, string> } {
    const t = this.t;
    const facts = this.facts;
    const head: Problem[] = [];
    this.problemSink = head;
    for (const off of this.mask.unbalancedConditionals) {
      this.problem('info', 'unbalanced-conditional', 'the arms of this #if open or close braces differently; only the first arm is analysed', this.offsetLine(off));
    }
    const list = this.top.map((x) => x.node);
    const records: ItemRecord[] = [];
    let errors = t.missing[0] || t.type[0] === 'ERROR' ? 1 : 0;
    for (let k = 0; k < this.top.length; k++) {
      const it = this.top[k];
      const r = this.reuse[k];
      if (r) {
        if (r.prevEnd !== this.lastItemEnd) throw new ReuseMismatch(`item at ${it.tsStart} follows a changed item`);
        pushAll(facts.functions, r.functions);
        pushAll(facts.prototypes, r.prototypes);
        pushAll(facts.structs, r.structs);
        pushAll(facts.typedefs, r.typedefs);
        pushAll(facts.globals, r.globals);
        pushAll(facts.macros, r.macros);
        pushAll(facts.unmodeled, r.unmodeled);
        this.lastItemEnd = r.lastEnd;
        errors += r.errors;
        records.push(r);
        continue;
      }
      if (!it.copied) throw new ReuseMismatch(`item at ${it.tsStart} was not copied`);
      const n = list[k];
      const len = [facts.functions.length, facts.prototypes.length, facts.structs.length, facts.typedefs.length, facts.globals.length, facts.macros.length, facts.unmodeled.length];
      const prevEnd = this.lastItemEnd;
      const problems: Problem[] = [];
      const typedefSets: [string, string][] = [];
      this.problemSink = problems;
      this.logMap.log = typedefSets;
      // As IrBuilder.items does for the root list: `#if` groups expand without moving
      // lastItemEnd to the group's end (only their inner items do).
      if (it.type === 'preproc_if' || it.type === 'preproc_ifdef') this.items([n]);
      else if (!this.strandedStatement(list, k)) this.item(n);
      this.logMap.log = null;
      const endNode = k + 1 < list.length ? list[k + 1] : t.n;
      let e = 0;
      for (let i = n; i < endNode; i++) if (t.missing[i] || t.type[i] === 'ERROR') e++;
      errors += e;
      const rec: ItemRecord = {
        type: it.type,
        tsStart: it.tsStart,
        tsEnd: it.tsEnd,
        flatEnd: t.end[n],
        prevEnd,
        lastEnd: this.lastItemEnd,
        functions: facts.functions.slice(len[0]),
        prototypes: facts.prototypes.slice(len[1]),
        structs: facts.structs.slice(len[2]),
        typedefs: facts.typedefs.slice(len[3]),
        globals: facts.globals.slice(len[4]),
        macros: facts.macros.slice(len[5]),
        unmodeled: facts.unmodeled.slice(len[6]),
        problems,
        typedefSets,
        errors: e,
      };
      records.push(rec);
    }
    facts.errorNodes = errors;
    const typedefs = new Map<string, string>();
    for (const r of records) for (const [k, v] of r.typedefSets) typedefs.set(k, v);
    if (expectTypedefs && !sameMap(typedefs, expectTypedefs)) throw new ReuseMismatch('the file’s typedef → struct map changed');
    // Definer globals come from the mask, not from items: recomputed every time (they are few).
    this.problemSink = [];
    if (this.mask.definers.length) {
      for (const d of this.mask.definers) this.definerGlobal(d);
      facts.globals.sort((a, b) => a.line - b.line);
    }
    // Reused items hold shared TypeRefs already (resolved with the same typedef map); the built
    // ones get theirs now.
    this.settleTypes(typedefs);
    const problems: Problem[] = [];
    for (const p of head) if (problems.length < MAX_PROBLEMS) problems.push(p);
    for (const r of records) for (const p of r.problems) if (problems.length < MAX_PROBLEMS) problems.push(p);
    facts.problems = problems;
    trimLists(facts);
    return { records, typedefs };
  }
}

function pushAll<T>(into: T[], from: T[]): void {
  for (let i = 0; i < from.length; i++) into.push(from[i]);
}

function sameMap(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
