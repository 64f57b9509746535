/**
 * The golden corpus (test/fixtures/rules/<rule-id>/): the acceptance suite of the lock analysis.
 * Each folder is analysed as one tree; inline `expect:` comments are the source of truth (see
 * docs/rules.md, "The golden corpus"). `expected.json` snapshots additionally pin function and
 * locks; regenerate them with UPDATE_GOLDEN=1. `known-gaps.json` lists documented engine deviations
 * (each with a reason); a listed gap that stops happening fails the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { RULE_IDS } from '../../../src/engine/model';
import { RULES_DIR, analyze, analyzeFolder, extractOne, readFolder, sharedParser } from './engine';
import {
  applyKnownGaps,
  applyMutant,
  compareFindings,
  comparisonOk,
  formatComparison,
  isCleanFile,
  parseExpectations,
  parseKnownGaps,
  parseMutants,
  snapshotOf,
  type Expectation,
  type GoldenFinding,
} from './expectations';

const UPDATE = process.env.UPDATE_GOLDEN === '1';

function folderExpectations(dir: string): { expectations: Expectation[]; errors: string[]; files: string[] } {
  const folder = readFolder(dir);
  const expectations: Expectation[] = [];
  const errors: string[] = [];
  for (const f of folder.files) {
    const p = parseExpectations(f.path, f.text, RULE_IDS);
    expectations.push(...p.expectations);
    errors.push(...p.errors.map((e) => `${e.file}:${e.line}: ${e.message}`));
  }
  return { expectations, errors, files: folder.files.map((f) => f.path) };
}

test('golden corpus: one folder per rule id, each with positives and near misses', () => {
  const folders = readdirSync(RULES_DIR).filter((d) => statSync(path.join(RULES_DIR, d)).isDirectory()).sort();
  assert.deepEqual(folders, [...RULE_IDS].sort(), 'test/fixtures/rules/ must hold exactly one folder per RULE_IDS entry');
  for (const rule of RULE_IDS) {
    const { expectations, errors, files } = folderExpectations(path.join(RULES_DIR, rule));
    assert.deepEqual(errors, [], `${rule}: malformed expect comments`);
    const own = expectations.filter((e) => e.rule === rule);
    const posFiles = new Set(own.map((e) => e.file));
    assert.ok(own.length >= 3, `${rule}: needs at least 3 expected findings, has ${own.length}`);
    for (const e of own) assert.match(e.file, /^pos-/, `${rule}: expectation in ${e.file}:${e.line}, but only pos-* files may expect the folder's rule`);
    const quiet = files.filter((f) => f.endsWith('.c') && (f.startsWith('neg-') || isCleanFile(f)));
    assert.ok(quiet.length >= 3, `${rule}: needs at least 3 neg-/clean- files, has ${quiet.length}`);
    assert.ok(files.some(isCleanFile), `${rule}: needs at least one clean-* file`);
    for (const f of files.filter((x) => x.startsWith('pos-'))) {
      // A pos- file without an expectation is allowed only as the silent half of a cross-file case.
      if (!posFiles.has(f)) assert.ok(/-(b|callee|helper|netdev|vport)\.c$/.test(f), `${rule}: ${f} is pos- but expects nothing`);
    }
    for (const e of expectations) {
      const code = e.source.replace(/\/\*.*?\*\/|\/\/.*$/g, '').trim();
      assert.ok(code.length > 0 && !/^\*/.test(code), `${e.file}:${e.line}: an expect comment must share its line with the statement it points at`);
    }
    const folder = readFolder(path.join(RULES_DIR, rule));
    for (const f of folder.files) {
      const { mutants, errors: mutErrors } = parseMutants(f.path, f.text);
      assert.deepEqual(mutErrors, [], `${rule}: malformed mutant comments`);
      if (f.path.endsWith('.c') && (f.path.startsWith('neg-') || isCleanFile(f.path))) {
        assert.ok(mutants.length > 0, `${rule}/${f.path}: a near miss needs a /* mutant: FROM => TO */ that turns it into the bug`);
      }
    }
  }
});

