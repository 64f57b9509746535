/**
 * Loads `.locklens.json` from the analysed root and/or an explicit `--config` file, merged over
 * the defaults. Errors name the file and the field; a broken config never silently falls back.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LockLensConfig } from '../engine/config';
import { validateConfig } from '../engine/config-validate';

export interface LoadedConfig {
  config: LockLensConfig;
  errors: string[];
  /** Files that contributed, for the log. */
  sources: string[];
}

function readJson(file: string, errors: string[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    errors.push(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    errors.push(`${file}: invalid JSON (${(e as Error).message})`);
    return undefined;
  }
}

/** `overrides` (e.g. VS Code settings) win over files; `.locklens.json` wins over defaults. */
export function loadConfig(root: string, configFile?: string, overrides?: Partial<LockLensConfig>): LoadedConfig {
  const errors: string[] = [];
  const sources: string[] = [];
  const merged: Record<string, unknown> = {};
  const files = [path.join(root, '.locklens.json')];
  if (configFile) files.push(path.resolve(configFile));
  for (const f of files) {
    if (f === files[0] && !existsSync(f)) continue;
    const raw = readJson(f, errors);
    if (raw === undefined) continue;
    const v = validateConfig(raw, path.basename(f));
    errors.push(...v.errors.map((e) => (e.startsWith(path.basename(f)) ? `${f}${e.slice(path.basename(f).length)}` : e)));
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) mergeInto(merged, raw as Record<string, unknown>);
    sources.push(f);
  }
  if (overrides) mergeInto(merged, overrides as Record<string, unknown>);
  const final = validateConfig(merged, 'config');
  // Per-file errors were already reported with their file names; keep only new ones.
  for (const e of final.errors) if (!errors.some((x) => x.endsWith(e.slice('config'.length)))) errors.push(e);
  return { config: final.config, errors, sources };
}

function mergeInto(target: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(src)) {
    if (v === undefined) continue;
    // Lists of primitives and contended locks accumulate; everything else overrides.
    if ((k === 'primitives' || k === 'contendedLocks' || k === 'hotPaths') && Array.isArray(v) && Array.isArray(target[k])) {
      target[k] = [...(target[k] as unknown[]), ...v];
    } else target[k] = v;
  }
}
