/** Small deterministic helpers shared by the analysis and the detectors. */
import type { WitnessStep } from '../model';
import { isPlatformFile } from '../catalog/platform';

export const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function sortedUnique(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort(cmpStr);
}

/** `*` and `?` globs, anchored, for config function patterns (`upcall_*`). */
export function globToRegExp(glob: string): RegExp {
  const esc = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${esc}$`);
}

export function matchesAny(name: string, res: RegExp[]): boolean {
  for (const r of res) if (r.test(name)) return true;
  return false;
}

/** Answers per glob list (key: the globs joined), each bounded to NAME_MEMO_MAX names. */
const nameMemos = new Map<string, Map<string, boolean>>();
const NAME_MEMO_MAX = 1 << 17;

/**
 * `matchesAny` against config globs (`*_run`, hot paths), memoised per name. The periodic and
 * hot-path rules test every function's name on every run, and an edit re-runs them: on OVS
 * (9,645 functions, ~10 patterns) that was ~4 ms of every keystroke. Memory stays bounded: a
 * list's memo is dropped when it fills up, and only the last few lists are kept.
 */
export function nameMatcher(globs: readonly string[]): (name: string) => boolean {
  const key = globs.join('\n');
  let memo = nameMemos.get(key);
  if (!memo) {
    if (nameMemos.size >= 8) nameMemos.clear();
    memo = new Map();
    nameMemos.set(key, memo);
  }
  const res = globs.map(globToRegExp);
  const m = memo;
  return (name) => {
    let v = m.get(name);
    if (v === undefined) {
      v = matchesAny(name, res);
      if (m.size >= NAME_MEMO_MAX) m.clear();
      m.set(name, v);
    }
    return v;
  };
}

/** FNV-1a over UTF-16 units, two 32-bit lanes → 16 hex chars. Pure JS so the engine stays IO-free. */
export function hashHex(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
    h2 ^= h2 >>> 13;
  }
  return h1.toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

export function stepKey(s: WitnessStep): string {
  return `${s.file}:${s.line}:${s.function}:${s.note}`;
}

export function chainKey(c: WitnessStep[]): string {
  return c.map(stepKey).join('|');
}

/** Total order on witness chains: shorter first, then textual. */
export function cmpChain(a: WitnessStep[], b: WitnessStep[]): number {
  if (a === b) return 0;
  // Chains through platform-specific backends (BSD/Windows ops implementations) rank last.
  const pa = platformSteps(a);
  const pb = platformSteps(b);
  if (pa !== pb) return pa - pb;
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    const c = cmpStr(x.file, y.file) || x.line - y.line || cmpStr(x.function, y.function) || cmpStr(x.note, y.note);
    if (c) return c < 0 ? -1 : 1;
  }
  return 0;
}

/** Chains are capped so recursion or deep call stacks cannot blow witness sizes up. */
export const MAX_CHAIN = 24;

export function joinChains(a: WitnessStep[], b: WitnessStep[]): WitnessStep[] {
  const c = a.concat(b);
  return c.length > MAX_CHAIN ? c.slice(0, MAX_CHAIN) : c;
}

function platformSteps(c: WitnessStep[]): number {
  let n = 0;
  let last = '';
  for (const s of c) {
    if (s.file === last) continue;
    last = s.file;
    if (isPlatformFile(s.file)) n++;
  }
  return n;
}