for (const rule of RULE_IDS) {
  const dir = path.join(RULES_DIR, rule);
  test(`golden: ${rule}`, async (t) => {
    const folder = readFolder(dir);
    assert.deepEqual(folder.configErrors, [], `${rule}: .locklens.json is invalid`);
    const { expectations } = folderExpectations(dir);
    const t0 = performance.now();
    const { facts, result } = await analyzeFolder(folder);
    const ms = performance.now() - t0;
    const findings: GoldenFinding[] = result.findings.map((f) => ({ rule: f.rule, file: f.file, line: f.line, function: f.function, locks: f.locks }));
    const lines = new Map(folder.files.map((f) => [f.path, f.text.split('\n')]));
    const lineOf = (file: string, line: number): string | undefined => lines.get(file)?.[line - 1]?.trim();
    const gapsFile = path.join(dir, 'known-gaps.json');
    const gaps = existsSync(gapsFile) ? parseKnownGaps(JSON.parse(readFileSync(gapsFile, 'utf8'))) : [];
    const { comparison: cmp, stale } = applyKnownGaps(compareFindings(rule, expectations, findings), gaps);
    for (const g of gaps) {
      if (g.kind !== 'mutant' && !stale.includes(g)) t.diagnostic(`known gap (${g.kind} ${g.file}:${g.line}): ${g.reason}`);
    }
    assert.deepEqual(stale, [], `${rule}: these known gaps no longer occur — remove them from known-gaps.json`);
    const own = findings.filter((f) => f.rule === rule).length;
    t.diagnostic(`${rule}: ${folder.files.length} files, ${own} findings of the rule, ${findings.length} in total, ${ms.toFixed(0)} ms`);
    assert.deepEqual(result.problems.filter((p) => p.code === 'internal-error'), [], `${rule}: the analysis failed internally`);
    const problems = result.problems.filter((p) => p.severity !== 'info');
    if (!comparisonOk(cmp) && problems.length) {
      t.diagnostic(`engine problems: ${problems.map((p) => `${p.file ?? ''}:${p.line ?? ''} ${p.code} ${p.message}`).join(' | ')}`);
    }
    assert.ok(comparisonOk(cmp), '\n' + formatComparison(rule, cmp, lineOf));

    // Each near miss must flip into a finding of this rule when its distinguishing detail is mutated.
    const parser = await sharedParser();
    const mutantStarts = new Set(folder.files.flatMap((f) => parseMutants(f.path, f.text).mutants.map((m) => `${f.path}:${m.edits[0].line}`)));
    const orphans = gaps.filter((g) => g.kind === 'mutant' && !mutantStarts.has(`${g.file}:${g.line}`));
    assert.deepEqual(orphans, [], `${rule}: known-gaps.json lists mutants that do not exist (a mutant gap names the line of the mutant's first edit)`);
    for (const f of folder.files) {
      for (const m of parseMutants(f.path, f.text).mutants) {
        await t.test(`mutant ${f.path} (${m.name})`, () => {
          const mutated = extractOne(parser, folder, f.path, applyMutant(f.text, m));
          const r = analyze(
            folder,
            facts.map((x) => (x.file === f.path ? mutated : x)),
          );
          const hits = r.findings.filter((x) => x.rule === rule && x.file === f.path);
          const edits = m.edits.map((e) => `line ${e.line}: "${e.from}" => "${e.to}"`).join('; ');
          const gap = gaps.find((g) => g.kind === 'mutant' && g.file === f.path && g.line === m.edits[0].line);
          if (gap) {
            assert.equal(hits.length, 0, `${rule}: known gap (mutant ${f.path}:${gap.line}) no longer occurs — remove it from known-gaps.json`);
            t.diagnostic(`known gap (mutant ${f.path}:${gap.line}): ${gap.reason}`);
            return;
          }
          assert.ok(hits.length > 0, `${rule}: mutating ${f.path} (${edits}) should produce a ${rule} finding in that file, got none`);
        });
      }
    }

    const snapFile = path.join(dir, 'expected.json');
    // Known-gap findings stay out of the snapshot: fixing a gap then only means deleting its entry.
    const isGap = (f: GoldenFinding): boolean => gaps.some((g) => g.kind === 'unexpected' && g.file === f.file && g.line === f.line);
    const snap = snapshotOf(rule, findings.filter((f) => !isGap(f)));
    if (UPDATE) {
      writeFileSync(snapFile, JSON.stringify(snap, null, 2) + '\n');
    } else if (existsSync(snapFile)) {
      const want = JSON.parse(readFileSync(snapFile, 'utf8')) as GoldenFinding[];
      assert.deepEqual(snap, want, `${rule}: findings differ from expected.json (function/locks drift). If intended, rerun with UPDATE_GOLDEN=1`);
    }
  });
}
