/**
 * `locklens simulate --scenario FILE [--set k=v ...] [--sweep k=v1,v2,... ...] [--reps R]
 *   [--seed S] [--format text|json|html] [--out FILE] [--before-analysis FILE] [--after-analysis FILE]`
 * Runs a contention scenario (docs/simulator.md) before and after, over a parameter grid.
 * Exit: 0 ok, 1 some runs failed (deadlock / event budget; listed on stderr), 2 bad usage or
 * an invalid scenario.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AnalysisResult } from '../engine/model';
import type { DerivedOps } from '../engine/sim/compile';
import { deriveEntries, deriveOpsWithProblems, lockTypesOf } from '../engine/sim/derive';
import { renderSweepText } from '../engine/sim/render';
import { validateScenario, type Op, type Scenario, type SimLockType, type Variant } from '../engine/sim/scenario';
import { runSweep, type SweepResult } from '../engine/sim/sweep';
import { UsageError, parseCliArgs, type CliIO } from './io';
import { emit } from './output';

export const SIMULATE_USAGE = `usage: locklens simulate --scenario FILE [--set k=v ...] [--sweep k=v1,v2,... ...] [--reps R] [--seed S]
                         [--format text|json|html] [--out FILE] [--before-analysis FILE] [--after-analysis FILE]
  --scenario FILE        scenario JSON (schema: docs/simulator.md), e.g. examples/scenarios/netdev-rtnl-churn.json
  --set k=v              override a parameter in every cell (repeatable)
  --sweep k=v1,v2,...    sweep a parameter (repeatable; the grid is the product; replaces the scenario's sweep)
  --reps R               replications per cell and variant (default: scenario's, else 10)
  --seed S               seed (default: scenario's, else 1); same inputs and seed give identical output
  --format F             text (default), json ({"version":1,"cells":[...]}), html (standalone chart report)
  --before-analysis FILE, --after-analysis FILE
                         analysis JSON (locklens analyze --format json) for "derive" ops; overrides the
                         scenario's "analysis" paths`;

export interface SimulateArgs {
  scenario: string;
  set: Record<string, number>;
  sweep: [string, number[]][] | undefined;
  reps?: number;
  seed?: number;
  format: 'text' | 'json' | 'html';
  out?: string;
  analysis: Partial<Record<Variant, string>>;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function parseNumber(text: string, what: string): number {
  const x = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(x)) throw new UsageError(`${what}: "${text}" is not a number`);
  return x;
}

export function parseSimulateArgs(argv: string[]): SimulateArgs | 'help' {
  const parsed = parseCliArgs(argv, {
    scenario: { type: 'string', short: 's' },
    set: { type: 'string', multiple: true },
    sweep: { type: 'string', multiple: true },
    reps: { type: 'string', short: 'r' },
    seed: { type: 'string' },
    format: { type: 'string', short: 'f' },
    out: { type: 'string', short: 'o' },
    'before-analysis': { type: 'string' },
    'after-analysis': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  }, SIMULATE_USAGE);
  const v = parsed.values;
  if (v.help) return 'help';
  if (!v.scenario) throw new UsageError(`missing --scenario FILE\n${SIMULATE_USAGE}`);
  // Null prototype: `--set __proto__=5` must be an unknown parameter, not a prototype write.
  const set: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const s of v.set ?? []) {
    const m = /^([^=]+)=(.*)$/.exec(s);
    if (!m || !IDENT.test(m[1].trim())) throw new UsageError(`--set: expected name=value, got "${s}"`);
    set[m[1].trim()] = parseNumber(m[2], `--set ${m[1].trim()}`);
  }
  let sweep: [string, number[]][] | undefined;
  for (const s of v.sweep ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(s);
    if (!m || !IDENT.test(m[1].trim())) throw new UsageError(`--sweep: expected name=v1,v2,..., got "${s}"`);
    const name = m[1].trim();
    if (sweep?.some(([n]) => n === name)) throw new UsageError(`--sweep: ${name} is given twice`);
    (sweep ??= []).push([name, m[2].split(',').map((x) => parseNumber(x, `--sweep ${name}`))]);
  }
  const intArg = (text: string | undefined, what: string, min: number): number | undefined => {
    if (text === undefined) return undefined;
    const x = parseNumber(text, what);
    if (!Number.isInteger(x) || x < min) throw new UsageError(`${what}: expected an integer >= ${min}, got "${text}"`);
    return x;
  };
  const format = (v.format ?? 'text') as SimulateArgs['format'];
  if (!['text', 'json', 'html'].includes(format)) throw new UsageError(`--format: expected text, json or html, got "${format}"`);
  const analysis: Partial<Record<Variant, string>> = {};
  if (v['before-analysis']) analysis.before = v['before-analysis'];
  if (v['after-analysis']) analysis.after = v['after-analysis'];
  return {
    scenario: v.scenario,
    set,
    sweep,
    reps: intArg(v.reps, '--reps', 1),
    seed: intArg(v.seed, '--seed', 0),
    format,
    out: v.out,
    analysis,
  };
}

function readJson(file: string, what: string): unknown {
  if (!existsSync(file)) throw new UsageError(`cannot read ${what} ${file}: no such file`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${what} ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Checks --set/--sweep names against the scenario's parameters (a typo must not be ignored). */
