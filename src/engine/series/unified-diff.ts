/**
 * Parser for git-style and plain unified diffs. Lenient like `git apply` where mail
 * transport damages patches (blank context lines whose space was stripped, a reply that cuts
 * a hunk short), strict about paths. Never throws: problems are returned next to the files.
 */
import { normalizePatchPath } from './safe-path';
import type { FilePatch, Hunk, HunkLine, SeriesProblem } from './types';

export interface ParsedDiff {
  files: FilePatch[];
  problems: SeriesProblem[];
}

const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

/**
 * Strips the `a/`/`b/` prefix of a git diff, or (plain diffs, like `patch -p1`) the first
 * component when there is more than one, and validates the rest.
 */
function diffPath(raw: string, prefix: 'a/' | 'b/', plain = false): { path: string | null; error?: string } {
  let p = raw.replace(/\t.*$/, '').trim();
  if (p === '/dev/null') return { path: null };
  const quoted = p.startsWith('"');
  if (quoted) p = p.slice(1);
  if (p.startsWith(prefix)) p = p.slice(prefix.length);
  else if (plain && /^[^/]+\/[^/]/.test(p) && !p.startsWith('../')) p = p.slice(p.indexOf('/') + 1);
  if (quoted) p = '"' + p;
  const safe = normalizePatchPath(p);
  return safe.ok ? { path: safe.path } : { path: null, error: safe.reason };
}

/** `diff --git a/x b/y`: split in the middle when both names are equal (no rename header). */
function gitHeaderPaths(rest: string): [string, string] | null {
  const m = /^"?a\/(.*?)"? "?b\/(.*?)"?$/.exec(rest);
  if (!m) return null;
  // Ambiguous with spaces in names; git's own rule is "the two halves are equal".
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.slice(0, half).slice(2) === rest.slice(half + 1).slice(2)) {
    return [rest.slice(2, half), rest.slice(half + 3)];
  }
  return [m[1], m[2]];
}

function newFile(): FilePatch {
  return { oldPath: null, newPath: null, status: 'modified', oldMode: null, newMode: null, binary: false, hunks: [] };
}

