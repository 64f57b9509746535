/**
 * Shape statistics of a C tree: how big its functions are, how much they lock, how deep the
 * call graph and the lock nesting go. Used to calibrate the synthetic benchmark corpus against
 * real trees (OVS userspace, kernel net/) and by tests that keep the generator calibrated.
 *
 * The lock figures come from the engine's own analysis (`analyzeFacts` over `prepareTree`), so
 * they count exactly what LockLens sees; the syntactic figures (calls, gotos, macros) walk the IR.
 */
import type { AnalysisResult, LockSite } from '../../engine/model';
import type { Expr, FileFacts, Stmt } from '../../engine/ir';
import { analyzeFacts } from '../../engine/index';
import { callsInOrder, calleeName, forEachStmtExpr } from '../../engine/analysis/expr';
import { prepareTree } from '../analyze-tree';
import { round } from './stats';

const MB = 1024 * 1024;

/** Site ops that start a lock (or RCU read-side) section. */
const ACQUIRE_OPS = new Set<LockSite['op']>(['acquire', 'trylock', 'guard', 'rcu-read-lock']);

export interface CorpusStats {
  files: number;
  cFiles: number;
  bytes: number;
  /** bytes / 2^20 */
  mb: number;
  lines: number;
  functions: number;
  bytesPerFunction: number;
  functionsPerMb: number;
  /** Acquisition sites (acquire, trylock, guard, rcu_read_lock-like) as the analysis reports them. */
  acquisitions: number;
  acquisitionsPerFunction: number;
  acquisitionsPerMb: number;
  /** Functions with at least one acquisition site of their own. */
  lockingFunctionShare: number;
  lockClasses: number;
  lockClassesPerMb: number;
  edges: number;
  edgesPerMb: number;
  /** Resolved call edges (the engine's `stats.callSites`). */
  callSites: number;
  callSitesPerFunction: number;
  /** Every call expression in function bodies (library, macro and unresolved calls included). */
  callExprsPerFunction: number;
  /** Call expressions whose callee is not a plain name (`ops->open(x)`, `(*fn)(x)`). */
  indirectCallShare: number;
  /** File-scope initialisers with at least two designated entries naming functions (`.open = foo_open`). */
  opsTables: number;
  opsTablesPerMb: number;
  gotosPerFunction: number;
  /** Functions with at least one `goto`. */
  gotoFunctionShare: number;
  /** `#define`s per MB. */
  macrosPerMb: number;
  /** Iterator-macro loops (`list_for_each_entry`, `HMAP_FOR_EACH`...) per function. */
  iteratorLoopsPerFunction: number;
  /** `#if`/`#ifdef` regions inside function bodies, per MB. */
  bodyIfdefsPerMb: number;
  /** Lock annotations (OVS_REQUIRES, __must_hold...) on functions and prototypes, per function. */
  annotationsPerFunction: number;
  /**
   * Lock-section nesting: locks held just after an acquisition that the function itself took
   * (the new one included; held-at-entry locks excluded), mean and max over acquisition sites.
   */
  meanLockNesting: number;
  maxLockNesting: number;
  /** The same with the entry context included (locks callers hold): how far held sets propagate. */
  meanHeldAtAcquire: number;
  maxHeldAtAcquire: number;
  /** Longest chain of direct calls between defined functions (SCCs collapsed): max and mean over functions. */
  maxCallDepth: number;
  meanCallDepth: number;
  findings: number;
  findingsPerMb: number;
}

