/**
 * AnalysisSession: incremental results must deep-equal a from-scratch analyzeFacts over the same
 * files (modulo stats.timings), under random edits to a tree made of the rule fixtures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { DEFAULT_CONFIG } from '../../../src/engine/config';
import type { FileFacts } from '../../../src/engine/ir';
import type { AnalysisResult } from '../../../src/engine/model';
import { analyzeFacts } from '../../../src/engine/pipeline/analyze';
import { AnalysisSession } from '../../../src/engine/pipeline/session';
import { extractFileFacts } from '../../../src/engine/parse/extract';
import { ROOT, parser } from './helpers';

const config = { ...DEFAULT_CONFIG };

function fixtureTree(): Map<string, string> {
  const dir = join(ROOT, 'test/fixtures/rules');
  const out = new Map<string, string>();
  for (const rule of readdirSync(dir).sort()) {
    let names: string[];
    try {
      names = readdirSync(join(dir, rule)).sort();
    } catch {
      continue;
    }
    for (const n of names) if (n.endsWith('.c')) out.set(`${rule}/${n}`, readFileSync(join(dir, rule, n), 'utf8'));
  }
  return out;
}

/** Layered call chains across files so summary changes must propagate to other files' callers. */
function chainTree(): Map<string, string> {
  const out = new Map<string, string>();
  for (let k = 0; k < 4; k++) {
    const fns: string[] = [];
    if (k === 0) fns.push('#include <linux/mutex.h>', 'DEFINE_MUTEX(la);', 'DEFINE_MUTEX(lb);', 'DEFINE_SPINLOCK(sc);');
    for (let i = 0; i < 4; i++) {
      const body: string[] = [];
      if (k === 0) body.push(i % 2 ? '\tmutex_lock(&la);' : '\tspin_lock(&sc);', '\tmsleep(1);', i % 2 ? '\tmutex_unlock(&la);' : '\tspin_unlock(&sc);');
      else {
        body.push(i % 2 ? '\tmutex_lock(&lb);' : '\trtnl_lock();');
        body.push(`\tc${k - 1}_${i}();`, `\tc${k - 1}_${(i + 1) % 4}();`);
        body.push(i % 2 ? '\tmutex_unlock(&lb);' : '\trtnl_unlock();');
        if (i === 3) body.push(`\tc${k}_0();`);
      }
      fns.push(`void c${k}_${i}(void)\n{\n${body.join('\n')}\n}`);
    }
    out.set(`chain/c${k}.c`, fns.join('\n') + '\n');
  }
  return out;
}

const strip = (r: AnalysisResult): AnalysisResult => ({ ...r, stats: { ...r.stats, timings: {} } });

type Edit = { kind: 'blank' | 'delete' | 'dup' | 'swap' | 'remove' | 'restore' | 'dropcall' | 'addfn' | 'comment' | 'wrap' | 'cycle' | 'addfile'; file: number; line: number };

