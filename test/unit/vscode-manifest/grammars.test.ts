import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
// @ts-expect-error plain ESM build script without type declarations
import { grammarFiles } from '../../../syntaxes/build-grammars.mjs';

const root = process.env.LOCKLENS_ROOT!;
const dir = path.join(root, 'syntaxes');
type Rule = { name?: string; match?: string; begin?: string; end?: string; patterns?: Rule[]; repository?: Record<string, Rule>; captures?: Record<string, { name: string }> };

const load = (f: string) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Rule & { scopeName: string; injectionSelector?: string };
const patch = load('locklens-patch.tmLanguage.json');
const inj = load('lock-primitives.injection.tmLanguage.json');

function regexes(rule: Rule, out: string[] = []): string[] {
  for (const k of ['match', 'begin', 'end'] as const) if (rule[k]) out.push(rule[k]!);
  for (const p of rule.patterns ?? []) regexes(p, out);
  for (const r of Object.values(rule.repository ?? {})) regexes(r, out);
  return out;
}

test('grammar JSON files are valid and match their generator', () => {
  const files = grammarFiles() as Record<string, string>;
  assert.equal(Object.keys(files).length, 3);
  for (const [name, text] of Object.entries(files)) {
    const onDisk = readFileSync(path.join(dir, name), 'utf8');
    assert.doesNotThrow(() => JSON.parse(onDisk), name);
    assert.equal(onDisk, text, `${name} is stale: run node syntaxes/build-grammars.mjs`);
  }
});

test('every grammar regex compiles (Oniguruma subset that JS shares)', () => {
  const all = [...regexes(patch), ...regexes(inj)];
  assert.ok(all.length > 20);
  for (const r of all) assert.doesNotThrow(() => new RegExp(r), r);
});

test('includes resolve to repository entries', () => {
  const names = new Set(Object.keys(patch.repository ?? {}));
  for (const p of patch.patterns ?? []) {
    const inc = (p as { include?: string }).include!;
    assert.ok(inc.startsWith('#') && names.has(inc.slice(1)), inc);
  }
});

const rule = (name: string) => (inj.patterns ?? []).find((p) => p.name === name)!;
const matches = (re: string, s: string) => new RegExp(re).exec(s)?.[0] ?? null;

test('lock primitives: acquisitions, releases, RCU and annotations are told apart', () => {
  const acq = rule('support.function.lock.acquire.locklens').match!;
  const rel = rule('support.function.lock.release.locklens').match!;
  const rcu = rule('support.function.rcu.locklens').match!;
  const ann = rule('storage.modifier.lock-annotation.locklens').match!;
  assert.equal(matches(acq, '\tspin_lock_bh(&dp->lock);'), 'spin_lock_bh');
  assert.equal(matches(acq, 'ovs_mutex_lock(&ofproto_mutex);'), 'ovs_mutex_lock');
  assert.equal(matches(acq, 'rtnl_lock();'), 'rtnl_lock');
  assert.equal(matches(acq, 'scoped_guard(mutex, &m) {'), 'scoped_guard');
  assert.equal(matches(rel, 'rtnl_unlock();'), 'rtnl_unlock');
  assert.equal(matches(rel, 'spin_unlock_irqrestore(&l, flags);'), 'spin_unlock_irqrestore');
  assert.equal(matches(rcu, 'p = rcu_dereference_protected(dp->table, 1);'), 'rcu_dereference_protected');
  assert.equal(matches(rcu, 'ovsrcu_postpone(free, x);'), 'ovsrcu_postpone');
  assert.equal(matches(ann, 'static void f(void) OVS_REQUIRES(ofproto_mutex)'), 'OVS_REQUIRES');
  assert.equal(matches(ann, '\tASSERT_RTNL();'), 'ASSERT_RTNL');
  // Negative: look-alikes, initialisers and non-calls are not primitives.
  assert.equal(matches(acq, 'my_spin_lock(&x);'), null);
  assert.equal(matches(acq, 'spin_lock_init(&x);'), null);
  assert.equal(matches(acq, 'int rtnl_lock_count;'), null);
  assert.equal(matches(rel, 'mutex_unlocked = true;'), null);
  assert.equal(matches(acq, 'mutex_unlock(&m);'), null);
});

test('the injection reaches C and diff lines of the patch grammar, not comments', () => {
  assert.match(inj.injectionSelector!, /L:source\.c -comment -string/);
  assert.match(inj.injectionSelector!, /L:text\.mail\.patch\.locklens meta\.diff\.line(,|$)/);
  // Scope selectors match by dotted prefix: every diff-line rule must start with meta.diff.line.
  for (const p of patch.repository!.diff.patterns!.filter((r) => r.begin)) assert.match(p.name!, /(^| )meta\.diff\.line\./);
  const diff = patch.repository!.diff;
  const added = diff.patterns!.find((p) => p.name?.includes('markup.inserted.diff'))!;
  assert.ok(added.name!.includes('meta.diff.line.inserted.locklens'));
  assert.ok(added.begin && !added.match, 'diff lines must be begin/end rules so the injection can apply inside them');
});

test('subjects: list tag, version and N/M are captured', () => {
  const s = patch.repository!.subject;
  const m = new RegExp(s.match!).exec('Subject: [PATCH net-next v3 1/2] net: openvswitch: make flow_table an rcu pointer')!;
  assert.ok(m);
  assert.equal(m[5], 'v3');
  assert.equal(m[6], '1/2');
  assert.equal(m[7], 'net: openvswitch: make flow_table an rcu pointer');
  const plain = new RegExp(s.match!).exec('Subject: [PATCH] fix a leak')!;
  assert.equal(plain[5], undefined);
  assert.equal(plain[7], 'fix a leak');
  const rfc = new RegExp(s.match!).exec('Subject: [ovs-dev] [RFC PATCH v2 3/5] ofproto: x')!;
  assert.equal(rfc[3].trim(), '[ovs-dev]');
  assert.equal(rfc[6], '3/5');
});

test('diff regions start at a file header and stop at the next message or signature', () => {
  const d = patch.repository!.diff;
  assert.ok(new RegExp(d.begin!).test('diff --git a/x.c b/x.c'));
  assert.ok(new RegExp(d.begin!).test('--- a/x.c'));
  assert.ok(!new RegExp(d.begin!).test('- Split in 2 patches (Paolo)'), 'commit-message bullets are not diffs');
  assert.ok(new RegExp(d.end!, 'm').test('-- \n'));
  assert.ok(new RegExp(d.end!).test('From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001'));
  const range = d.patterns!.find((p) => p.name === 'meta.diff.range.unified.locklens')!;
  const m = new RegExp(range.match!).exec('@@ -120,7 +120,9 @@ static int ovs_flow_cmd_new(struct sk_buff *skb)')!;
  assert.equal(m[2], '-120,7');
  assert.equal(m[5].trim(), 'static int ovs_flow_cmd_new(struct sk_buff *skb)');
  const trailer = patch.repository!.trailer;
  assert.ok(new RegExp(trailer.match!).test('Signed-off-by: A Developer <a@example.org>'));
  assert.ok(!new RegExp(trailer.match!).test('  Signed-off-by: quoted'));
});
