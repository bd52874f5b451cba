/**
 * The geographic stage (Indicator 2, protocols.md 4): checks its inputs, maps classes to concepts,
 * computes the rows (geographic.ts) under the chosen reading of Dollar Street (geographic-units.ts;
 * default 'vissl', the released code) and states the deviations that hold. `fairscope indicator
 * geographic` and the audit's `indicators.geographic` entries both call evaluateGeographic.
 */
import { deviation, deviationsThatHold } from '../core/deviations.js';
import { type StageResult, stageResult } from '../core/stage.js';
import type { ComparisonKind, ResultRow, RowParams } from '../core/types.js';
import { preprocessDeviations } from '../embed/deviations.js';
import { DEFAULT_MISSING_VALUES } from '../stats/groups.js';
import type { FrameOptions } from '../stats/metric-frame.js';
import { type ClassScores, checkClassScores } from './class-scores.js';
import { parseConceptMap } from './concept-map.js';
import {
  DEFAULT_GEOGRAPHIC_GROUPS,
  GEOGRAPHIC_THRESHOLDS,
  geographic,
  withIncomeBuckets,
} from './geographic.js';
import { DEFAULT_GEOGRAPHIC_PROTOCOL, type GeographicProtocol, type ImagesList } from './geographic-units.js';
import { comparisonsOf, type GroupSpec, groupingsOf, groupSpecsOf } from './group-specs.js';

export interface GeographicStageOptions {
  /** A class → concepts map as read from `file` (parsed against the classes here); absent: every class is its own concept. */
  conceptMap?: { raw: unknown; file: string };
  /** Default GEOGRAPHIC_THRESHOLDS ([0], Dollar Street's THRESHOLDS). */
  thresholds?: readonly number[];
  /** Default: region, income bucket and their intersection. */
  groups?: readonly GroupSpec[];
  missingValues?: readonly string[];
  /** Group tests (default 'vsRest'). */
  comparisons?: ComparisonKind | 'none';
  bootstrap: FrameOptions;
  /**
   * How Dollar Street is scored (default 'vissl'): 'vissl' scores every (label, image) entry on its
   * own with confidences rounded to 5 decimals before the threshold test, as the released script
   * does; 'paper' scores each image once, a hit when any of its labels is, unrounded.
   */
  protocol?: GeographicProtocol;
  /**
   * Only these entries are scored: vissl's overlapped-images list (paths ending in
   * `{label}/{_id}.<ext>`) or item ids, as read from `file` (node/images-list.ts readImagesList).
   */
  imagesList?: ImagesList;
}

interface Context {
  protocol: GeographicProtocol;
  multiLabelItems: number;
}

/** Parameters every geographic row has. */
export type GeographicParams = RowParams & {
  threshold: number;
  topK: number;
  unit: string;
  aggregation: string;
  protocol: GeographicProtocol;
  /** The images list's file, when one restricted the entries. */
  imagesList?: string;
};
export type GeographicRow = ResultRow<GeographicParams>;

/** How the geographic indicator departs from vissl's script, and when. */
export const GEOGRAPHIC_DEVIATIONS = {
  paperProtocol: deviation<Context>(
    'geographic.protocol-paper',
    (c) => c.protocol === 'paper',
    'geographic: protocol "paper": the hit and cover tests compare unrounded confidences with t (the reference code rounds them to 5 decimals first, round(p, 5) > t, so a class with p ≤ 5e-6 is a miss there even at t = 0).',
  ),
  deduplicated: deviation<Context>(
    'geographic.deduplicated',
    (c) => c.protocol === 'paper' && c.multiLabelItems > 0,
    (c) =>
      `geographic: ${c.multiLabelItems} image(s) listed under several labels are one item each, a hit when any label is hit (the de-duplication of [P-FI] §3.2; commented out in the reference code, which scores each (label, image) entry).`,
  ),
};

/** Default groups as a list. */
export const DEFAULT_GEOGRAPHIC_GROUP_SPECS: readonly GroupSpec[] = Object.freeze(
  groupSpecsOf(DEFAULT_GEOGRAPHIC_GROUPS) as GroupSpec[],
);

/**
 * Indicator 2 on one classifier's scores of one dataset (items: one per image, labels = its
 * concepts, cluster = household).
 * @throws InputError for scores that are not finite or do not match the classes, a concept map that
 *   names unknown classes; UsageError for a group attribute no item has
 */
export function evaluateGeographic(
  scores: ClassScores,
  options: GeographicStageOptions,
): StageResult<GeographicRow> {
  checkClassScores(scores);
  const where = `geographic (${scores.model}, ${scores.dataset})`;
  const protocol = options.protocol ?? DEFAULT_GEOGRAPHIC_PROTOCOL;
  const conceptsOfClass =
    options.conceptMap === undefined
      ? scores.classes.map((c) => [c])
      : parseConceptMap(options.conceptMap.raw, options.conceptMap.file, scores.classes).conceptsOfClass;
  const groupings = groupingsOf(
    options.groups ?? DEFAULT_GEOGRAPHIC_GROUP_SPECS,
    withIncomeBuckets(scores.items).items,
  );
  const out = geographic(scores.items, scores.logits, {
    model: scores.model,
    dataset: scores.dataset,
    conceptsOfClass,
    thresholds: options.thresholds ?? GEOGRAPHIC_THRESHOLDS,
    groupings,
    missingValues: options.missingValues ?? DEFAULT_MISSING_VALUES,
    comparisons: comparisonsOf(options),
    bootstrap: options.bootstrap,
    protocol,
    ...(options.imagesList === undefined ? {} : { imagesList: options.imagesList }),
  });
  const notes = out.notes.map((n) => `${where}: ${n}`);
  const unmapped = conceptsOfClass.filter((c) => c.length === 0).length;
  if (unmapped > 0) notes.push(`${where}: ${unmapped} of ${scores.classes.length} classes map to no concept`);
  const excluded = scores.excluded ?? [];
  if (excluded.length > 0)
    notes.push(`${where}: ${excluded.length} item(s) excluded (no prediction): see failures`);
  return stageResult({
    rows: out.rows as GeographicRow[],
    notes,
    failures: excluded,
    deviations: [
      ...preprocessDeviations(scores.model, scores.preprocess),
      ...deviationsThatHold(GEOGRAPHIC_DEVIATIONS, {
        protocol,
        multiLabelItems: scores.items.filter((it) => it.labels.length > 1).length,
      }),
    ],
  });
}