function applyEdit(text: string, e: Edit): string {
  const lines = text.split('\n');
  const i = e.line % Math.max(1, lines.length);
  switch (e.kind) {
    case 'blank':
      lines.splice(i, 0, '');
      break;
    case 'delete': {
      // Only body lines (indented) so most edits keep the program-wide index unchanged.
      const j = lines.findIndex((l, k) => k >= i && /^\s+\S/.test(l) && !/[{}]/.test(l));
      if (j >= 0) lines.splice(j, 1);
      break;
    }
    case 'dup': {
      const j = lines.findIndex((l, k) => k >= i && /^\s+\S.*;\s*$/.test(l));
      if (j >= 0) lines.splice(j, 0, lines[j]!);
      break;
    }
    case 'swap': {
      // The n-th unlock becomes a lock: changes that function's summary but not its lines.
      const hits = [...text.matchAll(/_unlock\(/g)];
      const h = hits[e.line % Math.max(1, hits.length)];
      return h ? text.slice(0, h.index) + '_lock(' + text.slice(h.index + '_unlock('.length) : text;
    }
    case 'addfn': {
      // A new global lock and a new function calling one of the file's functions, like a patch.
      const names = [...text.matchAll(/^(?:static\s+)?\w+\s*\*?\s*\n?([a-z_][a-z0-9_]*)\(/gm)].map((m) => m[1]!);
      const callee = names.length ? names[e.line % names.length] : null;
      const n = `added_${e.line}`;
      return `${text}\nstatic DEFINE_MUTEX(${n}_lock);\nvoid ${n}(void)\n{\n\tmutex_lock(&${n}_lock);\n${callee ? `\t${callee}();\n` : ''}\tmutex_unlock(&${n}_lock);\n}\n`;
    }
    case 'comment': {
      // Changes the text but not the IR: every FnInfo of the file is kept.
      const j = lines.findIndex((l, k) => k >= i && /^\s+\S.*;\s*$/.test(l));
      if (j >= 0) lines[j] = `${lines[j]} /* edited */`;
      break;
    }
    case 'wrap': {
      // A call now made under a lock: the callee's entry context (and findings there) change.
      const j = lines.findIndex((l, k) => k >= i && /^\s+[a-z_][a-z0-9_]*\([^;]*\);\s*$/.test(l) && !/lock|unlock/.test(l));
      if (j >= 0) lines.splice(j, 1, '\tspin_lock(&wrap_lock);', lines[j]!, '\tspin_unlock(&wrap_lock);');
      break;
    }
    case 'cycle': {
      // A lower layer calls back into a higher one: a recursive SCC across files.
      const m = /c(\d)_\d\(\)/.exec(text);
      if (!m) break;
      const j = lines.findIndex((l, k) => k >= i && /^\s+(mutex|spin)_unlock\(/.test(l));
      if (j >= 0) lines.splice(j, 0, `\tc3_${e.line % 4}();`);
      break;
    }
    case 'dropcall': {
      const j = lines.findIndex((l, k) => k >= i && /^\s+[a-z_]+\([^;]*\);\s*$/.test(l));
      if (j >= 0) lines[j] = lines[j]!.replace(/[a-z_]+\(/, '(void)(');
      break;
    }
    default:
      break;
  }
  return lines.join('\n');
}

test('incremental session deep-equals a from-scratch analysis under random edits', async () => {
  const p = await parser();
  const chains = chainTree();
  const base = new Map([...fixtureTree(), ...chains]);
  assert.ok(base.size > 50, 'fixture tree found');
  const fixturePaths = [...base.keys()];
  const chainPaths = [...chains.keys()];
  const cache = new Map<string, FileFacts>();
  const factsOf = (path: string, text: string): FileFacts => {
    const k = `${path}\u0000${text}`;
    let f = cache.get(k);
    if (!f) cache.set(k, (f = extractFileFacts(p, path, text)));
    return f;
  };
  let reusedSomewhere = false;
  const pathKinds = new Set<number>();
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          kind: fc.constantFrom<Edit['kind']>('blank', 'delete', 'dup', 'swap', 'swap', 'addfn', 'addfn', 'remove', 'restore', 'dropcall', 'comment', 'comment', 'wrap', 'wrap', 'cycle', 'addfile'),
          file: fc.nat(),
          line: fc.nat(400),
        }),
        { minLength: 3, maxLength: 8 },
      ),
      async (edits) => {
        const tree = new Map(base);
        const session = new AnalysisSession({ config });
        const first = session.analyze([...tree].map(([k, v]) => factsOf(k, v)));
        assert.deepEqual(strip(first), strip(analyzeFacts([...tree].map(([k, v]) => factsOf(k, v)), { config })));
        for (const e of edits) {
          // Half of the edits hit the cross-file call chains.
          const paths = e.file % 2 ? chainPaths : fixturePaths;
          const path = paths[(e.file >> 1) % paths.length]!;
          const changed: FileFacts[] = [];
          const removed: string[] = [];
          if (e.kind === 'remove') {
            tree.delete(path);
            removed.push(path);
          } else if (e.kind === 'addfile') {
            // A new file calling into the chains while holding its own lock (new edges, callers).
            const np = `added/f${e.line}.c`;
            const text = `static DEFINE_MUTEX(nf${e.line});\nvoid nf${e.line}_run(void)\n{\n\tmutex_lock(&nf${e.line});\n\tc${e.line % 4}_${e.file % 4}();\n\tmutex_unlock(&nf${e.line});\n}\n`;
            tree.set(np, text);
            changed.push(factsOf(np, text));
          } else {
            const text = e.kind === 'restore' ? base.get(path)! : applyEdit(tree.get(path) ?? base.get(path)!, e);
            tree.set(path, text);
            changed.push(factsOf(path, text));
          }
          const inc = session.update(changed, removed);
          const all = [...tree.keys()].sort().map((k) => factsOf(k, tree.get(k)!));
          const full = analyzeFacts(all, { config });
          if ((inc.stats.timings.reusedFunctions ?? 0) > 0) reusedSomewhere = true;
          pathKinds.add(inc.stats.timings.incrementalPath ?? -1);
          assert.deepEqual(strip(inc), strip(full), `after ${e.kind} of ${path}`);
        }
      },
    ),
    { numRuns: 8, seed: 20261121 },
  );
  assert.ok(reusedSomewhere, 'the session reused results at least once (otherwise the test proves nothing)');
  // Both incremental paths ran: proportional (2) and rebuilt call graph (1).
  assert.ok(pathKinds.has(2) && pathKinds.has(1), `incremental paths exercised: ${[...pathKinds].join(',')}`);
});

