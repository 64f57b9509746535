/**
 * The only reader of `locklens.*` settings. Engine settings become a `Partial<LockLensConfig>`
 * holding only what the user set explicitly, so `.locklens.json` in the workspace root keeps
 * its values unless a setting overrides them (merge order: defaults < .locklens.json < settings).
 */
import * as vscode from 'vscode';
import type { LockLensConfig, PrimitiveSpec } from '../engine/config';
import { DECORATION_STYLES, SETTINGS, type DecorationStyle } from './ids';
import type { RuleSettings } from './result-index';

const SECTION = 'locklens';

function cfg(scope?: vscode.ConfigurationScope): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION, scope);
}

/** The value only if set somewhere (user, workspace, folder), else undefined. */
function explicit<T>(key: string, scope?: vscode.ConfigurationScope): T | undefined {
  const i = cfg(scope).inspect<T>(key);
  if (!i) return undefined;
  return i.workspaceFolderValue ?? i.workspaceValue ?? i.globalValue;
}

export function engineConfig(scope?: vscode.ConfigurationScope): Partial<LockLensConfig> {
  const c: Partial<LockLensConfig> = {};
  const contended = explicit<string[]>(SETTINGS.contendedLocks, scope);
  if (contended) c.contendedLocks = contended;
  const hot = explicit<string[]>(SETTINGS.hotPaths, scope);
  if (hot) c.hotPaths = hot;
  const periodic = explicit<string[]>(SETTINGS.periodicFunctions, scope);
  if (periodic) c.periodicFunctions = periodic;
  const prims = explicit<PrimitiveSpec[]>(SETTINGS.primitives, scope);
  if (prims) c.primitives = prims;
  const include = explicit<string[]>(SETTINGS.include, scope);
  if (include) c.include = include;
  const exclude = explicit<string[]>(SETTINGS.exclude, scope);
  if (exclude) c.exclude = exclude;
  const max = explicit<number>(SETTINGS.maxFileBytes, scope);
  if (typeof max === 'number') c.maxFileBytes = max;
  return c;
}

/**
 * `native` loads a native module; in an untrusted workspace only the user's own (global) choice
 * counts, never one the workspace's .vscode/settings.json makes.
 */
export function parserBackend(): 'wasm' | 'native' {
  const value = vscode.workspace.isTrusted ? cfg().get<string>(SETTINGS.parser) : cfg().inspect<string>(SETTINGS.parser)?.globalValue;
  return value === 'native' ? 'native' : 'wasm';
}

/** 0 = automatic (the engine picks from the CPU count). */
export function jobs(): number | undefined {
  const n = cfg().get<number>(SETTINGS.jobs, 0);
  return n > 0 ? n : undefined;
}

export function analyzeOnStartup(): boolean {
  return cfg().get<boolean>(SETTINGS.analyzeOnStartup, false);
}

export function reanalyzeOnEdit(): boolean {
  return cfg().get<boolean>(SETTINGS.reanalyzeOnEdit, true);
}

export function ruleSettings(): RuleSettings {
  return { ...(cfg().get<RuleSettings>(SETTINGS.rules) ?? {}) };
}

export function decorationsEnabled(): boolean {
  return cfg().get<boolean>(SETTINGS.decorationsEnabled, true);
}

export function decorationStyle(): DecorationStyle {
  const s = cfg().get<string>(SETTINGS.decorationStyle, 'held');
  return (DECORATION_STYLES as readonly string[]).includes(s) ? (s as DecorationStyle) : 'held';
}

export function codeLensEnabled(): boolean {
  return cfg().get<boolean>(SETTINGS.codeLensEnabled, true);
}

export function recentCommitCount(): number {
  return Math.max(1, Math.min(200, cfg().get<number>(SETTINGS.recentCommits, 30)));
}

export function affects(e: vscode.ConfigurationChangeEvent, keys: readonly string[]): boolean {
  return keys.some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
}
