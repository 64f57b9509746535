/**
 * Turns the embedded / posted data into a `WebviewData` the views can trust: the views index
 * arrays and read string fields without checks, so anything malformed is dropped here with a
 * note the app shows, instead of throwing halfway through rendering.
 */
import type { AnalysisResult, Finding, LockClass, LockEdge, WitnessStep } from '../engine/model';
import type {
  EntryContextChange,
  SeriesEdge,
  SeriesFinding,
  SeriesJson,
  SeriesLock,
  SeriesContentionPath,
  SeriesPatch,
  SeriesRcuItem,
  SweepCell,
  SweepJson,
  WebviewData,
} from '../protocol/webview-messages';

export interface NormalisedData {
  data: WebviewData;
  /** Human-readable notes about dropped or malformed parts. */
  notes: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, dflt = ''): string => (typeof v === 'string' ? v : v == null ? dflt : String(v));
const num = (v: unknown, dflt = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : dflt);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function strings(v: unknown): string[] {
  return arr(v).filter((s): s is string => typeof s === 'string');
}

function step(v: unknown): WitnessStep | null {
  if (!isObj(v)) return null;
  return { file: str(v.file), line: Math.max(0, Math.trunc(num(v.line))), function: str(v.function), note: str(v.note) };
}

function steps(v: unknown): WitnessStep[] {
  return arr(v).map(step).filter((s): s is WitnessStep => s !== null);
}

function lock(v: unknown): LockClass | null {
  if (!isObj(v) || typeof v.id !== 'string' || v.id === '') return null;
  return {
    id: v.id,
    kind: (str(v.kind, 'other') as LockClass['kind']) || 'other',
    name: str(v.name, v.id),
    struct: typeof v.struct === 'string' ? v.struct : null,
    lockType: (str(v.lockType, 'unknown') as LockClass['lockType']) || 'unknown',
    sites: Math.max(0, num(v.sites)),
    contended: v.contended === true,
  };
}

function edge(v: unknown): LockEdge | null {
  if (!isObj(v) || typeof v.from !== 'string' || typeof v.to !== 'string') return null;
  const witnesses = arr(v.witnesses).map(steps).filter((w) => w.length > 0);
  return { from: v.from, to: v.to, witnesses, count: Math.max(witnesses.length, num(v.count, witnesses.length)), trylock: v.trylock === true };
}

function finding(v: unknown): Finding | null {
  if (!isObj(v) || typeof v.rule !== 'string') return null;
  const sev = str(v.severity, 'warning');
  return {
    rule: v.rule as Finding['rule'],
    severity: (sev === 'error' || sev === 'info' ? sev : 'warning') as Finding['severity'],
    message: str(v.message),
    file: str(v.file),
    line: Math.max(0, Math.trunc(num(v.line))),
    function: str(v.function),
    locks: strings(v.locks),
    witness: steps(v.witness),
    fingerprint: str(v.fingerprint),
  };
}

/** Series edges must say which patch changed them; without it we can only say "by the end of the series". */
function withPatch<T>(base: T | null, v: unknown, lastPatch: number): (T & { patch: number }) | null {
  if (!base || !isObj(v)) return null;
  return { ...base, patch: typeof v.patch === 'number' && Number.isFinite(v.patch) ? Math.trunc(v.patch) : lastPatch };
}

function list<T>(v: unknown, f: (x: unknown) => T | null, what: string, notes: string[]): T[] {
  const raw = arr(v);
  const out = raw.map(f).filter((x): x is T => x !== null);
  if (out.length < raw.length) notes.push(`${raw.length - out.length} malformed ${what} ignored`);
  return out;
}

function analysis(v: unknown, notes: string[]): AnalysisResult | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    notes.push('analysis data is not an object; ignored');
    return undefined;
  }
  return {
    ...(v as unknown as AnalysisResult),
    locks: list(v.locks, lock, 'lock classes', notes),
    edges: list(v.edges, edge, 'lock edges', notes),
    findings: list(v.findings, finding, 'findings', notes),
    functions: arr(v.functions) as AnalysisResult['functions'],
    sites: arr(v.sites) as AnalysisResult['sites'],
    problems: arr(v.problems).filter(isObj) as unknown as AnalysisResult['problems'],
  };
}

function lockSet(v: unknown): { must: string[]; may: string[] } {
  return isObj(v) ? { must: strings(v.must), may: strings(v.may) } : { must: [], may: [] };
}

