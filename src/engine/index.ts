/**
 * Engine facade: the explicit exports host/, the CLI and the extension use. Areas append their
 * own export blocks below; keep them explicit (no `export *`).
 */

// --- lock analysis (pipeline/, analysis/, catalog/, detectors/) ---
export { analyzeFacts, type AnalyzeOptions } from './pipeline/analyze';
export { AnalysisSession } from './pipeline/session';
export { buildCatalog, type Catalog } from './catalog/catalog';
export { DETECTORS } from './detectors/registry';
export { DEFAULT_HOT_PATHS } from './detectors/contention-transfer';
export { isRtnlClass, RTNL_CLASS } from './catalog/rtnl';

// --- per-file extraction (parse/) ---
export { extractFileFacts } from './parse/extract';
export type { CParser, SyntaxTree, SyntaxNode } from './parse/tree/parser';

// --- patch series (series/) ---
export { readMailFile, splitMbox, parseMessage, type MailMessage } from './series/mail';
export { assembleSeries, parseSubject } from './series/assemble';
export { parseUnifiedDiff } from './series/unified-diff';
export { applyPatch, type Tree } from './series/apply';
export { analyzeSeries, type SeriesAnalyzer, type AnalyzeSeriesOptions } from './series/analyze-series';
export { renderSeriesText, renderSeriesMarkdown } from './series/render-series';
export type { ParsedSeries, PatchSource, FilePatch, SeriesProblem } from './series/types';

// --- contention simulator (sim/) ---
export { validateScenario, compileScenario, simulate, runSweep, deriveOps, renderSweepText, type Scenario, type SweepResult } from './sim/index';

// --- reports and configuration ---
export { renderText } from './report/text';
export { renderSarif } from './report/sarif';
export { RULES, RULES as RULE_DOCS, type RuleDescriptor } from './rules';
export { DEFAULT_CONFIG, type LockLensConfig, type PrimitiveSpec } from './config';
export { validateConfig } from './config-validate';
export type * from './model';
export type { FileFacts, FunctionIR, Stmt, Expr } from './ir';
