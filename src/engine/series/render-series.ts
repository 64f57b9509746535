/**
 * Text and Markdown renderings of a series report: a concise review reply a maintainer can
 * paste, per patch a few lines with file:line references, then the whole-series verdict.
 */
import type { Finding, LockEdge, LockSet } from '../model';
import type { ContentionPath, LockDelta, RcuItem, EntryChange } from './lock-diff';
import type { PatchReport, SeriesReport } from './report-model';

interface Style {
  md: boolean;
  code: (s: string) => string;
  h: (s: string) => string;
  bullet: string;
}

const TEXT: Style = { md: false, code: (s) => s, h: (s) => s, bullet: '  - ' };
const MD: Style = { md: true, code: (s) => '`' + s.replace(/`/g, "'") + '`', h: (s) => `### ${s}`, bullet: '- ' };

const loc = (file: string, line: number) => (line > 0 ? `${file}:${line}` : file);
const MAX_ITEMS = 8;

function edgeWhere(e: LockEdge): string {
  const w = e.witnesses[0];
  const step = w?.[w.length - 1];
  return step ? ` in ${step.function} (${loc(step.file, step.line)})` : '';
}

function lockSet(s: LockSet): string {
  const may = s.may.filter((l) => !s.must.includes(l));
  const parts = [...s.must, ...may.map((l) => `${l}?`)];
  return parts.length ? `{${parts.join(', ')}}` : '{}';
}

const findingLine = (st: Style, f: Finding) => `[${f.severity}] ${st.code(f.rule)}: ${f.message} (${loc(f.file, f.line)})`;
const edgeLine = (st: Style, e: LockEdge) => `${st.code(`${e.from} → ${e.to}`)}${e.trylock ? ' (trylock)' : ''}${edgeWhere(e)}`;
const pathLine = (st: Style, p: ContentionPath) => `${st.code(p.key)} (${loc(p.file, p.line)})`;
const entryLine = (st: Style, c: EntryChange) => `${st.code(c.name)} entered under ${lockSet(c.before)} → ${lockSet(c.after)} (${loc(c.file, c.line)})`;

function rcuLine(st: Style, r: RcuItem, added: boolean): string {
  switch (r.kind) {
    case 'rcu-pointer':
      return `${st.code(r.what)} ${added ? 'is now' : 'is no longer'} ${st.code('__rcu')} (${loc(r.file, r.line)})`;
    default:
      return `${added ? 'new' : 'removed'} ${st.code(r.what)} in ${r.function} (${loc(r.file, r.line)})`;
  }
}

function capped<T>(items: T[], render: (t: T) => string, st: Style, out: string[], prefix: string): void {
  for (const t of items.slice(0, MAX_ITEMS)) out.push(`${st.bullet}${prefix}${render(t)}`);
  if (items.length > MAX_ITEMS) out.push(`${st.bullet}… and ${items.length - MAX_ITEMS} more ${prefix.trim()}`);
}

function deltaLines(d: LockDelta, st: Style): string[] {
  const out: string[] = [];
  capped(d.locksAdded, (l) => `${st.code(l.id)} (${l.lockType})`, st, out, 'new lock class ');
  capped(d.locksRemoved, (l) => st.code(l.id), st, out, 'lock class gone ');
  capped(d.edgesAdded, (e) => edgeLine(st, e), st, out, 'edge added ');
  capped(d.edgesRemoved, (e) => edgeLine(st, e), st, out, 'edge removed ');
  capped(d.entryChanged, (c) => entryLine(st, c), st, out, 'entry context: ');
  capped(d.contentionRemoved, (p) => pathLine(st, p), st, out, 'contention path removed ');
  capped(d.contentionAdded, (p) => pathLine(st, p), st, out, 'contention path added ');
  capped(d.rcuAdded, (r) => rcuLine(st, r, true), st, out, '');
  capped(d.rcuRemoved, (r) => rcuLine(st, r, false), st, out, '');
  capped(d.findingsIntroduced, (f) => findingLine(st, f), st, out, 'introduces ');
  capped(d.findingsResolved, (f) => findingLine(st, f), st, out, 'resolves ');
  if (out.length === 0) out.push(`${st.bullet}no lock-graph change`);
  return out;
}

function hunkLines(p: PatchReport, st: Style): string[] {
  const h = p.hunks;
  const out: string[] = [];
  if (h.functions.length) out.push(`${st.bullet}functions touched: ${h.functions.slice(0, 12).map(st.code).join(', ')}${h.functions.length > 12 ? ', …' : ''}`);
  const plus = h.calls.filter((c) => c.added > c.removed);
  const minus = h.calls.filter((c) => c.removed > c.added);
  if (plus.length) out.push(`${st.bullet}lock/RCU calls added: ${plus.slice(0, 10).map((c) => st.code(c.call) + (c.added - c.removed > 1 ? ` ×${c.added - c.removed}` : '')).join(', ')}`);
  if (minus.length) out.push(`${st.bullet}lock/RCU calls removed: ${minus.slice(0, 10).map((c) => st.code(c.call) + (c.removed - c.added > 1 ? ` ×${c.removed - c.added}` : '')).join(', ')}`);
  for (const a of h.annotationsAdded.slice(0, 5)) out.push(`${st.bullet}annotation added: ${st.code(a.text)} (${loc(a.file, a.line)})`);
  for (const a of h.annotationsRemoved.slice(0, 5)) out.push(`${st.bullet}annotation removed: ${st.code(a.text)} (${loc(a.file, a.line)})`);
  for (const a of h.rcuPointersAdded.slice(0, 5)) out.push(`${st.bullet}RCU pointer declared: ${st.code(a.text)} (${loc(a.file, a.line)})`);
  for (const a of h.rcuPointersRemoved.slice(0, 5)) out.push(`${st.bullet}RCU pointer declaration removed: ${st.code(a.text)} (${loc(a.file, a.line)})`);
  if (out.length === 0) out.push(`${st.bullet}no lock API, annotation or __rcu change in the hunks`);
  return out;
}

function render(r: SeriesReport, st: Style): string {
  const out: string[] = [];
  const v = r.series.version > 1 ? ` v${r.series.version}` : '';
  out.push(st.md ? `## LockLens review: ${r.series.subject}${v}` : `LockLens review: ${r.series.subject}${v}`);
  if (r.series.author) out.push(`Author: ${r.series.author}`);
  if (r.partial) out.push(`${st.md ? '> **' : '!! '}Partial: patch-only mode — the hunks were read without a base tree; lock-graph effects are not known.${st.md ? '**' : ''}`);
  for (const n of r.notes.filter((n) => !n.startsWith('partial:'))) out.push(`${st.md ? '> ' : 'note: '}${n}`);
  out.push('');
  for (const p of r.perPatch) {
    const title = `${p.index}/${p.total} ${p.subject}`;
    out.push(st.md ? st.h(title) : title);
    if (p.missing) out.push(`${st.bullet}missing from the input`);
    else if (!p.applied && r.mode === 'full') {
      out.push(`${st.bullet}did NOT apply:`);
      for (const pr of p.problems.filter((x) => x.severity === 'error')) out.push(`${st.md ? '  - ' : '      '}${pr.file ? `${pr.file}: ` : ''}${pr.message}`);
      if (!p.problems.some((x) => x.severity === 'error') && p.error) out.push(`${st.md ? '  - ' : '      '}${p.error}`);
    } else if (p.delta) {
      const lines = deltaLines(p.delta, st);
      // An unchanged graph still deserves a word on what the hunks do with locks.
      if (lines.length === 1 && lines[0].endsWith('no lock-graph change')) {
        const calls = hunkLines(p, st).filter((l) => /lock\/RCU calls/.test(l));
        out.push(...lines, ...calls);
      } else out.push(...lines);
    }
    else out.push(...hunkLines(p, st));
    for (const n of p.notes) out.push(`${st.bullet}note: ${n}`);
    out.push('');
  }
  const total = r.perPatch[0]?.total ?? r.perPatch.length;
  if (r.mode === 'full') {
    out.push(st.md ? st.h('Whole series') : 'Whole series');
    const applied = r.patches.filter((p) => p.applied).length;
    out.push(`${st.bullet}${applied}/${r.patches.length} patches applied`);
    out.push(`${st.bullet}lock-order edges: ${r.edges.added.length} added, ${r.edges.removed.length} removed; lock classes: ${r.locks.added.length} added, ${r.locks.removed.length} removed`);
    out.push(`${st.bullet}contention paths: ${r.contention.added.length} added, ${r.contention.removed.length} removed; entry contexts changed: ${r.functions.entryChanged.length}`);
    const cycles = r.findings.introduced.filter((f) => f.rule === 'lock-order-cycle');
    out.push(`${st.bullet}findings: ${r.findings.introduced.length} introduced, ${r.findings.resolved.length} resolved, ${r.findings.persisting.length} persisting${cycles.length === 0 ? '; no new lock-order cycle' : ''}`);
    for (const f of r.findings.introduced.slice(0, MAX_ITEMS)) out.push(`${st.bullet}introduced in ${f.patch}/${total}: ${findingLine(st, f)}`);
    for (const f of r.findings.resolved.slice(0, MAX_ITEMS)) out.push(`${st.bullet}resolved in ${f.patch}/${total}: ${findingLine(st, f)}`);
  }
  const errors = r.problems.filter((p) => p.severity !== 'info' && p.code !== 'hunk-failed' && p.code !== 'patch-failed');
  if (errors.length) {
    out.push('');
    out.push(st.md ? st.h('Input problems') : 'Input problems');
    for (const p of errors) out.push(`${st.bullet}${p.patch ? `patch ${p.patch}: ` : ''}${p.file ? `${p.file}: ` : ''}${p.message}`);
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

export const renderSeriesText = (r: SeriesReport) => render(r, TEXT);
export const renderSeriesMarkdown = (r: SeriesReport) => render(r, MD);
