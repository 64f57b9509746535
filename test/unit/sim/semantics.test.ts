import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grantOrder, grantTimes, run, scenario } from './helpers';

// Thread ids follow role order, then thread index within the role.
const role = (name: string, start: number, ops: unknown[], extra: Record<string, unknown> = {}) => ({ name, start, ops, ...extra });

test('mutex: waiters are granted in arrival (FIFO) order, not in role order', () => {
  const r = run(
    scenario(
      [
        role('holder', 0, [{ lock: 'm', hold: 100 }]),
        role('late', 30, [{ lock: 'm', hold: 10 }]),
        role('early', 10, [{ lock: 'm', hold: 10 }]),
        role('middle', 20, [{ lock: 'm', hold: 10 }]),
      ],
      { locks: { m: { type: 'mutex' } } },
    ),
  );
  assert.deepEqual(grantOrder(r, 'm'), [0, 2, 3, 1]);
  assert.deepEqual(grantTimes(r, 'm').map(([, t]) => t), [0, 100, 110, 120]);
  assert.equal(r.makespanUs, 130);
  assert.equal(r.locks[0].maxQueue, 3);
});

test('mutex: hand-off means a releasing thread that re-requests queues behind the waiter', () => {
  const r = run(
    scenario(
      [
        role('greedy', 0, [{ repeat: 2, ops: [{ lock: 'm', hold: 50 }] }]),
        role('other', 10, [{ lock: 'm', hold: 50 }]),
      ],
      { locks: { m: { type: 'mutex' } } },
    ),
  );
  assert.deepEqual(grantOrder(r, 'm'), [0, 1, 0]);
  // Negative control: with nobody waiting, the same thread gets the lock back at once.
  const alone = run(scenario([role('greedy', 0, [{ repeat: 2, ops: [{ lock: 'm', hold: 50 }] }])]));
  assert.deepEqual(grantTimes(alone, 'm'), [[0, 0], [0, 50]]);
});

test('spinlock and semaphore: FIFO too; a semaphore admits `count` holders', () => {
  const roles = [role('a', 0, [{ lock: 's', hold: 100 }]), role('b', 1, [{ lock: 's', hold: 100 }]), role('c', 2, [{ lock: 's', hold: 100 }])];
  const spin = run(scenario(roles, { locks: { s: { type: 'spinlock' } } }));
  assert.deepEqual(grantTimes(spin, 's'), [[0, 0], [1, 100], [2, 200]]);
  const sem = run(scenario(roles, { locks: { s: { type: 'semaphore', count: 2 } } }));
  assert.deepEqual(grantTimes(sem, 's'), [[0, 0], [1, 1], [2, 100]]);
});

test('rwsem: readers share, a writer excludes, and a reader behind a waiting writer waits (fair)', () => {
  const r = run(
    scenario(
      [
        role('r1', 0, [{ lock: 'x', mode: 'read', hold: 100 }]),
        role('r2', 10, [{ lock: 'x', mode: 'read', hold: 100 }]),
        role('w', 20, [{ lock: 'x', mode: 'write', hold: 50 }]),
        role('r3', 30, [{ lock: 'x', mode: 'read', hold: 10 }]),
      ],
      { locks: { x: { type: 'rwsem' } } },
    ),
  );
  assert.deepEqual(
    (r.trace ?? []).map(([t, id, , mode]) => [id, t, mode]),
    [
      [0, 0, 'read'],
      [1, 10, 'read'], // two readers at once
      [2, 110, 'write'], // writer after both readers
      [3, 160, 'read'], // r3 arrived while the writer waited: behind it
    ],
  );
});

test('rwlock: reader-preferring — a new reader joins active readers even while a writer waits', () => {
  const r = run(
    scenario(
      [
        role('r1', 0, [{ lock: 'x', mode: 'read', hold: 100 }]),
        role('w', 20, [{ lock: 'x', mode: 'write', hold: 50 }]),
        role('r2', 30, [{ lock: 'x', mode: 'read', hold: 100 }]),
      ],
      { locks: { x: { type: 'rwlock' } } },
    ),
  );
  assert.deepEqual(grantTimes(r, 'x'), [[0, 0], [2, 30], [1, 130]]);
});

test('rwsem: queued readers behind a writer are admitted together when it releases', () => {
  const r = run(
    scenario(
      [
        role('w', 0, [{ lock: 'x', hold: 100 }]),
        role('r1', 10, [{ lock: 'x', mode: 'read', hold: 50 }]),
        role('r2', 20, [{ lock: 'x', mode: 'read', hold: 50 }]),
        role('w2', 30, [{ lock: 'x', hold: 10 }]),
      ],
      { locks: { x: { type: 'rwsem' } } },
    ),
  );
  assert.deepEqual(grantTimes(r, 'x'), [[0, 0], [1, 100], [2, 100], [3, 150]]);
});

test('RCU: synchronizeRcu waits for pre-existing readers only; readers never block', () => {
  const r = run(
    scenario(
      [
        role('reader-old', 0, [{ rcuRead: 'rcu', hold: 500 }]),
        role('updater', 100, [{ synchronizeRcu: 'rcu' }]),
        role('reader-new', 200, [{ rcuRead: 'rcu', hold: 5000 }]),
      ],
      { locks: { rcu: { type: 'rcu' } } },
    ),
  );
  assert.equal(r.roleFinishUs['updater'], 500, 'grace period ends when the old reader exits, not the new one');
  assert.equal(r.roleFinishUs['reader-new'], 5200, 'a reader starting during a grace period is not delayed');
  assert.equal(r.locks[0].gracePeriods, 1);
  // Without readers, synchronize returns at once; gracePeriod sets a minimum.
  const idle = run(scenario([role('updater', 100, [{ synchronizeRcu: 'rcu' }])], { locks: { rcu: { type: 'rcu' } } }));
  assert.equal(idle.roleFinishUs['updater'], 100);
  const gp = run(scenario([role('updater', 100, [{ synchronizeRcu: 'rcu' }])], { locks: { rcu: { type: 'rcu', gracePeriod: 1000 } } }));
  assert.equal(gp.roleFinishUs['updater'], 1100);
});

