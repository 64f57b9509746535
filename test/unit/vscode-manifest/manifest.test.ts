import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import * as ids from '../../../src/vscode/ids';
import { RULE_IDS } from '../../../src/engine/model';
import { checkManifest, type Manifest, type Sources } from './manifest-check';

const root = process.env.LOCKLENS_ROOT!;
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest & Record<string, unknown>;

function readSources(): Sources {
  const out: Sources = { 'src/extension.ts': readFileSync(path.join(root, 'src/extension.ts'), 'utf8') };
  const walk = (dir: string) => {
    for (const n of readdirSync(dir)) {
      const p = path.join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.ts')) out[path.relative(root, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(path.join(root, 'src/vscode'));
  return out;
}

const sources = readSources();
const clone = (): Manifest & Record<string, unknown> => JSON.parse(JSON.stringify(pkg));
const check = (m: Manifest, s: Sources = sources) => checkManifest(m, ids, s, RULE_IDS);

test('package.json contributes and the extension code agree', () => {
  assert.deepEqual(check(pkg), []);
});

test('a command declared but missing from the code is reported', () => {
  const m = clone();
  m.contributes!.commands!.push({ command: 'locklens.ghost', title: 'Ghost', category: 'LockLens' });
  assert.ok(check(m).some((p) => p.includes('locklens.ghost') && p.includes('not in ids.ts')));
});

test('a command in the code but not declared is reported', () => {
  const m = clone();
  m.contributes!.commands = m.contributes!.commands!.filter((c) => c.command !== ids.COMMANDS.simulate);
  assert.ok(check(m).some((p) => p.includes(ids.COMMANDS.simulate) && p.includes('not declared')));
});

test('a command that is never registered is reported', () => {
  const s = { ...sources };
  for (const k of Object.keys(s)) s[k] = s[k].replace(/registerCommand\(COMMANDS\.clearResults/g, 'registerCommandX(COMMANDS.clearResults');
  assert.ok(check(pkg, s).some((p) => p.includes(ids.COMMANDS.clearResults) && p.includes('never registered')));
});

test('every command is in the LockLens category and the palette hides only internal ones', () => {
  const m = clone();
  m.contributes!.commands![0].category = 'Other';
  const hide = m.contributes!.menus!.commandPalette!.find((x) => x.command === ids.COMMANDS.showWitnesses)!;
  hide.when = 'true';
  const problems = check(m);
  assert.ok(problems.some((p) => p.includes('category Other')));
  assert.ok(problems.some((p) => p.includes(`internal command ${ids.COMMANDS.showWitnesses}`)));
  assert.ok(pkg.contributes!.commands!.every((c) => c.category === 'LockLens'));
});

test('settings: declared ↔ read, configuration is an array of titled sections', () => {
  const m = clone();
  const sections = m.contributes!.configuration as { title?: string; properties?: Record<string, unknown> }[];
  sections[0].properties!['locklens.unused'] = { type: 'boolean' };
  delete sections[0].title;
  const problems = check(m);
  assert.ok(problems.some((p) => p.includes('locklens.unused') && p.includes('never read')));
  assert.ok(problems.some((p) => p.includes('has no title')));
  const titles = sections.slice(1).map((s) => s.title);
  assert.deepEqual(titles, ['Lock catalog', 'Rules', 'Display', 'Patch series']);
});

test('a setting read by the code but not declared is reported', () => {
  const m = clone();
  const sections = m.contributes!.configuration as { properties?: Record<string, unknown> }[];
  for (const s of sections) delete s.properties?.['locklens.parser'];
  assert.ok(check(m).some((p) => p.includes('locklens.parser') && p.includes('not declared')));
});

test('every rule id has a per-rule setting, and nothing else does', () => {
  const rules = (pkg.contributes!.configuration as { properties?: Record<string, { properties?: Record<string, unknown> }> }[])
    .map((s) => s.properties?.['locklens.rules'])
    .find(Boolean)!;
  assert.deepEqual(Object.keys(rules.properties!).sort(), [...RULE_IDS].sort());
  const m = clone();
  const r = (m.contributes!.configuration as { properties?: Record<string, { properties?: Record<string, unknown> }> }[]).map((s) => s.properties?.['locklens.rules']).find(Boolean)!;
  delete r.properties!['sleep-in-atomic'];
  r.properties!['made-up-rule'] = { enum: ids.RULE_LEVELS };
  const problems = check(m);
  assert.ok(problems.some((p) => p.includes('rule sleep-in-atomic has no entry')));
  assert.ok(problems.some((p) => p.includes('made-up-rule')));
});

test('views, colours and context keys are consistent', () => {
  const m = clone();
  m.contributes!.views!.locklens.push({ id: 'locklens.extra' });
  m.contributes!.colors!.pop();
  m.contributes!.menus!.commandPalette!.push({ command: ids.COMMANDS.showGraph, when: 'locklens.noSuchKey' });
  const problems = check(m);
  assert.ok(problems.some((p) => p.includes('view locklens.extra')));
  assert.ok(problems.some((p) => p.includes('colour') && p.includes('not declared')));
  assert.ok(problems.some((p) => p.includes('unknown context key locklens.noSuchKey')));
});

test('activation is lazy, engine range unchanged, keybinding-free', () => {
  const m = clone();
  m.activationEvents = ['*'];
  m.engines = { vscode: '^1.99.0' };
  m.contributes!.keybindings = [{ command: ids.COMMANDS.analyzeWorkspace, key: 'ctrl+l' }];
  const problems = check(m);
  assert.ok(problems.some((p) => p.includes('must not contain *')));
  assert.ok(problems.some((p) => p.includes('onWebviewPanel')));
  assert.ok(problems.some((p) => p.includes('engines.vscode')));
  assert.ok(problems.some((p) => p.includes('keybinding-free')));
  assert.ok(pkg.activationEvents!.includes('onLanguage:c'));
  assert.ok(pkg.activationEvents!.includes('workspaceContains:**/*.c'));
});

test('files named by the manifest exist', () => {
  const c = pkg.contributes as unknown as { grammars: { path: string }[]; languages: { configuration: string }[]; viewsContainers: { activitybar: { icon: string }[] } };
  const files = [
    pkg.icon as string,
    ...c.grammars.map((g) => g.path),
    ...c.languages.map((l) => l.configuration),
    ...c.viewsContainers.activitybar.map((v) => v.icon),
  ];
  for (const f of files) assert.ok(existsSync(path.join(root, f)), `${f} is named in package.json but missing`);
});

test('.vscodeignore is an allow-list that ships bundles, wasm, webview and grammars only', () => {
  const lines = readFileSync(path.join(root, '.vscodeignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  assert.equal(lines[0], '**');
  for (const need of ['!dist/extension.js', '!dist/worker.js', '!dist/extract-worker.js', '!dist/*.wasm', '!media/dist/webview.js', '!syntaxes/*.json']) {
    assert.ok(lines.includes(need), `${need} missing`);
  }
  assert.ok(!lines.some((l) => /^!(src|test|node_modules)\b/.test(l) || l.endsWith('.map')));
});
