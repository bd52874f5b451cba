/**
 * Core types shared by every pipeline stage (see docs: architecture.md).
 *
 * importers ─► ManifestItem[] ─► image pipeline (Preprocess) ─► FeatureExtractor ─► EmbeddingSet
 *   ─► evaluators ─► ResultRow[] ─► report
 */

/** A sensitive or descriptive attribute value (gender, skin tone, age bucket, region, income...). */
export type AttrValue = string | number;

/** Pixel box [x1, y1, x2, y2] in the source image's pixel coordinates. */
export type BBox = [number, number, number, number];

/** How a box crop is turned into the model's region of interest after cropping. */
export type RoiRule = 'none' | 'miap-square';

/** One image (or one region of an image) of a dataset. A manifest is a JSONL file of these. */
export interface ManifestItem {
  /** Unique within the manifest. */
  id: string;
  /** Path of a local image file; relative paths are resolved against the manifest's folder. */
  source: string;
  /** Optional pixel box to crop before preprocessing. */
  bbox?: BBox;
  /** How to square the box crop (MIAP rule, protocols.md 1.2), when bbox is set. */
  roi?: RoiRule;
  /** Ground-truth labels (class names); several for multi-label items. */
  labels: string[];
  /** Attributes used to form groups. */
  attrs: Record<string, AttrValue>;
  /** Unit of correlation for resampling (household, subject, video); defaults to the id. */
  cluster?: string;
}

export type ResizeMode = 'shorter' | 'squash';
export type Interpolation = 'nearest' | 'bilinear' | 'bicubic';
export type ChannelOrder = 'rgb' | 'bgr';
export type Layout = 'nchw' | 'nhwc';

/**
 * Preprocessing as configuration data: hashed into the embedding cache key and applied by one
 * interpreter in src/image. Order: decode → bbox/ROI crop → resize → center crop → scale → mean/std
 * → channel order → layout.
 */
export interface Preprocess {
  /** Target of the resize: the shorter side (resizeMode 'shorter') or the square side ('squash'). */
  resize: number;
  resizeMode: ResizeMode;
  /** Center crop side after the resize; null for none. */
  crop: number | null;
  interpolation: Interpolation;
  /** Multiplies raw 0..255 values before mean/std (1/255 gives ToTensor's [0, 1]). */
  scale: number;
  /** Per-channel mean in RGB order, subtracted after scaling. */
  mean: [number, number, number];
  /** Per-channel std in RGB order. */
  std: [number, number, number];
  /** Channel order given to the model; BGR is swapped after normalisation, as vissl does. */
  channels: ChannelOrder;
  layout: Layout;
  /**
   * EXIF orientation tags: 'ignore' (default) keeps the stored pixel grid, as PIL's `Image.open`
   * and torchvision's loader do (and as bounding boxes of MIAP/Open Images are defined); 'apply'
   * rotates the image as a viewer shows it.
   */
  exifOrientation?: 'ignore' | 'apply';
}

/** ImageNet normalisation (protocols.md 9.1): ToTensor then mean/std. */
export const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

/** One batch of preprocessed images, laid out as the extractor's preprocess says. */
export interface ImageBatch {
  /** Item ids, in batch order. */
  ids: string[];
  /** (n, c, h, w) or (n, h, w, c) float32 values. */
  data: Float32Array;
  /** [n, c, h, w] or [n, h, w, c] matching the layout. */
  shape: [number, number, number, number];
}

/** Output of one extractor call on a batch of n images. */
export interface EmbedOutput {
  /** (n, embeddingDim) row-major. */
  embedding: Float32Array;
  /** (n, classes.length) row-major, when the model has a classification head. */
  logits?: Float32Array;
}

