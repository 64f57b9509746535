/**
 * The series report: the CLI JSON contract of `locklens series` (documented in docs/series.md).
 * Its core is `SeriesJson` shared with the webview; the rest (per-patch detail, contention,
 * RCU, notes) is additive.
 */
import type { SeriesJson } from '../../protocol/webview-messages';
import type { HunkFacts } from './hunk-scan';
import type { ContentionPath, LockDelta, RcuItem } from './lock-diff';
import type { SeriesProblem } from './types';

/** An item of the whole-series diff with the patch that added / removed it. */
export type Attributed<T> = T & { patch: number };

export interface PatchReport {
  index: number;
  total: number;
  subject: string;
  author: string;
  origin: string;
  applied: boolean;
  /** Present when the patch was not applied: which file/hunk/line and why. */
  error?: string;
  /** The input lacks this patch (`2/3` absent). */
  missing?: boolean;
  /** Files the patch names (new path, or old path for deletions). */
  files: string[];
  notes: string[];
  problems: SeriesProblem[];
  /** Hunk-level facts; the only facts in patch-only mode. */
  hunks: HunkFacts;
  /** Lock-graph change made by this patch; null when not applied or in patch-only mode. */
  delta: LockDelta | null;
  ms: number;
}

export interface SeriesReport extends SeriesJson {
  mode: 'full' | 'patch-only';
  partial: boolean;
  series: { subject: string; version: number; author: string };
  contention: { added: Attributed<ContentionPath>[]; removed: Attributed<ContentionPath>[] };
  rcu: { added: Attributed<RcuItem>[]; removed: Attributed<RcuItem>[] };
  perPatch: PatchReport[];
  cover: string | null;
  notes: string[];
  problems: SeriesProblem[];
  stats: {
    baseFiles: number;
    sourceFiles: number;
    /** Re-extractions over the whole series (only files a patch touched). */
    reparsedFiles: number;
    baseMs: number;
    patchMs: number[];
    /** Set by the host when it extracted the base itself (in parallel / from the fact cache). */
    baseCacheHits?: number;
    baseJobs?: number;
  };
}
