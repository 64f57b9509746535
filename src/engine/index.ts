/**
 * Engine facade: the explicit exports host/, the CLI and the extension use. Areas append their
 * own export blocks below; keep them explicit (no `export *`).
 */

// --- lock analysis (analysis/, catalog/, detectors/) ---
export { analyzeFacts, type AnalyzeOptions } from './analysis/analyze';
export { buildCatalog, type Catalog } from './catalog/catalog';
export { DETECTORS } from './detectors/registry';
export { DEFAULT_HOT_PATHS } from './detectors/contention-transfer';
