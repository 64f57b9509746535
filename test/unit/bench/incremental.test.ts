import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateCorpus } from '../../../src/host/bench/generator';
import { measureIncremental, measureParseOnly } from '../../../src/host/bench/measure';
import { Project } from '../../../src/host/project';

function writeCorpus(sizeBytes: number): { dir: string; bigFile: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'locklens-bench-inc-'));
  const c = generateCorpus({ sizeBytes, seed: 5 });
  for (const f of c.files) {
    mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    writeFileSync(path.join(dir, f.path), f.text);
  }
  return { dir, bigFile: c.bigFile };
}

test('incremental measurement times each edit and never writes to the tree', { timeout: 60_000 }, async () => {
  const { dir, bigFile } = writeCorpus(40_000);
  try {
    const before = readFileSync(path.join(dir, bigFile), 'utf8');
    // A zero time budget still runs the 5-edit minimum, and says how many of the requested ran.
    const inc = await measureIncremental(dir, 'wasm', 1, bigFile, 50, 0);
    assert.equal(inc.edits, 5);
    assert.equal(inc.requestedEdits, 50);
    assert.ok(inc.p50Ms > 0 && inc.p95Ms >= inc.p50Ms && inc.maxMs >= inc.p95Ms, JSON.stringify(inc));
    assert.equal(inc.fileLines, before.split('\n').length);
    assert.ok('analyze' in inc.lastPhases && 'extract' in inc.lastPhases, JSON.stringify(inc.lastPhases));
    assert.equal(readFileSync(path.join(dir, bigFile), 'utf8'), before, 'the analysed tree is untouched');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Project.update re-analyses a changed file and keeps the unmasked ERROR statistic', { timeout: 60_000 }, async () => {
  const { dir, bigFile } = writeCorpus(40_000);
  const project = await Project.open({ root: dir, parser: 'wasm', jobs: 1, cacheDir: null });
  try {
    const first = project.result;
    assert.ok(first.functions.length > 20);
    assert.equal(first.functions.some((f) => f.name === 'bench_added_fn'), false);
    const text = readFileSync(path.join(dir, bigFile), 'utf8');
    // Unchanged text: no new analysis, the same result object comes back.
    assert.equal(project.update([{ path: bigFile, text }]), first);
    const added = `${text}\nstatic void bench_added_fn(void)\n{\n\trtnl_lock();\n\trtnl_unlock();\n}\n`;
    const next = project.update([{ path: bigFile, text: added }]);
    assert.notEqual(next, first);
    const fn = next.functions.find((f) => f.name === 'bench_added_fn');
    assert.ok(fn, 'the new function is in the updated result');
    assert.ok(fn.acquires.includes('rtnl_mutex'), JSON.stringify(fn.acquires));
    assert.equal(next.stats.filesWithErrorNodes, first.stats.filesWithErrorNodes, 'the skipped comparison parse does not change the statistic');
  } finally {
    project.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parse-only measurement counts files, bytes and ERROR nodes of the same file list', async () => {
  const { dir } = writeCorpus(40_000);
  try {
    const p = await measureParseOnly(dir, 'wasm');
    const c = generateCorpus({ sizeBytes: 40_000, seed: 5 });
    assert.equal(p.files, c.files.length);
    assert.equal(p.bytes, c.bytes);
    assert.ok(p.parseMs > 0 && p.wallMs >= p.parseMs);
    assert.ok(p.errorNodes > 0 && p.filesWithErrors > 0 && p.filesWithErrors <= p.files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Project.setOpenDocuments keeps trees of open documents, so the first edit is incremental', { timeout: 90_000 }, async () => {
  const { dir, bigFile } = writeCorpus(40_000);
  const project = await Project.open({ root: dir, parser: 'wasm', jobs: 1, cacheDir: null });
  try {
    const text = readFileSync(path.join(dir, bigFile), 'utf8');
    const first = project.result;
    const edited = text.replace(/\d+;\n/, '77;\n');
    assert.notEqual(edited, text);

    // Not primed: the first edit extracts the whole file.
    const other = await Project.open({ root: dir, parser: 'wasm', jobs: 1, cacheDir: null });
    try {
      other.update([{ path: bigFile, text: edited }]);
      assert.equal(other.lastExtraction.mode, 'full');
    } finally {
      other.dispose();
    }

    // A text other than the analysed one is an edit, not an open document; unknown paths are ignored.
    assert.deepEqual(project.setOpenDocuments([{ path: bigFile, text: edited }, { path: 'no/such.c', text: '' }]), { primed: [], dropped: [] });
    assert.deepEqual(project.keptTrees, []);

    assert.deepEqual(project.setOpenDocuments([{ path: bigFile, text }]), { primed: [bigFile], dropped: [] });
    assert.deepEqual(project.keptTrees, [bigFile]);
    assert.equal(project.result, first, 'priming does not change the analysis');
    // Already kept: nothing to do.
    assert.deepEqual(project.setOpenDocuments([{ path: bigFile, text }]), { primed: [], dropped: [] });

    const next = project.update([{ path: bigFile, text: edited }]);
    assert.equal(project.lastExtraction.mode, 'incremental');
    assert.ok(project.lastExtraction.reused > 0, JSON.stringify(project.lastExtraction));
    assert.ok(next.stats.timings.reusedFunctions! > 0, 'the session re-analyses only the changed function');

    // The incremental result equals a cold analysis of the edited tree (the corpus is this test's own temp dir).
    writeFileSync(path.join(dir, bigFile), edited);
    const cold = await Project.open({ root: dir, parser: 'wasm', jobs: 1, cacheDir: null });
    try {
      const strip = (r: typeof next) => ({ ...r, stats: { ...r.stats, timings: {} } });
      assert.deepEqual(strip(next), strip(cold.result));
    } finally {
      cold.dispose();
    }

    // Closing every editor drops the tree.
    assert.deepEqual(project.setOpenDocuments([]), { primed: [], dropped: [bigFile] });
    assert.deepEqual(project.keptTrees, []);
  } finally {
    project.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
