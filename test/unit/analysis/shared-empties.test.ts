/**
 * Memory sharing in the analysis (flow/compact.ts, program.ts, scc-summaries.ts, pipeline/):
 * empty per-function collections are one shared read-only instance, perRun shares the acquires
 * map when they hold the same entries, parameter positions are read from the IR on demand, and
 * a one-shot run records no SCC dependencies. None of it may change what anything reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_CONFIG } from '../../../src/engine/config';
import type { FileFacts } from '../../../src/engine/ir';
import type { AnalysisResult } from '../../../src/engine/model';
import { analyzeFacts, analyzeFactsReusing } from '../../../src/engine/pipeline/analyze';
import { AnalysisSession } from '../../../src/engine/pipeline/session';
import { compactSummary, NO_ENTRIES, NO_MEMBERS, NONE, sharedIfEmpty, sharedSetIfEmpty } from '../../../src/engine/analysis/flow/compact';
import { ParamIndex, Program } from '../../../src/engine/analysis/program';
import { newSummary, summarySig, type AcqInfo, type FnSummary } from '../../../src/engine/analysis/summary';
import type { ReuseSlot } from '../../../src/engine/pipeline/session-state';
import { extractFileFacts } from '../../../src/engine/parse/extract';
import { factsOf, parser } from './helpers';

const config = { ...DEFAULT_CONFIG };
const strip = (r: AnalysisResult): AnalysisResult => ({ ...r, stats: { ...r.stats, timings: {} } });
const mapsAsArrays = (_k: string, v: unknown): unknown => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v);

const acq = (lock: string, line: number): AcqInfo => ({ lock, chain: [{ file: 'a.c', line, function: 'f', note: `takes ${lock}` }], try: false, shared: false, nested: false, type: 'mutex', dropped: [] });

function summary(acquires: [string, AcqInfo][], perRun: [string, AcqInfo][] | undefined): FnSummary {
  const s = newSummary('a.c::f');
  s.acquires = new Map(acquires);
  if (perRun) s.perRun = new Map(perRun);
  else delete s.perRun;
  return s;
}

/** A deep copy that keeps Maps as fresh Maps (compactSummary must not change what a reader sees). */
const clone = (s: FnSummary): FnSummary => ({
  ...s,
  acquires: new Map(s.acquires),
  ...(s.perRun ? { perRun: new Map(s.perRun) } : {}),
  returnsHolding: new Map(s.returnsHolding),
  releases: new Map(s.releases),
  requires: new Map(s.requires),
  excluded: new Map(s.excluded),
  waits: [...s.waits],
});

test('shared empties refuse writes and read as empty', () => {
  assert.equal(NO_ENTRIES.size, 0);
  assert.equal(NO_MEMBERS.size, 0);
  assert.throws(() => NO_ENTRIES.set('x' as never, 1 as never), TypeError);
  assert.throws(() => (NO_MEMBERS as unknown as Set<string>).add('x'), TypeError);
  assert.throws(() => (NONE as string[]).push('x'), TypeError);
  assert.deepEqual([...NO_MEMBERS], []);
  assert.equal(NO_MEMBERS.has('x' as never), false);
  const full = new Map([['a', 1]]);
  assert.equal(sharedIfEmpty(full), full);
  assert.equal(sharedIfEmpty(new Map()), NO_ENTRIES);
  const s = new Set(['a']);
  assert.equal(sharedSetIfEmpty(s), s);
  assert.equal(sharedSetIfEmpty(new Set()), NO_MEMBERS);
});

test('perRun shares the acquires map only when it holds the very same entries in the same order', () => {
  const a = acq('ma', 3);
  const b = acq('mb', 5);
  // Same entries (same objects, same order): one map for both.
  const same = summary([['ma', a], ['mb', b]], [['ma', a], ['mb', b]]);
  const before = clone(same);
  compactSummary(same);
  assert.equal(same.perRun, same.acquires);
  assert.equal(summarySig(same), summarySig(before));
  assert.equal(JSON.stringify(same, mapsAsArrays), JSON.stringify(before, mapsAsArrays));
  // Equal content but another object (a once-only chain), a subset, another order: kept apart.
  const cases: FnSummary[] = [
    summary([['ma', a]], [['ma', { ...a }]]),
    summary([['ma', a], ['mb', b]], [['ma', a]]),
    summary([['ma', a], ['mb', b]], [['mb', b], ['ma', a]]),
  ];
  for (const s of cases) {
    const ref = clone(s);
    compactSummary(s);
    assert.notEqual(s.perRun, s.acquires);
    assert.deepEqual([...s.perRun!], [...ref.perRun!]);
    assert.equal(summarySig(s), summarySig(ref));
  }
  // Empty maps become the shared empty map; an empty perRun with acquires too.
  const none = summary([], []);
  compactSummary(none);
  assert.equal(none.acquires, NO_ENTRIES);
  assert.equal(none.perRun, NO_ENTRIES);
  assert.equal(none.requires, NO_ENTRIES);
  const noPerRun = summary([['ma', a]], []);
  compactSummary(noPerRun);
  assert.equal(noPerRun.perRun, NO_ENTRIES);
  assert.equal(noPerRun.acquires.get('ma'), a);
});

