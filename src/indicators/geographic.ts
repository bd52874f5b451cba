/**
 * Indicator 2, geographical diversity on Dollar Street (protocols.md 4), under one of two readings
 * (geographic-units.ts): 'vissl', the released code (default), scores every (label, image) entry on
 * its own; 'paper' scores each image once, a hit when any of its labels is (the de-duplication of 4.2
 * step 1, commented out in the code).
 * - hit = 1 if the ground-truth concept is among the concepts mapped from a class j of the
 *   thresholded top-5 with conf_j > t (strict; `_is_hit_naive`); under 'vissl' conf_j is first
 *   rounded to 5 decimals as the script stores it (`round(p, 5) > t`, numpy's half to even), so a
 *   class with p ≤ 5e-6 is a miss even at t = 0; under 'paper' it is not rounded;
 * - cover = 1 if any thresholded top-5 confidence is ≥ t (rounded likewise under 'vissl');
 * - hit rate of a group = mean over its households of the household's mean hit (4.2 steps 2-3; vissl's
 *   groupby over household rows), not unit-weighted; intervals resample households;
 * - accuracy = the per-unit variant (get_per_attribute_accuracy): share of units with a ground-truth
 *   concept in the mapped thresholded top-5, unit-weighted, unrounded confidences.
 * The top-5 is the first 5 of the top-10 with p ≥ t (unrounded), as vissl's loader filters with its
 * PRED_CONFIDENCE_THRESHOLD; for t > 0 this reads t as both of the script's knobs (it ships 0.0).
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
import {
  DEFAULT_GEOGRAPHIC_PROTOCOL,
  type GeographicProtocol,
  type ImagesList,
  type ScoredUnits,
  scoredUnits,
} from './geographic-units.js';
import { incomeBucket, OUT_OF_RANGE } from './income.js';
import { numpyRound, VISSL_SCORE_DECIMALS } from './numpy-round.js';
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
  /** How Dollar Street is scored (default 'vissl'). */
  protocol?: GeographicProtocol;
  /** Only these entries are scored (vissl's overlapped-images list: paths or item ids). */
  imagesList?: ImagesList;
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

/** Notes on what the reading scores: entries, unmappable labels, the images list. */
function unitNotes(
  items: readonly ManifestItem[],
  scored: ScoredUnits,
  protocol: GeographicProtocol,
  mapped: ReadonlySet<string>,
  imagesList: ImagesList | undefined,
): string[] {
  const notes: string[] = [];
  const what = protocol === 'vissl' ? '(label, image) entries' : 'images';
  if (protocol === 'vissl' && scored.units.length !== items.length) {
    notes.push(
      `protocol vissl: ${scored.units.length} (label, image) entries from ${items.length} images, each scored on its own (an image with several labels counts once per label)`,
    );
  }
  if (scored.unlabelled > 0) {
    notes.push(
      protocol === 'vissl'
        ? `${scored.unlabelled} image(s) have no ground-truth concept: no entry, not scored`
        : `${scored.unlabelled} image(s) have no ground-truth concept and can never be a hit`,
    );
  }
  const unmappable = scored.units.filter((u) => u.labels.length > 0 && !u.labels.some((l) => mapped.has(l)));
  if (unmappable.length > 0) {
    const labels = [...new Set(unmappable.flatMap((u) => u.labels))].sort();
    notes.push(
      `${unmappable.length} ${what} have no ground-truth concept that a class maps to, and can never be a hit (${labels.slice(0, 5).join(', ')}${labels.length > 5 ? ', ...' : ''})`,
    );
  }
  if (scored.listed !== undefined && imagesList !== undefined) {
    const { entries, unmatched, leftOut } = scored.listed;
    notes.push(
      `images list ${imagesList.file}: ${entries} entries; ${scored.units.length} ${what} scored, ${leftOut} (label, image) entries not listed are left out`,
    );
    if (unmatched.length > 0) {
      notes.push(
        `images list ${imagesList.file}: ${unmatched.length} entries name no image of the manifest (e.g. ${unmatched.slice(0, 3).join(', ')})`,
      );
    }
  }
  return notes;
}

/**
 * Computes Indicator 2 on images (one item per image, labels = its concepts, cluster = household)
 * aligned with logits rows.
 * @param logits (items.length, conceptsOfClass.length) row-major, finite
 */
export function geographic(
  inputItems: readonly ManifestItem[],
  logits: Float32Array,
  options: GeographicOptions,
): IndicatorOutput {
  const notes: string[] = [];
  const protocol = options.protocol ?? DEFAULT_GEOGRAPHIC_PROTOCOL;
  const { items: images, outOfRange } = withIncomeBuckets(inputItems);
  const nClasses = options.conceptsOfClass.length;
  const ranked = rankPredictions(logits, images.length, nClasses, CANDIDATES);
  const scored = scoredUnits(images, protocol, options.imagesList?.ids);
  const items = scored.units;
  const n = items.length;
  if (outOfRange > 0)
    notes.push(`${outOfRange} image(s) have an income outside the bucket range: group "${OUT_OF_RANGE}"`);
  const { clusterIndex, nClusters } = indexClusters(items);
  const withoutHousehold = images.filter((it) => it.cluster === undefined).length;
  if (withoutHousehold > 0) {
    notes.push(`${withoutHousehold} image(s) have no household (cluster): each counts as its own household`);
  }
  const mapped = new Set(options.conceptsOfClass.flat());
  notes.push(...unitNotes(images, scored, protocol, mapped, options.imagesList));
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
    // vissl compares the score it stored, str(round(p, 5)); the paper reading the score itself.
    const score =
      protocol === 'vissl' ? (p: number) => numpyRound(p, VISSL_SCORE_DECIMALS) : (p: number) => p;
    items.forEach((item, i) => {
      const image = scored.imageOf[i] as number;
      const positions = thresholdedPositions(ranked, image, t, TOP_K);
      const slots = positions.map((j) => ({
        concepts: options.conceptsOfClass[
          ranked.classes[image * ranked.candidates + j] as number
        ] as readonly string[],
        p: ranked.probabilities[image * ranked.candidates + j] as number,
      }));
      // _is_hit_naive: the first slot holding a ground-truth concept decides (the highest score).
      const truth = new Set(item.labels);
      const first = slots.find((s) => s.concepts.some((c) => truth.has(c)));
      hit[i] = first !== undefined && score(first.p) > t ? 100 : 0;
      cover[i] = slots.some((s) => score(s.p) >= t) ? 100 : 0;
      correct[i] = first !== undefined ? 100 : 0;
    });
    const common = {
      threshold: t,
      topK: TOP_K,
      unit: 'percent',
      protocol,
      ...(options.imagesList === undefined ? {} : { imagesList: options.imagesList.file }),
    };
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
