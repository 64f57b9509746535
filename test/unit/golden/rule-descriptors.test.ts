/** One descriptor per rule (rules.ts): every rule has one, and docs/rules.md agrees with it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_IDS } from '../../../src/engine/model';
import { RULES } from '../../../src/engine/rules';
import { DETECTORS } from '../../../src/engine/detectors/registry';

test('every rule id has a descriptor and a detector', () => {
  assert.deepEqual(Object.keys(RULES).sort(), [...RULE_IDS].sort());
  for (const id of RULE_IDS) assert.equal(RULES[id].id, id);
  assert.deepEqual(DETECTORS.map((d) => d.rule).sort(), [...RULE_IDS].sort());
});

test("docs/rules.md has each rule's anchor and states its default severity first", () => {
  const doc = readFileSync(join(process.env.LOCKLENS_ROOT ?? process.cwd(), 'docs/rules.md'), 'utf8');
  for (const id of RULE_IDS) {
    const d = RULES[id];
    assert.ok(doc.includes(`<a id="${d.anchor}"></a>`), `anchor of ${id}`);
    assert.ok(doc.includes(`\n## ${id} — severity \`${d.severity}\``), `heading of ${id} states severity ${d.severity}`);
  }
});
