/**
 * From decoded messages to an ordered patch series: subject tags (`[PATCH net-next v3 1/2]`,
 * patchwork's `[v1,net-next,0/3]`), cover letter, commit message vs. changelog vs. diff,
 * patches quoted in replies, several versions in one mailbox, and missing patches.
 */
import type { MailMessage } from './mail';
import { parseUnifiedDiff } from './unified-diff';
import type { ParsedSeries, PatchSource, SeriesProblem } from './types';

export interface SubjectTags {
  subject: string;
  version: number;
  n: number | null;
  m: number | null;
  isPatch: boolean;
  isReply: boolean;
}

export function parseSubject(raw: string): SubjectTags {
  let s = raw.replace(/\s+/g, ' ').trim();
  let isReply = false;
  let version = 1;
  let n: number | null = null;
  let m: number | null = null;
  let isPatch = false;
  for (;;) {
    const re = /^(?:(?:re|aw|fwd?)\s*:\s*)/i.exec(s);
    if (re) {
      isReply = true;
      s = s.slice(re[0].length);
      continue;
    }
    const tag = /^\[([^\]]*)\]\s*/.exec(s);
    if (!tag) break;
    s = s.slice(tag[0].length);
    for (const tok of tag[1].split(/[\s,]+/)) {
      let t: RegExpExecArray | null;
      if (/^(patch|rfc)$/i.test(tok)) isPatch = true;
      else if ((t = /^v(\d+)$/i.exec(tok))) {
        version = +t[1];
        isPatch = true;
      } else if ((t = /^(\d+)\/(\d+)$/.exec(tok))) {
        n = +t[1];
        m = +t[2];
        isPatch = true;
      }
    }
  }
  return { subject: s.trim(), version, n, m, isPatch, isReply };
}

const DIFF_START = /^(?:diff --git |Index: |--- (?:a\/|\/dev\/null|\S+\t))/m;

export interface ExtractedPatch {
  message: string;
  diff: string;
  quoted: boolean;
  /** Author of a quoted patch, from "On <date>, <name> wrote:". */
  quotedAuthor: string | null;
}

/** Finds the diff in a message body, unquoting it from a reply when it is only found quoted. */
export function extractPatch(body: string): ExtractedPatch | null {
  const direct = DIFF_START.exec(body);
  if (direct && /^(?:@@ |GIT binary patch|Binary files |new file mode|deleted file mode|rename from|old mode)/m.test(body.slice(direct.index))) {
    const above = body.slice(0, direct.index);
    const sep = /^---[ \t]*$/m.exec(above);
    return { message: (sep ? above.slice(0, sep.index) : above).trim(), diff: body.slice(direct.index), quoted: false, quotedAuthor: null };
  }
  const lines = body.split('\n');
  const q = lines.findIndex((l) => /^>+ ?(?:diff --git |Index: |--- a\/)/.test(l));
  if (q < 0) return null;
  let start = q;
  while (start > 0 && /^>/.test(lines[start - 1])) start--;
  let end = q;
  while (end + 1 < lines.length && /^>/.test(lines[end + 1])) end++;
  const unquoted = lines.slice(start, end + 1).map((l) => l.replace(/^> ?/, '')).join('\n');
  const attribution = lines.slice(Math.max(0, start - 3), start).reverse().map((l) => /^On .*,\s*([^,]+?)\s+wrote:\s*$/.exec(l.trim())).find(Boolean);
  const inner = extractPatch(unquoted);
  if (!inner) return null;
  return { ...inner, quoted: true, quotedAuthor: attribution ? attribution[1] : null };
}

interface Candidate {
  tags: SubjectTags;
  msg: MailMessage;
  patch: ExtractedPatch;
  order: number;
}

