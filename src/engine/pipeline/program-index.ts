/**
 * Phase 1, the program index: types, globals, prototypes and functions of every file
 * (`Program`), the catalog with the tree's lock wrapper macros, and the function-pointer
 * bindings.
 *
 * Incremental: patch the previous Program / bindings with the changed files' contributions.
 * Types and macros are read everywhere: a change there (see `diffFiles`) or in the bindings
 * (`indexProgram` returns null) starts from scratch.
 */
import type { FileFacts } from '../ir';
import type { LockLensConfig } from '../config';
import { buildCatalog, type Catalog } from '../catalog/catalog';
import { macroPrimitives } from '../catalog/macro-prims';
import { fileBindRecs, mergeBindings, type BindRec, type Bindings, type FileBindRecs } from '../analysis/bindings';
import { changedNames, fileHardSig } from '../analysis/scc-summaries';
import { Program, type FnInfo } from '../analysis/program';
import { cmpStr } from '../analysis/util';
import { buildNameIndex, updateNameIndex, type NameIndex } from './name-index';

/** What a session keeps of the index between runs. */
export interface ProgramIndexState {
  prog: Program;
  cat: Catalog;
  /** Names defined as macros anywhere (macro primitives depend on which of them are functions). */
  macroNames: Set<string>;
  bindRecs: Map<string, FileBindRecs>;
  /** Binding records per function (valid while names, types and the catalog are unchanged). */
  bindFnCache: WeakMap<FnInfo, BindRec[]>;
  bindSig: string;
  bindings: Bindings;
  nameIdx: NameIndex | null;
}

/** The files of this run against the previous one. */
export interface FileDiff {
  /** Changed or added files (their facts) and removed ones (null). */
  changed: Map<string, FileFacts | null>;
  /** Names whose declarations changed. */
  dirtyNames: Set<string>;
}

/** What changed in the program since the previous run (all empty on a cold run). */
export interface IndexChanges {
  changed: Map<string, FileFacts | null>;
  /** New FnInfo objects (a changed IR makes a new one) and the ones they replace or that are gone. */
  added: FnInfo[];
  removed: FnInfo[];
  /** Removed FnInfo → the added one of the same key (edits replace objects). */
  swapped: Map<FnInfo, FnInfo>;
  /** Functions mentioning a name whose declaration changed. */
  mentioning: Set<FnInfo>;
}

export interface ProgramIndex {
  state: ProgramIndexState;
  changes: IndexChanges;
}

export interface IndexInput {
  /** Files sorted by path, and by path. */
  sorted: FileFacts[];
  fileMap: Map<string, FileFacts>;
  config: LockLensConfig;
  /** The previous run's files and index, with the diff against them; null: from scratch. */
  prev: { files: Map<string, FileFacts>; state: ProgramIndexState; diff: FileDiff } | null;
  /** A session: fill the caches only its next run reads. */
  keepCaches: boolean;
}

/** Changed files and names, or null when types or macros changed (start from scratch). */
export function diffFiles(before: Map<string, FileFacts>, fileMap: Map<string, FileFacts>): FileDiff | null {
  const changed = new Map<string, FileFacts | null>();
  for (const [p, f] of fileMap) if (before.get(p) !== f) changed.set(p, f);
  for (const p of before.keys()) if (!fileMap.has(p)) changed.set(p, null);
  for (const [p, f] of changed) if (hardPart(before.get(p)) !== hardPart(f)) return null;
  return { changed, dirtyNames: changedNames(before, fileMap, changed) };
}

/** The index of this run, or null when the function-pointer bindings changed (start from scratch). */
export function indexProgram(inp: IndexInput): ProgramIndex | null {
  const { prev } = inp;
  const base = prev ? patchIndex(inp, prev) : coldIndex(inp);
  const { prog, bindRecs, recsSame, changes } = base;
  // Records name functions by (name, file); unchanged records resolve to the same functions,
  // so only replaced FnInfo objects need swapping in.
  if (prev) pairReplacements(changes.added, changes.removed, changes.swapped);
  const bindings = recsSame ? remapBindings(prev!.state.bindings, changes.swapped) : mergeBindings(prog, prog.files.map((f) => bindRecs.get(f.file)!));
  const bindSig = recsSame ? prev!.state.bindSig : bindingsSig(bindings);
  // Function-pointer bindings feed every function's analysis: start from scratch.
  if (prev && bindSig !== prev.state.bindSig) return null;
  return { state: { prog, cat: base.cat, macroNames: base.macroNames, bindRecs, bindFnCache: base.bindFnCache, bindSig, bindings, nameIdx: base.nameIdx }, changes };
}

interface IndexBase {
  prog: Program;
  cat: Catalog;
  macroNames: Set<string>;
  bindRecs: Map<string, FileBindRecs>;
  bindFnCache: WeakMap<FnInfo, BindRec[]>;
  nameIdx: NameIndex | null;
  /** The bindings' inputs are unchanged (same records, no changed declarations). */
  recsSame: boolean;
  changes: IndexChanges;
}

function coldIndex(inp: IndexInput): IndexBase {
  const prog = new Program(inp.sorted);
  const cat = withMacroPrimitives(buildCatalog(inp.config), prog);
  const macroNames = new Set<string>();
  for (const f of prog.files) for (const m of f.macros ?? []) if (m?.name) macroNames.add(m.name);
  const bindFnCache = new WeakMap<FnInfo, BindRec[]>();
  // The per-function cache only pays off in a session's next run (a one-shot run fills it for nothing).
  const bindRecs = new Map(prog.files.map((f) => [f.file, fileBindRecs(prog, cat, f, inp.keepCaches ? bindFnCache : undefined)]));
  const changes: IndexChanges = { changed: new Map(), added: [], removed: [], swapped: new Map(), mentioning: new Set() };
  return { prog, cat, macroNames, bindRecs, bindFnCache, nameIdx: null, recsSame: false, changes };
}