/** Keys of the per-MB/per-function figures a calibration compares (everything but raw counts). */
export const CALIBRATED_FIGURES = [
  'bytesPerFunction',
  'functionsPerMb',
  'acquisitionsPerFunction',
  'acquisitionsPerMb',
  'lockingFunctionShare',
  'lockClassesPerMb',
  'edgesPerMb',
  'callSitesPerFunction',
  'callExprsPerFunction',
  'indirectCallShare',
  'opsTablesPerMb',
  'gotosPerFunction',
  'gotoFunctionShare',
  'macrosPerMb',
  'iteratorLoopsPerFunction',
  'bodyIfdefsPerMb',
  'annotationsPerFunction',
  'meanLockNesting',
  'maxLockNesting',
  'meanHeldAtAcquire',
  'maxHeldAtAcquire',
  'maxCallDepth',
  'meanCallDepth',
  'findingsPerMb',
] as const satisfies readonly (keyof CorpusStats)[];

interface StmtCounts {
  gotos: number;
  iterLoops: number;
  ifdefs: number;
}

function walkStmt(s: Stmt | null, c: StmtCounts): void {
  if (!s) return;
  switch (s.k) {
    case 'block':
      for (const x of s.body) walkStmt(x, c);
      return;
    case 'if':
      walkStmt(s.then, c);
      walkStmt(s.else, c);
      return;
    case 'while':
      if (s.macro) c.iterLoops++;
      walkStmt(s.body, c);
      return;
    case 'do':
    case 'for':
    case 'switch':
      walkStmt(s.body, c);
      if (s.k === 'for') walkStmt(s.init, c);
      return;
    case 'goto':
      c.gotos++;
      return;
    case 'scoped_guard':
      walkStmt(s.body, c);
      walkStmt(s.fail, c);
      return;
    case 'alt':
      c.ifdefs++;
      for (const a of s.arms) walkStmt(a, c);
      return;
    default:
      return;
  }
}

/** A file-scope initialiser that maps designated fields to functions defined in the tree. */
function isOpsTable(init: Expr | null, fnNames: Set<string>): boolean {
  if (!init || init.k !== 'init') return false;
  let n = 0;
  for (const e of init.entries) if (e.field && e.value.k === 'id' && fnNames.has(e.value.name)) n++;
  return n >= 2;
}

/**
 * Longest direct-call chain from each function (its "height"), with recursion collapsed: a
 * function on the current DFS path contributes nothing more (a back edge ends the chain).
 */
function callDepths(facts: FileFacts[]): number[] {
  // Statics resolve within their file first, like the engine's resolveCall.
  const global = new Map<string, string>();
  const keys: string[] = [];
  const bodies = new Map<string, { file: string; callees: string[] }>();
  for (const f of facts) {
    for (const fn of f.functions) {
      const key = `${f.file}::${fn.name}`;
      if (bodies.has(key)) continue;
      keys.push(key);
      if (!fn.isStatic && !global.has(fn.name)) global.set(fn.name, key);
      const names: string[] = [];
      forEachStmtExpr(fn.body, (e) => {
        const calls: (Expr & { k: 'call' })[] = [];
        callsInOrder(e, calls);
        for (const c of calls) {
          const n = calleeName(c);
          if (n) names.push(n);
        }
      });
      bodies.set(key, { file: f.file, callees: names });
    }
  }
  const resolve = (name: string, file: string): string | undefined => {
    const local = `${file}::${name}`;
    return bodies.has(local) ? local : global.get(name);
  };
  const succ = new Map<string, string[]>();
  for (const k of keys) {
    const b = bodies.get(k)!;
    const out = new Set<string>();
    for (const n of b.callees) {
      const r = resolve(n, b.file);
      if (r && r !== k) out.add(r);
    }
    succ.set(k, [...out]);
  }
  // Iterative DFS (deep call chains must not overflow the JS stack).
  const height = new Map<string, number>();
  const onPath = new Set<string>();
  for (const root of keys) {
    if (height.has(root)) continue;
    const stack: { k: string; i: number; best: number }[] = [{ k: root, i: 0, best: 0 }];
    onPath.add(root);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const ss = succ.get(top.k)!;
      if (top.i < ss.length) {
        const w = ss[top.i++]!;
        const h = height.get(w);
        if (h !== undefined) top.best = Math.max(top.best, h + 1);
        else if (!onPath.has(w)) {
          onPath.add(w);
          stack.push({ k: w, i: 0, best: 0 });
        }
        continue;
      }
      stack.pop();
      onPath.delete(top.k);
      height.set(top.k, top.best);
      const parent = stack[stack.length - 1];
      if (parent) parent.best = Math.max(parent.best, top.best + 1);
    }
  }
  return keys.map((k) => height.get(k)!);
}