export function assembleSeries(messages: MailMessage[], opts: { orderByName?: boolean } = {}): ParsedSeries {
  const notes: string[] = [];
  const problems: SeriesProblem[] = [];
  const candidates: Candidate[] = [];
  const quotedCandidates: Candidate[] = [];
  const covers: { tags: SubjectTags; msg: MailMessage }[] = [];
  let replies = 0;
  for (const n of messages.flatMap((m) => m.notes)) notes.push(n);

  messages.forEach((msg, order) => {
    const tags = parseSubject(msg.subject);
    const patch = extractPatch(msg.body);
    if (!patch) {
      if (tags.isReply) replies++;
      else if (tags.n === 0 || (tags.isPatch && tags.n === null)) covers.push({ tags, msg });
      else if (tags.n !== null) {
        problems.push({ severity: 'warning', code: 'no-diff', patch: tags.n, message: `${msg.origin}: "${tags.subject}" (${tags.n}/${tags.m}) contains no diff` });
      }
      return;
    }
    const c = { tags, msg, patch, order };
    if (patch.quoted || tags.isReply) quotedCandidates.push(c);
    else candidates.push(c);
  });

  let chosen = candidates;
  if (chosen.length === 0 && quotedCandidates.length > 0) {
    chosen = quotedCandidates;
    for (const c of chosen) {
      const who = c.patch.quotedAuthor ? ` (patch by ${c.patch.quotedAuthor}, quoted by ${c.msg.author || 'a reviewer'})` : '';
      notes.push(`${c.msg.origin}: the patch was extracted from a reply that quotes it with "> "${who}; a reviewer may have trimmed the quote`);
    }
  } else if (quotedCandidates.length > 0) {
    notes.push(`${quotedCandidates.length} repl${quotedCandidates.length === 1 ? 'y' : 'ies'} containing (quoted) diffs ignored: the series' own patches were found`);
  }
  if (replies > 0) notes.push(`${replies} repl${replies === 1 ? 'y' : 'ies'} without patches ignored`);

  const versions = [...new Set([...chosen.map((c) => c.tags.version), ...covers.map((c) => c.tags.version)])].sort((a, b) => a - b);
  const version = versions.length ? versions[versions.length - 1] : 1;
  if (versions.length > 1) {
    notes.push(`the input holds versions ${versions.map((v) => 'v' + v).join(', ')} of the series; analysing v${version}, the newest`);
    chosen = chosen.filter((c) => c.tags.version === version);
  }
  const cover = covers.filter((c) => c.tags.version === version).pop() ?? null;

  if (chosen.length === 0) {
    problems.push({
      severity: 'error',
      code: 'no-patches',
      message: cover ? 'the input holds a cover letter but no patches (no diff found in any message)' : 'no patch found in the input (no diff in any message)',
    });
  }

  const numbered = chosen.length > 0 && chosen.every((c) => c.tags.n !== null && c.tags.n > 0);
  if (numbered) chosen = [...chosen].sort((a, b) => a.tags.n! - b.tags.n! || a.order - b.order);
  else if (opts.orderByName) chosen = [...chosen].sort((a, b) => naturalCompare(a.msg.origin, b.msg.origin));
  const byIndex = new Map<number, Candidate>();
  chosen.forEach((c, i) => {
    const idx = numbered ? c.tags.n! : i + 1;
    if (byIndex.has(idx)) notes.push(`patch ${idx} appears twice; using ${c.msg.origin}`);
    byIndex.set(idx, c);
  });
  const total = Math.max(0, ...chosen.map((c) => c.tags.m ?? 0), cover?.tags.m ?? 0, ...byIndex.keys());

  const patches: PatchSource[] = [];
  for (const [index, c] of [...byIndex.entries()].sort((a, b) => a[0] - b[0])) {
    const diff = parseUnifiedDiff(c.patch.diff, index);
    problems.push(...diff.problems);
    const pNotes: string[] = [];
    if (c.patch.quoted) pNotes.push('extracted from a quoted reply');
    if (c.msg.archivePage) pNotes.push('read from an archive page');
    if (diff.files.length === 0 && diff.problems.length === 0) {
      problems.push({ severity: 'warning', code: 'empty-patch', patch: index, message: `patch ${index}/${total} changes no file` });
    }
    patches.push({
      index,
      total,
      subject: c.tags.subject || c.msg.origin,
      author: c.patch.quoted && c.patch.quotedAuthor ? c.patch.quotedAuthor : c.msg.author,
      version: c.tags.version,
      origin: c.msg.origin,
      message: c.patch.message,
      files: diff.files,
      notes: pNotes,
    });
  }
  if (numbered) {
    for (let k = 1; k <= total; k++) {
      if (!byIndex.has(k)) {
        problems.push({
          severity: 'warning',
          code: 'missing-patch',
          patch: k,
          message: `patch ${k}/${total} is missing from the input; later patches are applied without it`,
        });
      }
    }
  }
  const first = patches[0];
  return {
    series: {
      subject: cover ? cover.tags.subject : patches.length === 1 ? first.subject : first?.subject ?? '',
      version,
      author: cover?.msg.author || first?.author || '',
      cover: cover ? coverBody(cover.msg.body) : null,
    },
    patches,
    notes,
    problems,
  };
}

function coverBody(body: string): string {
  const short = /^\S.*? \(\d+\):$/m.exec(body);
  return (short ? body.slice(0, short.index) : body).trim();
}

export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