function series(v: unknown, notes: string[]): SeriesJson | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    notes.push('series data is not an object; ignored');
    return undefined;
  }
  const head = isObj(v.series) ? v.series : {};
  const patches = list<SeriesPatch>(
    v.patches,
    (p) =>
      isObj(p)
        ? {
            index: Math.trunc(num(p.index)),
            subject: str(p.subject),
            applied: p.applied !== false,
            ...(p.error != null ? { error: str(p.error) } : {}),
            ...(p.missing === true ? { missing: true } : {}),
          }
        : null,
    'patches',
    notes,
  ).sort((a, b) => a.index - b.index);
  const last = patches.length ? patches[patches.length - 1].index : 1;
  const f = isObj(v.findings) ? v.findings : {};
  const e = isObj(v.edges) ? v.edges : {};
  const l = isObj(v.locks) ? v.locks : {};
  const fn = isObj(v.functions) ? v.functions : {};
  const sf = (x: unknown): SeriesFinding | null => {
    const b = finding(x);
    return b && isObj(x) && typeof x.patch === 'number' ? { ...b, patch: x.patch } : b;
  };
  const sl = (x: unknown): SeriesLock | null => {
    const b = lock(x);
    return b && isObj(x) && typeof x.patch === 'number' ? { ...b, patch: x.patch } : b;
  };
  return {
    version: 1,
    series: { subject: str(head.subject), version: (head.version as string | number | null | undefined) ?? null, author: head.author == null ? null : str(head.author) },
    patches,
    findings: {
      introduced: list(f.introduced, sf, 'introduced findings', notes),
      resolved: list(f.resolved, sf, 'resolved findings', notes),
      persisting: list(f.persisting, sf, 'persisting findings', notes),
    },
    edges: {
      added: list<SeriesEdge>(e.added, (x) => withPatch(edge(x), x, last), 'added edges', notes),
      removed: list<SeriesEdge>(e.removed, (x) => withPatch(edge(x), x, last), 'removed edges', notes),
    },
    locks: { added: list(l.added, sl, 'added locks', notes), removed: list(l.removed, sl, 'removed locks', notes) },
    functions: {
      entryChanged: list<EntryContextChange>(
        fn.entryChanged,
        (x) =>
          isObj(x)
            ? {
                name: str(x.name),
                file: str(x.file),
                before: lockSet(x.before),
                after: lockSet(x.after),
                ...(typeof x.patch === 'number' ? { patch: x.patch } : {}),
              }
            : null,
        'entry-context changes',
        notes,
      ),
    },
    ...(v.partial === true ? { partial: true } : {}),
    ...(isObj(v.contention) ? { contention: addedRemoved(v.contention, (x) => contentionPath(x, last), 'contention paths', notes) } : {}),
    ...(isObj(v.rcu) ? { rcu: addedRemoved(v.rcu, (x) => rcuItem(x, last), 'RCU changes', notes) } : {}),
  };
}

function addedRemoved<T>(v: Obj, f: (x: unknown) => T | null, what: string, notes: string[]): { added: T[]; removed: T[] } {
  return { added: list(v.added, f, `added ${what}`, notes), removed: list(v.removed, f, `removed ${what}`, notes) };
}

function located(v: Obj, lastPatch: number) {
  return {
    key: str(v.key),
    function: str(v.function),
    file: str(v.file),
    line: Math.max(0, Math.trunc(num(v.line))),
    patch: typeof v.patch === 'number' && Number.isFinite(v.patch) ? Math.trunc(v.patch) : lastPatch,
  };
}

function contentionPath(v: unknown, lastPatch: number): SeriesContentionPath | null {
  if (!isObj(v) || typeof v.contended !== 'string') return null;
  return { ...located(v, lastPatch), contended: v.contended, via: strings(v.via) };
}

function rcuItem(v: unknown, lastPatch: number): SeriesRcuItem | null {
  if (!isObj(v) || typeof v.what !== 'string') return null;
  return { ...located(v, lastPatch), kind: str(v.kind, 'rcu'), what: v.what };
}

function stat(v: unknown): { mean: number; std: number } | null {
  if (!isObj(v) || typeof v.mean !== 'number' || !Number.isFinite(v.mean)) return null;
  return { mean: v.mean, std: Math.abs(num(v.std)) };
}

function sweep(v: unknown, notes: string[]): SweepJson | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    notes.push('simulation data is not an object; ignored');
    return undefined;
  }
  const cells = list<SweepCell>(
    v.cells,
    (c) => {
      if (!isObj(c) || !isObj(c.params)) return null;
      const before = stat(c.before);
      const after = stat(c.after);
      if (!before || !after) return null;
      const params: Record<string, number | string> = {};
      for (const [k, p] of Object.entries(c.params)) if (typeof p === 'number' || typeof p === 'string') params[k] = p;
      const deltaPct = typeof c.deltaPct === 'number' && Number.isFinite(c.deltaPct) ? c.deltaPct : before.mean ? ((after.mean - before.mean) / before.mean) * 100 : 0;
      return { params, before, after, deltaPct };
    },
    'simulation cells',
    notes,
  );
  return {
    version: 1,
    cells,
    ...(typeof v.scenario === 'string' ? { scenario: v.scenario } : {}),
    ...(typeof v.reps === 'number' ? { reps: v.reps } : {}),
    ...(typeof v.seed === 'number' ? { seed: v.seed } : {}),
  };
}

export function normaliseData(raw: unknown): NormalisedData {
  const notes: string[] = [];
  // A bare string is a loader's error message (e.g. "embedded data is not valid JSON").
  if (typeof raw === 'string') return { data: {}, notes: [raw] };
  if (!isObj(raw)) return { data: {}, notes: raw == null ? [] : ['data is not an object; ignored'] };
  const data: WebviewData = {
    title: typeof raw.title === 'string' ? raw.title : undefined,
    analysis: analysis(raw.analysis, notes),
    series: series(raw.series, notes),
    simulation: sweep(raw.simulation, notes),
    sourceRoot: typeof raw.sourceRoot === 'string' ? raw.sourceRoot : undefined,
  };
  return { data, notes };
}
