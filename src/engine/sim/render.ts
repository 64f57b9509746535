/** Text rendering of a sweep: the seed's table shape, `mean(std)` in seconds and delta %. */

import type { SweepResult } from './sweep';

export function renderSweepText(res: SweepResult): string {
  const names = res.cells.length ? Object.keys(res.cells[0].params) : [];
  const fmt = (m: number, s: number): string => (Number.isFinite(m) ? `${m.toFixed(3)}(${s.toFixed(3)})` : 'n/a');
  const header = [...names, 'before (s)', 'after (s)', 'delta'];
  const rows = res.cells.map((c) => [
    ...names.map((n) => String(c.params[n])),
    fmt(c.before.mean, c.before.std),
    fmt(c.after.mean, c.after.std),
    Number.isFinite(c.deltaPct) ? `${c.deltaPct > 0 ? '+' : ''}${c.deltaPct.toFixed(1)}%` : 'n/a',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cols: string[]): string => cols.map((c, i) => (i < names.length ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const rule = '='.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  const out = [
    `${res.scenario}: ${res.reps} replication${res.reps === 1 ? '' : 's'} per cell, seed ${res.seed}; values are mean(std)`,
    rule,
    line(header),
    '-'.repeat(rule.length),
    ...rows.map(line),
    rule,
  ];
  for (const p of res.problems) out.push(`${p.severity}: ${p.message}`);
  return out.join('\n') + '\n';
}
