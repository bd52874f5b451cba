/**
 * fairscope's programmatic API: the stage functions `fairscope <command>` and `fairscope audit`
 * call, the loaders that feed them, and the types a script works with. Every evaluator takes loaded
 * inputs and options and returns a StageResult `{ rows, deviations, failures, notes }`; saveResults
 * writes it to results.json with the rule every command uses.
 *
 *   const test = await loadEmbeddedItems({ manifest: 'cc.jsonl', store: 'emb/cc', dataset: 'cc' });
 *   const head = (await fitProbe(train, { labelFrom: 'labels' })).head;
 *   const result = await evaluateProbe(head, test, { model: 'mine', bootstrap: { seed: 0 } });
 *   await saveResults('results.json', result, { merge: true });
 */

// The audit: one spec runs every stage.
export { type AuditOptions, type AuditRun, runAudit } from './audit/run.js';
export { type AuditSpec, parseAuditSpec, readAuditSpec } from './audit/spec.js';
// The stage contract and the core data model.
export { type Deviation, deviation, deviationsThatHold } from './core/deviations.js';
export { EXIT, FairscopeError, InputError, UsageError } from './core/errors.js';
export { clusterOf } from './core/items.js';
export {
  emptyResults,
  mergeResults,
  RESULTS_SCHEMA_VERSION,
  type ResultsFile,
  type ResultsUpdate,
} from './core/results.js';
export { Rng } from './core/rng.js';
export {
  mergeStageResults,
  noProgress,
  type ProgressReporter,
  type StageResult,
  type StartProgress,
  stageResult,
} from './core/stage.js';
export * from './core/types.js';
export { findDuplicates } from './curate/dedup.js';
export { findLeaks } from './curate/leakage.js';
// Curation.
export {
  type CurationParams,
  type CurationRow,
  type CurationStageOptions,
  type CurationStageResult,
  curateDataset,
  evaluateSelection,
} from './curate/stage.js';
// Data: manifests and importers.
export { buildEmojiDataset } from './data/emoji/build.js';
export { emojiCredits } from './data/emoji/credits.js';
export { IMPORTER_NAMES, loadImporter } from './data/importers/registry.js';
export {
  manifestFile,
  readManifest,
  resolveSource,
  validateManifestItem,
  writeManifest,
} from './data/manifest.js';
// Embeddings: stores and the one join of a manifest with a store.
export { type EmbeddedItems, embeddedItems, joinStore, type StoreJoin, takeRows } from './embed/join.js';
export { joinLoadedStore, type LoadedStore, loadEmbeddedItems, readStore } from './embed/load.js';
export { mergeStores } from './embed/merge.js';
export { embedManifest } from './embed/run.js';
export { iterateEmbeddingChunks, readEmbeddings, writeEmbeddings } from './embed/store.js';
// Images and models.
export { CORRUPTION_NAMES, corruptImage, corruptionCatalogue } from './image/corrupt/index.js';
export { preprocessHash } from './image/preprocess.js';
// The three Fairness Indicators.
export type { ClassScores } from './indicators/class-scores.js';
export {
  evaluateGeographic,
  type GeographicParams,
  type GeographicRow,
  type GeographicStageOptions,
} from './indicators/geographic-stage.js';
export {
  DEFAULT_GEOGRAPHIC_PROTOCOL,
  GEOGRAPHIC_PROTOCOLS,
  type GeographicProtocol,
} from './indicators/geographic-units.js';
export {
  evaluateLabelAssociation,
  type LabelAssociationParams,
  type LabelAssociationRow,
  type LabelAssociationStageOptions,
} from './indicators/label-association-stage.js';
export { readImagesList } from './indicators/node/images-list.js';
export { loadTaxonomy } from './indicators/node/taxonomy-file.js';
export {
  evaluateRetrieval,
  type RetrievalParams,
  type RetrievalRow,
  type RetrievalStageOptions,
} from './indicators/retrieval-stage.js';
export { parseTaxonomy, type Taxonomy } from './indicators/taxonomy.js';
export { type LoadedModel, loadModel } from './models/load.js';
export { BUILTIN_MODELS } from './models/registry.js';
// Probes on frozen features.
export type { Head } from './probe/head.js';
export { loadHead, saveHead } from './probe/node/head-io.js';
export {
  checkHeadFits,
  evaluateProbe,
  fitProbe,
  type ProbeAccuracyParams,
  type ProbeAccuracyRow,
  type ProbeEvalOptions,
  type ProbeFit,
  type ProbeFitOptions,
  predictWithProbe,
  probeLogits,
} from './probe/stage.js';
// Results files and the report.
export {
  compareResults,
  evaluateGate,
  parseResults,
  renderComparisonHtml,
  renderComparisonMarkdown,
  renderModelCard,
  renderReport,
  renderSummaryMarkdown,
} from './report/index.js';
export { writeResultsParquet } from './report/node/parquet.js';
export { loadResults, saveResults, writeResultsFile } from './report/node/results-file.js';
export { type ReportFiles, writeReportFiles } from './report/node/write.js';
// Robustness.
export { loadRobustnessInputs } from './robustness/node/load.js';
export { readRobustnessSpec } from './robustness/node/spec.js';
export {
  evaluateRobustnessStage,
  type RobustnessModel,
  type RobustnessSet,
  type RobustnessStageOptions,
  scoreSet,
} from './robustness/stage.js';
// Statistics: one frame over any resampled statistic.
export {
  buildMetricFrames,
  type FrameOptions,
  holmAdjust,
  MetricFrame,
  percentileInterval,
  runClusteredBootstrap,
  StatisticFrame,
  statisticFrame,
} from './stats/index.js';
export { regnetY } from './train/backbones/regnet.js';
export { resnet } from './train/backbones/resnet.js';
// Training (TensorFlow.js): SSL methods and supervised baselines.
export { DEFAULT_CONFIG, METHODS, type Method, type TrainConfig } from './train/config.js';
export { type EpochReport, train } from './train/loop.js';
