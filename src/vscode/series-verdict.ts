/**
 * One-line verdicts for the Series view (`2/2: flow commands no longer take ovs_mutex …`) and
 * the per-patch change list under each patch. Pure: reads the series report, no vscode.
 */
import type { PatchReport, SeriesReport } from '../engine/series/report-model';

export interface ChangeLine {
  icon: 'add' | 'remove' | 'warning' | 'pass' | 'info' | 'error';
  label: string;
  /** Where to open, when the change has a location. */
  file?: string;
  line?: number;
}

function names(xs: { id?: string; from?: string; to?: string }[]): string {
  return xs.map((x) => x.id ?? `${x.from} → ${x.to}`).join(', ');
}

export function patchVerdict(p: PatchReport): string {
  if (p.missing) return 'missing from the series';
  if (!p.applied) return `does not apply: ${p.error ?? 'unknown reason'}`;
  const d = p.delta;
  if (!d) return `patch-only: ${p.files.length} file${p.files.length === 1 ? '' : 's'} changed (no base tree)`;
  const parts: string[] = [];
  if (d.entryChanged.length) parts.push(`entry context changed in ${d.entryChanged.length} function${d.entryChanged.length === 1 ? '' : 's'}`);
  if (d.locksAdded.length) parts.push(`new lock class ${names(d.locksAdded)}`);
  if (d.locksRemoved.length) parts.push(`lock class ${names(d.locksRemoved)} gone`);
  if (d.edgesAdded.length) parts.push(`+${d.edgesAdded.length} nesting edge${d.edgesAdded.length === 1 ? '' : 's'}`);
  if (d.edgesRemoved.length) parts.push(`−${d.edgesRemoved.length} nesting edge${d.edgesRemoved.length === 1 ? '' : 's'}`);
  if (d.contentionRemoved.length) parts.push(`contention path${d.contentionRemoved.length === 1 ? '' : 's'} removed: ${d.contentionRemoved.map((c) => [c.contended, ...c.via].join(' ⇢ ')).join('; ')}`);
  if (d.contentionAdded.length) parts.push(`new contention path: ${d.contentionAdded.map((c) => [c.contended, ...c.via].join(' ⇢ ')).join('; ')}`);
  if (d.rcuAdded.length || d.rcuRemoved.length) parts.push(`RCU: +${d.rcuAdded.length}/−${d.rcuRemoved.length}`);
  if (d.findingsIntroduced.length) parts.push(`${d.findingsIntroduced.length} new finding${d.findingsIntroduced.length === 1 ? '' : 's'}`);
  if (d.findingsResolved.length) parts.push(`${d.findingsResolved.length} finding${d.findingsResolved.length === 1 ? '' : 's'} resolved`);
  const cycles = d.findingsIntroduced.filter((f) => f.rule === 'lock-order-cycle').length;
  if (!cycles && (d.edgesAdded.length || parts.length)) parts.push('no new cycle');
  return parts.length ? parts.join('; ') : 'no lock change';
}

export function patchChanges(p: PatchReport): ChangeLine[] {
  const out: ChangeLine[] = [];
  if (p.error) out.push({ icon: 'error', label: p.error });
  const d = p.delta;
  if (d) {
    for (const f of d.findingsIntroduced) out.push({ icon: 'warning', label: `new ${f.rule}: ${f.message}`, file: f.file, line: f.line });
    for (const f of d.findingsResolved) out.push({ icon: 'pass', label: `resolved ${f.rule}: ${f.message}`, file: f.file, line: f.line });
    for (const e of d.edgesAdded) out.push({ icon: 'add', label: `edge ${e.from} → ${e.to}`, file: e.witnesses[0]?.[0]?.file, line: e.witnesses[0]?.[0]?.line });
    for (const e of d.edgesRemoved) out.push({ icon: 'remove', label: `edge ${e.from} → ${e.to}` });
    for (const l of d.locksAdded) out.push({ icon: 'add', label: `lock class ${l.id} (${l.lockType})` });
    for (const l of d.locksRemoved) out.push({ icon: 'remove', label: `lock class ${l.id}` });
    for (const c of d.entryChanged) {
      const fmt = (s: { must: string[] }) => (s.must.length ? s.must.join(', ') : 'nothing');
      out.push({ icon: 'info', label: `${c.name}: entered with ${fmt(c.before)} → ${fmt(c.after)}`, file: c.file, line: c.line });
    }
    for (const c of d.contentionRemoved) out.push({ icon: 'remove', label: `contention ${[c.contended, ...c.via].join(' ⇢ ')}`, file: c.file, line: c.line });
    for (const c of d.contentionAdded) out.push({ icon: 'add', label: `contention ${[c.contended, ...c.via].join(' ⇢ ')}`, file: c.file, line: c.line });
  }
  for (const n of p.notes) out.push({ icon: 'info', label: n });
  for (const pr of p.problems) out.push({ icon: pr.severity === 'error' ? 'error' : 'info', label: pr.message, file: pr.file, line: pr.line });
  return out;
}

export function seriesSummary(r: SeriesReport): string {
  const applied = r.perPatch.filter((p) => p.applied).length;
  return `${r.series.subject} — ${applied}/${r.perPatch.length} applied · ${r.findings.introduced.length} introduced, ${r.findings.resolved.length} resolved, ${r.findings.persisting.length} persisting${r.partial ? ' · patch-only' : ''}`;
}
