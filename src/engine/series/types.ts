/**
 * Data shapes of patch-series ingestion and in-memory application. Plain serialisable
 * objects, like the rest of the engine model; the series report itself is in `report-model.ts`.
 */

export interface HunkLine {
  op: ' ' | '-' | '+';
  text: string;
  /** Followed by `\ No newline at end of file`. */
  noEol: boolean;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Text after the second `@@` (git puts the enclosing function there). */
  section: string;
  lines: HunkLine[];
  /** 1-based line of the `@@` header inside the patch's diff text, for error messages. */
  patchLine: number;
  /** The hunk ended before its header's line counts were reached (cut mail, quoted reply). */
  truncated: boolean;
}

export type FileStatus = 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';

export interface FilePatch {
  /** Repository-relative paths, `a/`/`b/` prefixes removed; null for /dev/null. */
  oldPath: string | null;
  newPath: string | null;
  status: FileStatus;
  oldMode: string | null;
  newMode: string | null;
  binary: boolean;
  hunks: Hunk[];
}

/** A problem tied to the series input, with the patch it concerns (1-based index) when known. */
export interface SeriesProblem {
  severity: 'error' | 'warning' | 'info';
  /** Stable code: `missing-patch`, `unsafe-path`, `hunk-failed`, `malformed-diff`, `no-patches`... */
  code: string;
  message: string;
  patch?: number;
  file?: string;
  line?: number;
}

export interface PatchSource {
  /** 1-based position in the series (`N` of `N/M`, or order of appearance). */
  index: number;
  /** `M` of `N/M` when the subject says it, else the number of patches found. */
  total: number;
  /** Subject without list tags and `[PATCH ...]` prefixes. */
  subject: string;
  author: string;
  version: number;
  /** Where it came from: `message 3`, `0002-foo.patch`, a commit id. */
  origin: string;
  /** Commit message (above `---`), trailers included. */
  message: string;
  files: FilePatch[];
  /** Things the reader should know about this patch: quoted extraction, binary skip, mode change. */
  notes: string[];
}

export interface SeriesInfo {
  subject: string;
  version: number;
  author: string;
  /** Cover-letter body (above the shortlog), if a `0/M` message was found. */
  cover: string | null;
}

export interface ParsedSeries {
  series: SeriesInfo;
  patches: PatchSource[];
  /** Human-readable notes: versions seen and chosen, quoted-reply extraction, skipped replies. */
  notes: string[];
  problems: SeriesProblem[];
}