test('RCU: callRcu defers instead of waiting; its callback runs after pre-existing readers', () => {
  const r = run(
    scenario(
      [
        role('reader', 0, [{ rcuRead: 'rcu', hold: 1000 }]),
        role('freer', 100, [{ callRcu: 'rcu' }, { think: 5 }]),
      ],
      { locks: { rcu: { type: 'rcu' } } },
    ),
  );
  assert.equal(r.roleFinishUs['freer'], 105, 'call_rcu does not block');
  assert.equal(r.locks[0].gracePeriods, 1, 'the callback ran once the reader finished');
  // Negative: when the run ends before the reader exits, the callback has not run yet.
  const early = run(
    scenario([role('reader', 0, [{ rcuRead: 'rcu', hold: 1000 }], { measure: false }), role('freer', 100, [{ callRcu: 'rcu' }])], {
      locks: { rcu: { type: 'rcu' } },
    }),
  );
  assert.equal(early.makespanUs, 100);
  assert.equal(early.locks[0].gracePeriods, 0);
});

test('trylock: fails instead of waiting and runs `else`; succeeds when free', () => {
  const busy = run(
    scenario([
      role('holder', 0, [{ lock: 'm', hold: 100 }]),
      role('trier', 10, [{ trylock: 'm', hold: 5, else: [{ think: 7 }] }]),
    ]),
  );
  assert.equal(busy.roleFinishUs['trier'], 17, 'took the else branch at once');
  assert.equal(busy.locks[0].trylockFailures, 1);
  assert.equal(busy.locks[0].acquisitions, 1);
  const free = run(
    scenario([
      role('holder', 0, [{ lock: 'm', hold: 5 }]),
      role('trier', 10, [{ trylock: 'm', hold: 5, else: [{ think: 7 }] }]),
    ]),
  );
  assert.equal(free.roleFinishUs['trier'], 15);
  assert.equal(free.locks[0].trylockFailures, 0);
  assert.equal(free.locks[0].acquisitions, 2);
});

test('lock delay: spent holding the lock (serialises others) or before the attempt (does not)', () => {
  const roles = [role('a', 0, [{ lock: 'm', hold: 10 }]), role('b', 0, [{ lock: 'm', hold: 10 }])];
  const holding = run(scenario(roles, { locks: { m: { type: 'mutex', delay: 100, delayHolding: true } } }));
  assert.equal(holding.makespanUs, 220);
  const before = run(scenario(roles, { locks: { m: { type: 'mutex', delay: 100, delayHolding: false } } }));
  assert.equal(before.makespanUs, 120);
});

test('nested ops run while holding: the outer lock stays held over the inner one', () => {
  const r = run(
    scenario([
      role('nest', 0, [{ lock: 'a', hold: 10, ops: [{ lock: 'b', hold: 20 }] }]),
      role('wants-a', 5, [{ lock: 'a', hold: 1 }]),
    ]),
  );
  assert.deepEqual(grantTimes(r, 'a'), [[0, 0], [1, 30]]);
});

test('events: wait takes one, waitAll coalesces, tryWait never blocks', () => {
  const r = run(
    scenario([
      role('producer', 0, [{ post: 'e', count: 3 }, { think: 100 }, { post: 'e' }]),
      role('consumer', 10, [{ waitAll: 'e' }, { wait: 'e' }, { think: 1 }]),
      role('poller', 50, [{ tryWait: 'e', ops: [{ think: 1000 }], else: [{ think: 2 }] }]),
    ]),
  );
  assert.equal(r.roleFinishUs['consumer'], 101, 'waitAll took all three posts, so wait blocked until the fourth');
  assert.equal(r.roleFinishUs['poller'], 52, 'nothing pending at t=50: else branch');
});

test('a lock-order deadlock is reported, not hung', () => {
  const r = run(
    scenario([
      role('ab', 0, [{ lock: 'a', hold: 10, ops: [{ lock: 'b', hold: 1 }] }]),
      role('ba', 0, [{ lock: 'b', hold: 10, ops: [{ lock: 'a', hold: 1 }] }]),
    ]),
  );
  assert.equal(r.error?.code, 'sim-deadlock');
  assert.match(r.error!.message, /ab#0 waits for b/);
  assert.ok(Number.isNaN(r.makespanUs));
});

test('a background loop that never waits hits the event budget instead of hanging', () => {
  const r = run(
    scenario([role('fg', 0, [{ think: 10 }]), role('spin', 0, [{ post: 'x' }], { iterations: 'forever' })], { limits: { maxEvents: 10000 } }),
  );
  assert.equal(r.error?.code, 'sim-budget');
});

test('background roles do not count: the result is the measured roles finishing', () => {
  const r = run(
    scenario([
      role('fg', 0, [{ repeat: 3, ops: [{ lock: 'm', hold: 10 }] }]),
      role('bg', 0, [{ lock: 'm', hold: 5 }, { think: 1 }], { iterations: 'forever' }),
    ]),
  );
  assert.equal(r.error, undefined);
  assert.ok(r.makespanUs >= 30 && r.makespanUs < 60, `makespan ${r.makespanUs}`);
  assert.equal(r.roleFinishUs['bg'], undefined);
});
