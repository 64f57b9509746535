/**
 * recursive-acquire: a lock class acquired while already held (self-deadlock for non-recursive
 * locks; lockdep "possible recursive locking" for two instances of one class). Error when the
 * same lock expression is re-taken or a function re-takes a lock its contract says the caller
 * holds; warning for another instance of the same class. Silent for read-read on rwlocks,
 * `_nested` subclasses, trylocks, recursive OVS mutexes (ovs_mutex_init_recursive) and
 * OVS_NO_THREAD_SAFETY_ANALYSIS functions.
 */
import { RULES } from '../rules';
import type { FnInfo } from '../analysis/program';
import type { LocalResult } from '../analysis/summary';
import type { Finding } from '../model';
import { makeFinding, type Detector, type DetectorContext, analysedFunctions } from './context';

export const recursiveAcquire: Detector = {
  rule: 'recursive-acquire',
  run(ctx: DetectorContext): Finding[] {
    const out: Finding[] = [];
    for (const [fn, r] of analysedFunctions(ctx)) for (const f of this.perFn!(ctx, fn, r)) out.push(f);
    return out;
  },
  perFn(ctx: DetectorContext, fn: FnInfo, r: LocalResult): Finding[] {
    const out: Finding[] = [];
    {
      for (const ev of r.recursive) {
        if (ctx.bindings.recursiveLocks.has(ev.lock)) continue;
        const sev = ev.sameExpr ? RULES['recursive-acquire'].severity : 'warning';
        const how = ev.sameExpr ? 'the same lock is acquired again' : 'another acquisition of the same lock class';
        out.push(
          makeFinding('recursive-acquire', sev, fn, ev.line, [ev.lock], `Recursive acquisition of ${ev.lock}: ${how} while it is held${ev.must ? '' : ' on some paths'}.`, [...ev.heldChain, ...ev.chain], `rec:${ev.chain.map((s) => s.note).join('>')}`),
        );
      }
      // The function's contract says the caller holds the lock (OVS_REQUIRES, __must_hold, assert).
      for (const a of r.acqEvents) {
        const q = r.summary.requires.get(a.lock);
        if (!q || a.try || a.nested || (q.shared && a.shared)) continue;
        if (q.source === 'annotation' && ctx.noAnnotations) continue;
        if (a.before.may.includes(a.lock) || a.before.dropMay.includes(a.lock)) continue;
        if (ctx.bindings.recursiveLocks.has(a.lock)) continue;
        out.push(
          makeFinding('recursive-acquire', RULES['recursive-acquire'].severity, fn, a.line, [a.lock], `Recursive acquisition of ${a.lock}: ${fn.ir.name}() requires its caller to hold it and acquires it again.`, a.chain, `req-rec:${a.lock}`),
        );
      }
    }
    return out;
  },
};
