// Scores one analysis result against the verdicts judged for its corpus (shared/design/judging.md).
// Verdicts are facts, one JSON object a line: corpus, fingerprint, rule, file, function, verdict
// (right | right-annotation | wrong | noise), cause (for wrong/noise), reason (file:line evidence).

export const VERDICTS = ['right', 'right-annotation', 'wrong', 'noise'];
const isRight = (v) => v === 'right' || v === 'right-annotation';

export function parseVerdicts(text, source = 'verdicts') {
  const out = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new Error(`${source}:${i + 1}: not JSON (${e.message})`);
    }
    for (const k of ['corpus', 'fingerprint', 'rule', 'verdict', 'reason']) {
      if (typeof v[k] !== 'string' || !v[k]) throw new Error(`${source}:${i + 1}: missing "${k}"`);
    }
    if (!VERDICTS.includes(v.verdict)) throw new Error(`${source}:${i + 1}: verdict "${v.verdict}" is not one of ${VERDICTS.join(', ')}`);
    out.push(v);
  });
  return out;
}

/**
 * `findings`: the result's findings. Returns per-rule rows and totals. A judged finding that is no
 * longer reported is "gone": a gone wrong/noise verdict is a fix, a gone right one a loss.
 */
export function score(findings, verdicts) {
  const now = new Map(findings.map((f) => [f.fingerprint, f]));
  const rules = new Map();
  const row = (rule) => {
    if (!rules.has(rule)) rules.set(rule, { rule, findings: 0, judged: 0, right: 0, rightAnnotation: 0, wrong: 0, noise: 0, goneRight: 0, goneWrong: 0 });
    return rules.get(rule);
  };
  for (const f of findings) row(f.rule).findings++;
  const lost = [];
  for (const v of verdicts) {
    const r = row(v.rule);
    if (!now.has(v.fingerprint)) {
      if (isRight(v.verdict)) {
        r.goneRight++;
        lost.push(v);
      } else r.goneWrong++;
      continue;
    }
    r.judged++;
    if (v.verdict === 'right') r.right++;
    else if (v.verdict === 'right-annotation') r.rightAnnotation++;
    else if (v.verdict === 'wrong') r.wrong++;
    else r.noise++;
  }
  const rows = [...rules.values()].sort((a, b) => (a.rule < b.rule ? -1 : 1));
  const sum = (k) => rows.reduce((n, r) => n + r[k], 0);
  const total = { findings: sum('findings'), judged: sum('judged'), right: sum('right') + sum('rightAnnotation'), goneRight: sum('goneRight'), goneWrong: sum('goneWrong') };
  // Weighted over all findings (judging.md): each rule's precision stands for its unjudged
  // findings too; rules with nothing judged are left out of both sides.
  const judgedRules = rows.filter((r) => r.judged > 0);
  const covered = judgedRules.reduce((n, r) => n + r.findings, 0);
  const weighted = covered ? judgedRules.reduce((n, r) => n + ((r.right + r.rightAnnotation) / r.judged) * r.findings, 0) / covered : null;
  return { rows, total: { ...total, precision: total.judged ? total.right / total.judged : null, weighted }, lost };
}

/** OVS_REQUIRES recall: functions whose annotated run lists `requires`, checked in the run without annotations. */
export function requiresRecall(annotated, bare) {
  const key = (f) => `${f.file}:${f.name}:${f.line}`;
  const bareFns = new Map(bare.functions.map((f) => [key(f), f]));
  let facts = 0;
  let must = 0;
  let may = 0;
  for (const f of annotated.functions) {
    const b = bareFns.get(key(f));
    if (!b) continue;
    for (const l of f.requires) {
      facts++;
      if (b.entry.must.includes(l)) must++;
      else if (b.entry.may.includes(l)) may++;
    }
  }
  return { facts, must, may };
}

const pct = (x) => (x === null ? 'n/a' : `${(100 * x).toFixed(0)} %`);

export function renderScore(corpus, s) {
  const lines = [`${corpus}: ${s.total.findings} findings, ${s.total.judged} judged, precision ${pct(s.total.precision)} (weighted over all findings ${pct(s.total.weighted)})`];
  lines.push('  rule                           findings judged right r-ann wrong noise precision  gone(right/other)');
  for (const r of s.rows) {
    const p = r.judged ? (r.right + r.rightAnnotation) / r.judged : null;
    lines.push(`  ${r.rule.padEnd(30)} ${String(r.findings).padStart(8)} ${String(r.judged).padStart(6)} ${String(r.right).padStart(5)} ${String(r.rightAnnotation).padStart(5)} ${String(r.wrong).padStart(5)} ${String(r.noise).padStart(5)} ${pct(p).padStart(9)}  ${r.goneRight}/${r.goneWrong}`);
  }
  for (const v of s.lost) lines.push(`  LOST right finding ${v.fingerprint} ${v.rule} ${v.file ?? ''}:${v.function ?? ''} — ${v.reason}`);
  return lines.join('\n');
}
