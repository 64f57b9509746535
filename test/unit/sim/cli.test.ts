import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulate } from '../../../src/cli/simulate';

const root = process.env.LOCKLENS_ROOT ?? process.cwd();
const SCEN = 'examples/scenarios/netdev-rtnl-churn.json';

async function cli(argv: string[], cwd = root): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runSimulate(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), cwd });
  return { code, out, err };
}

test('json: the sweep contract, with --set and --sweep applied', async () => {
  const r = await cli(['--scenario', SCEN, '--sweep', 'n_ifaces=10,20', '--sweep', 'rtnl_delay_us=0,500', '--set', 'script_rtnl=3', '--reps', '2', '--seed', '5', '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.version, 1);
  assert.deepEqual(
    j.cells.map((c: { params: unknown }) => c.params),
    [
      { n_ifaces: 10, rtnl_delay_us: 0 },
      { n_ifaces: 10, rtnl_delay_us: 500 },
      { n_ifaces: 20, rtnl_delay_us: 0 },
      { n_ifaces: 20, rtnl_delay_us: 500 },
    ],
  );
  for (const c of j.cells) for (const k of ['before', 'after']) assert.deepEqual(Object.keys(c[k]), ['mean', 'std']);
  const again = await cli(['--scenario', SCEN, '--sweep', 'n_ifaces=10,20', '--sweep', 'rtnl_delay_us=0,500', '--set', 'script_rtnl=3', '--reps', '2', '--seed', '5', '--format', 'json']);
  assert.equal(again.out, r.out, 'same inputs and seed give identical output');
  const other = await cli(['--scenario', SCEN, '--sweep', 'n_ifaces=10,20', '--sweep', 'rtnl_delay_us=0,500', '--set', 'script_rtnl=8', '--reps', '2', '--seed', '5', '--format', 'json']);
  assert.notEqual(other.out, r.out, '--set changes the result');
});

test('text: a table with mean(std) and delta', async () => {
  const r = await cli(['--scenario', SCEN, '--sweep', 'n_ifaces=10', '--sweep', 'rtnl_delay_us=0,1000', '--reps', '2']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /n_ifaces\s+rtnl_delay_us\s+before \(s\)\s+after \(s\)\s+delta/);
  assert.match(r.out, /\n10\s+1000\s+\d+\.\d{3}\(\d+\.\d{3}\)\s+\d+\.\d{3}\(\d+\.\d{3}\)\s+[-+]\d+\.\d%/);
});

test('--out writes the file (and only that file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locklens-sim-'));
  try {
    const out = join(dir, 'sub', 'sweep.json');
    const r = await cli(['--scenario', join(root, SCEN), '--sweep', 'n_ifaces=10', '--sweep', 'rtnl_delay_us=0', '--reps', '1', '--format', 'json', '--out', out], dir);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, '');
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).cells.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad usage and invalid scenarios exit 2 with a clear message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locklens-sim-'));
  try {
    const cases: [string[], RegExp][] = [
      [[], /missing --scenario FILE/],
      [['--scenario', 'nope.json'], /cannot read scenario .*nope\.json: no such file/],
      [['--scenario', SCEN, '--set', 'n_iface=3'], /--set n_iface: unknown parameter \(scenario parameters: .*n_ifaces/],
      [['--scenario', SCEN, '--sweep', 'n_ifaces=10,x'], /--sweep n_ifaces: "x" is not a number/],
      [['--scenario', SCEN, '--reps', '0'], /--reps: expected an integer >= 1/],
      [['--scenario', SCEN, '--format', 'pdf'], /--format: expected text, json or html/],
      [['--scenario', SCEN, '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [argv, re] of cases) {
      const r = await cli(argv);
      assert.equal(r.code, 2, `${argv.join(' ')} → ${r.code}`);
      assert.match(r.err, re);
    }
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, name: 'b', roles: [{ name: 'a', ops: [{ think: 1 }] }, { name: 'b', ops: [] }, { name: 'c', ops: [{ lock: 'm', hold: 'soon' }] }] }));
    const r = await cli(['--scenario', bad]);
    assert.equal(r.code, 2);
    assert.match(r.err, /invalid scenario .*bad\.json:\n  roles\[2\]\.ops\[0\]\.hold: unknown parameter 'soon'/);
    writeFileSync(bad, '{ not json');
    assert.match((await cli(['--scenario', bad])).err, /is not valid JSON/);
    // Valid JSON, but a value only known at compile time is out of range.
    writeFileSync(bad, JSON.stringify({ version: 1, name: 'b', params: { d: 1 }, roles: [{ name: 'a', ops: [{ think: 'd' }] }] }));
    const neg = await cli(['--scenario', bad, '--set', 'd=-1']);
    assert.equal(neg.code, 2);
    assert.match(neg.err, /roles\[0\]\.ops\[0\]\.think: expected a time >= 0 µs, got -1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('derive ops from analysis files: scenario paths or --before/--after-analysis', async () => {
  const scen = 'test/fixtures/sim/derived-scenario.json';
  const r = await cli(['--scenario', scen, '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.ok(j.cells.every((c: { deltaPct: number }) => c.deltaPct < -50));
  // The same analysis on both sides: no difference.
  const same = await cli(['--scenario', scen, '--format', 'json', '--after-analysis', 'test/fixtures/sim/analysis-before.json']);
  assert.ok(JSON.parse(same.out).cells.every((c: { deltaPct: number }) => c.deltaPct === 0));
  const missing = await cli(['--scenario', scen, '--before-analysis', 'test/fixtures/sim/none.json']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read before analysis .*none\.json/);
  const notAnalysis = await cli(['--scenario', scen, '--before-analysis', SCEN]);
  assert.equal(notAnalysis.code, 2);
  assert.match(notAnalysis.err, /expected the JSON of locklens analyze --format json/);
});

test('a deadlocking scenario exits 1 and says which threads wait for what', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locklens-sim-'));
  try {
    const f = join(dir, 'abba.json');
    writeFileSync(
      f,
      JSON.stringify({
        version: 1,
        name: 'abba',
        roles: [
          { name: 'ab', ops: [{ lock: 'a', hold: 10, ops: [{ lock: 'b' }] }] },
          { name: 'ba', ops: [{ lock: 'b', hold: 10, ops: [{ lock: 'a' }] }] },
        ],
      }),
    );
    const r = await cli(['--scenario', f, '--reps', '1']);
    assert.equal(r.code, 1);
    assert.match(r.out, /sim-deadlock|no thread can run/);
    assert.match(r.out, /ab#0 waits for b; ba#1 waits for a/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--format html renders the chart report, or exits 2 saying why not', async () => {
  const r = await cli(['--scenario', SCEN, '--sweep', 'n_ifaces=10', '--sweep', 'rtnl_delay_us=0', '--reps', '1', '--format', 'html']);
  if (r.code === 0) {
    assert.match(r.out, /<html/i);
    assert.ok(r.out.includes('netdev-rtnl-churn'));
  } else {
    assert.equal(r.code, 2);
    assert.match(r.err, /--format html/);
  }
  assert.ok(existsSync(join(root, SCEN)));
});

test('--set of a name inherited from Object.prototype is an unknown parameter', async () => {
  for (const name of ['__proto__', 'constructor', 'toString']) {
    const r = await cli(['--scenario', SCEN, '--set', `${name}=5`]);
    assert.equal(r.code, 2, name);
    assert.match(r.err, new RegExp(`--set ${name}: unknown parameter`));
  }
});
