/**
 * Turns saved mail into messages: an mbox (format-patch, b4, mutt), a single .eml/.patch, or
 * a mailing-list archive page saved as text (pipermail, patchwork, LWN) whose headers are
 * flattened or missing. Real messages are decoded by postal-mime (folded headers, encoded
 * words, quoted-printable, base64, multipart, legacy charsets); archive pages by heuristics.
 */
import PostalMime from 'postal-mime';

export interface MailMessage {
  subject: string;
  author: string;
  /** Decoded text body; text attachments (patches sent as attachments) are appended. */
  body: string;
  /** `message 2`, `0001-foo.patch`, `0001-foo.patch message 1`... */
  origin: string;
  /** True when the input was not an RFC 822 message and headers were guessed. */
  archivePage: boolean;
  notes: string[];
}

const latin1 = new TextDecoder('latin1');

function toBytes(binary: string): Uint8Array {
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i) & 0xff;
  return out;
}

/** mbox `From_` separator line: `From <sender or sha> <asctime date>`. */
const FROM_LINE = /^From \S+ +(?:\S+ +)?\S+ +\S+ +\d+ +\d\d:\d\d(?::\d\d)? +(?:\S+ +)?\d{4}\s*$/;

/** Splits an mbox into raw messages (bytes kept as-is, so charsets decode correctly later). */
export function splitMbox(bytes: Uint8Array): Uint8Array[] {
  // latin1 maps every byte to one char and back, so slicing here is byte-exact.
  const text = latin1.decode(bytes);
  const lines = text.split('\n');
  const starts: number[] = [];
  let offset = 0;
  let prevBlank = true;
  const offsets: number[] = [];
  for (const l of lines) {
    offsets.push(offset);
    offset += l.length + 1;
  }
  lines.forEach((l, i) => {
    if (prevBlank && FROM_LINE.test(l.replace(/\r$/, ''))) starts.push(i);
    prevBlank = l.replace(/\r$/, '') === '';
  });
  if (starts.length === 0) return [bytes];
  const chunks: Uint8Array[] = [];
  const pre = text.slice(0, offsets[starts[0]]);
  if (pre.trim() !== '') chunks.push(toBytes(pre));
  for (let k = 0; k < starts.length; k++) {
    const from = offsets[starts[k] + 1] ?? text.length;
    const to = k + 1 < starts.length ? offsets[starts[k + 1]] : text.length;
    // mboxrd/mboxo escape body lines starting with "From " as ">From ".
    chunks.push(toBytes(text.slice(from, to).replace(/^>(>*From )/gm, '$1')));
  }
  return chunks;
}

/** True when the text starts with an RFC 822 header block (not an archive page). */
export function looksLikeRfc822(head: string): boolean {
  const lines = head.replace(/\r/g, '').split('\n');
  let headers = 0;
  for (const l of lines) {
    if (l === '') break;
    if (/^[\x21-\x39\x3b-\x7e]+:/.test(l)) headers++;
    else if (/^[ \t]/.test(l) && headers > 0) continue;
    else return false;
    if (headers >= 200) break;
  }
  return headers > 0 && /^(from|subject|date|message-id):/im.test(lines.slice(0, lines.indexOf('') < 0 ? undefined : lines.indexOf('')).join('\n'));
}

function addressText(a: PostalMime.Address | undefined): string {
  if (!a) return '';
  const m = a as PostalMime.Mailbox;
  // Mailing lists rewrite From for DMARC ("Name via dev <list@...>"): the address is the list's.
  const via = /\s+via\s+\S+$/.test(m.name ?? '');
  const name = (m.name ?? '').replace(/\s+via\s+\S+$/, '').trim();
  if (via) return name;
  return name && m.address ? `${name} <${m.address}>` : name || m.address || '';
}

/**
 * `git format-patch` and b4 put `From:`/`Subject:`/`Date:` at the top of the body when the
 * author is not the sender; like `git am`, those win over the mail headers.
 */
export function inBodyHeaders(body: string): { author?: string; subject?: string; body: string } {
  const m = /^((?:(?:From|Subject|Date): [^\n]*\n)+)\n/.exec(body);
  if (!m) return { body };
  const get = (k: string) => new RegExp(`^${k}: (.*)$`, 'm').exec(m[1])?.[1].trim();
  return { author: get('From'), subject: get('Subject'), body: body.slice(m[0].length) };
}

