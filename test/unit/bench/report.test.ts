import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateTargets, renderReport, isNa, type ScaleRun, type BenchReport } from '../../../src/host/bench/report';
import { percentile, median } from '../../../src/host/bench/stats';
import { encodeResult, decodeResult } from '../../../src/host/bench/child';
import type { FullFigures, IncrementalFigures, ParseOnlyFigures } from '../../../src/host/bench/measure';

const MB = 1024 * 1024;

function parse(wallMs: number): ParseOnlyFigures {
  return { files: 10, bytes: 12 * MB, wallMs, collectMs: 1, readMs: 1, parserInitMs: 1, parseMs: wallMs - 3, filesWithErrors: 0, errorNodes: 0, countCpuMs: 100 };
}
function full(wallMs: number, jobs: number): FullFigures {
  return {
    files: 10, bytes: 12 * MB, jobs, wallMs, phases: { collect: 1, extract: wallMs - 2, analyze: 1 }, parseCpuMs: 1, extractCpuMs: 1, functions: 1, locks: 1, edges: 0,
    findings: 0, findingsByRule: {}, problems: 0, problemsByCode: {}, filesWithErrorNodes: 0, errorNodes: 0, errorNodesUnmasked: 0, unmodeledFunctions: 0,
  };
}
function inc(p95Ms: number): IncrementalFigures {
  return { file: 'x.c', fileLines: 7000, edits: 100, requestedEdits: 100, openMs: 1, primeMs: 1, p50Ms: p95Ms / 2, p95Ms, maxMs: p95Ms, meanMs: p95Ms / 2, lastPhases: {} };
}
function run(scale: number, mb: number, o: { parse: number; full1: number; fullN: number; p95: number; rss: number; perPatch: number }): ScaleRun {
  return {
    scale,
    corpus: { root: 'r', synthetic: true, files: 10, bytes: mb * MB, bigFile: 'x.c', bigFileLines: 7000, genMs: 1 },
    parseOnly: { figures: parse(o.parse), rssMb: 100 },
    full1: { figures: full(o.full1, 1), rssMb: o.rss },
    fullN: { figures: full(o.fullN, 2), rssMb: o.rss },
    incremental: { figures: inc(o.p95), rssMb: o.rss },
    series: { patches: 5, oneMs: 1000, allMs: 1000 + 4 * o.perPatch, perPatchMs: o.perPatch, maxPatchMs: o.perPatch, marginalMs: o.perPatch, rssMb: o.rss },
  };
}
const status = (rows: { id: string; status: string }[]) => Object.fromEntries(rows.map((r) => [r.id, r.status]));

test('targets pass when every figure is within its limit', () => {
  const runs = [run(1, 12, { parse: 2000, full1: 2500, fullN: 1500, p95: 40, rss: 300, perPatch: 400 }), run(2, 24, { parse: 4000, full1: 5200, fullN: 3000, p95: 45, rss: 500, perPatch: 600 })];
  assert.deepEqual(status(evaluateTargets(runs)), {
    'full-vs-parse': 'PASS', 'parallel-vs-parse': 'PASS', 'incremental-p95': 'PASS', 'peak-rss': 'PASS', 'scaling-2x': 'PASS', 'series-per-patch': 'PASS',
  });
});

test('targets miss when figures exceed their limits', () => {
  const runs = [run(1, 12, { parse: 2000, full1: 2700, fullN: 1700, p95: 60, rss: 400, perPatch: 600 }), run(2, 24, { parse: 4000, full1: 6000, fullN: 3000, p95: 45, rss: 500, perPatch: 600 })];
  const rows = evaluateTargets(runs);
  assert.deepEqual(status(rows), {
    'full-vs-parse': 'MISS', 'parallel-vs-parse': 'MISS', 'incremental-p95': 'MISS', 'peak-rss': 'MISS', 'scaling-2x': 'MISS', 'series-per-patch': 'MISS',
  });
  assert.equal(rows.find((r) => r.id === 'full-vs-parse')!.measured, '1.35×');
});

