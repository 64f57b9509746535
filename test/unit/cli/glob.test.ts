import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesAny, matchesName } from '../../../src/host/glob';

test('path globs', () => {
  assert.ok(matchesAny('net/openvswitch/datapath.c', ['**/*.c']));
  assert.ok(matchesAny('datapath.c', ['**/*.c']), '**/ matches zero directories');
  assert.ok(matchesAny('lib/x.h', ['*.{c,h}']), 'bare names match in any directory');
  assert.ok(!matchesAny('lib/x.cc', ['**/*.c']));
  assert.ok(matchesAny('tests/a/b.c', ['tests/**']));
  assert.ok(!matchesAny('lib/tests.c', ['tests/**']));
  assert.ok(matchesAny('a/node_modules/', ['**/node_modules/**']));
});

test('function-name globs', () => {
  assert.ok(matchesName('netdev_linux_run', ['*_run']));
  assert.ok(!matchesName('netdev_linux_run_once', ['*_run']));
  assert.ok(matchesName('upcall_cb', ['upcall_*']));
  assert.ok(matchesName('f1', ['f?']));
});
