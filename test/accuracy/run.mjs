// `npm run accuracy`: analyses the real corpora (test/accuracy/corpora.mjs builds them from
// LOCKLENS_OVS_GIT; skipped cleanly without it), scores the findings against the judged verdicts
// in test/accuracy/verdicts/<corpus>.jsonl, and checks the OVS_REQUIRES recall on OVS userspace
// (run again with --no-annotations: are the annotated requirements inferred as must-held?).
//   node test/accuracy/run.mjs [--corpus NAME] [--draw ROUND] [--json FILE]
// Exit: 0 scored (or skipped), 1 a finding judged right is no longer reported, 2 usage/setup error.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildCorpora } from './corpora.mjs';
import { parseVerdicts, score, renderScore, requiresRecall } from './score.mjs';
import { drawSample } from './draw.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({ options: { corpus: { type: 'string' }, draw: { type: 'string' }, json: { type: 'string' } } });

function analyze(dir, extra, tmp, tag) {
  const out = join(tmp, `${tag}.json`);
  const t0 = performance.now();
  // /usr/bin/time gives the child's peak RSS; without it the figure is left out.
  const time = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%M'] : [];
  const argv = [...time, process.execPath, join(root, 'bin/locklens'), 'analyze', dir, '--format', 'json', '--out', out, ...extra];
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (!existsSync(out)) throw new Error(`analyze ${dir} failed (exit ${r.status}): ${r.stderr.trim().slice(-2000)}`);
  const rssKb = time.length ? Number(r.stderr.trim().split('\n').pop()) : NaN;
  return { result: JSON.parse(readFileSync(out, 'utf8')), ms, rssMb: Number.isFinite(rssKb) ? rssKb / 1024 : null };
}

function main() {
  let built;
  try {
    built = buildCorpora();
  } catch (e) {
    console.error(`accuracy: ${e.message}`);
    return 2;
  }
  if (!built.corpora) {
    console.log(`accuracy: skipped — ${built.reason}. See test/accuracy/README.md.`);
    return 0;
  }
  if (!existsSync(join(root, 'dist/cli.js'))) {
    console.error('accuracy: dist/cli.js is missing: run `node esbuild.mjs` first (npm run accuracy does).');
    return 2;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'locklens-accuracy-'));
  const report = [];
  let lostAny = false;
  try {
    for (const c of built.corpora) {
      if (values.corpus && values.corpus !== c.name) continue;
      const run = analyze(c.dir, [], tmp, c.name);
      const vfile = join(root, 'test/accuracy/verdicts', `${c.name}.jsonl`);
      const verdicts = existsSync(vfile) ? parseVerdicts(readFileSync(vfile, 'utf8'), vfile) : [];
      const s = score(run.result.findings, verdicts);
      console.log(renderScore(`${c.name} @ ${c.commit.slice(0, 12)}`, s));
      console.log(`  analysis: ${(run.ms / 1000).toFixed(1)} s wall${run.rssMb ? `, peak RSS ${run.rssMb.toFixed(0)} MB` : ''}, ${run.result.files} files, ${run.result.functions.length} functions`);
      const entry = { corpus: c.name, commit: c.commit, score: s, ms: run.ms, rssMb: run.rssMb };
      if (c.name === 'ovs-userspace') {
        const bare = analyze(c.dir, ['--no-annotations'], tmp, `${c.name}-bare`);
        const rec = requiresRecall(run.result, bare.result);
        entry.requiresRecall = rec;
        console.log(`  OVS_REQUIRES recall without annotations: ${rec.must}/${rec.facts} must-held (${((100 * rec.must) / Math.max(1, rec.facts)).toFixed(0)} %), ${rec.may} more only may-held`);
      }
      if (values.draw) {
        const sample = drawSample(run.result.findings, c.name, values.draw);
        const file = join(tmp, `${c.name}.round${values.draw}.jsonl`);
        writeFileSync(file, sample.map((f) => JSON.stringify({ corpus: c.name, fingerprint: f.fingerprint, rule: f.rule, file: f.file, line: f.line, function: f.function, message: f.message, witness: f.witness })).join('\n') + '\n');
        console.log(`  round ${values.draw} sample: ${sample.length} findings → ${file}`);
      }
      lostAny ||= s.lost.length > 0;
      report.push(entry);
    }
    if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
  } finally {
    if (!values.draw) rmSync(tmp, { recursive: true, force: true });
  }
  return lostAny ? 1 : 0;
}

process.exitCode = main();
