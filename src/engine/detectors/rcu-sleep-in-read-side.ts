/**
 * rcu-sleep-in-read-side (error): a call that may sleep inside rcu_read_lock() (also _bh/_sched
 * and guard(rcu)), directly or through a callee. SRCU read sides may sleep and are exempt; OVS
 * userspace RCU has no read-side section.
 */
import { RULES } from '../rules';
import type { FnInfo } from '../analysis/program';
import type { LocalResult } from '../analysis/summary';
import type { Finding } from '../model';
import { makeFinding, type Detector, type DetectorContext, analysedFunctions } from './context';

export const rcuSleepInReadSide: Detector = {
  rule: 'rcu-sleep-in-read-side',
  run(ctx: DetectorContext): Finding[] {
    const out: Finding[] = [];
    for (const [fn, r] of analysedFunctions(ctx)) for (const f of this.perFn!(ctx, fn, r)) out.push(f);
    return out;
  },
  perFn(_ctx: DetectorContext, fn: FnInfo, r: LocalResult): Finding[] {
    const out: Finding[] = [];
    {
      for (const s of r.sleeps) {
        if (s.atomic.some((a) => !a.rcu)) continue; // reported as sleep-in-atomic
        const rcu = s.atomic.filter((a) => a.rcu);
        if (!rcu.length) continue;
        const locks = [...new Set(rcu.map((a) => a.lock))].sort();
        out.push(makeFinding('rcu-sleep-in-read-side', RULES['rcu-sleep-in-read-side'].severity, fn, s.line, locks, `Sleeping call inside an RCU read-side critical section: ${s.chain[s.chain.length - 1]?.note ?? 'may sleep'}.`, [...rcu[0]!.chain, ...s.chain], `rsleep:${s.chain.map((x) => x.note).join('>')}`));
      }
    }
    return out;
  },
};
