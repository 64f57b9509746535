/**
 * The bundled examples (examples/kernel-dp, examples/ovs-userspace) are demo material: every finding
 * LockLens reports there must be one the examples README announces, marked inline with the same
 * `expect:` comments as the golden corpus, and nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { RULE_IDS } from '../../../src/engine/model';
import { ROOT, analyzeFolder, loadPipeline, readFolder } from './engine';
import { compareFindings, comparisonOk, formatComparison, parseExpectations, type Expectation } from './expectations';

const analysis = loadPipeline();

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

  if (!analysis.pipeline) {
    test(`example ${example}: findings are exactly the announced ones`, { todo: analysis.why });
    continue;
  }
  const pipeline = analysis.pipeline;
  test(`example ${example}: findings are exactly the announced ones`, async (t) => {
    const { result } = await analyzeFolder(folder, pipeline);
    const findings = result.findings.map((f) => ({ rule: f.rule, file: f.file, line: f.line, function: f.function, locks: f.locks }));
    const lines = new Map(folder.files.map((f) => [f.path, f.text.split('\n')]));
    const cmp = compareFindings('*', expectations, findings);
    t.diagnostic(`${example}: ${findings.length} findings, ${result.locks.length} lock classes, ${result.edges.length} edges`);
    assert.ok(comparisonOk(cmp), '\n' + formatComparison('all rules', cmp, (file, line) => lines.get(file)?.[line - 1]?.trim()));
  });
}