function checkParamNames(s: Scenario, args: SimulateArgs): void {
  const known = new Set([...Object.keys(s.params), ...Object.keys(s.variants?.before?.params ?? {}), ...Object.keys(s.variants?.after?.params ?? {})]);
  const list = [...known].sort().join(', ');
  for (const k of Object.keys(args.set)) if (!known.has(k)) throw new UsageError(`--set ${k}: unknown parameter (scenario parameters: ${list})`);
  for (const [k] of args.sweep ?? []) if (!known.has(k)) throw new UsageError(`--sweep ${k}: unknown parameter (scenario parameters: ${list})`);
}

interface Derivation {
  derived: Partial<Record<Variant, DerivedOps>>;
  lockTypes: Partial<Record<Variant, ReadonlyMap<string, SimLockType>>>;
  notes: string[];
}

/** Loads the analyses a scenario's `derive` ops need and derives each entry point's ops. */
function derive(s: Scenario, scenarioDir: string, args: SimulateArgs, cwd: string): Derivation {
  const entries = new Set<string>();
  for (const r of s.roles) deriveEntries(r.ops, entries);
  const out: Derivation = { derived: {}, lockTypes: {}, notes: [] };
  if (entries.size === 0) return out;
  for (const variant of ['before', 'after'] as const) {
    const file = args.analysis[variant] ? path.resolve(cwd, args.analysis[variant]!) : s.analysis?.[variant] ? path.resolve(scenarioDir, s.analysis[variant]!) : null;
    if (!file) {
      throw new UsageError(
        `the scenario derives operations from ${[...entries].join(', ')} but has no ${variant} analysis: set "analysis.${variant}" or pass --${variant}-analysis FILE (from locklens analyze --format json)`,
      );
    }
    const json = readJson(file, `${variant} analysis`) as AnalysisResult;
    if (typeof json !== 'object' || json === null || !Array.isArray(json.functions) || !Array.isArray(json.sites)) {
      throw new UsageError(`${variant} analysis ${file}: expected the JSON of locklens analyze --format json (functions[], sites[])`);
    }
    const map = new Map<string, Op[]>();
    for (const entry of entries) {
      const { ops, problems } = deriveOpsWithProblems(json, entry);
      const err = problems.find((p) => p.severity === 'error');
      if (err) throw new UsageError(`${variant} analysis ${path.basename(file)}: ${err.message}`);
      for (const p of problems) out.notes.push(`${variant}: ${p.message}`);
      map.set(entry, ops);
    }
    out.derived[variant] = map;
    out.lockTypes[variant] = lockTypesOf(json);
  }
  return out;
}

type HtmlModule = { renderHtmlReport: (input: { simulation: SweepResult; title: string; view?: 'charts' }) => string };

async function renderHtml(res: SweepResult): Promise<string> {
  let mod: HtmlModule;
  try {
    mod = (await import('../host/html-report')) as unknown as HtmlModule;
  } catch (e) {
    throw new UsageError(`--format html is not available in this build (${(e as Error).message})`);
  }
  try {
    return mod.renderHtmlReport({ simulation: res, title: `LockLens simulation — ${res.scenario}`, view: 'charts' });
  } catch (e) {
    throw new UsageError(`--format html: ${(e as Error).message}`);
  }
}

export async function runSimulate(argv: string[], io: CliIO): Promise<number> {
  try {
    const args = parseSimulateArgs(argv);
    if (args === 'help') {
      io.stdout(SIMULATE_USAGE + '\n');
      return 0;
    }
    const file = path.resolve(io.cwd, args.scenario);
    const { scenario, problems } = validateScenario(readJson(file, 'scenario'));
    if (!scenario) {
      io.stderr(`locklens simulate: invalid scenario ${args.scenario}:\n${problems.map((p) => `  ${p.message}`).join('\n')}\n`);
      return 2;
    }
    checkParamNames(scenario, args);
    const d = derive(scenario, path.dirname(file), args, io.cwd);
    for (const n of d.notes) io.stderr(`note: ${n}\n`);
    const res = runSweep({
      scenario,
      set: args.set,
      sweep: args.sweep,
      reps: args.reps,
      seed: args.seed,
      derived: d.derived,
      lockTypes: d.lockTypes,
    });
    const invalid = res.problems.filter((p) => p.code === 'invalid-scenario');
    if (invalid.length > 0) {
      io.stderr(`locklens simulate: invalid scenario ${args.scenario}:\n${invalid.map((p) => `  ${p.message}`).join('\n')}\n`);
      return 2;
    }
    const text = args.format === 'json' ? JSON.stringify(res, null, 2) : args.format === 'html' ? await renderHtml(res) : renderSweepText(res);
    emit(io, text, args.out);
    const failed = res.problems.filter((p) => p.severity === 'error');
    if (failed.length > 0) {
      if (args.format !== 'text' || args.out) for (const p of failed) io.stderr(`${p.code}: ${p.message}\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`locklens simulate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
