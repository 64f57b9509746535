/**
 * Who mentions which name: the index program-index.ts uses to find the functions and files a
 * changed declaration (signature, global, prototype) may affect.
 */
import type { FileFacts } from '../ir';
import type { FnInfo, Program } from '../analysis/program';
import { referencedNames } from '../analysis/scc-summaries';
import { addTo } from './keys';

/**
 * Name → functions mentioning it, and → files whose global initialisers mention it. The function
 * lists are arrays in insertion order (a function adds each of its names once): 550 k Set
 * insertions were a third of building the index on a series' first patch. Removed functions are
 * tombstoned in `dead` and skipped by readers (what Set.delete did, in O(1) per keystroke), and
 * the lists are compacted once `nameIndexTuning.deadMax` have piled up.
 */
export interface NameIndex {
  fns: Map<string, FnInfo[]>;
  dead: Set<FnInfo>;
  globals: Map<string, Set<string>>;
}

/** Tombstones kept before the name index is compacted (a knob for the tests). */
export const nameIndexTuning = { deadMax: 1024 };

const globalNamesCache = new WeakMap<FileFacts, Set<string>>();
function globalNames(f: FileFacts): Set<string> {
  let refs = globalNamesCache.get(f);
  if (!refs) {
    refs = new Set<string>();
    for (const m of JSON.stringify(f.globals ?? []).matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) refs.add(m[0]);
    globalNamesCache.set(f, refs);
  }
  return refs;
}

function addFn(m: Map<string, FnInfo[]>, n: string, f: FnInfo): void {
  const l = m.get(n);
  if (l) l.push(f);
  else m.set(n, [f]);
}

export function buildNameIndex(prog: Program): NameIndex {
  const idx: NameIndex = { fns: new Map(), dead: new Set(), globals: new Map() };
  for (const f of prog.fns) for (const n of referencedNames(f.ir)) addFn(idx.fns, n, f);
  for (const f of prog.files) for (const n of globalNames(f)) addTo(idx.globals, n, f.file);
  return idx;
}

export function updateNameIndex(idx: NameIndex, added: FnInfo[], removed: FnInfo[], changed: Map<string, FileFacts | null>, before: Map<string, FileFacts>): void {
  for (const o of removed) idx.dead.add(o);
  if (idx.dead.size >= nameIndexTuning.deadMax) {
    for (const [n, l] of idx.fns) {
      const live = l.filter((f) => !idx.dead.has(f));
      if (live.length) idx.fns.set(n, live);
      else idx.fns.delete(n);
    }
    idx.dead.clear();
  }
  for (const a of added) {
    // A function object that comes back is live again (a stale entry of it only repeats it).
    idx.dead.delete(a);
    for (const n of referencedNames(a.ir)) addFn(idx.fns, n, a);
  }
  for (const [p, f] of changed) {
    const o = before.get(p);
    if (o) for (const n of globalNames(o)) idx.globals.get(n)?.delete(p);
    if (f) for (const n of globalNames(f)) addTo(idx.globals, n, p);
  }
}
