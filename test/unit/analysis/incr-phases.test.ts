/**
 * Incremental global phase (AnalysisSession.update): each stage redoes only what an edit
 * reaches, and the result stays deep-equal to a from-scratch analyzeFacts. These cases pin the
 * paths the random differential test in session.test.ts may hit only by chance: IR-identical
 * edits, summary changes, entry-context-only changes, recursion, new/removed lock-order edges
 * and findings, added/removed files, fingerprint numbering.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../../../src/engine/config';
import type { FileFacts } from '../../../src/engine/ir';
import type { AnalysisResult } from '../../../src/engine/model';
import { analyzeFacts } from '../../../src/engine/pipeline/analyze';
import { AnalysisSession } from '../../../src/engine/pipeline/session';
import { extractFileFacts } from '../../../src/engine/parse/extract';
import { parser } from './helpers';

const config = { ...DEFAULT_CONFIG };
const strip = (r: AnalysisResult): AnalysisResult => ({ ...r, stats: { ...r.stats, timings: {} } });

const LIB = `#include <linux/mutex.h>
#include <linux/spinlock.h>
DEFINE_MUTEX(ma);
DEFINE_MUTEX(mb);
DEFINE_SPINLOCK(sa);
void take_a(void) { mutex_lock(&ma); mutex_unlock(&ma); }
void take_b(void) { mutex_lock(&mb); mutex_unlock(&mb); }
void nap(void) { msleep(1); }
void ping(int n);
void pong(int n) { if (n) ping(n - 1); }
void ping(int n) { if (n) pong(n - 1); }
`;
const USER = `void user_a(void)
{
\tmutex_lock(&ma);
\ttake_b();
\tmutex_unlock(&ma);
}
void user_plain(void)
{
\tnap();
}
void user_rec(void)
{
\tping(3);
}
`;
const OTHER = `void far_away(void) { int x = 1; (void)x; }
void far_caller(void) { far_away(); }
`;

async function setup() {
  const p = await parser();
  const fx = (path: string, text: string): FileFacts => extractFileFacts(p, path, text);
  const files = new Map<string, FileFacts>([
    ['lib.c', fx('lib.c', LIB)],
    ['user.c', fx('user.c', USER)],
    ['other.c', fx('other.c', OTHER)],
  ]);
  const session = new AnalysisSession({ config });
  session.analyze([...files.values()]);
  const apply = (path: string, text: string | null): AnalysisResult => {
    if (text === null) files.delete(path);
    else files.set(path, fx(path, text));
    const inc = session.update(text === null ? [] : [files.get(path)!], text === null ? [path] : []);
    const full = analyzeFacts([...files.values()], { config });
    assert.deepEqual(strip(inc), strip(full), `after editing ${path}`);
    return inc;
  };
  return { apply };
}

test('an IR-identical edit keeps every function: proportional path, nothing re-analysed', async () => {
  const { apply } = await setup();
  const r = apply('user.c', USER.replace('\tnap();', '\tnap(); /* comment */'));
  assert.equal(r.stats.timings.incrementalPath, 2);
  assert.equal(r.stats.timings.reusedFunctions, r.stats.functions);
});

test('a body edit that changes a summary re-analyses the function and its callers only', async () => {
  const { apply } = await setup();
  // take_b now also takes ma: its summary changes, so user_a is re-analysed (and reports a
  // recursive acquisition); nothing in other.c is.
  const r = apply('lib.c', LIB.replace('void take_b(void) { mutex_lock(&mb);', 'void take_b(void) { mutex_lock(&ma); mutex_unlock(&ma); mutex_lock(&mb);'));
  assert.equal(r.stats.timings.incrementalPath, 2);
  const n = r.stats.functions;
  assert.ok((r.stats.timings.reusedFunctions ?? 0) <= n - 2 && (r.stats.timings.reusedFunctions ?? 0) >= n - 4, `reused ${r.stats.timings.reusedFunctions} of ${n}`);
  assert.ok(r.findings.some((f) => f.function === 'user_a'), 'the caller sees the callee change');
});

test('an entry-context-only change updates the callee entry, findings, and back', async () => {
  const { apply } = await setup();
  // Calling nap() under a spinlock: nap's entry gains sa and user_plain sleeps in atomic context.
  const wrapped = USER.replace('\tnap();', '\tspin_lock(&sa);\n\tnap();\n\tspin_unlock(&sa);');
  const r1 = apply('user.c', wrapped);
  assert.deepEqual(r1.functions.find((f) => f.name === 'nap')?.entry.may, ['sa']);
  assert.ok(r1.findings.some((f) => f.rule === 'sleep-in-atomic' && f.function === 'user_plain'));
  const r2 = apply('user.c', USER);
  assert.deepEqual(r2.functions.find((f) => f.name === 'nap')?.entry.may, []);
  assert.ok(!r2.findings.some((f) => f.rule === 'sleep-in-atomic'));
});