test('a body edit re-analyses only the edited file and callers whose callee summary changed', async () => {
  const p = await parser();
  const a = `#include <linux/mutex.h>
static DEFINE_MUTEX(m1);
void leaf(void) { mutex_lock(&m1); mutex_unlock(&m1); }
void mid(void) { leaf(); }
void top(void) { mid(); }
`;
  const b = `void other(void) { int x = 1; (void)x; }
void other2(void) { other(); }
`;
  const session = new AnalysisSession({ config });
  const r0 = session.analyze([extractFileFacts(p, 'a.c', a), extractFileFacts(p, 'b.c', b)]);
  assert.equal(r0.stats.timings.reusedFunctions, 0);
  // Comment-only change inside other(): b.c re-extracted; other's summary is unchanged, so
  // other2 and all of a.c are reused.
  const b2 = b.replace('int x = 1;', 'int x = 2;');
  const r1 = session.update([extractFileFacts(p, 'b.c', b2)], []);
  assert.equal(r1.stats.timings.reusedFunctions, 4);
  // Removing the lock from leaf changes its summary: mid and top are re-analysed too.
  const a2 = a.replace('mutex_lock(&m1); mutex_unlock(&m1);', '');
  const r2 = session.update([extractFileFacts(p, 'a.c', a2)], []);
  assert.equal(r2.stats.timings.reusedFunctions, 2);
  assert.deepEqual(strip(r2), strip(analyzeFacts([extractFileFacts(p, 'a.c', a2), extractFileFacts(p, 'b.c', b2)], { config })));
  // A new global shifts b.c's lines (its functions are re-analysed) but nothing mentions it.
  const b3 = `int g;\n${b2}`;
  const r3 = session.update([extractFileFacts(p, 'b.c', b3)], []);
  assert.equal(r3.stats.timings.reusedFunctions, 3);
  // A new definition of a name mid() calls re-analyses mid() (and its caller) only.
  const a3 = `${a2}void leaf2(void) { mutex_lock(&m1); mutex_unlock(&m1); }\n`.replace('void mid(void) { leaf(); }', 'void mid(void) { leaf(); leaf2(); }');
  const r4 = session.update([extractFileFacts(p, 'a.c', a3)], []);
  assert.deepEqual(strip(r4), strip(analyzeFacts([extractFileFacts(p, 'a.c', a3), extractFileFacts(p, 'b.c', b3)], { config })));
  // A type change starts from scratch.
  const r5 = session.update([extractFileFacts(p, 'b.c', `struct s { int x; };\n${b3}`)], []);
  assert.equal(r5.stats.timings.reusedFunctions, 0);
});

test('a series analysed through a session gives the same report as full re-analysis per patch', async () => {
  const p = await parser();
  const { parseMbox, readTree, fixture } = await import('../series/helpers');
  const { analyzeSeries } = await import('../../../src/engine/series/analyze-series');
  const { existsSync } = await import('node:fs');
  const cases = ['flow-rtnl', 'netdev-flags', 'pernet-rtnl', 'ukey-replace', 'percpu-upcall'].filter((n) => existsSync(fixture(n, 'series.mbox')) && existsSync(fixture(n, 'base')));
  assert.ok(cases.length >= 3, 'series fixtures found');
  for (const name of cases) {
    const parsed = await parseMbox(name, 'series.mbox');
    const base = readTree(fixture(name, 'base'));
    let sessions = 0;
    const plain = {
      extract: (f: string, t: string) => extractFileFacts(p, f, t),
      analyze: (all: FileFacts[]) => analyzeFacts(all, { config }),
      isSource: (f: string) => f.endsWith('.c') || f.endsWith('.h'),
    };
    const inc = {
      ...plain,
      openSession: () => {
        sessions++;
        return new AnalysisSession({ config });
      },
    };
    const clean = (r: ReturnType<typeof analyzeSeries>) => JSON.parse(JSON.stringify(r, (k, v) => (k === 'timings' || k === 'ms' || k === 'baseMs' || k === 'patchMs' ? undefined : v)));
    const a = analyzeSeries(parsed, base, plain);
    const b = analyzeSeries(parsed, base, inc);
    assert.equal(sessions, 1, `${name}: one session per series`);
    assert.ok(a.perPatch.some((x) => x.applied), `${name}: some patch applied`);
    assert.deepEqual(clean(b), clean(a), name);
  }
});

