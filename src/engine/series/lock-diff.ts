/**
 * What changed between two analyses of the same tree: lock-order edges, lock classes, entry
 * lock contexts, contention paths, RCU publication/free sites and `__rcu` pointers, findings.
 * Everything is matched by a location-free key (edge endpoints, class id, function name,
 * finding fingerprint), so code that merely moves is not reported as changed.
 */
import type { FileFacts } from '../ir';
import type { AnalysisResult, Finding, FunctionFacts, LockClass, LockEdge, LockSet, LockSite } from '../model';

/** Contention on `contended` reaches `fn` through the chain `via` (outermost lock last). */
export interface ContentionPath {
  key: string;
  contended: string;
  via: string[];
  function: string;
  file: string;
  line: number;
}

export type RcuKind = 'rcu-pointer' | 'rcu-publish' | 'rcu-free' | 'grace-period';

export interface RcuItem {
  key: string;
  kind: RcuKind;
  /** `struct datapath.upcall_portids`, or the call text for sites. */
  what: string;
  function: string;
  file: string;
  line: number;
}

export interface EntryChange {
  name: string;
  file: string;
  line: number;
  before: LockSet;
  after: LockSet;
}

export interface LockDelta {
  edgesAdded: LockEdge[];
  edgesRemoved: LockEdge[];
  locksAdded: LockClass[];
  locksRemoved: LockClass[];
  entryChanged: EntryChange[];
  findingsIntroduced: Finding[];
  findingsResolved: Finding[];
  findingsPersisting: Finding[];
  contentionAdded: ContentionPath[];
  contentionRemoved: ContentionPath[];
  rcuAdded: RcuItem[];
  rcuRemoved: RcuItem[];
}

export interface AnalysedState {
  result: AnalysisResult;
  facts: readonly FileFacts[];
}

export const edgeKey = (e: Pick<LockEdge, 'from' | 'to'>) => `${e.from} -> ${e.to}`;
export const findingKey = (f: Finding) => f.fingerprint || `${f.rule}|${f.function}|${f.locks.join(',')}`;

// Key maps per array: a series compares each result with the one before and the one after it.
const keyMaps = new WeakMap<readonly unknown[], { key: unknown; map: Map<string, unknown> }>();
function keyed<T>(xs: readonly T[], key: (t: T) => string): Map<string, T> {
  const hit = keyMaps.get(xs);
  if (hit && hit.key === key) return hit.map as Map<string, T>;
  const map = new Map(xs.map((x) => [key(x), x] as const));
  keyMaps.set(xs, { key, map });
  return map;
}

function splitByKey<T>(before: readonly T[], after: readonly T[], key: (t: T) => string) {
  const b = keyed(before, key);
  const a = keyed(after, key);
  return {
    added: [...a.entries()].filter(([k]) => !b.has(k)).map(([, v]) => v),
    removed: [...b.entries()].filter(([k]) => !a.has(k)).map(([, v]) => v),
    kept: [...a.entries()].filter(([k]) => b.has(k)).map(([, v]) => v),
  };
}

/** Function identity that survives line moves; file is added only for names defined twice. */
function functionKeys(fns: readonly FunctionFacts[]): Map<string, FunctionFacts> {
  const count = new Map<string, number>();
  for (const f of fns) count.set(f.name, (count.get(f.name) ?? 0) + 1);
  return new Map(fns.map((f) => [(count.get(f.name) ?? 0) > 1 ? `${f.name}@${f.file}` : f.name, f] as const));
}

// Same order as String#localeCompare with default options, without its per-call set-up (the
// sort of a whole tree's contention paths took most of a patch's diff time).
const collate = new Intl.Collator().compare;

const setKey = (s: readonly string[]) => [...new Set(s)].sort().join(',');
const sameSet = (a: LockSet, b: LockSet) => setKey(a.must) === setKey(b.must) && setKey(a.may) === setKey(b.may);

function entryChanges(before: readonly FunctionFacts[], after: readonly FunctionFacts[]): EntryChange[] {
  const b = functionKeys(before);
  const out: EntryChange[] = [];
  for (const [k, fa] of functionKeys(after)) {
    const fb = b.get(k);
    // Consecutive session results share unchanged FunctionFacts objects: nothing to compare.
    if (!fb || fb === fa || sameSet(fb.entry, fa.entry)) continue;
    out.push({ name: fa.name, file: fa.file, line: fa.line, before: fb.entry, after: fa.entry });
  }
  return out.sort((x, y) => collate(x.file, y.file) || x.line - y.line);
}

const ACQUIRE_OPS = new Set(['acquire', 'guard', 'trylock']);

/**
 * Contention transfer: while a holder of L waits for contended C (edge L → C), every function
 * that takes L itself (without being a user of C) waits too. Victims are entry points (no
 * caller found) or functions acquiring L directly; lock wrappers (returning with L held) and
 * functions entered with L already held are not. Followed two levels deep.
 */
export function contentionPaths(r: AnalysisResult): ContentionPath[] {
  let v = contentionMemo.get(r);
  if (!v) contentionMemo.set(r, (v = computeContentionPaths(r)));
  return v;
}

// A series diffs every patch against the previous one: each result is read twice, and on a
// whole tree the path search dominated the per-patch time (a scan of every function per edge).
const contentionMemo = new WeakMap<AnalysisResult, ContentionPath[]>();

