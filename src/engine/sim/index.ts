/** Contention simulator: scenarios, derivation from analysis results, simulation, sweeps. */
export { validateScenario, type Scenario, type Op, type Dist, type Role, type LockSpec, type Variant } from './scenario';
export { compileScenario, resolveParams, type Program } from './compile';
export { simulate, type RunResult, type LockStats } from './simulator';
export { runSweep, gridCells, meanStd, type SweepResult, type SweepCell, type SweepStat, type SweepInput } from './sweep';
export { deriveOps, deriveOpsWithProblems, deriveEntries, lockTypesOf } from './derive';
export { renderSweepText } from './render';
export { createRng, mixSeed, type Rng } from './rng';
