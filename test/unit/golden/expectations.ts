/**
 * Inline expectations of the golden corpus and their comparison with engine findings.
 * Pure (no IO) so the harness logic itself is unit-tested in expectations.test.ts.
 *
 * Syntax, on the line where the finding must be reported (see docs/rules.md):
 *   /* expect: <rule-id> *\/            or   // expect: <rule-id>
 *   /* expect: <rule-id> locks=a,b *\/  lock ids run to the end of the comment and may contain spaces.
 */

export interface Expectation {
  file: string;
  line: number;
  rule: string;
  /** Sorted lock ids when `locks=` was given, else null (locks not checked). */
  locks: string[] | null;
  /** The source line, for readable failure output. */
  source: string;
}

/** The subset of `Finding` the golden corpus compares (and snapshots). */
export interface GoldenFinding {
  rule: string;
  file: string;
  line: number;
  function: string;
  locks: string[];
}

export interface ExpectationSyntaxError {
  file: string;
  line: number;
  message: string;
}

const EXPECT_RE = /(?:\/\*|\/\/)\s*expect:\s*(.*?)\s*(?:\*\/|$)/g;
const BODY_RE = /^([a-z0-9-]+)(?:\s+locks=(.+))?$/;

export function parseExpectations(
  file: string,
  text: string,
  knownRules: readonly string[],
): { expectations: Expectation[]; errors: ExpectationSyntaxError[] } {
  const expectations: Expectation[] = [];
  const errors: ExpectationSyntaxError[] = [];
  const lines = text.split('\n');
  lines.forEach((source, i) => {
    for (const m of source.matchAll(EXPECT_RE)) {
      const body = BODY_RE.exec(m[1]);
      if (!body) {
        errors.push({ file, line: i + 1, message: `cannot read expectation "${m[1]}"` });
        continue;
      }
      const rule = body[1];
      if (!knownRules.includes(rule)) {
        errors.push({ file, line: i + 1, message: `unknown rule id "${rule}"` });
        continue;
      }
      const locks = body[2] === undefined ? null : normLocks(body[2].split(','));
      if (locks && locks.some((l) => l === '')) {
        errors.push({ file, line: i + 1, message: `empty lock id in "${m[1]}"` });
        continue;
      }
      expectations.push({ file, line: i + 1, rule, locks, source: source.trim() });
    }
  });
  return { expectations, errors };
}

export function normLocks(locks: readonly string[]): string[] {
  return [...new Set(locks.map((l) => l.trim()))].sort();
}