test('scaling is normalised per doubling, and 12 MB targets are judged on the run nearest 12 MB', () => {
  // 6 MB → 12 MB → 24 MB: the 12 MB run (2×) carries the RSS/series verdicts.
  const runs = [
    run(1, 6, { parse: 1000, full1: 1200, fullN: 700, p95: 20, rss: 900, perPatch: 900 }),
    run(2, 12, { parse: 2000, full1: 2400, fullN: 1400, p95: 30, rss: 300, perPatch: 300 }),
    run(4, 24, { parse: 4000, full1: 4800, fullN: 2800, p95: 40, rss: 500, perPatch: 900 }),
  ];
  const s = status(evaluateTargets(runs));
  assert.equal(s['peak-rss'], 'PASS');
  assert.equal(s['series-per-patch'], 'PASS');
  assert.equal(s['scaling-2x'], 'PASS');
  assert.equal(s['scaling-4x'], 'PASS');
  // Far from 12 MB: reported, not judged.
  const tiny = evaluateTargets([run(1, 0.1, { parse: 100, full1: 110, fullN: 70, p95: 5, rss: 100, perPatch: 10 })]);
  const rss = tiny.find((r) => r.id === 'peak-rss')!;
  assert.equal(rss.status, 'n/a');
  assert.match(rss.measured, /100 MB \(not judged/);
  // 4× size for 16× time is 4× per doubling: a miss.
  const steep = evaluateTargets([run(1, 12, { parse: 1, full1: 1000, fullN: 1, p95: 1, rss: 1, perPatch: 1 }), run(4, 48, { parse: 1, full1: 16000, fullN: 1, p95: 1, rss: 1, perPatch: 1 })]);
  const sc = steep.find((r) => r.id === 'scaling-4x')!;
  assert.equal(sc.status, 'MISS');
  assert.equal(sc.measured, '4.00× per doubling');
  // With CPU times recorded, the CPU growth is shown too (here 8× CPU for 4× size: 2.83× per doubling).
  const a = run(1, 12, { parse: 1, full1: 1000, fullN: 1, p95: 1, rss: 1, perPatch: 1 });
  const b = run(4, 48, { parse: 1, full1: 4000, fullN: 1, p95: 1, rss: 1, perPatch: 1 });
  (a.full1 as { cpuMs?: number }).cpuMs = 1000;
  (b.full1 as { cpuMs?: number }).cpuMs = 8000;
  const both = evaluateTargets([a, b]).find((r) => r.id === 'scaling-4x')!;
  assert.equal(both.measured, '2.00× per doubling (CPU 2.83×)');
  assert.equal(both.status, 'PASS');
});

test('missing figures are n/a with the reason, never PASS', () => {
  const r = run(1, 12, { parse: 2000, full1: 2500, fullN: 1500, p95: 40, rss: 300, perPatch: 400 });
  r.series = { na: 'locklens series exited 2: not available' };
  r.incremental = { na: 'child timed out' };
  const rows = evaluateTargets([r]);
  const byId = Object.fromEntries(rows.map((x) => [x.id, x]));
  assert.equal(byId['series-per-patch']!.status, 'n/a');
  assert.match(byId['series-per-patch']!.measured, /not available/);
  assert.equal(byId['incremental-p95']!.status, 'n/a');
  assert.match(byId['incremental-p95']!.measured, /timed out/);
  assert.ok(isNa(r.series) && !isNa(r.full1));
  const report: BenchReport = {
    version: 1, date: 'd', machine: { cpus: 2, model: 'm', node: 'v20', platform: 'p', loadavgStart: [0, 0, 0], loadavgEnd: [0, 0, 0], totalMemMb: 1 },
    options: { sizeMb: 12, scales: [1], parser: 'wasm', jobs: 2, seed: 1, quick: false, path: null, edits: 100 },
    runs: [r], sim: { na: 'scenario not found' }, targets: rows, notes: [], totalMs: 1,
  };
  const text = renderReport(report);
  assert.match(text, /Targets:/);
  assert.match(text, /full analysis \/ parse-only, 1 thread\s+≤ 1\.30×\s+1\.25×\s+PASS/);
  assert.match(text, /Simulator sweep: n\/a — scenario not found/);
});

test('the CPU ratio is shown next to the wall-time verdict, with error counting excluded', () => {
  const r = run(1, 12, { parse: 2000, full1: 2500, fullN: 1500, p95: 40, rss: 300, perPatch: 400 });
  (r.parseOnly as { cpuMs?: number }).cpuMs = 2100; // 100 ms of it counted ERROR nodes
  (r.full1 as { cpuMs?: number }).cpuMs = 3000;
  const row = evaluateTargets([r]).find((x) => x.id === 'full-vs-parse')!;
  assert.equal(row.measured, '1.25× (CPU 1.50×)');
  assert.equal(row.status, 'PASS', 'the verdict stays on wall time');
  delete (r.full1 as { cpuMs?: number }).cpuMs;
  assert.equal(evaluateTargets([r]).find((x) => x.id === 'full-vs-parse')!.measured, '1.25×');
});

test('percentiles use nearest rank', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile(xs, 95), 95);
  assert.equal(percentile(xs, 100), 100);
  assert.equal(percentile([7], 95), 7);
  assert.equal(percentile([], 95), 0);
  assert.equal(median([3, 1, 2]), 2);
});

test('child results survive noisy stdout; garbage decodes to null', () => {
  const line = encodeResult({ ok: true, figures: { a: 1 }, rssMb: 12.5, jobMs: 3, cpuMs: 2 });
  assert.deepEqual(decodeResult(`some report text\n${line}`), { ok: true, figures: { a: 1 }, rssMb: 12.5, jobMs: 3, cpuMs: 2 });
  assert.equal(decodeResult('no marker here'), null);
  assert.equal(decodeResult('@@locklens-bench-result@@{not json'), null);
});
