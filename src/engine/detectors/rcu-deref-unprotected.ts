/**
 * rcu-deref-unprotected (warning): rcu_dereference() outside an RCU read side (entry context
 * included: callers' read sides count only when every caller path holds one), an
 * rcu_dereference_check() with neither a read side nor its lockdep condition lock held, and
 * rcu_dereference_protected() / rtnl_dereference() / ovsl_dereference() whose condition lock is
 * not held on all paths. Conditions that cannot be interpreted are assumed to hold.
 */
import { RULES } from '../rules';
import type { FnInfo } from '../analysis/program';
import type { LocalResult } from '../analysis/summary';
import type { Finding } from '../model';
import { heldOneOf, makeFinding, type Detector, type DetectorContext, analysedFunctions } from './context';

const READERS: Record<string, string[]> = {
  rcu: ['rcu', 'rcu_bh', 'rcu_sched'],
  rcu_bh: ['rcu_bh', 'rcu', 'rcu_sched'],
  rcu_sched: ['rcu_sched', 'rcu', 'rcu_bh'],
};

export const rcuDerefUnprotected: Detector = {
  rule: 'rcu-deref-unprotected',
  run(ctx: DetectorContext): Finding[] {
    const out: Finding[] = [];
    for (const [fn, r] of analysedFunctions(ctx)) for (const f of this.perFn!(ctx, fn, r)) out.push(f);
    return out;
  },
  perFn(ctx: DetectorContext, fn: FnInfo, r: LocalResult): Finding[] {
    const out: Finding[] = [];
    {
      for (const d of r.derefs) {
        const held = ctx.held(d.snap, fn);
        const readers = d.rcuFlavour === 'srcu' ? (h: string) => h.startsWith('srcu:') : (h: string) => (READERS[d.rcuFlavour] ?? ['rcu']).includes(h);
        const cond = (h: string): boolean => !!d.condLocks && d.condLocks.includes(h);
        let missing: string | null = null;
        let extra: string[] = [];
        if (d.mode === 'reader') {
          if (!heldOneOf(ctx, fn, d.snap, readers)) missing = d.rcuFlavour === 'srcu' ? 'srcu' : d.rcuFlavour;
        } else if (d.mode === 'check') {
          if (d.condLocks !== null && !heldOneOf(ctx, fn, d.snap, (h) => readers(h) || cond(h))) missing = d.rcuFlavour;
          if (missing) extra = d.condLocks ?? [];
        } else if (d.condLocks && d.condLocks.length && !heldOneOf(ctx, fn, d.snap, cond)) missing = d.condLocks[0]!;
        if (!missing) continue;
        const what = d.mode === 'protected' ? `without holding ${missing} on every path` : 'outside an RCU read-side critical section';
        const locks = [missing, ...extra.filter((x) => x !== missing)];
        out.push(makeFinding('rcu-deref-unprotected', RULES['rcu-deref-unprotected'].severity, fn, d.line, locks, `${d.prim}() ${what}: ${d.text}`, [{ file: fn.file, line: d.line, function: fn.ir.name, note: `${d.prim}() with held = {${held.must.join(', ')}}` }], `deref:${d.prim}:${d.text.replace(/\s+/g, '')}`));
      }
    }
    return out;
  },
};
