/**
 * Paths named by a patch are untrusted input: they are normalised and rejected when they
 * could escape the analysed tree. The host applies the same check before it reads anything.
 */

export type SafePath = { ok: true; path: string } | { ok: false; reason: string };

export function normalizePatchPath(raw: string): SafePath {
  let p = raw.trim();
  if (p.startsWith('"') && p.endsWith('"') && p.length >= 2) p = unquoteC(p.slice(1, -1));
  if (p === '') return { ok: false, reason: 'empty path' };
  if (p.includes('\0')) return { ok: false, reason: 'path contains a NUL byte' };
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) return { ok: false, reason: `absolute path "${raw}"` };
  if (p.includes('\\')) return { ok: false, reason: `backslash in path "${raw}"` };
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return { ok: false, reason: `path "${raw}" escapes the base tree ("..")` };
    parts.push(seg);
  }
  if (parts.length === 0) return { ok: false, reason: `path "${raw}" names no file` };
  // Checked again after normalisation: "./C:/x" must not become a Windows absolute path.
  if (/^[A-Za-z]:/.test(parts[0])) return { ok: false, reason: `path "${raw}" names a drive` };
  if (parts[0] === '.git') return { ok: false, reason: `path "${raw}" is inside .git` };
  return { ok: true, path: parts.join('/') };
}

/** git quotes unusual file names C-style (`"a/t\303\251st.c"`). */
function unquoteC(s: string): string {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      bytes.push(...enc.encode(c));
      continue;
    }
    const n = s[++i] ?? '';
    if (/[0-7]/.test(n)) {
      const oct = s.slice(i, i + 3);
      bytes.push(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else {
      const map: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
      bytes.push(map[n] ?? n.charCodeAt(0));
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
