/**
 * Plain-text rendering of an analysis for terminals and CI logs: findings first (what a
 * reviewer acts on), each with its witness chain, then the lock-order graph and a summary.
 */
import type { AnalysisResult, Finding, WitnessStep } from '../model';
import { SEVERITIES } from '../model';

export function formatStep(s: WitnessStep): string {
  return `${s.file}:${s.line}  ${s.function}()  ${s.note}`;
}

export function countBySeverity(findings: Finding[]): Record<string, number> {
  const out: Record<string, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) out[f.severity] = (out[f.severity] ?? 0) + 1;
  return out;
}

function plural(n: number, word: string): string {
  if (n === 1) return `${n} ${word}`;
  return `${n} ${/(s|sh|ch|x)$/.test(word) ? word + 'es' : word + 's'}`;
}

export function renderText(r: AnalysisResult, opts: { maxEdges?: number } = {}): string {
  const lines: string[] = [];
  const sev = countBySeverity(r.findings);
  lines.push(
    `LockLens: ${plural(r.files, 'file')}, ${plural(r.functions.length, 'function')}, ${plural(r.locks.length, 'lock class')}, ` +
      `${plural(r.edges.length, 'lock-order edge')}, ${plural(r.findings.length, 'finding')}` +
      (r.findings.length ? ` (${SEVERITIES.filter((s) => sev[s]).map((s) => `${sev[s]} ${s}`).join(', ')})` : ''),
  );
  lines.push('');
  const ordered = [...r.findings].sort(
    (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.file.localeCompare(b.file) || a.line - b.line,
  );
  for (const f of ordered) {
    lines.push(`${f.severity.padEnd(7)} ${f.rule}  ${f.file}:${f.line}  in ${f.function}()`);
    lines.push(`        ${f.message}`);
    if (f.witness.length) {
      lines.push('        witness:');
      for (const s of f.witness) lines.push(`          ${formatStep(s)}`);
    }
    lines.push('');
  }
  if (r.edges.length) {
    lines.push('Lock order (A → B: B taken while A is held):');
    const max = opts.maxEdges ?? 40;
    for (const e of r.edges.slice(0, max)) {
      const w = e.witnesses[0];
      const where = w && w.length ? `  e.g. ${w[0]!.file}:${w[0]!.line} ${w.map((s) => s.function).filter((fn, i, a) => a.indexOf(fn) === i).join(' → ')}` : '';
      lines.push(`  ${e.from} → ${e.to}${e.trylock ? ' (trylock)' : ''}  [${plural(e.count, 'path')}]${where}`);
    }
    if (r.edges.length > max) lines.push(`  … ${r.edges.length - max} more (use --format json)`);
    lines.push('');
  }
  const unmodeled = r.stats.unmodeledFunctions;
  const errs = r.problems.filter((p) => p.severity === 'error');
  lines.push(
    `Modelled ${plural(r.stats.functions, 'function')} in ${plural(r.stats.files, 'file')} (${(r.stats.bytes / 1024).toFixed(0)} KiB); ` +
      `${unmodeled} could not be modelled; ${plural(r.stats.filesWithErrorNodes, 'file')} still had parse ERROR nodes after macro masking (their functions and calls are recovered).`,
  );
  for (const p of errs.slice(0, 20)) lines.push(`problem: ${p.file ? p.file + ': ' : ''}${p.message}`);
  if (errs.length > 20) lines.push(`… ${errs.length - 20} more problems (use --format json)`);
  const t = r.stats.timings;
  const phases = Object.keys(t).map((k) => `${k} ${Math.round(t[k]!)} ms`);
  if (phases.length) lines.push(`Timings: ${phases.join(', ')}`);
  return lines.join('\n') + '\n';
}
