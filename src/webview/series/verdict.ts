/** Short human summaries for the series patch list (pure, unit-tested). */
import type { PatchSummary } from '../graph/graph-model';

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** One-line verdict for a patch, e.g. "+1 edge, −2 edges, +1 lock class, 1 finding resolved". */
export function patchVerdict(s: PatchSummary): string {
  const parts: string[] = [];
  if (s.edgesAdded) parts.push(`+${plural(s.edgesAdded, 'edge')}`);
  if (s.edgesRemoved) parts.push(`−${plural(s.edgesRemoved, 'edge')}`);
  if (s.locksAdded) parts.push(`+${plural(s.locksAdded, 'lock class', 'lock classes')}`);
  if (s.locksRemoved) parts.push(`−${plural(s.locksRemoved, 'lock class', 'lock classes')}`);
  if (s.contentionRemoved) parts.push(`${plural(s.contentionRemoved, 'contention path')} removed`);
  if (s.contentionAdded) parts.push(`${plural(s.contentionAdded, 'contention path')} added`);
  if (s.rcuChanges) parts.push(`${plural(s.rcuChanges, 'RCU change')}`);
  if (s.entryChanged) parts.push(`entry context changed in ${plural(s.entryChanged, 'function')}`);
  if (s.findingsIntroduced) parts.push(`${plural(s.findingsIntroduced, 'finding')} introduced`);
  if (s.findingsResolved) parts.push(`${plural(s.findingsResolved, 'finding')} resolved`);
  return parts.length ? parts.join(', ') : 'no lock change';
}