function computeContentionPaths(r: AnalysisResult): ContentionPath[] {
  const contended = new Set(r.locks.filter((l) => l.contended).map((l) => l.id));
  const direct = new Set<string>();
  for (const s of r.sites) if (ACQUIRE_OPS.has(s.op)) for (const l of s.locks) direct.add(`${l}|${s.function}@${s.file}`);
  // Functions by acquired lock, in result order (the victims' order below is the old scan's).
  const acquirers = new Map<string, FunctionFacts[]>();
  for (const f of r.functions) {
    for (const l of new Set(f.acquires)) {
      const list = acquirers.get(l);
      if (list) list.push(f);
      else acquirers.set(l, [f]);
    }
  }
  // The same holder is reached through many chains: its victims depend only on (lock, c).
  const victimMemo = new Map<string, FunctionFacts[]>();
  const victims = (lock: string, c: string): FunctionFacts[] => {
    const k = `${lock}\u0000${c}`;
    let v = victimMemo.get(k);
    if (!v) victimMemo.set(k, (v = victimsOf(lock, c)));
    return v;
  };
  const victimsOf = (lock: string, c: string) =>
    (acquirers.get(lock) ?? []).filter(
      (f) =>
        !f.acquires.includes(c) &&
        !f.entry.may.includes(lock) &&
        !f.returnsHolding.includes(lock) &&
        (f.callers === 0 || direct.has(`${lock}|${f.name}@${f.file}`)),
    );
  const into = new Map<string, LockEdge[]>();
  for (const e of r.edges) {
    if (e.trylock || e.from === e.to) continue;
    const list = into.get(e.to) ?? [];
    list.push(e);
    into.set(e.to, list);
  }
  const out = new Map<string, ContentionPath>();
  const visit = (c: string, chain: string[]) => {
    const head = chain.length ? chain[chain.length - 1] : c;
    for (const e of into.get(head) ?? []) {
      if (e.from === c || chain.includes(e.from) || contended.has(e.from)) continue;
      const via = [...chain, e.from];
      for (const f of victims(e.from, c)) {
        const key = [c, ...via, f.name].join(' ⇢ ');
        if (!out.has(key)) out.set(key, { key, contended: c, via, function: f.name, file: f.file, line: f.line });
      }
      if (via.length < 2) visit(c, via);
    }
  };
  for (const c of [...contended].sort()) visit(c, []);
  return [...out.values()].sort((a, b) => collate(a.key, b.key));
}

const RCU_SITE_OPS: Partial<Record<LockSite['op'], RcuKind>> = { 'rcu-publish': 'rcu-publish', 'rcu-free': 'rcu-free', 'grace-period': 'grace-period' };

const normText = (t: string) => t.replace(/\s+/g, ' ').trim();

export function rcuItems(state: AnalysedState): RcuItem[] {
  let v = rcuMemo.get(state.result);
  if (!v || v.facts !== state.facts) rcuMemo.set(state.result, (v = { facts: state.facts, items: computeRcuItems(state) }));
  return v.items;
}

const rcuMemo = new WeakMap<AnalysisResult, { facts: readonly FileFacts[]; items: RcuItem[] }>();

function computeRcuItems(state: AnalysedState): RcuItem[] {
  const out = new Map<string, RcuItem>();
  for (const f of state.facts) {
    for (const s of f.structs) {
      for (const fld of s.fields) {
        if (!fld.type.rcu) continue;
        const what = `struct ${s.name}.${fld.name}`;
        out.set(`rcu-pointer|${what}`, { key: `rcu-pointer|${what}`, kind: 'rcu-pointer', what, function: '', file: f.file, line: fld.line });
      }
    }
    for (const g of f.globals) {
      if (!g.type.rcu) continue;
      out.set(`rcu-pointer|${g.name}`, { key: `rcu-pointer|${g.name}`, kind: 'rcu-pointer', what: g.name, function: '', file: f.file, line: g.line });
    }
  }
  for (const s of state.result.sites) {
    const kind = RCU_SITE_OPS[s.op];
    if (!kind) continue;
    const what = normText(s.text);
    const key = `${kind}|${s.function}|${what}`;
    if (!out.has(key)) out.set(key, { key, kind, what, function: s.function, file: s.file, line: s.line });
  }
  return [...out.values()];
}

const lockId = (l: LockClass): string => l.id;
const contentionKey = (p: ContentionPath): string => p.key;
const rcuKey = (i: RcuItem): string => i.key;

export function diffStates(before: AnalysedState, after: AnalysedState): LockDelta {
  const edges = splitByKey(before.result.edges, after.result.edges, edgeKey);
  const locks = splitByKey(before.result.locks, after.result.locks, lockId);
  const findings = splitByKey(before.result.findings, after.result.findings, findingKey);
  const contention = splitByKey(contentionPaths(before.result), contentionPaths(after.result), contentionKey);
  const rcu = splitByKey(rcuItems(before), rcuItems(after), rcuKey);
  return {
    edgesAdded: edges.added,
    edgesRemoved: edges.removed,
    locksAdded: locks.added,
    locksRemoved: locks.removed,
    entryChanged: entryChanges(before.result.functions, after.result.functions),
    findingsIntroduced: findings.added,
    findingsResolved: findings.removed,
    findingsPersisting: findings.kept,
    contentionAdded: contention.added,
    contentionRemoved: contention.removed,
    rcuAdded: rcu.added,
    rcuRemoved: rcu.removed,
  };
}

export function isEmptyDelta(d: LockDelta): boolean {
  return (Object.keys(d) as (keyof LockDelta)[]).every((k) => k === 'findingsPersisting' || d[k].length === 0);
}
