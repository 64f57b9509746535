/**
 * requires-violation (warning): a call to a function that needs lock L (OVS_REQUIRES /
 * __must_hold annotations, merged from prototypes; lockdep_assert_held / ASSERT_RTNL in its body)
 * on a path where the caller does not hold L (entry context included), or to a function
 * annotated OVS_EXCLUDED(L) while L may be held. Requirements on parameters are mapped through
 * the call's arguments; ones that do not resolve to a lock class are skipped.
 */
import { RULES } from '../rules';
import type { FnInfo } from '../analysis/program';
import type { LocalResult } from '../analysis/summary';
import type { Finding } from '../model';
import { makeFinding, type Detector, type DetectorContext, analysedFunctions } from './context';

export const requiresViolation: Detector = {
  rule: 'requires-violation',
  run(ctx: DetectorContext): Finding[] {
    const out: Finding[] = [];
    for (const [fn, r] of analysedFunctions(ctx)) for (const f of this.perFn!(ctx, fn, r)) out.push(f);
    return out;
  },
  perFn(ctx: DetectorContext, fn: FnInfo, r: LocalResult): Finding[] {
    const out: Finding[] = [];
    {
      for (const c of r.calls) {
        const held = ctx.held(c.snap, fn);
        for (const q of c.requires) {
          if (q.lock.startsWith('?') || held.must.includes(q.lock)) continue;
          const some = held.may.includes(q.lock);
          out.push(makeFinding('requires-violation', RULES['requires-violation'].severity, fn, c.line, [q.lock], `${q.calleeName}() requires ${q.lock} (${q.source === 'assert' ? 'asserted in its body' : 'annotation'}), which is not held here${some ? ' on every path' : ''}.`, [{ file: fn.file, line: c.line, function: fn.ir.name, note: `calls ${q.calleeName}() with held = {${held.must.join(', ')}}` }], `req:${q.calleeName}:${q.lock}`));
        }
        // Exclusions are judged on what this function holds for reasons of its own (local
        // acquisitions, requirements, locks every caller holds), not on some caller's violation.
        const ownMay = new Set([...c.snap.may, ...held.must]);
        for (const x of c.excluded) {
          if (x.lock.startsWith('?') || !ownMay.has(x.lock) || r.summary.excluded.has(x.lock)) continue;
          out.push(makeFinding('requires-violation', RULES['requires-violation'].severity, fn, c.line, [x.lock], `${x.calleeName}() must be called without ${x.lock} (OVS_EXCLUDED), but it is held here.`, [{ file: fn.file, line: c.line, function: fn.ir.name, note: `calls ${x.calleeName}() holding ${x.lock}` }], `excl:${x.calleeName}:${x.lock}`));
        }
      }
    }
    return out;
  },
};