/** A visual feature extractor: ONNX, TF.js, precomputed, or trained by fairscope. */
export interface FeatureExtractor {
  /** Stable id; part of the cache key. */
  readonly id: string;
  readonly preprocess: Preprocess;
  readonly embeddingDim: number;
  /** Class names of the logits, when the model has a head. */
  readonly classes?: string[];
  /** The engine and device that ran it, e.g. 'onnxruntime/cpu', 'tfjs/wasm'. */
  readonly provider: string;
  embed(batch: ImageBatch): Promise<EmbedOutput>;
  dispose(): Promise<void>;
}

/** Embeddings of a dataset under one model, rows in `ids` order. */
export interface EmbeddingSet {
  ids: string[];
  dim: number;
  /** (ids.length, dim) row-major. */
  data: Float32Array;
  /** (ids.length, classes.length) row-major, when present. */
  logits?: Float32Array;
  classes?: string[];
  modelId: string;
  preprocessHash?: string;
}

/** An image that could not be used, and why; reported, never silently replaced. */
export interface FailedItem {
  dataset: string;
  id: string;
  reason: string;
}

/** A group is a set of attribute=value pairs; {} is the overall population. */
export type Group = Record<string, AttrValue>;

/** A metric for one group with its uncertainty. Every evaluator returns these. */
export interface GroupMetric {
  metric: string;
  group: Group;
  value: number;
  /** Confidence interval [lo, hi] at the level given in params (default 95%); NaN when undefined. */
  ci: [number, number];
  /** Number of items (images, queries) behind the value. */
  n: number;
  /** Number of independent clusters (households, subjects) behind the value. */
  clusters: number;
  warnings: string[];
}

/** Protocol parameters of a row (tau, k, corruption, severity...). */
export type RowParams = Record<string, AttrValue>;

/**
 * What a result row holds:
 * - 'value': a metric for one group (or overall, group {});
 * - 'difference': a gap between groups (metric `<base>.difference`, group {attr: '*'}, params.method
 *   'betweenGroups' = largest − smallest or 'toOverall' = largest |group − overall|);
 * - 'ratio': smallest ÷ largest (`<base>.ratio`; or the smallest group/overall ratio);
 * - 'comparison': a test of one group against another or the rest (`<base>.comparison`, params.test,
 *   params.versus, params.pValue and params.pHolm, Holm-adjusted within its family).
 */
export type RowKind = 'value' | 'difference' | 'ratio' | 'comparison';
export const ROW_KINDS: readonly RowKind[] = Object.freeze(['value', 'difference', 'ratio', 'comparison']);

/** How a difference or ratio summarises the groups (fairlearn's two methods). */
export type DifferenceMethod = 'betweenGroups' | 'toOverall';
/** Which group comparisons get a test: every pair, or each group against the rest. */
export type ComparisonKind = 'pairwise' | 'vsRest';

interface RowCommon<P extends RowParams> extends GroupMetric {
  model: string;
  /** 'label-association' | 'geographic' | 'retrieval' | 'robustness' | 'curation' | 'probe' | ... */
  indicator: string;
  /** Protocol parameters of this row; each evaluator types its own (e.g. LabelAssociationParams). */
  params: P;
  /** Dataset the row was computed on (a dataset name, never an encoding of other parameters). */
  dataset?: string;
}

export interface ValueRow<P extends RowParams = RowParams> extends RowCommon<P> {
  kind: 'value';
}
export interface DifferenceRow<P extends RowParams = RowParams>
  extends RowCommon<P & { method: DifferenceMethod }> {
  kind: 'difference';
}
export interface RatioRow<P extends RowParams = RowParams>
  extends RowCommon<P & { method: DifferenceMethod }> {
  kind: 'ratio';
}
export interface ComparisonRow<P extends RowParams = RowParams>
  extends RowCommon<P & { test: ComparisonKind; versus: string; pValue: number; pHolm: number }> {
  kind: 'comparison';
}

/** A tidy result row as stored in results.json / results.parquet: a tagged union on `kind`. */
export type ResultRow<P extends RowParams = RowParams> =
  | ValueRow<P>
  | DifferenceRow<P>
  | RatioRow<P>
  | ComparisonRow<P>;