test('a definition appearing for a name an unchanged function already calls re-analyses that caller', async () => {
  const p = await parser();
  const caller = extractFileFacts(p, 'a.c', `#include <linux/rtnetlink.h>\nvoid user_run(void) { helper(); }\n`);
  const def = extractFileFacts(p, 'b.c', `#include <linux/rtnetlink.h>\nvoid helper(void) { rtnl_lock(); rtnl_unlock(); }\n`);
  const other = extractFileFacts(p, 'b.c', `#include <linux/rtnetlink.h>\nvoid helper_not(void) { rtnl_lock(); rtnl_unlock(); }\n`);
  const session = new AnalysisSession({ config });
  session.analyze([caller, other]);
  const notYet = session.update([def], []);
  assert.deepEqual(strip(notYet), strip(analyzeFacts([caller, def], { config })));
  assert.ok((notYet.stats.timings.reusedFunctions ?? 0) === 0 || notYet.findings.some((f) => f.function === 'user_run'));
  const gone = session.update([], ['b.c']);
  assert.deepEqual(strip(gone), strip(analyzeFacts([caller], { config })));
  const back = session.update([def], []);
  const full = analyzeFacts([caller, def], { config });
  assert.deepEqual(strip(back), strip(full));
  assert.ok(full.findings.some((f) => f.rule === 'rtnl-in-periodic-path' && f.function === 'user_run'), 'the caller sees the new definition');
});

test('the name index stays right through tombstoned and compacted function replacements', async () => {
  const p = await parser();
  const { nameIndexTuning } = await import('../../../src/engine/pipeline/name-index');
  const saved = nameIndexTuning.deadMax;
  nameIndexTuning.deadMax = 3; // compact after every few replaced functions
  try {
    // Each step replaces f0 only (a tombstone in the index); f1..f4 stay unchanged and call
    // ext0..ext2, which b.c defines one at a time with a lock. A definition appearing for a name
    // an unchanged function calls reaches that function through the name index only.
    const fi = (i: number, k: number) => `void f${i}(int *n)\n{\n\tmutex_lock(&gm);\n\t*n += ${i === 0 ? k : i};\n\text${i % 3}();\n\tmutex_unlock(&gm);\n}\n`;
    const a = (k: number) => 'DEFINE_MUTEX(gm);\n' + [0, 1, 2, 3, 4].map((i) => fi(i, k)).join('');
    const b = (k: number) => `DEFINE_MUTEX(em);\nvoid ext${Math.floor(k / 3) % 3}(void) { mutex_lock(&em); mutex_unlock(&em); }\n`;
    const session = new AnalysisSession({ config });
    session.analyze([extractFileFacts(p, 'a.c', a(0)), extractFileFacts(p, 'b.c', b(0))]);
    const seen = new Set<string>();
    for (let k = 1; k <= 12; k++) {
      const changed = [extractFileFacts(p, 'a.c', a(k))];
      if (k % 3 === 0) changed.push(extractFileFacts(p, 'b.c', b(k)));
      const inc = session.update(changed, []);
      const cold = analyzeFacts([extractFileFacts(p, 'a.c', a(k)), extractFileFacts(p, 'b.c', b(k))], { config });
      assert.deepEqual(strip(inc), strip(cold), `step ${k}`);
      seen.add(inc.edges.flatMap((e) => e.witnesses.map((w) => w[0]?.function ?? '')).sort().join(','));
    }
    assert.ok(seen.size > 1, `the gm -> em edge moves between callers: ${[...seen].join(' | ')}`);
  } finally {
    nameIndexTuning.deadMax = saved;
  }
});
