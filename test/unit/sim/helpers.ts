import { compileScenario } from '../../../src/engine/sim/compile';
import { validateScenario, type Scenario } from '../../../src/engine/sim/scenario';
import { simulate, type RunResult } from '../../../src/engine/sim/simulator';
import type { Variant } from '../../../src/engine/sim/scenario';

/** Validates, compiles and runs a hand-written scenario; fails loudly if it is invalid. */
export function run(json: unknown, opts: { seed?: number; variant?: Variant; overrides?: Record<string, number> } = {}): RunResult {
  const { scenario, problems } = validateScenario(json);
  if (!scenario) throw new Error(`test scenario invalid: ${problems.map((p) => p.message).join('; ')}`);
  const { program, problems: cp } = compileScenario({ scenario, variant: opts.variant ?? 'before', overrides: opts.overrides });
  if (!program) throw new Error(`test scenario does not compile: ${cp.map((p) => p.message).join('; ')}`);
  return simulate(program, opts.seed ?? 1, { trace: true });
}

export function scenario(roles: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { version: 1, name: 'test', params: {}, roles, ...extra };
}

/** Order in which threads were granted `lock` (thread ids), from the run's trace. */
export function grantOrder(r: RunResult, lock: string): number[] {
  return (r.trace ?? []).filter((t) => t[2] === lock).map((t) => t[1]);
}

export function grantTimes(r: RunResult, lock: string): [number, number][] {
  return (r.trace ?? []).filter((t) => t[2] === lock).map((t) => [t[1], t[0]]);
}

export type { Scenario };
