/**
 * sleep-in-atomic (error): a call that may sleep (mutex/rwsem acquisition, GFP_KERNEL
 * allocation, msleep, synchronize_rcu, blocking waits — directly or in a callee) while a spinlock
 * or rwlock_t is held or irqs/bh/preemption are disabled. When the only atomic context is an RCU
 * read side the finding is rcu-sleep-in-read-side instead.
 */
import { RULES } from '../rules';
import type { FnInfo } from '../analysis/program';
import type { LocalResult } from '../analysis/summary';
import type { Finding } from '../model';
import { makeFinding, type Detector, type DetectorContext, analysedFunctions } from './context';

export const sleepInAtomic: Detector = {
  rule: 'sleep-in-atomic',
  run(ctx: DetectorContext): Finding[] {
    const out: Finding[] = [];
    for (const [fn, r] of analysedFunctions(ctx)) for (const f of this.perFn!(ctx, fn, r)) out.push(f);
    return out;
  },
  perFn(_ctx: DetectorContext, fn: FnInfo, r: LocalResult): Finding[] {
    const out: Finding[] = [];
    {
      for (const s of r.sleeps) {
        const hard = s.atomic.filter((a) => !a.rcu);
        if (!hard.length) continue;
        const locks = [...new Set(hard.map((a) => (a.lock.startsWith('#') ? `${a.lock.slice(1)}-disabled` : a.lock)))].sort();
        out.push(
          makeFinding('sleep-in-atomic', RULES['sleep-in-atomic'].severity, fn, s.line, locks, `Sleeping call in atomic context (${locks.join(', ')} held): ${s.chain[s.chain.length - 1]?.note ?? 'may sleep'}.`, [...hard[0]!.chain, ...s.chain], `sleep:${s.chain.map((x) => x.note).join('>')}`),
        );
      }
    }
    return out;
  },
};
