/**
 * `locklens analyze <path>... [--format text|json|sarif|html] [--out FILE] [--config FILE]
 *   [--parser wasm|native] [--jobs N] [--no-annotations] [--fail-on SEVERITY] [--no-cache]`
 * Exit: 0 ok, 1 findings at/above --fail-on, 2 bad usage or unreadable input.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { SEVERITIES, type AnalysisResult, type Severity } from '../engine/model';
import { renderText } from '../engine/report/text';
import { renderSarif } from '../engine/report/sarif';
import { analyzeTree, rootFor, ConfigError } from '../host/analyze-tree';
import { UsageError, parseCliArgs, type CliIO } from './io';
import { emit } from './output';
import { VERSION } from './version';

export const ANALYZE_USAGE = `usage: locklens analyze <path>... [--format text|json|sarif|html] [--out FILE] [--config FILE]
                        [--parser wasm|native] [--jobs N] [--no-annotations] [--fail-on error|warning|info]
                        [--no-cache] [--line-facts]`;

export interface AnalyzeArgs {
  targets: string[];
  format: 'text' | 'json' | 'sarif' | 'html';
  out?: string;
  config?: string;
  parser: 'wasm' | 'native';
  jobs?: number;
  noAnnotations: boolean;
  failOn?: Severity;
  noCache: boolean;
  lineFacts: boolean;
}

export function parseAnalyzeArgs(argv: string[]): AnalyzeArgs | 'help' {
  const parsed = parseCliArgs(argv, {
    format: { type: 'string', short: 'f' },
    out: { type: 'string', short: 'o' },
    config: { type: 'string' },
    parser: { type: 'string' },
    jobs: { type: 'string', short: 'j' },
    'no-annotations': { type: 'boolean' },
    'fail-on': { type: 'string' },
    'no-cache': { type: 'boolean' },
    'line-facts': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, ANALYZE_USAGE, true);
  const v = parsed.values;
  if (v.help) return 'help';
  const format = (v.format ?? 'text') as AnalyzeArgs['format'];
  if (!['text', 'json', 'sarif', 'html'].includes(format)) throw new UsageError(`--format: expected text, json, sarif or html, got "${format}"`);
  const parser = (v.parser ?? 'wasm') as AnalyzeArgs['parser'];
  if (parser !== 'wasm' && parser !== 'native') throw new UsageError(`--parser: expected wasm or native, got "${parser}"`);
  let jobs: number | undefined;
  if (v.jobs !== undefined) {
    jobs = Number(v.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new UsageError(`--jobs: expected an integer from 1 to 64, got "${v.jobs}"`);
  }
  const failOn = v['fail-on'] as Severity | undefined;
  if (failOn !== undefined && !SEVERITIES.includes(failOn)) throw new UsageError(`--fail-on: expected one of ${SEVERITIES.join(', ')}, got "${failOn}"`);
  if (parsed.positionals.length === 0) throw new UsageError(`missing <path>\n${ANALYZE_USAGE}`);
  return {
    targets: parsed.positionals,
    format,
    out: v.out,
    config: v.config,
    parser,
    jobs,
    noAnnotations: !!v['no-annotations'],
    failOn,
    noCache: !!v['no-cache'],
    lineFacts: !!v['line-facts'],
  };
}

export function failsOn(result: { findings: { severity: Severity }[] }, failOn: Severity | undefined): boolean {
  if (!failOn) return false;
  const limit = SEVERITIES.indexOf(failOn);
  return result.findings.some((f) => SEVERITIES.indexOf(f.severity) <= limit);
}

export async function renderAnalysis(result: AnalysisResult, format: AnalyzeArgs['format'], title: string): Promise<string> {
  switch (format) {
    case 'json':
      return JSON.stringify(result, null, 2);
    case 'sarif':
      return JSON.stringify(renderSarif(result.findings, VERSION), null, 2);
    case 'html': {
      const mod = await loadHtmlReport();
      return mod.renderHtmlReport({ analysis: result, title });
    }
    default:
      return renderText(result);
  }
}

type HtmlReportModule = { renderHtmlReport: (input: { analysis?: AnalysisResult; title: string } & Record<string, unknown>) => string };

export async function loadHtmlReport(): Promise<HtmlReportModule> {
  try {
    return (await import('../host/html-report')) as unknown as HtmlReportModule;
  } catch (e) {
    throw new UsageError(`--format html is not available in this build (${(e as Error).message})`);
  }
}

export async function runAnalyze(argv: string[], io: CliIO): Promise<number> {
  const args = parseAnalyzeArgs(argv);
  if (args === 'help') {
    io.stdout(ANALYZE_USAGE + '\n');
    return 0;
  }
  for (const t of args.targets) {
    if (!existsSync(path.resolve(io.cwd, t))) throw new UsageError(`cannot read ${t}: no such file or directory`);
  }
  if (args.config && !existsSync(path.resolve(io.cwd, args.config))) throw new UsageError(`cannot read --config ${args.config}: no such file`);
  const root = rootFor(args.targets, io.cwd);
  let result: AnalysisResult;
  try {
    result = await analyzeTree({
      root,
      paths: args.targets.map((t) => path.relative(root, path.resolve(io.cwd, t)) || '.'),
      configFile: args.config ? path.resolve(io.cwd, args.config) : undefined,
      parser: args.parser,
      jobs: args.jobs,
      noAnnotations: args.noAnnotations,
      lineFacts: args.lineFacts,
      cacheDir: args.noCache ? null : undefined,
    });
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    if (e instanceof Error && /native/i.test(e.message) && args.parser === 'native') throw new UsageError(e.message);
    throw e;
  }
  if (result.stats.files === 0 && result.problems.some((p) => p.code === 'unreadable-file' || p.code === 'unreadable-dir')) {
    for (const p of result.problems) io.stderr(`locklens: ${p.message}\n`);
    return 2;
  }
  const text = await renderAnalysis(result, args.format, `LockLens — ${path.basename(root)}`);
  emit(io, text, args.out);
  return failsOn(result, args.failOn) ? 1 : 0;
}
