/** Test helpers: C text → FileFacts (wasm parser) → AnalysisResult. */
import { DEFAULT_CONFIG, type LockLensConfig } from '../../../src/engine/config';
import type { FileFacts } from '../../../src/engine/ir';
import type { AnalysisResult, Finding, LockSite } from '../../../src/engine/model';
import { analyzeFacts } from '../../../src/engine/pipeline/analyze';
import { extractFileFacts } from '../../../src/engine/parse/extract';
import { wasmParser } from '../support/parsers';

export const ROOT = process.env.LOCKLENS_ROOT ?? process.cwd();

/** The shared WASM parser (see ../support/parsers). */
export const parser = wasmParser;

export async function factsOf(files: Record<string, string>): Promise<FileFacts[]> {
  const p = await parser();
  return Object.entries(files).map(([name, text]) => extractFileFacts(p, name, text));
}

export async function analyze(
  files: Record<string, string> | string,
  cfg: Partial<LockLensConfig> = {},
  opts: { noAnnotations?: boolean; lineFacts?: boolean } = {},
): Promise<AnalysisResult> {
  const map = typeof files === 'string' ? { 'a.c': files } : files;
  return analyzeFacts(await factsOf(map), { config: { ...DEFAULT_CONFIG, ...cfg }, ...opts });
}

export const rules = (r: AnalysisResult, rule?: string): Finding[] => r.findings.filter((f) => !rule || f.rule === rule);
export const brief = (f: Finding): string => `${f.rule}@${f.line}:${f.locks.join(',')}`;
export const fn = (r: AnalysisResult, name: string) => {
  const f = r.functions.find((x) => x.name === name);
  if (!f) throw new Error(`no function ${name}`);
  return f;
};
export const sitesAt = (r: AnalysisResult, line: number): LockSite[] => r.sites.filter((s) => s.line === line);
export const edge = (r: AnalysisResult, from: string, to: string) => r.edges.find((e) => e.from === from && e.to === to);
