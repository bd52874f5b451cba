/**
 * fairscope's programmatic API: the same stages the `fairscope` command runs, for use from scripts.
 * Each stage stays usable alone (importers → manifests → image pipeline → extractors → embedding
 * store → evaluators → results → report).
 */

export { runAudit } from './audit/run.js';
// Audit and report
export { type AuditSpec, parseAuditSpec, readAuditSpec } from './audit/spec.js';
export { EXIT, FairscopeError, InputError, UsageError } from './core/errors.js';
export { emptyResults, type ResultsFile, readResults, writeResults } from './core/results.js';
export { Rng } from './core/rng.js';
export * from './core/types.js';
// Curation
export {
  curationSummary,
  findDuplicates,
  findLeaks,
  kCenterGreedy,
  loadCurationInput,
  runCuration,
  selectItems,
} from './curate/index.js';
export { buildEmojiDataset } from './data/emoji/build.js';
export { emojiCredits } from './data/emoji/credits.js';
export { IMPORTER_NAMES, loadImporter } from './data/importers/registry.js';
// Data
export {
  clusterOf,
  readManifest,
  resolveSource,
  validateManifestItem,
  writeManifest,
} from './data/manifest.js';
export { mergeStores } from './embed/merge.js';
export { embedManifest } from './embed/run.js';
export {
  type EmbeddingChunk,
  iterateEmbeddingChunks,
  readEmbeddings,
  writeEmbeddings,
} from './embed/store.js';
export { CORRUPTION_NAMES, corruptImage, corruptionCatalogue } from './image/corrupt/index.js';
// Images, models, embeddings
export { preprocessHash } from './image/preprocess.js';
export { geographic } from './indicators/geographic.js';
export { labelAssociation } from './indicators/label-association.js';
export { retrieval } from './indicators/retrieval.js';
export { loadTaxonomy } from './indicators/taxonomy.js';
export { type LoadedModel, loadModel } from './models/load.js';
export { BUILTIN_MODELS } from './models/registry.js';
export * from './probe/index.js';
export {
  compareResults,
  evaluateGate,
  loadResults,
  parseResults,
  renderComparisonHtml,
  renderComparisonMarkdown,
  renderModelCard,
  renderReport,
  renderSummaryMarkdown,
  writeReportFiles,
  writeResultsParquet,
} from './report/index.js';
export { evaluateRobustness } from './robustness/evaluate.js';
export {
  effectiveRobustness,
  fitLogitLine,
  meanCorruptionError,
  relativeMeanCorruptionError,
} from './robustness/metrics.js';
// Evaluation
export * from './stats/index.js';

// Training (TensorFlow.js)
export * from './train/index.js';
