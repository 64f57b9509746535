/**
 * Markdown export of an analysis: a short, reply-ready summary with file:line references and
 * the witness chain of every finding. Pure (no vscode), rendered from the findings the user
 * sees (rule settings applied).
 */
import type { AnalysisResult, Finding } from '../engine/model';
import { SEVERITIES } from '../engine/model';

function step(s: { file: string; line: number; function: string; note: string }): string {
  return `\`${s.file}:${s.line}\` ${s.function}${s.note ? ` — ${s.note}` : ''}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderMarkdownReport(result: AnalysisResult, findings: readonly Finding[], title: string, maxEdges = 20): string {
  const out: string[] = [];
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  out.push(`# ${title}`, '');
  out.push(
    `${result.files} files · ${result.functions.length} functions · ${result.locks.length} lock classes · ${result.edges.length} lock-order edges · ` +
      `**${findings.length} findings** (${count('error')} errors, ${count('warning')} warnings, ${count('info')} info)`,
    '',
  );
  if (findings.length) {
    out.push('## Findings', '');
    const sorted = [...findings].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.file.localeCompare(b.file) || a.line - b.line);
    for (const f of sorted) {
      out.push(`- **${f.severity}** \`${f.rule}\` \`${f.file}:${f.line}\` in \`${f.function}\`: ${f.message}`);
      for (const [i, s] of f.witness.entries()) out.push(`  ${i + 1}. ${step(s)}`);
    }
    out.push('');
  }
  const contended = result.locks.filter((l) => l.contended);
  if (result.locks.length) {
    out.push('## Lock classes', '', '| class | type | sites | contended |', '|---|---|---:|---|');
    const locks = [...result.locks].sort((a, b) => b.sites - a.sites || a.id.localeCompare(b.id));
    for (const l of locks.slice(0, 30)) out.push(`| \`${cell(l.id)}\` | ${l.lockType} | ${l.sites} | ${l.contended ? 'yes' : ''} |`);
    if (locks.length > 30) out.push(`| … ${locks.length - 30} more | | | |`);
    out.push('');
  }
  if (result.edges.length) {
    out.push('## Lock order', '');
    const edges = [...result.edges].sort((a, b) => b.count - a.count || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
    for (const e of edges.slice(0, maxEdges)) {
      const w = e.witnesses[0] ?? [];
      out.push(`- \`${e.from} → ${e.to}\`${e.trylock ? ' (trylock)' : ''} — ${e.count} path${e.count === 1 ? '' : 's'}${w.length ? `: ${w.map((s) => `${s.function} (\`${s.file}:${s.line}\`)`).join(' → ')}` : ''}`);
    }
    if (edges.length > maxEdges) out.push(`- … ${edges.length - maxEdges} more edges`);
    out.push('');
  }
  if (contended.length) out.push(`Contended locks: ${contended.map((l) => `\`${l.id}\``).join(', ')}`, '');
  if (result.problems.length) out.push(`_${result.problems.length} analysis problems (unparsed code, skipped files); see \`locklens analyze\` for details._`, '');
  return out.join('\n');
}
