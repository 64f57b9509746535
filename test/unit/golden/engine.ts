/**
 * Runs the real pipeline on one fixture folder: wasm parser → extractFileFacts → analyzeFacts,
 * with the folder's `.locklens.json` merged over the defaults (as `locklens analyze` does).
 *
 * `extractFileFacts` and `analyzeFacts` are loaded at run time, not imported: while their modules
 * are still being written (missing files or imports), a static import would stop this test file
 * from bundling at all. The loader bundles each with esbuild on first use and reports why it is
 * unavailable instead of throwing, so the golden tests show up as `todo` with the reason.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { LockLensConfig } from '../../../src/engine/config';
import type { FileFacts } from '../../../src/engine/ir';
import type { AnalysisResult } from '../../../src/engine/model';
import type { CParser } from '../../../src/engine/parse/parser';
import type { ExtractOptions } from '../../../src/engine/parse/extract';
import { createParser } from '../../../src/host/parsers';
import { loadConfig } from '../../../src/host/config-load';

export type AnalyzeFacts = (facts: FileFacts[], options: { config: LockLensConfig; lineFacts?: boolean }) => AnalysisResult;
export type ExtractFileFacts = (parser: CParser, file: string, text: string, opts?: ExtractOptions) => FileFacts;

export const ROOT = process.env.LOCKLENS_ROOT ?? path.resolve(__dirname, '../../..');
export const RULES_DIR = path.join(ROOT, 'test/fixtures/rules');

type Loaded<T> = { fn: T | null; why: string };

const moduleCache = new Map<string, Loaded<unknown>>();

/** Bundles `src/<rel>.ts` with esbuild and returns its export `name`, or null plus the reason. */
function loadExport<T>(rel: string, name: string): Loaded<T> {
  const key = `${rel}#${name}`;
  const cached = moduleCache.get(key);
  if (cached) return cached as Loaded<T>;
  const entry = path.join(ROOT, `${rel}.ts`);
  let res: Loaded<unknown>;
  if (!existsSync(entry)) {
    res = { fn: null, why: `${rel}.ts does not exist` };
  } else {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const esbuild = require('esbuild') as typeof import('esbuild');
      const out = esbuild.buildSync({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        packages: 'external',
        write: false,
        logLevel: 'silent',
      });
      const mod: { exports: Record<string, unknown> } = { exports: {} };
      new Function('module', 'exports', 'require', '__filename', '__dirname', out.outputFiles[0].text)(
        mod,
        mod.exports,
        require,
        entry,
        path.dirname(entry),
      );
      const fn = mod.exports[name];
      res = typeof fn === 'function' ? { fn, why: '' } : { fn: null, why: `${rel}.ts has no ${name} export` };
    } catch (e) {
      const msg = (e as { errors?: { text: string }[] }).errors?.map((x) => x.text).join('; ') ?? String(e);
      res = { fn: null, why: `cannot load ${rel}.ts: ${msg}` };
    }
  }
  moduleCache.set(key, res);
  return res as Loaded<T>;
}

export interface Pipeline {
  extract: ExtractFileFacts;
  analyze: AnalyzeFacts;
}

/** The parse + analysis pipeline, or null plus why it cannot run yet. */
export function loadPipeline(): { pipeline: Pipeline | null; why: string } {
  const extract = loadExport<ExtractFileFacts>('src/engine/parse/extract', 'extractFileFacts');
  const analyze = loadExport<AnalyzeFacts>('src/engine/analysis/analyze', 'analyzeFacts');
  if (extract.fn && analyze.fn) return { pipeline: { extract: extract.fn, analyze: analyze.fn }, why: '' };
  const why = [extract.why, analyze.why].filter(Boolean).join('; ');
  return { pipeline: null, why: `analysis not available yet (${why})` };
}

let parserPromise: Promise<CParser> | null = null;

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

export async function analyzeFolder(folder: FixtureFolder, pipeline: Pipeline): Promise<{ facts: FileFacts[]; result: AnalysisResult }> {
  const parser = await sharedParser();
  const facts = folder.files.map((f) => pipeline.extract(parser, f.path, f.text, { timeoutMs: folder.config.fileTimeBudgetMs }));
  return { facts, result: pipeline.analyze(facts, { config: folder.config }) };
}
