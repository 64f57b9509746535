/**
 * Phase 8, findings: the whole-graph rules, then every rule's findings in report order,
 * deduplicated, sorted and with unique fingerprints.
 *
 * Incremental: per-function rules were cached in the facts phase; a whole-graph rule reruns
 * when the graph, lock types or SCC structure changed, or when a function it declares it reads
 * (`Detector.readsFunctions`) has a changed local result.
 */
import type { LockLensConfig } from '../config';
import type { Finding, LockEdge, LockType } from '../model';
import type { Bindings } from '../analysis/bindings';
import type { Catalog } from '../catalog/catalog';
import type { FnInfo, Program } from '../analysis/program';
import type { LocalResult, Snap } from '../analysis/summary';
import { cmpStr, hashHex } from '../analysis/util';
import { DETECTORS } from '../detectors/registry';
import { heldWith, type DetectorContext, type Entry } from '../detectors/context';
import type { DetectorRunner } from './detector-runner';
import type { CallIn } from './entry-contexts';
import type { FileAgg } from './file-facts';

/** What a session keeps of the findings between runs. */
export interface FindingsState {
  /** Findings of the whole-graph detectors, per detector index. */
  detGlobal: (Finding[] | null)[];
}

/** What the detectors see (see detectors/context.ts). */
export function detectorContext(inp: {
  prog: Program;
  cat: Catalog;
  config: LockLensConfig;
  bindings: Bindings;
  noAnnotations: boolean;
  local: Map<string, LocalResult>;
  entry: Map<string, Entry>;
  callsIn: Map<string, CallIn[]>;
  edges: LockEdge[];
  edgeReach: Map<string, { fn: FnInfo; line: number }>;
  readReadEdges: Set<string>;
  lockTypes: Map<string, LockType>;
  contended: Set<string>;
}): DetectorContext {
  const entry = inp.entry;
  return {
    prog: inp.prog,
    cat: inp.cat,
    config: inp.config,
    bindings: inp.bindings,
    noAnnotations: inp.noAnnotations,
    fns: inp.prog.fns,
    local: inp.local,
    entry,
    callers: inp.callsIn,
    edges: inp.edges,
    edgeReach: inp.edgeReach,
    readReadEdges: inp.readReadEdges,
    callSnaps: inp.callsIn,
    lockTypes: inp.lockTypes,
    contended: inp.contended,
    held: (snap: Snap, fn: FnInfo) => heldWith(snap, entry.get(fn.key)),
  };
}

export interface FindingsInput {
  ctx: DetectorContext;
  runner: DetectorRunner;
  /** Per-file aggregates holding the per-function findings. */
  fileAgg: Map<string, FileAgg>;
  /** The graph inputs of the whole-graph rules changed (always on a cold run). */
  graphInputsChanged: boolean;
  localKeys: Set<string>;
  prev: FindingsState | null;
  checkAbort: () => void;
}

export interface Findings {
  state: FindingsState;
  findings: Finding[];
}

export function computeFindings(inp: FindingsInput): Findings {
  const { ctx, runner } = inp;
  inp.checkAbort();
  const byDetector: Finding[][] = DETECTORS.map(() => []);
  for (const f of ctx.prog.files) {
    const agg = inp.fileAgg.get(f.file);
    if (agg) agg.det.forEach((l, i) => l && byDetector[i]!.push(...l));
  }
  const detGlobal: (Finding[] | null)[] = inp.prev ? inp.prev.detGlobal : DETECTORS.map(() => null);
  for (const i of runner.globalIdx) {
    const d = DETECTORS[i]!;
    if (inp.graphInputsChanged || detGlobal[i] === null || readsChanged(d.readsFunctions?.(ctx.config) ?? null, inp.localKeys)) {
      inp.checkAbort();
      detGlobal[i] = runner.run(i, () => d.run(ctx));
    }
    for (const x of detGlobal[i] ?? []) byDetector[i]!.push(x);
  }
  return { state: { detGlobal }, findings: uniqueFindings(byDetector.flat()) };
}

/** A function the rule reads (any, when it declares none) has a changed local result. */
function readsChanged(reads: ((name: string) => boolean) | null, localKeys: Set<string>): boolean {
  if (reads === null) return localKeys.size > 0;
  for (const k of localKeys) if (reads(k.slice(k.lastIndexOf('::') + 2))) return true;
  return false;
}

function uniqueFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  const uniq = findings.filter((x) => {
    const k = `${x.rule}|${x.file}|${x.line}|${x.locks.join(',')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  uniq.sort((a, b) => cmpStr(a.file, b.file) || a.line - b.line || cmpStr(a.rule, b.rule) || cmpStr(a.locks.join(','), b.locks.join(',')) || cmpStr(a.fingerprint, b.fingerprint));
  // Same rule/function/locks/key twice in one function (two leaking returns): number them in
  // source order so fingerprints stay unique without depending on line numbers. Copies: the
  // cached findings stay as their detectors made them.
  const fpCount = new Map<string, number>();
  return uniq.map((fnd) => {
    const n = fpCount.get(fnd.fingerprint) ?? 0;
    fpCount.set(fnd.fingerprint, n + 1);
    return n > 0 ? { ...fnd, fingerprint: hashHex(`${fnd.fingerprint}#${n}`) } : { ...fnd };
  });
}
