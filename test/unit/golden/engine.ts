/**
 * Runs the real pipeline on one fixture folder, as `locklens analyze` does: wasm parser →
 * extractFileFacts per file → analyzeFacts over the folder, with the folder's `.locklens.json`
 * merged over the defaults. Shared by the golden corpus and the examples test.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { LockLensConfig } from '../../../src/engine/config';
import type { FileFacts } from '../../../src/engine/ir';
import type { AnalysisResult } from '../../../src/engine/model';
import type { CParser } from '../../../src/engine/parse/tree/parser';
import { extractFileFacts } from '../../../src/engine/parse/extract';
import { analyzeFacts } from '../../../src/engine/pipeline/analyze';
import { createParser } from '../../../src/host/parsers';
import { loadConfig } from '../../../src/host/config-load';

export const ROOT = process.env.LOCKLENS_ROOT ?? path.resolve(__dirname, '../../..');
export const RULES_DIR = path.join(ROOT, 'test/fixtures/rules');

let parserPromise: Promise<CParser> | null = null;

/** One wasm parser for the whole test file (creating one costs ~100 ms). */
export function sharedParser(): Promise<CParser> {
  parserPromise ??= createParser('wasm');
  return parserPromise;
}

export interface FixtureFolder {
  dir: string;
  /** Source files relative to `dir`, sorted. */
  files: { path: string; text: string }[];
  config: LockLensConfig;
  configErrors: string[];
}

export function readFolder(dir: string): FixtureFolder {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.c') || f.endsWith('.h'))
    .sort()
    .map((f) => ({ path: f, text: readFileSync(path.join(dir, f), 'utf8') }));
  const loaded = loadConfig(dir);
  return { dir, files, config: loaded.config, configErrors: loaded.errors };
}

export function extractOne(parser: CParser, folder: FixtureFolder, file: string, text: string): FileFacts {
  return extractFileFacts(parser, file, text, { timeoutMs: folder.config.fileTimeBudgetMs });
}

export function analyze(folder: FixtureFolder, facts: FileFacts[]): AnalysisResult {
  return analyzeFacts(facts, { config: folder.config });
}

export async function analyzeFolder(folder: FixtureFolder): Promise<{ facts: FileFacts[]; result: AnalysisResult }> {
  const parser = await sharedParser();
  const facts = folder.files.map((f) => extractOne(parser, folder, f.path, f.text));
  return { facts, result: analyze(folder, facts) };
}