/** Pure: figures of a tree from its per-file facts and the analysis of those facts. */
export function corpusStatsOf(facts: FileFacts[], result: AnalysisResult): CorpusStats {
  const bytes = facts.reduce((s, f) => s + f.bytes, 0);
  const mb = bytes / MB || 1e-9;
  const fnNames = new Set<string>();
  let functions = 0;
  let annotations = 0;
  let callExprs = 0;
  let indirect = 0;
  let gotoFns = 0;
  const counts: StmtCounts = { gotos: 0, iterLoops: 0, ifdefs: 0 };
  for (const f of facts) {
    for (const fn of f.functions) {
      fnNames.add(fn.name);
      functions++;
      annotations += fn.annotations.length;
      const before = counts.gotos;
      walkStmt(fn.body, counts);
      if (counts.gotos > before) gotoFns++;
      forEachStmtExpr(fn.body, (e) => {
        const calls: (Expr & { k: 'call' })[] = [];
        callsInOrder(e, calls);
        for (const c of calls) {
          callExprs++;
          if (!calleeName(c)) indirect++;
        }
      });
    }
    for (const p of f.prototypes) annotations += p.annotations.length;
  }
  let opsTables = 0;
  for (const f of facts) for (const g of f.globals) if (isOpsTable(g.init, fnNames)) opsTables++;
  const macros = facts.reduce((s, f) => s + f.macros.length, 0);

  const acq = result.sites.filter((s) => ACQUIRE_OPS.has(s.op));
  const locking = new Set(acq.map((s) => `${s.file}::${s.function}`));
  const entryMay = new Map(result.functions.map((f) => [`${f.file}::${f.name}`, new Set(f.entry.may)]));
  const held = acq.map((s) => Math.max(1, s.heldAfter.may.length));
  const nest = acq.map((s) => {
    const entry = entryMay.get(`${s.file}::${s.function}`);
    return Math.max(1, entry ? s.heldAfter.may.filter((l) => !entry.has(l)).length : s.heldAfter.may.length);
  });
  const depths = callDepths(facts);
  const fns = functions || 1;
  const stats: CorpusStats = {
    files: facts.length,
    cFiles: facts.filter((f) => f.file.endsWith('.c')).length,
    bytes,
    mb,
    lines: facts.reduce((s, f) => s + f.lines, 0),
    functions,
    bytesPerFunction: bytes / fns,
    functionsPerMb: functions / mb,
    acquisitions: acq.length,
    acquisitionsPerFunction: acq.length / fns,
    acquisitionsPerMb: acq.length / mb,
    lockingFunctionShare: locking.size / fns,
    lockClasses: result.locks.length,
    lockClassesPerMb: result.locks.length / mb,
    edges: result.edges.length,
    edgesPerMb: result.edges.length / mb,
    callSites: result.stats.callSites,
    callSitesPerFunction: result.stats.callSites / fns,
    callExprsPerFunction: callExprs / fns,
    indirectCallShare: callExprs ? indirect / callExprs : 0,
    opsTables,
    opsTablesPerMb: opsTables / mb,
    gotosPerFunction: counts.gotos / fns,
    gotoFunctionShare: gotoFns / fns,
    macrosPerMb: macros / mb,
    iteratorLoopsPerFunction: counts.iterLoops / fns,
    bodyIfdefsPerMb: counts.ifdefs / mb,
    annotationsPerFunction: annotations / fns,
    meanLockNesting: nest.length ? nest.reduce((a, b) => a + b, 0) / nest.length : 0,
    maxLockNesting: nest.reduce((a, b) => Math.max(a, b), 0),
    meanHeldAtAcquire: held.length ? held.reduce((a, b) => a + b, 0) / held.length : 0,
    maxHeldAtAcquire: held.reduce((a, b) => Math.max(a, b), 0),
    maxCallDepth: depths.reduce((a, b) => Math.max(a, b), 0),
    meanCallDepth: depths.length ? depths.reduce((a, b) => a + b, 0) / depths.length : 0,
    findings: result.findings.length,
    findingsPerMb: result.findings.length / mb,
  };
  return stats;
}