export function parseUnifiedDiff(text: string, patch?: number): ParsedDiff {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const files: FilePatch[] = [];
  const problems: SeriesProblem[] = [];
  let cur: FilePatch | null = null;
  let unsafe = false;
  const prob = (code: string, message: string, line: number, file?: string, severity: SeriesProblem['severity'] = 'error') =>
    problems.push({ severity, code, message, patch, file, line });

  const finish = () => {
    if (cur && !unsafe) {
      if (cur.oldPath === null && cur.newPath === null) {
        prob('malformed-diff', 'file header without usable paths', 0);
      } else {
        files.push(cur);
      }
    }
    cur = null;
    unsafe = false;
  };
  let plain = false;
  const setPath = (which: 'old' | 'new', raw: string, lineNo: number) => {
    if (!cur) return;
    const r = diffPath(raw, which === 'old' ? 'a/' : 'b/', plain);
    if (r.error) {
      const shown = raw.replace(/\t.*$/, '').trim().replace(/^("?)[ab]\//, '$1');
      prob('unsafe-path', `rejected file: ${r.error}; the whole patch is refused`, lineNo, shown);
      unsafe = true;
      return;
    }
    if (which === 'old') cur.oldPath = r.path;
    else cur.newPath = r.path;
    if (r.path === null) cur.status = which === 'old' ? 'added' : 'deleted';
  };

  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const lineNo = i + 1;
    if (line.startsWith('diff --git ')) {
      finish();
      cur = newFile();
      plain = false;
      const pair = gitHeaderPaths(line.slice('diff --git '.length));
      if (pair) {
        setPath('old', 'a/' + pair[0], lineNo);
        if (!unsafe) setPath('new', 'b/' + pair[1], lineNo);
      }
      i++;
      continue;
    }
    if (line.startsWith('--- ') && i + 1 < lines.length && lines[i + 1].startsWith('+++ ')) {
      // A plain diff (no `diff --git`) starts a file here; a git diff already has one open.
      if (!cur || cur.hunks.length > 0) {
        finish();
        cur = newFile();
        plain = true;
      }
      const wasAdded = cur.status === 'added';
      setPath('old', line.slice(4), lineNo);
      if (!unsafe) setPath('new', lines[i + 1].slice(4), lineNo + 1);
      if (wasAdded) cur.status = 'added';
      i += 2;
      continue;
    }
    if (cur && !unsafe) {
      let m: RegExpExecArray | null;
      if ((m = /^(old|new) mode (\d+)$/.exec(line))) {
        if (m[1] === 'old') cur.oldMode = m[2];
        else cur.newMode = m[2];
      } else if ((m = /^new file mode (\d+)$/.exec(line))) {
        cur.status = 'added';
        cur.newMode = m[1];
        cur.oldPath = null;
      } else if ((m = /^deleted file mode (\d+)$/.exec(line))) {
        cur.status = 'deleted';
        cur.oldMode = m[1];
        cur.newPath = null;
      } else if ((m = /^(rename|copy) (from|to) (.+)$/.exec(line))) {
        cur.status = m[1] === 'rename' ? 'renamed' : 'copied';
        setPath(m[2] === 'from' ? 'old' : 'new', (m[2] === 'from' ? 'a/' : 'b/') + m[3], lineNo);
      } else if (line === 'GIT binary patch' || /^Binary files .* differ$/.test(line)) {
        cur.binary = true;
      } else if ((m = HUNK_RE.exec(line))) {
        const hunk: Hunk = {
          oldStart: +m[1],
          oldLines: m[2] === undefined ? 1 : +m[2],
          newStart: +m[3],
          newLines: m[4] === undefined ? 1 : +m[4],
          section: m[5].trim(),
          lines: [],
          patchLine: lineNo,
          truncated: false,
        };
        i = readHunkBody(lines, i + 1, hunk);
        if (hunk.truncated) {
          prob(
            'truncated-hunk',
            `hunk @@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@ ends early (the mail cut or altered it)`,
            lineNo,
            cur.newPath ?? cur.oldPath ?? undefined,
          );
        }
        cur.hunks.push(hunk);
        continue;
      }
    }
    i++;
  }
  finish();
  return { files, problems };
}

/** Reads hunk lines until both counts are met; returns the index of the next unread line. */
function readHunkBody(lines: string[], start: number, hunk: Hunk): number {
  let oldLeft = hunk.oldLines;
  let newLeft = hunk.newLines;
  let i = start;
  while (i < lines.length && (oldLeft > 0 || newLeft > 0)) {
    const l = lines[i];
    const c = l[0];
    let hl: HunkLine | null = null;
    if (l === '' || c === ' ') {
      // An empty line is a context line whose single space a mailer stripped.
      if (oldLeft === 0 || newLeft === 0) break;
      hl = { op: ' ', text: l.slice(1), noEol: false };
      oldLeft--;
      newLeft--;
    } else if (c === '-' && oldLeft > 0) {
      hl = { op: '-', text: l.slice(1), noEol: false };
      oldLeft--;
    } else if (c === '+' && newLeft > 0) {
      hl = { op: '+', text: l.slice(1), noEol: false };
      newLeft--;
    } else if (c === '\\') {
      markNoEol(hunk);
      i++;
      continue;
    } else {
      break;
    }
    hunk.lines.push(hl);
    i++;
  }
  if (i < lines.length && lines[i].startsWith('\\')) {
    markNoEol(hunk);
    i++;
  }
  if (oldLeft > 0 || newLeft > 0) hunk.truncated = true;
  return i;
}

function markNoEol(hunk: Hunk): void {
  const last = hunk.lines[hunk.lines.length - 1];
  if (last) last.noEol = true;
}