export function sameLocks(a: readonly string[], b: readonly string[]): boolean {
  const x = normLocks(a);
  const y = normLocks(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

export function isCleanFile(file: string): boolean {
  return /(^|\/)clean-[^/]*$/.test(file);
}

export interface Comparison {
  /** Expectations with no finding of that rule on that line. */
  missing: Expectation[];
  /** A finding exists on the line but its lock set differs from `locks=`. */
  wrongLocks: { expectation: Expectation; found: GoldenFinding[] }[];
  /** Findings of the folder's rule on lines without an expectation for it. */
  unexpected: GoldenFinding[];
  /** Findings of any rule in `clean-*` files. */
  unclean: GoldenFinding[];
}

/**
 * Folder semantics of docs/rules.md: every expectation matched; no stray finding of `rule`; clean
 * files silent. `rule` = '*' checks every rule (the bundled examples: every finding must be expected).
 */
export function compareFindings(rule: string, expectations: readonly Expectation[], findings: readonly GoldenFinding[]): Comparison {
  const key = (r: string, file: string, line: number): string => `${r}\u0000${file}\u0000${line}`;
  const byKey = new Map<string, GoldenFinding[]>();
  for (const f of findings) {
    const k = key(f.rule, f.file, f.line);
    byKey.set(k, [...(byKey.get(k) ?? []), f]);
  }
  const expected = new Set(expectations.map((e) => key(e.rule, e.file, e.line)));
  const out: Comparison = { missing: [], wrongLocks: [], unexpected: [], unclean: [] };
  for (const e of expectations) {
    const found = byKey.get(key(e.rule, e.file, e.line)) ?? [];
    if (found.length === 0) out.missing.push(e);
    else if (e.locks && !found.some((f) => sameLocks(f.locks, e.locks!))) out.wrongLocks.push({ expectation: e, found });
  }
  for (const f of findings) {
    const k = key(f.rule, f.file, f.line);
    if (isCleanFile(f.file) && !expected.has(k)) out.unclean.push(f);
    else if ((rule === '*' || f.rule === rule) && !expected.has(k)) out.unexpected.push(f);
  }
  return out;
}

export function comparisonOk(c: Comparison): boolean {
  return c.missing.length + c.wrongLocks.length + c.unexpected.length + c.unclean.length === 0;
}

function showFinding(f: GoldenFinding, sourceLine?: string): string {
  const where = `${f.file}:${f.line}`;
  return `${where.padEnd(34)} ${f.rule} in ${f.function}() locks=[${f.locks.join(', ')}]` + (sourceLine ? `\n      | ${sourceLine}` : '');
}

/** A readable diff for the assertion message. `lineOf` returns the trimmed source line of file:line. */
export function formatComparison(rule: string, c: Comparison, lineOf: (file: string, line: number) => string | undefined): string {
  const out: string[] = [
    `${rule}: ${c.missing.length} missing, ${c.wrongLocks.length} with other locks, ` +
      `${c.unexpected.length} unexpected, ${c.unclean.length} in clean files`,
  ];
  for (const e of c.missing) {
    out.push(`  - missing     ${`${e.file}:${e.line}`.padEnd(34)} ${e.rule}${e.locks ? ` locks=[${e.locks.join(', ')}]` : ''}\n      | ${e.source}`);
  }
  for (const w of c.wrongLocks) {
    const e = w.expectation;
    out.push(
      `  ~ locks       ${`${e.file}:${e.line}`.padEnd(34)} expected [${e.locks!.join(', ')}], found ` +
        w.found.map((f) => `[${f.locks.join(', ')}]`).join(' '),
    );
  }
  for (const f of c.unexpected) out.push(`  + unexpected  ${showFinding(f, lineOf(f.file, f.line))}`);
  for (const f of c.unclean) out.push(`  + clean file  ${showFinding(f, lineOf(f.file, f.line))}`);
  return out.join('\n');
}

/** Sorted, location-complete snapshot entries (the `expected.json` content). */
export function snapshotOf(rule: string, findings: readonly GoldenFinding[]): GoldenFinding[] {
  const seen = new Set<string>();
  const out: GoldenFinding[] = [];
  for (const f of findings) {
    if (f.rule !== rule) continue;
    const g = { rule: f.rule, file: f.file, line: f.line, function: f.function, locks: [...f.locks] };
    const k = JSON.stringify(g);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(g);
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || (a.function < b.function ? -1 : a.function > b.function ? 1 : 0)));
}

/**
 * A documented engine deviation from docs/rules.md, listed in `<folder>/known-gaps.json`. The harness
 * takes it out of the comparison but fails once it no longer happens, so the list cannot rot.
 */
export interface KnownGap {
  /** `mutant`: the mutant whose first edit is on `line` does not (yet) produce a finding. */
  kind: 'missing' | 'unexpected' | 'mutant';
  file: string;
  line: number;
  reason: string;
}

export function parseKnownGaps(raw: unknown): KnownGap[] {
  if (!Array.isArray(raw)) throw new Error('known-gaps.json: expected an array');
  return raw.map((g, i) => {
    const o = g as Partial<KnownGap>;
    if ((o.kind !== 'missing' && o.kind !== 'unexpected' && o.kind !== 'mutant') || typeof o.file !== 'string' || typeof o.line !== 'number' || typeof o.reason !== 'string' || !o.reason) {
      throw new Error(`known-gaps.json[${i}]: expected {kind: "missing"|"unexpected"|"mutant", file, line, reason}`);
    }
    return { kind: o.kind, file: o.file, line: o.line, reason: o.reason };
  });
}

/** Removes the known gaps from `c`; returns the gaps that did not occur (fixed, so stale). */
export function applyKnownGaps(c: Comparison, gaps: readonly KnownGap[]): { comparison: Comparison; stale: KnownGap[] } {
  const stale: KnownGap[] = [];
  const out: Comparison = { ...c, missing: [...c.missing], unexpected: [...c.unexpected] };
  for (const g of gaps) {
    if (g.kind === 'mutant') continue; // checked where the mutants run
    const list: { file: string; line: number }[] = g.kind === 'missing' ? out.missing : out.unexpected;
    const before = list.length;
    const kept = list.filter((x) => !(x.file === g.file && x.line === g.line));
    if (kept.length === before) stale.push(g);
    if (g.kind === 'missing') out.missing = kept as Expectation[];
    else out.unexpected = kept as GoldenFinding[];
  }
  return { comparison: out, stale };
}

/**
 * A one-token edit that turns a near miss into the bug it is near to (`neg-`/`clean-` files):
 *   /* mutant: FROM => TO *\/        applied to the code on that line (TO may be empty)
 *   /* mutant(name): FROM => TO *\/  several lines with the same name form one mutant
 * The mutated file must then produce a finding of the folder's rule: proof that the original is
 * silent because of the distinguishing detail, not because LockLens failed to model the file.
 */
export interface Mutant {
  file: string;
  name: string;
  edits: { line: number; from: string; to: string }[];
}

const MUTANT_RE = /\/\*\s*mutant(?:\(([\w-]+)\))?:\s*(.*?)\s*=>\s*(.*?)\s*\*\//g;

export function parseMutants(file: string, text: string): { mutants: Mutant[]; errors: ExpectationSyntaxError[] } {
  const byName = new Map<string, Mutant>();
  const errors: ExpectationSyntaxError[] = [];
  text.split('\n').forEach((source, i) => {
    for (const m of source.matchAll(MUTANT_RE)) {
      const from = m[2];
      const code = source.slice(0, m.index);
      if (/^\s*(\*|\/\*|\/\/)/.test(code)) {
        errors.push({ file, line: i + 1, message: 'mutant: must follow code, not sit on a comment line' });
        continue;
      }
      if (!from || !code.includes(from)) {
        errors.push({ file, line: i + 1, message: `mutant: "${from}" does not occur in the code of this line` });
        continue;
      }
      const name = m[1] ?? `line ${i + 1}`;
      const mut = byName.get(name) ?? { file, name, edits: [] };
      mut.edits.push({ line: i + 1, from, to: m[3] });
      byName.set(name, mut);
    }
  });
  return { mutants: [...byName.values()], errors };
}

export function applyMutant(text: string, m: Mutant): string {
  const lines = text.split('\n');
  for (const e of m.edits) {
    const line = lines[e.line - 1];
    const at = line.indexOf(e.from);
    lines[e.line - 1] = line.slice(0, at) + e.to + line.slice(at + e.from.length);
  }
  return lines.join('\n');
}
