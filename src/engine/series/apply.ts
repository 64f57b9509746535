/**
 * Applies a patch onto an in-memory overlay of the tree (path → text), like `git apply`:
 * all hunks of a patch or none, hunks may have moved (line offset) but their context must
 * match exactly (trailing CR and whitespace-only differences are tolerated). Nothing here
 * touches a disk; the caller's map is never mutated.
 */
import type { FilePatch, Hunk, PatchSource, SeriesProblem } from './types';

export type Tree = ReadonlyMap<string, string>;

export interface ApplyResult {
  /** The tree after the patch; the input tree when the patch did not apply. */
  tree: Tree;
  applied: boolean;
  /** Paths whose content changed, appeared or disappeared. */
  touched: string[];
  problems: SeriesProblem[];
  notes: string[];
}

interface FileLines {
  lines: string[];
  eofNewline: boolean;
  crlf: boolean;
}

function splitFile(text: string): FileLines {
  const crlfCount = (text.match(/\r\n/g) ?? []).length;
  const lfCount = (text.match(/\n/g) ?? []).length;
  const crlf = lfCount > 0 && crlfCount * 2 > lfCount;
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  let eofNewline = true;
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  else if (text.length > 0) eofNewline = false;
  return { lines, eofNewline, crlf };
}

function joinFile(f: FileLines): string {
  if (f.lines.length === 0) return '';
  const eol = f.crlf ? '\r\n' : '\n';
  return f.lines.join(eol) + (f.eofNewline ? eol : '');
}

const same = (a: string, b: string) => a === b || a.trimEnd() === b.trimEnd();

/** Positions of each line (trailing whitespace ignored), built once per file. */
type LineIndex = Map<string, number[]>;

function indexLines(lines: string[]): LineIndex {
  const idx: LineIndex = new Map();
  lines.forEach((l, i) => {
    const k = l.trimEnd();
    const list = idx.get(k);
    if (list) list.push(i);
    else idx.set(k, [i]);
  });
  return idx;
}

/**
 * Finds the hunk's old side nearest to `want`, not before `floor`. Only positions where its
 * rarest line occurs are tried, so a hunk that matches nowhere costs one lookup per line
 * instead of a scan of the file.
 */
function locate(lines: string[], idx: LineIndex, old: string[], want: number, floor: number): number {
  if (old.length === 0) return Math.min(Math.max(want, floor), lines.length);
  let anchor = 0;
  let best: number[] | undefined;
  for (let k = 0; k < old.length; k++) {
    const hits = idx.get(old[k].trimEnd());
    if (!hits) return -1;
    if (!best || hits.length < best.length) {
      best = hits;
      anchor = k;
    }
  }
  const fits = (at: number) => {
    if (at < floor || at + old.length > lines.length) return false;
    for (let k = 0; k < old.length; k++) if (!same(lines[at + k], old[k])) return false;
    return true;
  };
  let found = -1;
  let dist = Infinity;
  for (const pos of best!) {
    const at = pos - anchor;
    const d = Math.abs(at - want);
    // Nearest wins; on a tie the later position, as git apply tries forward first.
    if ((d < dist || (d === dist && at > found)) && fits(at)) {
      found = at;
      dist = d;
    }
  }
  return found;
}

function describeMismatch(lines: string[], old: string[], want: number): string {
  for (let k = 0; k < old.length; k++) {
    const got = lines[want + k];
    if (got === undefined) return `the file ends at line ${lines.length}, before the hunk's context`;
    if (!same(got, old[k])) return `line ${want + k + 1} is "${clip(got)}", the patch expects "${clip(old[k])}"`;
  }
  return 'the context matches only before an earlier hunk';
}

const clip = (s: string) => (s.length > 60 ? s.slice(0, 57) + '...' : s).trim();

