/**
 * The bundled examples (examples/kernel-dp, examples/ovs-userspace) are demo material: every finding
 * LockLens reports there must be one the examples README announces, marked inline with the same
 * `expect:` comments as the golden corpus, and nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RULE_IDS } from '../../../src/engine/model';
import { readMailFile } from '../../../src/engine/series/mail';
import { assembleSeries } from '../../../src/engine/series/assemble';
import { applyPatch, type Tree } from '../../../src/engine/series/apply';
import { ROOT, analyzeFolder, readFolder, type FixtureFolder } from './engine';
import { compareFindings, comparisonOk, formatComparison, parseExpectations, type Expectation } from './expectations';

for (const example of ['kernel-dp', 'ovs-userspace']) {
  const dir = path.join(ROOT, 'examples', example);
  const folder = readFolder(dir);
  const expectations: Expectation[] = folder.files.flatMap((f) => parseExpectations(f.path, f.text, RULE_IDS).expectations);

  test(`example ${example}: files stay small and announce their findings`, () => {
    assert.ok(folder.files.length >= 3, `${example}: expected a few source files`);
    for (const f of folder.files) assert.ok(f.text.split('\n').length < 200, `${example}/${f.path} must stay under 200 lines`);
    assert.ok(expectations.length >= 2, `${example}: expected at least two announced findings`);
    assert.deepEqual(folder.configErrors, []);
  });

  test(`example ${example}: findings are exactly the announced ones`, async (t) => {
    const { result } = await analyzeFolder(folder);
    const findings = result.findings.map((f) => ({ rule: f.rule, file: f.file, line: f.line, function: f.function, locks: f.locks }));
    const lines = new Map(folder.files.map((f) => [f.path, f.text.split('\n')]));
    const cmp = compareFindings('*', expectations, findings);
    t.diagnostic(`${example}: ${findings.length} findings, ${result.locks.length} lock classes, ${result.edges.length} edges`);
    assert.ok(comparisonOk(cmp), '\n' + formatComparison('all rules', cmp, (file, line) => lines.get(file)?.[line - 1]?.trim()));
  });
}

// The demo series must keep applying to kernel-dp and keep doing what examples/README.md says.
test('example series: applies to kernel-dp and resolves exactly the two contention-transfer findings', async () => {
  const mbox = path.join(ROOT, 'examples/series/kdp-decouple-flow-from-rtnl.mbox');
  const series = assembleSeries(await readMailFile(readFileSync(mbox), path.basename(mbox)));
  assert.deepEqual(series.problems, []);
  assert.deepEqual(series.patches.map((p) => p.subject), ['kdp: make the flow table an RCU pointer', 'kdp: decouple flow commands from kdp_mutex']);
  const base = readFolder(path.join(ROOT, 'examples/kernel-dp'));
  let tree: Tree = new Map(base.files.map((f) => [f.path, f.text]));
  for (const p of series.patches) {
    const r = applyPatch(tree, p);
    assert.ok(r.applied, `patch ${p.index} does not apply: ${r.problems.map((x) => x.message).join('; ')}`);
    tree = r.tree;
  }
  const after: FixtureFolder = { ...base, files: [...tree].map(([p, text]) => ({ path: p, text })).sort((a, b) => (a.path < b.path ? -1 : 1)) };
  const key = (f: { rule: string; function: string }): string => `${f.rule} ${f.function}`;
  const before = (await analyzeFolder(base)).result.findings.map(key).sort();
  const now = (await analyzeFolder(after)).result.findings.map(key).sort();
  assert.deepEqual(
    before.filter((k) => !now.includes(k)),
    ['contention-transfer kdp_flow_cmd_del', 'contention-transfer kdp_flow_cmd_new'],
  );
  assert.deepEqual(now.filter((k) => !before.includes(k)), [], 'the series must not introduce findings');
});
