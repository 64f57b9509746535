/**
 * Minimal glob matching for include/exclude settings: `**` (any path segments), `*` (within a
 * segment), `?`, and `{a,b}` alternation. Paths are matched relative to the analysed root with `/`.
 */
const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  const hit = cache.get(glob);
  if (hit) return hit;
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more directories; a trailing `**` matches everything below.
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += '(?:' + glob.slice(i + 1, end).split(',').map(escape).join('|') + ')';
        i = end;
      }
    } else re += escape(c);
  }
  const rx = new RegExp('^' + re + '$');
  cache.set(glob, rx);
  return rx;
}

function escape(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/** A bare name without `/` (e.g. `*.c`) matches in any directory, like .gitignore. */
export function matchesAny(path: string, globs: readonly string[]): boolean {
  for (const g of globs) {
    const pattern = g.includes('/') ? g : '**/' + g;
    if (globToRegExp(pattern).test(path)) return true;
  }
  return false;
}

/** Function-name globs (`*_run`, `upcall_*`). */
export function matchesName(name: string, globs: readonly string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(name));
}