/** Extracts and analyses the tree at `root` (no fact cache, nothing written) and measures it. */
export async function measureCorpusStats(root: string, opts: { parser?: 'wasm' | 'native'; jobs?: number } = {}): Promise<CorpusStats> {
  const prep = await prepareTree({ root, parser: opts.parser ?? 'wasm', jobs: opts.jobs ?? 1, cacheDir: null });
  const result = analyzeFacts(prep.facts, { config: prep.config });
  return corpusStatsOf(prep.facts, result);
}

/** Rounded copy for JSON (4 significant decimals on ratios). */
export function roundStats(s: CorpusStats): CorpusStats {
  const out = { ...s };
  for (const [k, v] of Object.entries(out)) if (typeof v === 'number' && !Number.isInteger(v)) (out as Record<string, number>)[k] = round(v, 3);
  return out;
}

const LABELS: Record<(typeof CALIBRATED_FIGURES)[number], string> = {
  bytesPerFunction: 'bytes / function',
  functionsPerMb: 'functions / MB',
  acquisitionsPerFunction: 'lock acquisitions / function',
  acquisitionsPerMb: 'lock acquisitions / MB',
  lockingFunctionShare: 'share of functions taking a lock',
  lockClassesPerMb: 'lock classes / MB',
  edgesPerMb: 'lock-order edges / MB',
  callSitesPerFunction: 'resolved call sites / function',
  callExprsPerFunction: 'call expressions / function',
  indirectCallShare: 'indirect-call share',
  opsTablesPerMb: 'ops tables / MB',
  gotosPerFunction: 'gotos / function',
  gotoFunctionShare: 'share of functions with a goto',
  macrosPerMb: '#defines / MB',
  iteratorLoopsPerFunction: 'iterator-macro loops / function',
  bodyIfdefsPerMb: '#if in bodies / MB',
  annotationsPerFunction: 'lock annotations / function',
  meanLockNesting: 'lock nesting in a function, mean',
  maxLockNesting: 'lock nesting in a function, max',
  meanHeldAtAcquire: 'locks held at an acquisition, mean',
  maxHeldAtAcquire: 'locks held at an acquisition, max',
  maxCallDepth: 'call depth, max',
  meanCallDepth: 'call depth, mean',
  findingsPerMb: 'findings / MB',
};

function fmt(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/** Text table with one column per measured tree. */
export function renderCorpusStats(cols: { name: string; stats: CorpusStats }[]): string {
  const rows: string[][] = [['figure', ...cols.map((c) => c.name)]];
  rows.push(['files', ...cols.map((c) => fmt(c.stats.files))]);
  rows.push(['MB', ...cols.map((c) => c.stats.mb.toFixed(2))]);
  rows.push(['functions', ...cols.map((c) => fmt(c.stats.functions))]);
  rows.push(['lock classes', ...cols.map((c) => fmt(c.stats.lockClasses))]);
  rows.push(['lock-order edges', ...cols.map((c) => fmt(c.stats.edges))]);
  for (const k of CALIBRATED_FIGURES) rows.push([LABELS[k], ...cols.map((c) => fmt(c.stats[k]))]);
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(w[i]!) : cell.padStart(w[i]!))).join('  ')).join('\n') + '\n';
}
