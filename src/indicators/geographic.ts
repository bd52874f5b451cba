/**
 * Indicator 2, geographical diversity on Dollar Street (protocols.md 4):
 * - hit(i) = 1 if some ground-truth concept y of image i is among the concepts mapped from a class j
 *   of its thresholded top-5 with conf_j > t (strict; `_is_hit_naive`); a multi-label image is a hit
 *   if any of its labels is (the de-duplication of 4.2 step 1: one manifest item per image);
 * - cover(i) = 1 if any top-5 confidence is ≥ t;
 * - hit rate of a group = mean over its households of the household's mean hit (4.2 steps 2-3), not
 *   image-weighted; intervals resample households;
 * - accuracy = the per-image variant (get_per_attribute_accuracy): share of images with a
 *   ground-truth concept in the mapped top-5, image-weighted.
 * Values are in percent, as the published tables ([S10B] via DINOv2 Table 12) print them.
 */
import type { ManifestItem, ResultRow } from '../core/types.js';
import { ClusterSumsBuilder, emptySums } from '../stats/cluster-sums.js';
import {
  DEFAULT_MISSING_VALUES,
  type Grouping,
  type GroupSplit,
  indexClusters,
  MISSING_ATTRIBUTE,
  splitItems,
} from '../stats/groups.js';
import type {
  ComparisonKind,
  FrameGroupInput,
  FrameOptions,
  MetricFrameInput,
} from '../stats/metric-frame.js';
import { type FrameSpec, frameCarriers, frameInput, frameRows } from './frames.js';
import { incomeBucket, OUT_OF_RANGE } from './income.js';
import { CANDIDATES, rankPredictions, TOP_K, thresholdedPositions } from './predictions.js';

/** Dollar Street's threshold list (THRESHOLDS = [0.0]). */
export const GEOGRAPHIC_THRESHOLDS: readonly number[] = Object.freeze([0]);
export const DEFAULT_GEOGRAPHIC_GROUPS = 'region,income_bucket,region*income_bucket';
export const INCOME_BUCKET_ATTRIBUTE = 'income_bucket';

export const OUT_OF_RANGE_NOTE =
  'income outside the bucket range (round(ln(income)/3) not in 1..3): reported, left out of gaps and tests';

export interface GeographicOptions {
  model: string;
  dataset?: string;
  /** (nClasses) concepts each class maps to. */
  conceptsOfClass: readonly (readonly string[])[];
  thresholds?: readonly number[];
  groupings: readonly Grouping[];
  missingValues?: readonly string[];
  comparisons?: ComparisonKind | 'none';
  bootstrap: FrameOptions;
}

export interface IndicatorOutput {
  rows: ResultRow[];
  /** Facts about the input that the user should see (printed, and kept in results.extra). */
  notes: string[];
}

/**
 * Adds `income_bucket` from `income` where the manifest has an income but no bucket; incomes out of
 * range get OUT_OF_RANGE, non-numeric ones MISSING_ATTRIBUTE.
 */
export function withIncomeBuckets(items: readonly ManifestItem[]): {
  items: ManifestItem[];
  outOfRange: number;
} {
  let outOfRange = 0;
  const out = items.map((item) => {
    if (item.attrs[INCOME_BUCKET_ATTRIBUTE] !== undefined || item.attrs.income === undefined) return item;
    const income = Number(item.attrs.income);
    const bucket = Number.isFinite(income) ? incomeBucket(income) : MISSING_ATTRIBUTE;
    if (bucket === OUT_OF_RANGE) outOfRange++;
    return { ...item, attrs: { ...item.attrs, [INCOME_BUCKET_ATTRIBUTE]: bucket } };
  });
  return { items: out, outOfRange };
}

/** Mean of per-household means over some images: one contribution per household, den 1. */
function householdMeanSums(
  indices: readonly number[],
  clusterIndex: Int32Array,
  value: (i: number) => number,
) {
  const sum = new Map<number, number>();
  const count = new Map<number, number>();
  for (const i of indices) {
    const h = clusterIndex[i] as number;
    sum.set(h, (sum.get(h) ?? 0) + value(i));
    count.set(h, (count.get(h) ?? 0) + 1);
  }
  if (sum.size === 0) return emptySums();
  const b = new ClusterSumsBuilder();
  for (const [h, s] of sum) {
    const c = count.get(h) as number;
    b.add(h, s / c, 1, c);
  }
  return b.build();
}

