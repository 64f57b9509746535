/**
 * rtnl-in-periodic-path (warning): a periodic function (config.periodicFunctions globs:
 * `*_run`, `*_wait`, `*_poll`, `*_periodic`, ...) takes RTNL on every iteration, directly,
 * through callees, or by sending a request the kernel serialises on RTNL (SIOCSIF* / SIOCETHTOOL
 * ioctls, RTM_GETLINK / NEWLINK ... netlink transactions): what seed 001 removes. Trylocks do not
 * count (they never wait), nor does once-only code (ovsthread_once_start success branch, static
 * `inited` flags). Reported at the statement of the periodic function reaching RTNL.
 */
import { RULES } from '../rules';
import type { Finding } from '../model';
import { nameMatcher } from '../analysis/util';
import { isRtnlClass } from '../catalog/rtnl';
import { makeFinding, type Detector, type DetectorContext } from './context';

export const rtnlInPeriodicPath: Detector = {
  rule: 'rtnl-in-periodic-path',
  // Reads the summaries and calls of the periodic functions.
  readsFunctions: (config) => nameMatcher(config.periodicFunctions ?? []),
  run(ctx: DetectorContext): Finding[] {
    const periodic = nameMatcher(ctx.config.periodicFunctions ?? []);
    const out: Finding[] = [];
    for (const fn of ctx.fns) {
      if (!periodic(fn.ir.name)) continue;
      const s = ctx.local.get(fn.key)?.summary;
      if (!s) continue;
      const calls = ctx.local.get(fn.key)?.calls ?? [];
      // Once-only code (ovsthread_once_start, `if (!inited)`) is not paid per run.
      for (const [l, acq] of s.perRun ?? s.acquires) {
        if (!isRtnlClass(l) || acq.try) continue;
        // Reported in the innermost periodic function of the chain only.
        if (acq.chain.slice(1).some((st) => st.function !== fn.ir.name && periodic(st.function))) continue;
        const line = acq.chain[0]?.line ?? fn.ir.line;
        const perIteration = calls.some((c) => c.line === line && c.loop);
        out.push(
          makeFinding(
            'rtnl-in-periodic-path',
            RULES['rtnl-in-periodic-path'].severity,
            fn,
            line,
            [l],
            `Periodic function ${fn.ir.name}() takes RTNL (${acq.chain[acq.chain.length - 1]?.note ?? l}) ${perIteration ? 'per iteration of a loop, ' : ''}on every run; under RTNL contention the whole loop stalls.`,
            acq.chain,
            `rp:${l}`,
          ),
        );
      }
    }
    return out;
  },
};
