/**
 * Which lock assertion to add to a function, and where: pure text logic behind the code action.
 * Only offered when the analysis proves the lock held on entry on all paths (entry.must) and
 * the function does not already require it. Kernel code gets `ASSERT_RTNL()` for RTNL and
 * `lockdep_assert_held(&x)` for other global locks; OVS userspace code gets `OVS_REQUIRES(x)`
 * on the declarator. Field-class locks are skipped: the right expression in this function
 * cannot be derived mechanically.
 */
import type { FunctionFacts, LockClass } from '../engine/model';
import { RTNL_CLASS } from '../engine/index';

export type Flavor = 'kernel' | 'ovs';

export interface AssertionEdit {
  title: string;
  /** 0-based line and column of the insertion point. */
  line: number;
  col: number;
  text: string;
}

/** OVS userspace uses Clang thread-safety annotations; the kernel uses lockdep. */
export function detectFlavor(text: string): Flavor {
  return /\bOVS_(REQUIRES|ACQUIRES|EXCLUDED|LOCKABLE)\b|\bovs_mutex_lock\s*\(|#include\s*[<"]openvswitch\//.test(text) ? 'ovs' : 'kernel';
}

export function assertionFor(lock: LockClass, flavor: Flavor): { kind: 'statement' | 'annotation'; text: string } | null {
  if (lock.kind === 'rcu' || lock.kind === 'field' || lock.kind === 'other') return null;
  if (flavor === 'ovs') return { kind: 'annotation', text: `OVS_REQUIRES(${lock.name})` };
  if (lock.id === RTNL_CLASS || lock.kind === 'per-net') return { kind: 'statement', text: 'ASSERT_RTNL();' };
  return { kind: 'statement', text: `lockdep_assert_held(&${lock.name});` };
}

/**
 * Edits for `fn` in `lines` (the document split into lines). The body's `{` is searched from the
 * function's first line; nothing is offered if it cannot be found within a few lines.
 */
export function assertionEdits(fn: FunctionFacts, locks: ReadonlyMap<string, LockClass>, lines: readonly string[], flavor: Flavor): AssertionEdit[] {
  const edits: AssertionEdit[] = [];
  const start = fn.line - 1;
  let braceLine = -1;
  let braceCol = -1;
  for (let l = start; l < Math.min(lines.length, start + 12); l++) {
    const c = lines[l].indexOf('{');
    if (c >= 0) {
      braceLine = l;
      braceCol = c;
      break;
    }
  }
  if (braceLine < 0) return edits;
  const bodyText = lines.slice(braceLine, Math.min(lines.length, fn.endLine)).join('\n');
  const headerText = lines.slice(start, braceLine + 1).join('\n');
  const nextLine = lines[braceLine + 1] ?? '';
  const indent = /^\s*/.exec(nextLine)?.[0] || '\t';
  for (const id of fn.entry.must) {
    if (fn.requires.includes(id)) continue;
    const lock = locks.get(id);
    if (!lock) continue;
    const a = assertionFor(lock, flavor);
    if (!a) continue;
    if (a.kind === 'statement') {
      if (bodyText.includes(a.text.replace(/;$/, ''))) continue;
      edits.push({ title: `Add ${a.text.replace(/;$/, '')}`, line: braceLine, col: braceCol + 1, text: `\n${indent}${a.text}` });
    } else {
      if (headerText.includes(a.text)) continue;
      // `static void f(...)\n{`: annotate just before the brace, on the declarator's line.
      const declLine = braceCol === 0 && braceLine > start ? braceLine - 1 : braceLine;
      const col = declLine === braceLine ? braceCol : lines[declLine].length;
      const text = declLine === braceLine ? `${a.text} ` : `\n    ${a.text}`;
      edits.push({ title: `Add ${a.text}`, line: declLine, col, text });
    }
  }
  return edits;
}