test('edits inside and around a recursive SCC keep entries and summaries exact', async () => {
  const { apply } = await setup();
  // The recursive pair starts taking a lock, then is called under another one.
  const lib2 = LIB.replace('void pong(int n) { if (n) ping(n - 1); }', 'void pong(int n) { mutex_lock(&mb); if (n) ping(n - 1); mutex_unlock(&mb); }');
  const r1 = apply('lib.c', lib2);
  assert.equal(r1.stats.timings.incrementalPath, 2);
  const r2 = apply('user.c', USER.replace('\tping(3);', '\tmutex_lock(&ma);\n\tping(3);\n\tmutex_unlock(&ma);'));
  assert.ok(r2.functions.find((f) => f.name === 'ping')?.entry.must.includes('ma'));
  assert.ok(r2.edges.some((e) => e.from === 'ma' && e.to === 'mb'));
});

test('a lock-order cycle appears and disappears with one edit; fingerprints stay unique', async () => {
  const { apply } = await setup();
  const abba = `${USER}void user_b(void)\n{\n\tmutex_lock(&mb);\n\ttake_a();\n\tmutex_unlock(&mb);\n}\n`;
  const r1 = apply('user.c', abba);
  assert.ok(r1.findings.some((f) => f.rule === 'lock-order-cycle'));
  assert.equal(new Set(r1.findings.map((f) => f.fingerprint)).size, r1.findings.length);
  // Same call twice: two findings of one rule/function/locks/key, numbered, not mutated in cache.
  const twice = abba.replace('\ttake_a();', '\ttake_a();\n\tmutex_lock(&mb);\n\tmutex_unlock(&mb);');
  const r2 = apply('user.c', twice);
  assert.equal(new Set(r2.findings.map((f) => f.fingerprint)).size, r2.findings.length);
  const r3 = apply('user.c', USER);
  assert.ok(!r3.findings.some((f) => f.rule === 'lock-order-cycle'));
  assert.ok(!r3.edges.some((e) => e.from === 'mb' && e.to === 'ma'));
});

test('added and removed files take the call-graph path and stay exact', async () => {
  const { apply } = await setup();
  const r1 = apply('new.c', `void newcomer(void)\n{\n\tmutex_lock(&mb);\n\ttake_a();\n\tmutex_unlock(&mb);\n}\n`);
  assert.equal(r1.stats.timings.incrementalPath, 1);
  assert.ok(r1.edges.some((e) => e.from === 'mb' && e.to === 'ma'));
  const r2 = apply('new.c', null);
  assert.ok(!r2.edges.some((e) => e.from === 'mb' && e.to === 'ma'));
  const r3 = apply('other.c', null);
  assert.ok(!r3.functions.some((f) => f.file === 'other.c'));
});

test('a type change starts from scratch', async () => {
  const { apply } = await setup();
  const r = apply('other.c', `struct s { int x; };\n${OTHER}`);
  assert.equal(r.stats.timings.incrementalPath, 0);
  assert.equal(r.stats.timings.reusedFunctions, 0);
});

test("a caller-only change that flips a callee's finding (entry unchanged) is seen", async () => {
  const p = await parser();
  // reader()'s rcu_dereference is protected when every caller holds some RCU read side. Making
  // one caller's read side conditional keeps reader()'s entry context (must {}, may {rcu,
  // rcu_bh}) but loses the protection: the callee's cached findings must be recomputed.
  const lib = `#include <linux/rcupdate.h>
struct item { int v; };
struct item __rcu *gp;
int reader(void) { struct item *it = rcu_dereference(gp); return it ? it->v : 0; }
void caller_a(void) { rcu_read_lock(); reader(); rcu_read_unlock(); }
`;
  const b1 = `void caller_b(int x) { rcu_read_lock_bh(); reader(); rcu_read_unlock_bh(); }\n`;
  const b2 = `void caller_b(int x) { if (x) rcu_read_lock_bh(); reader(); if (x) rcu_read_unlock_bh(); }\n`;
  const la = extractFileFacts(p, 'lib.c', lib);
  const session = new AnalysisSession({ config });
  const r1 = session.analyze([la, extractFileFacts(p, 'b.c', b1)]);
  assert.ok(!r1.findings.some((f) => f.rule === 'rcu-deref-unprotected' && f.function === 'reader'), 'protected by every caller');
  const r2 = session.update([extractFileFacts(p, 'b.c', b2)], []);
  const full = analyzeFacts([la, extractFileFacts(p, 'b.c', b2)], { config });
  assert.deepEqual(strip(r2), strip(full));
  assert.deepEqual(r2.functions.find((f) => f.name === 'reader')?.entry, r1.functions.find((f) => f.name === 'reader')?.entry, 'entry context unchanged');
  assert.ok(full.findings.some((f) => f.rule === 'rcu-deref-unprotected' && f.function === 'reader'), 'one caller path lacks a read side');
});
