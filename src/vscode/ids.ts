/**
 * Every identifier the extension shares with package.json: commands, views, settings, context
 * keys, colours. No vscode import, so the manifest consistency test (plain node) can compare
 * this file with `contributes` in both directions.
 */

export const COMMANDS = {
  analyzeWorkspace: 'locklens.analyzeWorkspace',
  analyzeFile: 'locklens.analyzeFile',
  analyzeSeries: 'locklens.analyzeSeries',
  showGraph: 'locklens.showGraph',
  simulate: 'locklens.simulate',
  exportReport: 'locklens.exportReport',
  clearResults: 'locklens.clearResults',
  toggleDecorations: 'locklens.toggleDecorations',
  showLog: 'locklens.showLog',
  showAfterPatch: 'locklens.showAfterPatch',
  showBaseTree: 'locklens.showBaseTree',
  /** Internal (hidden from the palette): used by CodeLens, hovers and tree items. */
  showWitnesses: 'locklens.showWitnesses',
  revealStep: 'locklens.revealStep',
} as const;

/** Commands that only make sense with arguments; hidden from the palette. */
export const INTERNAL_COMMANDS: readonly string[] = [COMMANDS.showWitnesses, COMMANDS.revealStep, COMMANDS.showAfterPatch];

export const VIEW_CONTAINER = 'locklens';
export const VIEWS = {
  locks: 'locklens.locks',
  findings: 'locklens.findings',
  series: 'locklens.series',
} as const;

export const WEBVIEW_PANEL = 'locklens.panel';
export const SERIES_SCHEME = 'locklens-series';
export const OUTPUT_CHANNEL = 'LockLens';

/** `locklens.<key>`: every setting the extension reads. */
export const SETTINGS = {
  contendedLocks: 'contendedLocks',
  hotPaths: 'hotPaths',
  periodicFunctions: 'periodicFunctions',
  primitives: 'primitives',
  include: 'include',
  exclude: 'exclude',
  maxFileBytes: 'maxFileBytes',
  parser: 'parser',
  jobs: 'jobs',
  analyzeOnStartup: 'analyzeOnStartup',
  reanalyzeOnEdit: 'reanalyzeOnEdit',
  rules: 'rules',
  decorationsEnabled: 'decorations.enabled',
  decorationStyle: 'decorations.style',
  codeLensEnabled: 'codeLens.enabled',
  recentCommits: 'series.recentCommits',
} as const;

/** Settings that change what the engine computes (a change re-runs the analysis). */
export const ENGINE_SETTINGS: readonly string[] = [
  SETTINGS.contendedLocks,
  SETTINGS.hotPaths,
  SETTINGS.periodicFunctions,
  SETTINGS.primitives,
  SETTINGS.include,
  SETTINGS.exclude,
  SETTINGS.maxFileBytes,
  SETTINGS.parser,
  SETTINGS.jobs,
];

export const CONTEXT = {
  hasResults: 'locklens.hasResults',
  analyzing: 'locklens.analyzing',
  hasSeries: 'locklens.hasSeries',
  decorationsVisible: 'locklens.decorationsVisible',
  seriesOverlay: 'locklens.seriesOverlay',
} as const;

export const COLORS = {
  heldForeground: 'locklens.heldLocksForeground',
  contendedForeground: 'locklens.contendedLockForeground',
} as const;

export const DECORATION_STYLES = ['held', 'acquired', 'compact'] as const;
export type DecorationStyle = (typeof DECORATION_STYLES)[number];

export const RULE_LEVELS = ['default', 'off', 'error', 'warning', 'info'] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];
