/** Embedding-based curation: coreset and group-balanced selection, near-duplicates, leakage. */
export { coverageOf, nearestSelectedDistances } from './center-distances.js';
export {
  type ClusterRecord,
  clusterRecords,
  DEDUP_NEIGHBOURS,
  DEDUP_THRESHOLD,
  type DedupOptions,
  type DedupResult,
  type DuplicateCluster,
  findDuplicates,
  PHASH_DISTANCE,
  type Representative,
} from './dedup.js';
export { type ItemGroups, itemGroups } from './groups.js';
export {
  FIRST_PICKS,
  type FirstPick,
  type KCenterOptions,
  type KCenterResult,
  kCenterGreedy,
} from './kcenter.js';
export { findLeaks, type Leak, type LeakageOptions, type LeakageResult } from './leakage.js';
export { type ImageHashes, type Phash, phashHex, phashOfGrey } from './phash.js';
export { alignEmbeddings, type DistanceMetric, type PointMatrix, pointsFromRows } from './points.js';
export { type GroupBounds, groupBounds, largestRemainder, type ShareSpec, type Shortfall } from './quotas.js';
export {
  type CurationOptions,
  type CurationReport,
  type CurationRun,
  runCuration,
  type ShareRow,
} from './run.js';
export type { SearchMethod } from './search.js';
export {
  type BalanceSpec,
  type Selection,
  type SelectOptions,
  STRATEGIES,
  type Strategy,
  selectItems,
} from './select.js';
export { CURATION_INDICATOR, type CurationContext, curationSummary } from './summary.js';
export { TYPICALITY_NEIGHBOURS, typicality } from './typicality.js';
