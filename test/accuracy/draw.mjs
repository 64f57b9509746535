// Draws the seeded judging sample from an `analyze --format json` result, as
// shared/design/judging.md prescribes: per rule, every finding when it fired ≤ 8 times,
// otherwise 8, and 12 for the rule with the most findings. The draw is deterministic:
// findings ordered by sha256("<corpus>:<rule>:<round>:<fingerprint>").
//   node test/accuracy/draw.mjs --corpus NAME --round N RESULT.json   → JSON lines on stdout
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export function drawSample(findings, corpus, round) {
  const byRule = new Map();
  for (const f of findings) {
    if (!byRule.has(f.rule)) byRule.set(f.rule, []);
    byRule.get(f.rule).push(f);
  }
  const largest = [...byRule.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  const out = [];
  for (const [rule, list] of [...byRule.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const k = list.length <= 8 ? list.length : rule === largest ? 12 : 8;
    const key = (f) => createHash('sha256').update(`${corpus}:${rule}:${round}:${f.fingerprint}`).digest('hex');
    const ranked = list.map((f) => [key(f), f]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [, f] of ranked.slice(0, k)) out.push(f);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ options: { corpus: { type: 'string' }, round: { type: 'string', default: '1' } }, allowPositionals: true });
  if (!values.corpus || positionals.length !== 1) {
    console.error('usage: node test/accuracy/draw.mjs --corpus NAME [--round N] RESULT.json');
    process.exit(2);
  }
  const result = JSON.parse(readFileSync(positionals[0], 'utf8'));
  for (const f of drawSample(result.findings, values.corpus, values.round)) {
    console.log(JSON.stringify({ corpus: values.corpus, fingerprint: f.fingerprint, rule: f.rule, severity: f.severity, file: f.file, line: f.line, function: f.function, message: f.message, witness: f.witness }));
  }
}
