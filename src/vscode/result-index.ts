/**
 * Lookup tables over one `AnalysisResult`, built once per result so providers (CodeLens, hover,
 * decorations, views) answer from maps instead of scanning arrays on every request.
 * Also applies the per-rule settings (off / severity override). Pure: no vscode import.
 */
import type { AnalysisResult, Finding, FunctionFacts, LockClass, LockEdge, LockSite, Severity } from '../engine/model';
import { RULE_IDS } from '../engine/model';
import type { RuleLevel } from './ids';

export interface FileEntry {
  sites: LockSite[];
  functions: FunctionFacts[];
  findings: Finding[];
}

const EMPTY: FileEntry = Object.freeze({ sites: [], functions: [], findings: [] }) as FileEntry;

/** Site operations that take a lock (the ones annotated inline). */
export const ACQUIRE_OPS: ReadonlySet<LockSite['op']> = new Set(['acquire', 'trylock', 'guard', 'rcu-read-lock']);

export type RuleSettings = Partial<Record<string, RuleLevel>>;

/** Drops findings of disabled rules and applies severity overrides; unknown levels are ignored. */
export function applyRuleSettings(findings: readonly Finding[], rules: RuleSettings): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const level = rules[f.rule];
    if (level === 'off') continue;
    if (level === 'error' || level === 'warning' || level === 'info') out.push({ ...f, severity: level as Severity });
    else out.push(f);
  }
  return out;
}

export function functionKey(file: string, name: string): string {
  return `${file}\u0000${name}`;
}

export class ResultIndex {
  readonly locks = new Map<string, LockClass>();
  readonly findings: Finding[];
  private readonly files = new Map<string, FileEntry>();
  private readonly sitesByLock = new Map<string, LockSite[]>();
  private readonly edgesFrom = new Map<string, LockEdge[]>();
  private readonly edgesTo = new Map<string, LockEdge[]>();
  private readonly findingsByFunction = new Map<string, Finding[]>();
  private readonly functionsByName = new Map<string, FunctionFacts[]>();
  /** Lock classes by their short name (`ovs_mutex`, `lock`): hovers resolve words through it. */
  private readonly locksByName = new Map<string, LockClass[]>();

  constructor(
    readonly result: AnalysisResult,
    rules: RuleSettings = {},
  ) {
    this.findings = applyRuleSettings(result.findings, rules);
    for (const l of result.locks) {
      this.locks.set(l.id, l);
      push(this.locksByName, l.name, l);
      if (l.id !== l.name) push(this.locksByName, l.id, l);
    }
    for (const s of result.sites) {
      this.file(s.file, true).sites.push(s);
      for (const id of s.locks) push(this.sitesByLock, id, s);
    }
    for (const fn of result.functions) {
      this.file(fn.file, true).functions.push(fn);
      push(this.functionsByName, fn.name, fn);
    }
    for (const f of this.findings) {
      this.file(f.file, true).findings.push(f);
      push(this.findingsByFunction, functionKey(f.file, f.function), f);
    }
    for (const e of result.edges) {
      push(this.edgesFrom, e.from, e);
      push(this.edgesTo, e.to, e);
    }
    for (const entry of this.files.values()) {
      entry.sites.sort((a, b) => a.line - b.line || a.col - b.col);
      entry.functions.sort((a, b) => a.line - b.line);
    }
  }

  private file(path: string, create: boolean): FileEntry {
    let e = this.files.get(path);
    if (!e && create) {
      e = { sites: [], functions: [], findings: [] };
      this.files.set(path, e);
    }
    return e ?? EMPTY;
  }

  forFile(path: string): FileEntry {
    return this.file(path, false);
  }

  filesWithFindings(): string[] {
    return [...this.files.entries()].filter(([, e]) => e.findings.length > 0).map(([f]) => f);
  }

  sitesOf(lockId: string): LockSite[] {
    return this.sitesByLock.get(lockId) ?? [];
  }

  edgesOut(lockId: string): LockEdge[] {
    return this.edgesFrom.get(lockId) ?? [];
  }

  edgesIn(lockId: string): LockEdge[] {
    return this.edgesTo.get(lockId) ?? [];
  }

  findingsOf(file: string, fn: string): Finding[] {
    return this.findingsByFunction.get(functionKey(file, fn)) ?? [];
  }

  functionsNamed(name: string): FunctionFacts[] {
    return this.functionsByName.get(name) ?? [];
  }

  locksNamed(word: string): LockClass[] {
    return this.locksByName.get(word) ?? [];
  }

  /** The function whose body contains `line` in `file` (innermost by start line). */
  functionAt(file: string, line: number): FunctionFacts | undefined {
    let best: FunctionFacts | undefined;
    for (const fn of this.forFile(file).functions) {
      if (fn.line <= line && line <= fn.endLine && (!best || fn.line >= best.line)) best = fn;
    }
    return best;
  }

  /** Lock sites on `line` whose call text covers column `col` (or any on the line when col < 0). */
  sitesAt(file: string, line: number, col = -1): LockSite[] {
    return this.forFile(file).sites.filter(
      (s) => s.line === line && (col < 0 || (col >= s.col && col <= s.col + Math.max(1, firstLineLength(s.text)))),
    );
  }

  countBySeverity(): Record<Severity, number> {
    const c: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
    for (const f of this.findings) c[f.severity]++;
    return c;
  }
}

function firstLineLength(text: string): number {
  const nl = text.indexOf('\n');
  return nl < 0 ? text.length : nl;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

/** Rule ids, re-exported for the settings schema and the manifest test. */
export const ALL_RULES: readonly string[] = RULE_IDS;
