/**
 * Statistics for disaggregated metrics: groups, clustered bootstrap, intervals, gaps and ratios,
 * tests.
 */
export {
  type BootstrapOptions,
  type BootstrapReplicates,
  type ClusteredBootstrapOptions,
  DEFAULT_LEVEL,
  DEFAULT_RESAMPLES,
  drawClusterCounts,
  drawStratifiedCounts,
  type ResampledStatistic,
  replicateColumn,
  replicateRow,
  runClusteredBootstrap,
  strataMembers,
} from './bootstrap.js';
export {
  type ClusterSums,
  ClusterSumsBuilder,
  clusterCount,
  emptySums,
  itemSums,
  mergeSums,
  ratioValue,
  weightedTotals,
} from './cluster-sums.js';
export {
  type Comparison,
  combineFrames,
  comparableGroups,
  EMPTY_GROUP_WARNING,
  type Estimate,
  estimate,
  type FrameGroup,
  type FrameLayout,
  type FrameSource,
  paired,
  pooled,
  type Replicated,
  replicated,
  StatisticFrame,
  type StatisticFrameInput,
  type StatisticFrameOptions,
  type StatisticGroup,
  type SummaryKind,
  statisticFrame,
  summarize,
  TOO_FEW_GROUPS_WARNING,
  undefinedInResamplesWarning,
} from './frame.js';
export {
  attributeValue,
  DEFAULT_MISSING_VALUES,
  defaultGroupings,
  type Grouping,
  type GroupSplit,
  groupKey,
  groupLabel,
  groupOf,
  indexClusters,
  isMissingGroup,
  isMissingValue,
  MISSING_ATTRIBUTE,
  MISSING_GROUP_NOTE,
  parseGroupings,
  splitByGrouping,
  splitItems,
} from './groups.js';
export { bootstrapPValue, holmAdjust } from './holm.js';
export {
  buildMetricFrames,
  type ComparisonKind,
  type DifferenceMethod,
  type FrameGroupInput,
  type FrameOptions,
  MetricFrame,
  type MetricFrameInput,
  type RowOptions,
} from './metric-frame.js';
export { percentileInterval, quantileSorted, sortedFinite } from './quantile.js';
export { comparisonRow, differenceRow, type RowContext, ratioRow, valueRow } from './rows.js';
export { DEFAULT_MINIMUM_GROUP_SIZE, type MinimumGroupSize, smallGroupWarning } from './sample-size.js';