function applyHunks(f: FileLines, hunks: Hunk[], ctx: { patch: number; file: string; problems: SeriesProblem[]; notes: string[] }): boolean {
  let offset = 0;
  let floor = 0;
  let ok = true;
  const out = f.lines.slice();
  // Hunks are located on the original lines, then spliced bottom-up so indexes stay valid.
  const placed: { at: number; hunk: Hunk }[] = [];
  const idx = indexLines(f.lines);
  hunks.forEach((hunk, h) => {
    const where = `hunk ${h + 1}/${hunks.length} (@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@)`;
    if (hunk.truncated) {
      ctx.problems.push({ severity: 'error', code: 'hunk-failed', patch: ctx.patch, file: ctx.file, line: hunk.oldStart, message: `${where} is incomplete in the patch text` });
      ok = false;
      return;
    }
    const old = hunk.lines.filter((l) => l.op !== '+').map((l) => l.text);
    // `-0,0` means "insert before line 1"; otherwise oldStart is 1-based.
    const want = Math.max(0, (hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1) + offset);
    const at = locate(f.lines, idx, old, want, floor);
    if (at < 0) {
      ctx.problems.push({
        severity: 'error',
        code: 'hunk-failed',
        patch: ctx.patch,
        file: ctx.file,
        line: hunk.oldStart,
        message: `${where} does not apply at line ${hunk.oldStart}: ${describeMismatch(f.lines, old, Math.min(want, Math.max(0, f.lines.length - 1)))}`,
      });
      ok = false;
      return;
    }
    const stated = hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1;
    if (at !== stated) ctx.notes.push(`${ctx.file}: hunk ${h + 1} applied at line ${at + 1} (offset ${at - stated > 0 ? '+' : ''}${at - stated} lines)`);
    offset = at - stated;
    floor = at + old.length;
    placed.push({ at, hunk });
  });
  if (!ok) return false;
  let eofNewline = f.eofNewline;
  for (let p = placed.length - 1; p >= 0; p--) {
    const { at, hunk } = placed[p];
    const oldLen = hunk.lines.filter((l) => l.op !== '+').length;
    const newSide = hunk.lines.filter((l) => l.op !== '-');
    if (at + oldLen === f.lines.length) {
      // This hunk ends the file: its last new-side line says whether a final newline exists.
      const last = newSide[newSide.length - 1];
      eofNewline = last ? !last.noEol : eofNewline;
    }
    out.splice(at, oldLen, ...newSide.map((l) => l.text));
  }
  f.lines = out;
  f.eofNewline = out.length === 0 ? true : eofNewline;
  return true;
}

export function applyPatch(tree: Tree, patch: Pick<PatchSource, 'index' | 'files'>): ApplyResult {
  const next = new Map(tree);
  const problems: SeriesProblem[] = [];
  const notes: string[] = [];
  const touched = new Set<string>();
  const fail = (file: string, message: string, code = 'patch-failed') =>
    problems.push({ severity: 'error', code, patch: patch.index, file, message });

  for (const fp of patch.files) {
    const name = fp.newPath ?? fp.oldPath ?? '?';
    if (fp.oldMode && fp.newMode && fp.oldMode !== fp.newMode) notes.push(`${name}: mode ${fp.oldMode} → ${fp.newMode}`);
    if (fp.binary) {
      notes.push(`${name}: binary diff skipped (contents not analysed)`);
      if (fp.status === 'deleted' && fp.oldPath) {
        next.delete(fp.oldPath);
        touched.add(fp.oldPath);
      }
      continue;
    }
    const ctx = { patch: patch.index, file: name, problems, notes };
    if (fp.status === 'added') {
      if (!fp.newPath) continue;
      if (next.has(fp.newPath)) {
        fail(fp.newPath, `${fp.newPath} is created by the patch but already exists`);
        continue;
      }
      const f: FileLines = { lines: [], eofNewline: true, crlf: false };
      if (applyHunks(f, fp.hunks, ctx)) {
        next.set(fp.newPath, joinFile(f));
        touched.add(fp.newPath);
      }
      continue;
    }
    const src = fp.oldPath ?? fp.newPath;
    if (!src) continue;
    const text = next.get(src);
    if (text === undefined) {
      fail(src, `${src} does not exist in the tree the patch applies to`);
      continue;
    }
    const f = splitFile(text);
    if (!applyHunks(f, fp.hunks, ctx)) continue;
    if (fp.status === 'deleted') {
      if (f.lines.length > 0) fail(src, `${src} is deleted by the patch but would still have ${f.lines.length} lines`);
      else {
        next.delete(src);
        touched.add(src);
      }
      continue;
    }
    const dst = fp.newPath ?? src;
    if (fp.status === 'renamed' && dst !== src) {
      if (next.has(dst)) {
        fail(dst, `rename target ${dst} already exists`);
        continue;
      }
      next.delete(src);
      touched.add(src);
    } else if (fp.status === 'copied' && next.has(dst)) {
      fail(dst, `copy target ${dst} already exists`);
      continue;
    }
    next.set(dst, joinFile(f));
    touched.add(dst);
  }
  if (problems.length > 0) return { tree, applied: false, touched: [], problems, notes };
  return { tree: next, applied: true, touched: [...touched].sort(), problems, notes };
}
