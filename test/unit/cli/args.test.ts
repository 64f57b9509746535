import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnalyzeArgs, failsOn } from '../../../src/cli/analyze';
import { UsageError } from '../../../src/cli/io';

test('analyze arguments', () => {
  const a = parseAnalyzeArgs(['src', 'lib', '--format', 'sarif', '--jobs', '2', '--no-annotations', '--fail-on', 'warning', '--parser', 'native']);
  assert.notEqual(a, 'help');
  if (a === 'help') return;
  assert.deepEqual(a.targets, ['src', 'lib']);
  assert.equal(a.format, 'sarif');
  assert.equal(a.jobs, 2);
  assert.equal(a.noAnnotations, true);
  assert.equal(a.failOn, 'warning');
  assert.equal(a.parser, 'native');
});

test('bad usage is a UsageError with a precise message', () => {
  const bad: [string[], RegExp][] = [
    [[], /missing <path>/],
    [['x', '--format', 'xml'], /--format: expected text, json, sarif or html/],
    [['x', '--jobs', '0'], /--jobs: expected an integer/],
    [['x', '--fail-on', 'fatal'], /--fail-on: expected one of error, warning, info/],
    [['x', '--parser', 'gcc'], /--parser: expected wasm or native/],
    [['x', '--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [argv, rx] of bad) {
    assert.throws(() => parseAnalyzeArgs(argv), (e: unknown) => e instanceof UsageError && rx.test(e.message), argv.join(' '));
  }
});

test('--help is not an error', () => {
  assert.equal(parseAnalyzeArgs(['--help']), 'help');
});

test('--fail-on compares by severity order', () => {
  const r = { findings: [{ severity: 'warning' as const }] };
  assert.equal(failsOn(r, 'error'), false);
  assert.equal(failsOn(r, 'warning'), true);
  assert.equal(failsOn(r, 'info'), true);
  assert.equal(failsOn(r, undefined), false);
  assert.equal(failsOn({ findings: [] }, 'info'), false);
});
