/**
 * lock-imbalance (warning): a function whose exits disagree about a lock (held on return at
 * some exits, not held at others; entry context included, so an unlock→relock helper called
 * with the lock held stays silent), unlock of a lock whose interruptible/try acquisition failed
 * on this path, and double unlock. Wrappers that return holding a lock on every path, functions
 * that release a lock on every path, trylock-style functions (OVS_TRY_LOCK, __cond_acquires, or
 * returning a trylock result) and OVS_ACQUIRES/OVS_RELEASES functions are consistent by contract.
 * Reported at each exit that still holds the lock.
 */
import { RULES } from '../rules';
import type { FnInfo } from '../analysis/program';
import type { LocalResult } from '../analysis/summary';
import type { Finding } from '../model';
import { makeFinding, type Detector, type DetectorContext, analysedFunctions } from './context';

export const lockImbalance: Detector = {
  rule: 'lock-imbalance',
  run(ctx: DetectorContext): Finding[] {
    const out: Finding[] = [];
    for (const [fn, r] of analysedFunctions(ctx)) for (const f of this.perFn!(ctx, fn, r)) out.push(f);
    return out;
  },
  perFn(ctx: DetectorContext, fn: FnInfo, r: LocalResult): Finding[] {
    const out: Finding[] = [];
    {
      const s = r.summary;
      const exempt = new Set<string>(s.tryRet ? s.tryRet.locks.map((l) => l.lock) : []);
      if (!ctx.noAnnotations) {
        for (const a of fn.annotations) if (a.kind === 'acquires' || a.kind === 'acquires_shared' || a.kind === 'releases' || a.kind === 'try') for (const [k] of s.returnsHolding) exempt.add(k);
      }
      // Per exit: 'held' on every path (entry included), 'maybe' (taken locally on some paths
      // only), 'free' (not held at all). Locks only possibly held on entry are not judged.
      const exits = r.exits.map((x) => ({ x, held: ctx.held(x.snap, fn) }));
      const all = new Set<string>();
      for (const e of exits) for (const l of e.held.may) all.add(l);
      for (const l of [...all].sort()) {
        if (exempt.has(l) || l.startsWith('?')) continue;
        const status = (e: (typeof exits)[number]): 'held' | 'maybe' | 'free' | 'entry' =>
          e.x.tryLocks.includes(l) ? 'entry' : e.held.must.includes(l) ? 'held' : e.x.snap.may.includes(l) ? 'maybe' : e.held.may.includes(l) ? 'entry' : 'free';
        const st = exits.map((e) => ({ e, s: status(e) }));
        const free = st.filter((x) => x.s === 'free');
        const maybe = st.filter((x) => x.s === 'maybe');
        const held = st.filter((x) => x.s === 'held');
        const bad = [...maybe, ...(free.length ? held : [])].sort((a, b) => a.e.x.line - b.e.x.line);
        for (const b of bad) {
          const other = free[0]?.e.x.line;
          const why = b.s === 'maybe' ? `with ${l} held on some paths only` : `with ${l} held, but releases it before returning on other paths${other ? ` (e.g. line ${other})` : ''}`;
          out.push(
            makeFinding('lock-imbalance', RULES['lock-imbalance'].severity, fn, b.e.x.line, [l], `${fn.ir.name}() returns here ${why}.`, [...(b.e.x.snap.may.includes(l) ? [] : []), { file: fn.file, line: b.e.x.line, function: fn.ir.name, note: `returns holding ${l}${b.s === 'maybe' ? ' (some paths)' : ''}` }, ...(other ? [{ file: fn.file, line: other, function: fn.ir.name, note: `returns without ${l}` }] : [])], `exit:${l}`),
          );
        }
      }
      for (const ev of r.badUnlock) {
        out.push(makeFinding('lock-imbalance', RULES['lock-imbalance'].severity, fn, ev.line, [ev.lock], `Unlock of ${ev.lock}, which is not held here: its acquisition failed on this path.`, ev.chain, `badunlock:${ev.lock}`));
      }
      for (const ev of r.partialUnlock) {
        if (exempt.has(ev.lock) || ev.lock.startsWith('?')) continue;
        if (ctx.held(ev.snap, fn).must.includes(ev.lock)) continue;
        out.push(makeFinding('lock-imbalance', RULES['lock-imbalance'].severity, fn, ev.line, [ev.lock], `Unlock of ${ev.lock}, which is held here on some paths only.`, ev.chain, `partial:${ev.lock}`));
      }
      for (const ev of r.doubleUnlock) {
        out.push(makeFinding('lock-imbalance', RULES['lock-imbalance'].severity, fn, ev.line, [ev.lock], `Double unlock of ${ev.lock}.`, ev.chain, `double:${ev.lock}`));
      }
    }
    return out;
  },
};
