/** Statistics for disaggregated metrics: clustered bootstrap, intervals, gaps and ratios, tests. */
export {
  type BootstrapOptions,
  type BootstrapReplicates,
  DEFAULT_LEVEL,
  DEFAULT_RESAMPLES,
  drawClusterCounts,
  type ResampledStatistic,
  replicateColumn,
  runClusteredBootstrap,
} from './bootstrap.js';
export {
  type ClusterSums,
  ClusterSumsBuilder,
  clusterCount,
  emptySums,
  mergeSums,
  ratioValue,
  weightedTotals,
} from './cluster-sums.js';
export { bootstrapPValue, holmAdjust } from './holm.js';
export {
  buildMetricFrames,
  type Comparison,
  type ComparisonKind,
  type DifferenceMethod,
  EMPTY_GROUP_WARNING,
  type FrameGroupInput,
  type FrameOptions,
  groupLabel,
  MetricFrame,
  type MetricFrameInput,
  type RowOptions,
  TOO_FEW_GROUPS_WARNING,
} from './metric-frame.js';
export { percentileInterval, quantileSorted, sortedFinite } from './quantile.js';
export { DEFAULT_MINIMUM_GROUP_SIZE, type MinimumGroupSize, smallGroupWarning } from './sample-size.js';
