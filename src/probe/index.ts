/** Classifiers on frozen features: linear probe (softmax regression), BatchNorm+linear, kNN. */

export { classList, type LabelSource, labelOf, parseLabelSource } from './dataset.js';
export {
  type AccuracyOptions,
  type AccuracyReport,
  accuracyReport,
  topKHits,
} from './evaluate.js';
export {
  type Adaptation,
  type Head,
  type HeadKind,
  type HeadSource,
  type KnnHead,
  type LinearHead,
  type ProbeMetrics,
  predictLogits,
  predictLogitsWith,
  type ResolvedProbeOptions,
} from './head.js';
export { type KnnOptions, type KnnResult, knnPredict } from './knn.js';
export { buildKnnHead, knnLogits, predictKnn } from './knn-head.js';
export { type LbfgsOptions, type LbfgsResult, minimizeLbfgs, type SmoothObjective } from './lbfgs.js';
export type { ComputeBackend } from './products.js';
export { crossEntropy, softmaxObjective } from './softmax-objective.js';
export { fitStandardizer, type Standardizer } from './standardize.js';
export { type ProbeOptions, resolveProbeOptions, stratifiedSplit, trainLinearProbe } from './train.js';
