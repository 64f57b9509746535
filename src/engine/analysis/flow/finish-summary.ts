/**
 * The function's summary from its converged exit state and its annotations: what it returns
 * holding, which entry locks it releases, its requirements/exclusions, and a trylock shape
 * (annotated, or inferred from constant returns that match whether a lock is held).
 */
import type { WitnessStep } from '../../model';
import { parseLockText } from '../expr';
import { resolveLock, type LockRef } from '../lock-identity';
import type { FnInfo, Program } from '../program';
import type { LocalResult } from '../summary';
import { cmpStr } from '../util';
import { isPseudo, type St } from './state';

export interface FinishCtx {
  res: LocalResult;
  fn: FnInfo;
  prog: Program;
  noAnnotations: boolean;
  noteClass(r: LockRef): void;
  step(line: number, note: string): WitnessStep;
}

export function finishSummary(ctx: FinishCtx, exit: St | null): void {
  const s = ctx.res.summary;
  const ann = ctx.noAnnotations ? [] : ctx.fn.annotations;
  if (exit) {
    for (const [k, h] of exit.held) {
      if (isPseudo(k) || h.assert) continue;
      if (s.tryRet && s.tryRet.locks.some((l) => l.lock === k)) continue;
      s.returnsHolding.set(k, { lock: k, ...(h.param !== undefined ? { param: h.param } : {}), must: h.must, chain: h.chain, shared: h.shared, type: h.type, atomic: h.atomic });
    }
    for (const [k, m] of exit.dropped) {
      if (isPseudo(k)) continue;
      s.releases.set(k, { lock: k, ...(paramOf(ctx.fn, k) !== undefined ? { param: paramOf(ctx.fn, k)! } : {}), must: m });
    }
  }
  if (!s.tryRet) inferTryShape(ctx);
  const resolveAnn = (t: string): LockRef => {
    const r = resolveLock(ctx.prog, parseLockText(t), ctx.fn);
    ctx.noteClass(r);
    return r;
  };
  for (const a of ann) {
    const refs = (a.locks ?? []).map(resolveAnn);
    const p = (r: LockRef): { param?: number } => (r.param !== undefined ? { param: r.param } : {});
    switch (a.kind) {
      case 'requires':
      case 'requires_shared':
        for (const r of refs) s.requires.set(r.id, { lock: r.id, ...p(r), shared: a.kind === 'requires_shared', source: 'annotation' });
        break;
      case 'excluded':
        for (const r of refs) s.excluded.set(r.id, { lock: r.id, ...p(r) });
        break;
      case 'acquires':
      case 'acquires_shared':
        for (const r of refs) {
          const prev = s.returnsHolding.get(r.id);
          s.returnsHolding.set(r.id, { lock: r.id, ...p(r), must: true, chain: prev?.chain ?? [ctx.step(ctx.fn.ir.line, `${ctx.fn.ir.name}() ${a.macro}(${r.name})`)], shared: a.kind === 'acquires_shared', type: r.declType });
        }
        break;
      case 'releases':
        for (const r of refs) {
          s.releases.set(r.id, { lock: r.id, ...p(r), must: true });
          s.returnsHolding.delete(r.id);
        }
        break;
      case 'try': {
        const ret = (a.ret ?? 'true').trim();
        const success: 'zero' | 'nonzero' = /^(0|false|0u|0U)$/.test(ret) ? 'zero' : 'nonzero';
        // An identifier other than true/false (an enum value) names the success result.
        const successValue = /^[A-Za-z_]\w*$/.test(ret) && !/^(true|false|nonzero|zero|NULL)$/.test(ret) ? ret : null;
        s.tryRet = {
          locks: refs.map((r) => ({ lock: r.id, ...p(r), shared: false, type: r.declType })),
          success,
          ...(successValue ? { successValue } : {}),
          chain: [ctx.step(ctx.fn.ir.line, `${ctx.fn.ir.name}() ${a.macro}(${ret}, ${refs.map((r) => r.name).join(', ')})`)],
        };
        for (const r of refs) s.returnsHolding.delete(r.id);
        break;
      }
      case 'no_analysis':
        s.noAnalysis = true;
        break;
    }
  }
}

/**
 * Unannotated trylock-shaped function: every exit returns a true/false constant that matches
 * whether L is held there (`ovsthread_once_start__`). Callers then branch on it like a trylock.
 */
export function inferTryShape(ctx: FinishCtx): void {
  const s = ctx.res.summary;
  const exits = ctx.res.exits;
  if (exits.length < 2) return;
  const locks: string[] = [];
  let success: boolean | null = null;
  const all = new Set<string>();
  for (const e of exits) for (const l of e.snap.may) all.add(l);
  for (const l of [...all].sort(cmpStr)) {
    let ok = true;
    let pol: boolean | null = null;
    for (const e of exits) {
      const held = e.snap.must.includes(l);
      if (!held && e.snap.may.includes(l)) ok = false;
      if (e.retConst === null) ok = false;
      if (!ok) break;
      const p = held === e.retConst;
      if (pol === null) pol = p;
      else if (pol !== p) ok = false;
    }
    const heldSomewhere = exits.some((e) => e.snap.must.includes(l));
    const freeSomewhere = exits.some((e) => !e.snap.may.includes(l));
    if (!ok || !heldSomewhere || !freeSomewhere) continue;
    if (success !== null && success !== pol) continue;
    success = pol;
    locks.push(l);
  }
  if (!locks.length || success === null) return;
  const hold = locks.map((l) => s.returnsHolding.get(l));
  s.tryRet = {
    locks: locks.map((l, i) => ({ lock: l, ...(paramOf(ctx.fn, l) !== undefined ? { param: paramOf(ctx.fn, l)! } : {}), shared: hold[i]?.shared ?? false, type: hold[i]?.type ?? 'unknown', atomic: hold[i]?.atomic ?? false })),
    success: success ? 'nonzero' : 'zero',
    chain: hold[0]?.chain ?? [ctx.step(ctx.fn.ir.line, `${ctx.fn.ir.name}() returns whether it took ${locks.join(', ')}`)],
  };
  for (const l of locks) s.returnsHolding.delete(l);
}

function paramOf(fn: FnInfo, id: string): number | undefined {
  const m = /^\?([A-Za-z_]\w*)@/.exec(id);
  return m ? fn.paramIndex.get(m[1]!) : undefined;
}