function householdFrame(
  metric: string,
  split: GroupSplit,
  clusterIndex: Int32Array,
  nItems: number,
  value: (i: number) => number,
  withRest: boolean,
): MetricFrameInput {
  const all = Array.from({ length: nItems }, (_, i) => i);
  const groups: FrameGroupInput[] = split.groups.map((group, g) => ({
    group,
    sums: householdMeanSums(split.members[g] as number[], clusterIndex, value),
    comparable: split.comparable[g] as boolean,
    warnings: split.notes[g],
  }));
  return {
    metric,
    attributes: split.grouping.attributes,
    overall: householdMeanSums(all, clusterIndex, value),
    groups,
    withRest,
  };
}

/**
 * Computes Indicator 2 on items (one per image, labels = its concepts, cluster = household) aligned
 * with logits rows.
 * @param logits (items.length, conceptsOfClass.length) row-major, finite
 */
export function geographic(
  inputItems: readonly ManifestItem[],
  logits: Float32Array,
  options: GeographicOptions,
): IndicatorOutput {
  const notes: string[] = [];
  const { items, outOfRange } = withIncomeBuckets(inputItems);
  if (outOfRange > 0)
    notes.push(`${outOfRange} image(s) have an income outside the bucket range: group "${OUT_OF_RANGE}"`);
  const n = items.length;
  const nClasses = options.conceptsOfClass.length;
  const ranked = rankPredictions(logits, n, nClasses, CANDIDATES);
  const { clusterIndex, nClusters } = indexClusters(items);
  const withoutHousehold = items.filter((it) => it.cluster === undefined).length;
  if (withoutHousehold > 0) {
    notes.push(`${withoutHousehold} image(s) have no household (cluster): each counts as its own household`);
  }
  const unlabelled = items.filter((it) => it.labels.length === 0).length;
  if (unlabelled > 0)
    notes.push(`${unlabelled} image(s) have no ground-truth concept and can never be a hit`);
  const missing = new Set([...(options.missingValues ?? DEFAULT_MISSING_VALUES), OUT_OF_RANGE]);
  const splits = options.groupings.map((g) => {
    const split = splitItems(items, g, missing);
    split.notes = split.groups.map((group, k) =>
      Object.values(group).includes(OUT_OF_RANGE) ? [OUT_OF_RANGE_NOTE] : (split.notes[k] as string[]),
    );
    return split;
  });
  const carriers = frameCarriers(splits, n);
  const comparisons = options.comparisons ?? 'pairwise';
  const base = {
    model: options.model,
    indicator: 'geographic',
    ...(options.dataset === undefined ? {} : { dataset: options.dataset }),
  };
  const rows: ResultRow[] = [];
  for (const t of options.thresholds ?? GEOGRAPHIC_THRESHOLDS) {
    const hit = new Float64Array(n);
    const cover = new Float64Array(n);
    const correct = new Float64Array(n);
    items.forEach((item, i) => {
      const positions = thresholdedPositions(ranked, i, t, TOP_K);
      const slots = positions.map((j) => ({
        concepts: options.conceptsOfClass[
          ranked.classes[i * ranked.candidates + j] as number
        ] as readonly string[],
        p: ranked.probabilities[i * ranked.candidates + j] as number,
      }));
      const truth = new Set(item.labels);
      hit[i] = slots.some((s) => s.p > t && s.concepts.some((c) => truth.has(c))) ? 100 : 0;
      cover[i] = slots.some((s) => s.p >= t) ? 100 : 0;
      correct[i] = slots.some((s) => s.concepts.some((c) => truth.has(c))) ? 100 : 0;
    });
    const common = { threshold: t, topK: TOP_K, unit: 'percent' };
    const inputs: FrameSpec[] = [];
    carriers.forEach((split, s) => {
      const first = s === 0;
      inputs.push({
        input: householdFrame(
          'hit_rate',
          split,
          clusterIndex,
          n,
          (i) => hit[i] as number,
          comparisons === 'vsRest',
        ),
        params: { ...common, aggregation: 'mean of household means' },
        main: true,
        first,
      });
      inputs.push({
        input: householdFrame('cover', split, clusterIndex, n, (i) => cover[i] as number, false),
        params: { ...common, aggregation: 'mean of household means' },
        main: false,
        first,
      });
      inputs.push({
        input: frameInput('accuracy', split, clusterIndex, n, (i) => correct[i] as number, {
          withOverall: true,
          withRest: comparisons === 'vsRest',
        }),
        params: { ...common, aggregation: 'image mean' },
        main: true,
        first,
      });
    });
    for (const row of frameRows(inputs, nClusters, options.bootstrap, base, splits.length > 0, comparisons))
      rows.push(row);
  }
  return { rows, notes };
}
