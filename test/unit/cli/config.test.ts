import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateConfig } from '../../../src/engine/config-validate';
import { DEFAULT_CONFIG } from '../../../src/engine/config';
import { loadConfig } from '../../../src/host/config-load';

test('defaults when nothing is configured; RTNL is always contended', () => {
  const v = validateConfig(undefined);
  assert.deepEqual(v.errors, []);
  assert.deepEqual(v.config.contendedLocks, ['rtnl_mutex']);
  const w = validateConfig({ contendedLocks: ['ovs_mutex'] });
  assert.deepEqual(w.config.contendedLocks, ['rtnl_mutex', 'ovs_mutex']);
});

test('errors name the field path', () => {
  const v = validateConfig({ primitives: [{ name: 'x', kind: 'grab' }, { name: '1bad', kind: 'acquire', lockArg: 0 }], hotPaths: 'f', bogus: 1 }, '.locklens.json');
  const text = v.errors.join('\n');
  assert.match(text, /\.locklens\.json\.primitives\[0\]\.kind: expected one of/);
  assert.match(text, /\.locklens\.json\.primitives\[1\]\.name: expected a C identifier/);
  assert.match(text, /\.locklens\.json\.primitives\[1\]\.lockArg: expected a 1-based argument index/);
  assert.match(text, /\.locklens\.json\.hotPaths: expected an array of strings/);
  assert.match(text, /\.locklens\.json\.bogus: unknown setting/);
  assert.equal(v.config.primitives.length, 0, 'invalid primitives are not half-applied');
});

test('a lock primitive needs a lock argument or a fixed class', () => {
  const v = validateConfig({ primitives: [{ name: 'grab', kind: 'acquire' }] });
  assert.match(v.errors[0]!, /needs "lockArg".*or "lock"/);
  const ok = validateConfig({ primitives: [{ name: 'grab', kind: 'acquire', lock: 'big_lock' }, { name: 'try_grab', kind: 'trylock', lockArg: 1, success: 'zero' }] });
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.config.primitives.length, 2);
});

test('non-object configs are rejected', () => {
  assert.match(validateConfig([1, 2], 'cfg').errors[0]!, /cfg: expected a JSON object/);
  assert.match(validateConfig({ maxFileBytes: -1 }).errors[0]!, /maxFileBytes: expected a positive number/);
  assert.match(validateConfig({ perNetRtnlAlsoGlobal: 'yes' }).errors[0]!, /expected true or false/);
});

test('loadConfig reads .locklens.json from the root and reports broken JSON with the file name', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'locklens-cfg-'));
  writeFileSync(path.join(dir, '.locklens.json'), JSON.stringify({ hotPaths: ['flow_*'], contendedLocks: ['ovs_mutex'] }));
  const ok = loadConfig(dir, undefined, { hotPaths: ['upcall_*'] });
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.config.hotPaths, ['flow_*', 'upcall_*']);
  assert.deepEqual(ok.config.contendedLocks, ['rtnl_mutex', 'ovs_mutex']);
  writeFileSync(path.join(dir, '.locklens.json'), '{ "hotPaths": [ }');
  const bad = loadConfig(dir);
  assert.equal(bad.errors.length, 1);
  assert.match(bad.errors[0]!, /\.locklens\.json: invalid JSON/);
  assert.deepEqual(bad.config.hotPaths, DEFAULT_CONFIG.hotPaths);
});
