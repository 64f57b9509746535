/** Test helpers: C text → FileFacts (wasm parser) → AnalysisResult. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type LockLensConfig } from '../../../src/engine/config';
import type { FileFacts } from '../../../src/engine/ir';
import type { AnalysisResult, Finding, LockSite } from '../../../src/engine/model';
import { analyzeFacts } from '../../../src/engine/analysis/analyze';
import { extractFileFacts } from '../../../src/engine/parse/extract';
import type { CParser } from '../../../src/engine/parse/parser';
import { createWasmParser } from '../../../src/engine/parse/wasm-parser';

export const ROOT = process.env.LOCKLENS_ROOT ?? process.cwd();

let wasm: Promise<CParser> | null = null;
export function parser(): Promise<CParser> {
  wasm ??= createWasmParser({
    runtimeWasm: readFileSync(join(ROOT, 'node_modules/web-tree-sitter/tree-sitter.wasm')),
    languageWasm: readFileSync(join(ROOT, 'node_modules/tree-sitter-c/tree-sitter-c.wasm')),
  });
  return wasm;
}

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
