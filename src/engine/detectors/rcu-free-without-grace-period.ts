/**
 * rcu-free-without-grace-period (error): kfree()/free() of an object that was read from an
 * RCU-protected location (rcu_dereference*, rcu_access_pointer, ovsrcu_get*, an __rcu field),
 * published with rcu_assign_pointer()/ovsrcu_set(), or unlinked with list_del_rcu() & co, with no
 * synchronize_rcu()/ovsrcu_synchronize() on the path in between. kfree_rcu/call_rcu/
 * ovsrcu_postpone are the correct forms; functions that run as RCU callbacks are exempt.
 */
import { RULES } from '../rules';
import type { FnInfo } from '../analysis/program';
import type { LocalResult } from '../analysis/summary';
import type { Finding } from '../model';
import { makeFinding, type Detector, type DetectorContext, analysedFunctions } from './context';

export const rcuFreeWithoutGracePeriod: Detector = {
  rule: 'rcu-free-without-grace-period',
  run(ctx: DetectorContext): Finding[] {
    const out: Finding[] = [];
    for (const [fn, r] of analysedFunctions(ctx)) for (const f of this.perFn!(ctx, fn, r)) out.push(f);
    return out;
  },
  perFn(ctx: DetectorContext, fn: FnInfo, r: LocalResult): Finding[] {
    const out: Finding[] = [];
    {
      if (ctx.bindings.rcuCallbacks.some((f) => f.key === fn.key)) return out;
      for (const f of r.frees) {
        out.push(makeFinding('rcu-free-without-grace-period', RULES['rcu-free-without-grace-period'].severity, fn, f.line, [], `Object freed without waiting for an RCU grace period (${f.chain[0]?.note}); readers may still use it. Use kfree_rcu()/call_rcu()/ovsrcu_postpone() or synchronize first.`, f.chain, `free:${f.text.replace(/\s+/g, '')}`));
      }
    }
    return out;
  },
};
