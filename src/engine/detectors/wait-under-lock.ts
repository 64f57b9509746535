/**
 * wait-under-lock (warning): a blocking wait while holding a lock the awaited party needs:
 * cancel_work_sync/flush_work on a work item whose function (INIT_WORK) takes the lock,
 * flush_workqueue when any queued work function takes it, xpthread_join on a thread whose
 * function (xpthread_create / ovs_thread_create) takes it, synchronize_rcu/ovsrcu_synchronize
 * under a lock an RCU callback (call_rcu / ovsrcu_postpone) takes, or any of these waits (and
 * latch/seq/poll/barrier waits) while holding a contended lock.
 */
import { RULES } from '../rules';
import type { Finding, WitnessStep } from '../model';
import type { FnInfo } from '../analysis/program';
import type { LocalResult } from '../analysis/summary';
import { isRtnlClass } from '../catalog/rtnl';
import { isRcuId, makeFinding, type Detector, type DetectorContext, analysedFunctions } from './context';

export const waitUnderLock: Detector = {
  rule: 'wait-under-lock',
  // A wait reads the summaries of the awaited (bound) functions.
  readsBoundSummaries: (r) => r.waits.length > 0,
  run(ctx: DetectorContext): Finding[] {
    const out: Finding[] = [];
    for (const [fn, r] of analysedFunctions(ctx)) for (const f of this.perFn!(ctx, fn, r)) out.push(f);
    return out;
  },
  perFn(ctx: DetectorContext, fn: FnInfo, r: LocalResult): Finding[] {
    const out: Finding[] = [];
    const b = ctx.bindings;
    {
      for (const w of r.waits) {
        // Local locks only: a wait in a helper is reported at the call in the lock holder.
        const held = w.snap.may.filter((l) => !isRcuId(l) && !l.startsWith('?'));
        if (!held.length) continue;
        let awaited: FnInfo[] = [];
        const k = w.wait.kind;
        if ((k === 'work' || k === 'join' || k === 'completion') && w.wait.handle) awaited = b.handles.get(w.wait.handle) ?? [];
        else if (k === 'workqueue') awaited = b.workFns;
        else if (k === 'rcu' || k === 'ovsrcu') awaited = b.rcuCallbacks;
        const reported = new Set<string>();
        for (const a of awaited) {
          const s = ctx.local.get(a.key)?.summary;
          if (!s) continue;
          for (const l of held) {
            const acq = s.acquires.get(l);
            if (!acq || acq.try || reported.has(l)) continue;
            reported.add(l);
            const hc: WitnessStep[] = w.heldChains.get(l) ?? [];
            out.push(makeFinding('wait-under-lock', RULES['wait-under-lock'].severity, fn, w.line, [l], `Blocking wait (${w.wait.chain[w.wait.chain.length - 1]?.note}) while holding ${l}, which the awaited ${a.ir.name}() acquires: deadlock.`, [...hc, ...w.wait.chain, ...acq.chain], `wait:${k}:${a.ir.name}:${l}`));
          }
        }
        for (const l of held) {
          if (reported.has(l) || !ctx.contended.has(l)) continue;
          if (w.wait.expeditedUnderRtnl && isRtnlClass(l)) continue;
          out.push(makeFinding('wait-under-lock', RULES['wait-under-lock'].severity, fn, w.line, [l], `Blocking wait (${w.wait.chain[w.wait.chain.length - 1]?.note}) while holding contended ${l}.`, [...(w.heldChains.get(l) ?? []), ...w.wait.chain], `waitc:${k}:${l}`));
        }
      }
    }
    return out;
  },
};