test('ParamIndex answers like the Map it replaces (last name wins, unnamed parameters skipped)', () => {
  const name = fc.option(fc.constantFrom('a', 'b', 'c', ''), { nil: undefined });
  fc.assert(
    fc.property(fc.array(fc.option(fc.record({ name }), { nil: null }), { maxLength: 6 }), fc.constantFrom('a', 'b', 'c', 'd', ''), (params, q) => {
      const ref = new Map<string, number>();
      params.forEach((p, i) => {
        if (p?.name) ref.set(p.name, i);
      });
      const idx = new ParamIndex(params);
      return idx.get(q) === ref.get(q) && idx.has(q) === ref.has(q);
    }),
  );
});

test('Program: empty per-function maps and annotation lists are the shared empties, full ones are not', async () => {
  const facts = await factsOf({
    'a.c': `#include <linux/mutex.h>
DEFINE_MUTEX(m);
void bare(void) { }
void full(struct mutex *p, int n) { struct mutex *q = p; mutex_lock(q); n++; mutex_unlock(q); }
`,
  });
  const prog = new Program(facts);
  const bare = prog.fns.find((f) => f.ir.name === 'bare')!;
  const full = prog.fns.find((f) => f.ir.name === 'full')!;
  assert.equal(bare.vars, NO_ENTRIES);
  assert.equal(bare.aliases, NO_ENTRIES);
  assert.equal(bare.annotations, NONE);
  assert.equal(bare.paramIndex.get('p'), undefined);
  assert.notEqual(full.vars, NO_ENTRIES);
  assert.deepEqual([...full.vars.keys()].sort(), ['n', 'p', 'q']);
  assert.equal(full.paramIndex.get('p'), 0);
  assert.equal(full.paramIndex.get('n'), 1);
  assert.equal(full.paramIndex.has('q'), false);
  assert.ok(full.aliases.has('q'));
});

const LIB = `#include <linux/mutex.h>
DEFINE_MUTEX(ma);
DEFINE_MUTEX(mb);
void take_a(void) { mutex_lock(&ma); mutex_unlock(&ma); }
void take_b(void) { mutex_lock(&mb); mutex_unlock(&mb); }
void needs_a(void) OVS_REQUIRES(ma);
void needs_a(void) { take_b(); }
void ping(int n);
void pong(int n) { if (n) ping(n - 1); }
void ping(int n) { if (n) pong(n - 1); take_a(); }
`;
const USER = `void user_a(void)
{
\tmutex_lock(&ma);
\tneeds_a();
\tmutex_unlock(&ma);
}
void user_plain(void) { ping(2); }
`;

test('one-shot run (no deps recorded) equals a session run (deps recorded); the session keeps its dependencies', async () => {
  const p = await parser();
  const files: FileFacts[] = [extractFileFacts(p, 'lib.c', LIB), extractFileFacts(p, 'user.c', USER)];
  const oneShot = analyzeFacts(files, { config });
  const slot: ReuseSlot = { prev: null };
  const kept = analyzeFactsReusing(files, { config }, slot);
  assert.deepEqual(strip(oneShot), strip(kept));
  const st = slot.next!;
  assert.ok(st, 'a session run leaves its state');
  // Callers read their callees' summaries: the session must have recorded who reads take_b.
  assert.ok((st.summaries.revDeps.get('lib.c::take_b')?.size ?? 0) > 0, 'revDeps of take_b');
  assert.ok((st.callGraph.preds.get('lib.c::take_b')?.size ?? 0) > 0, 'preds of take_b');
  const userA = st.summaries.comps[st.summaries.sccOf.get('user.c::user_a')!]!;
  assert.ok(userA.deps.has('lib.c::needs_a'));
  // Entry contexts: the empty ones share one set; needs_a's holds its annotation seed.
  assert.equal(st.entries.entry.get('user.c::user_a')!.must, NO_MEMBERS);
  // take_a is reached (through ping) with nothing held: its recomputed entry is shared too.
  assert.equal(st.entries.entry.get('lib.c::take_a')!.may, NO_MEMBERS);
  assert.equal(st.entries.entry.get('lib.c::take_a')!.must, NO_MEMBERS);
  assert.deepEqual([...st.entries.entry.get('lib.c::needs_a')!.must], ['ma']);
  assert.throws(() => (st.entries.entry.get('user.c::user_plain')!.may as Set<string>).add('x'), TypeError);
});

test('a session edit after the normalised first run equals a cold run, both ways', async () => {
  const p = await parser();
  const lib = extractFileFacts(p, 'lib.c', LIB);
  const user = extractFileFacts(p, 'user.c', USER);
  const session = new AnalysisSession({ config });
  const first = session.analyze([lib, user]);
  const acquiresOf = (r: AnalysisResult, name: string): string[] => r.functions.find((f) => f.name === name)!.acquires;
  // take_b now takes ma too (a summary change that reaches needs_a and user_a through deps).
  const lib2 = extractFileFacts(p, 'lib.c', LIB.replace('void take_b(void) { mutex_lock(&mb);', 'void take_b(void) { mutex_lock(&ma); mutex_unlock(&ma); mutex_lock(&mb);'));
  const inc = session.update([lib2], []);
  assert.deepEqual(strip(inc), strip(analyzeFacts([lib2, user], { config })));
  // The edit reaches needs_a only through its recorded dependency on take_b's summary.
  assert.deepEqual(acquiresOf(first, 'needs_a'), ['mb']);
  assert.deepEqual(acquiresOf(inc, 'needs_a').sort(), ['ma', 'mb']);
  const back = session.update([lib], []);
  assert.deepEqual(strip(back), strip(analyzeFacts([lib, user], { config })));
});