export async function parseMessage(raw: Uint8Array, origin: string): Promise<MailMessage> {
  const head = latin1.decode(raw.subarray(0, Math.min(raw.length, 65536)));
  if (!looksLikeRfc822(head)) return parseArchivePage(new TextDecoder('utf-8').decode(raw), origin);
  const notes: string[] = [];
  let email: PostalMime.Email;
  try {
    email = await PostalMime.parse(raw, { attachmentEncoding: 'utf8' });
  } catch (e) {
    notes.push(`MIME decoding failed (${(e as Error).message}); read as plain text`);
    return { ...parseArchivePage(new TextDecoder('utf-8').decode(raw), origin), notes };
  }
  let body = email.text ?? '';
  if (!body && email.html) body = email.html.replace(/<[^>]+>/g, '');
  for (const att of email.attachments) {
    const isText = att.mimeType.startsWith('text/') || /\.(patch|diff)$/i.test(att.filename ?? '');
    if (!isText) continue;
    const content = typeof att.content === 'string' ? att.content : new TextDecoder().decode(att.content);
    body += '\n' + content.replace(/\r\n/g, '\n');
    notes.push(`read attachment ${att.filename ?? att.mimeType}`);
  }
  let author = addressText(email.from);
  if (/ via /.test(((email.from as PostalMime.Mailbox | undefined)?.name) ?? '') && email.replyTo?.[0]) {
    author = addressText(email.replyTo[0]) || author;
  }
  const inBody = inBodyHeaders(body.replace(/\r\n/g, '\n'));
  if (inBody.author) notes.push(`${origin}: author taken from the in-body From: line`);
  return {
    subject: (inBody.subject ?? email.subject ?? '').replace(/\s+/g, ' ').trim(),
    author: inBody.author ?? author,
    body: inBody.body,
    origin,
    archivePage: false,
    notes,
  };
}

/** Archive pages: headers are flattened into one line, prefixed, or absent. */
export function parseArchivePage(text: string, origin: string): MailMessage {
  const t = text.replace(/\r\n/g, '\n');
  const lines = t.split('\n');
  let subject = '';
  let author = '';
  const subjLine = /^Subject:\s+(.+)$/m.exec(t);
  if (subjLine) {
    // Flattened header blocks continue with the next "Header-Name: " on the same line.
    subject = subjLine[1].split(/\s+(?=[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*: )/)[0];
  }
  if (!subject) {
    subject = lines.find((l) => /\[(?:[^\]]*\bPATCH\b[^\]]*|v\d+,[^\]]*|[^\]]*\d+\/\d+[^\]]*)\]/i.test(l))?.trim() ?? '';
  }
  const fromLine = /^From:\s+(.+)$/m.exec(t);
  if (fromLine) author = fromLine[1].split(/\s+(?=[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*: )/)[0];
  if (!author) {
    // pipermail: "Joe Stringer joe at ovn.org" on its own line near the top.
    const pm = lines.slice(0, 10).map((l) => /^(.+?)\s+(\S+) at (\S+\.\S+)$/.exec(l.trim())).find(Boolean);
    if (pm) author = `${pm[1]} <${pm[2]}@${pm[3]}>`;
  }
  if (!author) {
    const short = /^(\S.*?) \(\d+\):$/m.exec(t);
    if (short) author = short[1];
  }
  author = author.replace(/-AT-/g, '@').replace(/\s+via\s+\S+(?=\s*<)/, '').trim();
  return {
    subject: subject.replace(/\s+/g, ' ').trim(),
    author,
    body: t,
    origin,
    archivePage: true,
    notes: [`${origin} is not an RFC 822 message; read as a saved archive page (headers guessed)`],
  };
}

/** Splits and decodes a mail file; one message per mbox entry. */
export async function readMailFile(bytes: Uint8Array, name: string): Promise<MailMessage[]> {
  const chunks = splitMbox(bytes);
  const out: MailMessage[] = [];
  for (let i = 0; i < chunks.length; i++) {
    out.push(await parseMessage(chunks[i], chunks.length > 1 ? `${name} message ${i + 1}` : name));
  }
  return out;
}