function patchIndex(inp: IndexInput, prev: NonNullable<IndexInput['prev']>): IndexBase {
  const st = prev.state;
  const { changed, dirtyNames } = prev.diff;
  const prog = st.prog;
  const { added, removed } = prog.applyFiles(inp.sorted, changed, dirtyNames, (a, b) => a.line === b.line && a.endLine === b.endLine && sameJson(a, b));
  const macroNames = st.macroNames;
  const cat = [...dirtyNames].some((n) => macroNames.has(n)) ? withMacroPrimitives(buildCatalog(inp.config), prog) : st.cat;
  const bindRecs = st.bindRecs;
  const bindFnCache = !dirtyNames.size && cat === st.cat ? st.bindFnCache : new WeakMap<FnInfo, BindRec[]>();
  let recsSame = dirtyNames.size === 0;
  for (const [p, f] of changed) {
    const before = bindRecs.get(p);
    if (f) bindRecs.set(p, fileBindRecs(prog, cat, f, bindFnCache));
    else bindRecs.delete(p);
    if (recsSame && JSON.stringify(before ?? NO_RECS) !== JSON.stringify(bindRecs.get(p) ?? NO_RECS)) recsSame = false;
  }
  // Who mentions which name: built on the first run with changed declarations, then kept up
  // to date for the changed functions and files only.
  let nameIdx = st.nameIdx;
  if (nameIdx || dirtyNames.size) {
    if (!nameIdx) nameIdx = buildNameIndex(prog);
    else updateNameIndex(nameIdx, added, removed, changed, prev.files);
  }
  const mentioning = new Set<FnInfo>();
  if (dirtyNames.size) {
    const mentioningFiles = new Set<string>();
    for (const n of dirtyNames) {
      for (const f of nameIdx!.fns.get(n) ?? []) if (!nameIdx!.dead.has(f)) mentioning.add(f);
      for (const p of nameIdx!.globals.get(n) ?? []) mentioningFiles.add(p);
    }
    for (const f of mentioning) mentioningFiles.add(f.file);
    // A changed declaration may change how names elsewhere resolve.
    for (const p of mentioningFiles) {
      const f = inp.fileMap.get(p);
      if (f && !changed.has(p)) bindRecs.set(p, fileBindRecs(prog, cat, f));
    }
  }
  const changes: IndexChanges = { changed, added, removed, swapped: new Map(), mentioning };
  return { prog, cat, macroNames, bindRecs, bindFnCache, nameIdx, recsSame, changes };
}

/** Types and macros of a file ('' when it has none: adding or removing such a file changes nothing). */
function hardPart(f: FileFacts | null | undefined): string {
  if (!f || (f.structs?.length ?? 0) + (f.typedefs?.length ?? 0) + (f.macros?.length ?? 0) === 0) return '';
  return fileHardSig(f);
}

const NO_RECS: FileBindRecs = { globals: [], fns: [] };

/** Pairs each removed FnInfo with the added one of the same key (in order): edits replace objects. */
function pairReplacements(added: FnInfo[], removed: FnInfo[], out: Map<FnInfo, FnInfo>): void {
  const byKey = new Map<string, FnInfo[]>();
  for (const a of added) {
    const l = byKey.get(a.key);
    if (l) l.push(a);
    else byKey.set(a.key, [a]);
  }
  for (const r of removed) {
    const n = byKey.get(r.key)?.shift();
    if (n) out.set(r, n);
  }
}

function remapBindings(b: Bindings, swapped: Map<FnInfo, FnInfo>): Bindings {
  if (swapped.size === 0) return b;
  const hit = (l: FnInfo[]): boolean => l.some((f) => swapped.has(f));
  const list = (l: FnInfo[]): FnInfo[] => (hit(l) ? l.map((f) => swapped.get(f) ?? f) : l);
  const map = (m: Map<string, FnInfo[]>): Map<string, FnInfo[]> => {
    let any = false;
    for (const l of m.values()) if (hit(l)) any = true;
    if (!any) return m;
    const out = new Map<string, FnInfo[]>();
    for (const [k, l] of m) out.set(k, list(l));
    return out;
  };
  return { ops: map(b.ops), byField: map(b.byField), handles: map(b.handles), workFns: list(b.workFns), threadFns: list(b.threadFns), rcuCallbacks: list(b.rcuCallbacks), recursiveLocks: b.recursiveLocks };
}

function bindingsSig(b: Bindings): string {
  const keys = (l: FnInfo[]): string => l.map((f) => f.key).join(',');
  const map = (m: Map<string, FnInfo[]>): string =>
    [...m]
      .sort((x, y) => cmpStr(x[0], y[0]))
      .map(([k, l]) => `${k}=${keys(l)}`)
      .join(';');
  return [map(b.ops), map(b.byField), map(b.handles), keys(b.workFns), keys(b.threadFns), keys(b.rcuCallbacks), [...b.recursiveLocks].sort().join(',')].join('\u0001');
}

/** Deep equality of JSON-like values (IR): no serialisation, stops at the first difference. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    // Same key order as JSON.stringify would compare (IR objects are built by the same code).
    if (k !== kb[i]) return false;
    if (!sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** The catalog plus the tree's lock wrapper macros (see catalog/macro-prims.ts). */
function withMacroPrimitives(cat: Catalog, prog: Program): Catalog {
  const extra = macroPrimitives(
    prog.files.map((f) => f.macros),
    cat.prims,
    (n) => prog.byName.has(n),
  );
  if (!extra.length) return cat;
  const prims = new Map(cat.prims);
  for (const p of extra) prims.set(p.name, p);
  return { ...cat, prims };
}
