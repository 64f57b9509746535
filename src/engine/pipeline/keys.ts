/** Small helpers over function keys (`file::name`) and sets, shared by the phases. */
import type { FnInfo, Program } from '../analysis/program';
import { cmpStr } from '../analysis/util';

/** The file part of a function key. */
export function fileOfKey(k: string): string {
  return k.slice(0, k.lastIndexOf('::'));
}

/** Program order of functions: file, line, name. */
export const cmpFnInfo = (a: FnInfo, b: FnInfo): number => cmpStr(a.file, b.file) || a.ir.line - b.ir.line || cmpStr(a.ir.name, b.ir.name);

export function setEq(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

export function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (s) s.add(v);
  else m.set(k, new Set([v]));
}

/** The functions of a key (a file may define a name twice; the last one is the live one). */
export const fnsOfKey = (prog: Program, k: string): FnInfo[] => (prog.fnsByFile.get(fileOfKey(k)) ?? []).filter((f) => f.key === k);
