import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { EngineClient, EngineError, isCancelled } from '../../../src/host/worker/engine-client';

/**
 * A stand-in worker speaking the worker protocol: `open` reports progress then answers after
 * `delay` ms (or never when cancelled), `update` echoes its changes, `crash` exits.
 */
const FAKE = `
const { parentPort } = require('node:worker_threads');
const timers = new Map();
parentPort.on('message', (m) => {
  if (m.kind === 'cancel') { clearTimeout(timers.get(m.target)); parentPort.postMessage({ kind: 'error', id: m.target, code: 'cancelled', message: 'cancelled' }); return; }
  if (m.kind === 'crash') process.exit(7);
  if (m.kind === 'open') {
    parentPort.postMessage({ kind: 'progress', id: m.id, done: 1, total: 2, message: 'a.c' });
    parentPort.postMessage({ kind: 'log', level: 'info', message: 'opening ' + m.options.root });
    timers.set(m.id, setTimeout(() => parentPort.postMessage({ kind: 'result', id: m.id, value: { root: m.options.root }, timings: { extract: 5 } }), Number(m.options.jobs || 0)));
    return;
  }
  if (m.kind === 'update') { parentPort.postMessage({ kind: 'result', id: m.id, value: m.changes.map((c) => c.path) }); return; }
  parentPort.postMessage({ kind: 'error', id: m.id, code: 'unavailable', message: m.kind + ' not available' });
});`;

function client(extra: Partial<ConstructorParameters<typeof EngineClient>[0]> = {}) {
  let spawned = 0;
  const c = new EngineClient({
    spawn: () => {
      spawned++;
      return new Worker(FAKE, { eval: true });
    },
    ...extra,
  });
  return { c, spawned: () => spawned };
}

test('requests get their own replies, progress and logs are routed, timings kept', async () => {
  const logs: string[] = [];
  const { c } = client({ log: (_l, m) => logs.push(m) });
  try {
    const progress: number[] = [];
    const [a, b] = await Promise.all([
      c.request<'open'>({ kind: 'open', options: { root: '/a', jobs: 20 } }, { onProgress: (p) => progress.push(p.done) }),
      c.request<'update'>({ kind: 'update', changes: [{ path: 'x.c', text: '' }] }),
    ]);
    assert.deepEqual(a, { root: '/a' });
    assert.deepEqual(b, ['x.c']);
    assert.deepEqual(progress, [1]);
    assert.deepEqual(logs, ['opening /a']);
    assert.equal(c.lastTimings.get('open')?.extract, 5);
    assert.ok((c.lastTimings.get('open')?.roundTripMs ?? -1) >= 0);
  } finally {
    c.dispose();
  }
});

test('worker errors reject with their code', async () => {
  const { c } = client();
  try {
    await assert.rejects(c.request<'simulate'>({ kind: 'simulate', scenario: {} }), (e: unknown) => e instanceof EngineError && e.code === 'unavailable' && /simulate/.test(e.message));
  } finally {
    c.dispose();
  }
});

test('cancel rejects at once and a late reply is dropped', async () => {
  const { c } = client();
  try {
    const ac = new AbortController();
    const p = c.request<'open'>({ kind: 'open', options: { root: '/slow', jobs: 10_000 } }, { signal: ac.signal });
    ac.abort();
    await assert.rejects(p, (e: unknown) => isCancelled(e));
    // The client keeps working after a cancel.
    assert.deepEqual(await c.request<'update'>({ kind: 'update', changes: [{ path: 'y.c', text: null }] }), ['y.c']);
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(c.request<'open'>({ kind: 'open', options: { root: '/x' } }, { signal: pre.signal }), (e: unknown) => isCancelled(e));
  } finally {
    c.dispose();
  }
});

test('a crash rejects pending requests, is reported once, and the next request restarts the worker', async () => {
  const crashes: string[] = [];
  const { c, spawned } = client({ onCrash: (r) => crashes.push(r) });
  try {
    const pending = c.request<'open'>({ kind: 'open', options: { root: '/big', jobs: 10_000 } });
    c.crashForTest();
    await assert.rejects(pending, (e: unknown) => e instanceof EngineError && e.code === 'crashed');
    assert.equal(crashes.length, 1);
    assert.match(crashes[0], /code 7/);
    assert.equal(c.crashes, 1);
    assert.equal(c.running, false);
    assert.deepEqual(await c.request<'update'>({ kind: 'update', changes: [{ path: 'z.c', text: 'x' }] }), ['z.c']);
    assert.equal(spawned(), 2);
  } finally {
    c.dispose();
  }
});

test('dispose rejects what is pending and refuses new requests', async () => {
  const { c } = client();
  const pending = c.request<'open'>({ kind: 'open', options: { root: '/d', jobs: 10_000 } });
  c.dispose();
  await assert.rejects(pending, /engine stopped/);
  await assert.rejects(c.request<'update'>({ kind: 'update', changes: [] }), /disposed/);
});
