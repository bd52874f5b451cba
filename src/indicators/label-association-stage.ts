/**
 * The label-association stage (Indicator 1, protocols.md 3): checks its inputs, computes the rows
 * (label-association.ts) and states the deviations that hold for this run. `fairscope indicator
 * label-association` and the audit's `indicators.label-association` entries both call
 * evaluateLabelAssociation.
 */
import { deviation, deviationsThatHold } from '../core/deviations.js';
import { InputError } from '../core/errors.js';
import { type StageResult, stageResult } from '../core/stage.js';
import type { ComparisonKind, ResultRow, RowParams } from '../core/types.js';
import { preprocessDeviations } from '../embed/deviations.js';
import { DEFAULT_MISSING_VALUES, isMissingGroup, splitByGrouping } from '../stats/groups.js';
import type { FrameOptions } from '../stats/metric-frame.js';
import { type ClassScores, checkClassScores } from './class-scores.js';
import { comparisonsOf, type GroupSpec, groupingsOf } from './group-specs.js';
import { LABEL_ASSOCIATION_THRESHOLDS, labelAssociation } from './label-association.js';
import { checkTaxonomyCoverage, type Taxonomy } from './taxonomy.js';

export type PerClass = 'taxonomy' | 'all' | 'none';

/** Parameters every label-association row has (plus association, class, label... by metric). */
export type LabelAssociationParams = RowParams & { tau: number; topK: number; taxonomy: string };
export type LabelAssociationRow = ResultRow<LabelAssociationParams>;

export interface LabelAssociationStageOptions {
  taxonomy: Taxonomy;
  /**
   * Human label name of each class (default: the class names): a map {class: name | [names]} whose
   * first name is used (protocols.md 9.7), read from `file`.
   */
  labelNameMap?: { map: Readonly<Record<string, unknown>>; file: string };
  /** Default LABEL_ASSOCIATION_THRESHOLDS (0, 0.1, 0.3, 0.8). */
  thresholds?: readonly number[];
  /** Default: every attribute with string values. */
  groups?: readonly GroupSpec[];
  /** Values reported but left out of gaps and tests (default DEFAULT_MISSING_VALUES). */
  missingValues?: readonly string[];
  /** Per-class prediction rates (default 'taxonomy'). */
  perClass?: PerClass;
  /** Group tests (default 'vsRest'). */
  comparisons?: ComparisonKind | 'none';
  /** Go on when taxonomy labels are not among the class label names (default false: an error). */
  partialTaxonomy?: boolean;
  /** Names the label-name or class file in the partial-taxonomy error. */
  classesFile?: string;
  bootstrap: FrameOptions;
}

interface Context {
  taxonomy: Taxonomy;
  missingLabels: string[];
  missingGroups: boolean;
}

/** How label association departs from vissl's scripts, and when. */
export const LABEL_ASSOCIATION_DEVIATIONS = {
  notRounded: deviation<Context>(
    'label-association.not-rounded',
    () => true,
    'label-association: values are not rounded (the reference code rounds hit rates to 3 decimals and confidences to 5 decimals before comparing them with the disparate-label threshold).',
  ),
  missingGroups: deviation<Context>(
    'label-association.missing-groups-reported',
    (c) => c.missingGroups,
    'label-association: groups with missing values (n/a, unknown) are reported, and left out of gaps and tests (the reference printer drops them).',
  ),
  harmfulUnion: deviation<Context>(
    'label-association.harmful-union',
    (c) => c.taxonomy.harmfulTypes.length > 0,
    (c) =>
      `label-association: the aggregated "Harmful" rate (${c.taxonomy.harmfulTypes.join(' ∪ ')}) is our inference; the reference code reports each type separately.`,
  ),
  partialTaxonomy: deviation<Context>(
    'label-association.partial-taxonomy',
    (c) => c.missingLabels.length > 0,
    (c) => `label-association: partial taxonomy coverage; absent labels: ${c.missingLabels.join(', ')}.`,
  ),
};

/**
 * The label name of each class from a map {class: name | [names]}: the first name (protocols.md 9.7).
 * @throws InputError naming the file: a class without a name, or a value that is not a name
 */
export function labelNamesOf(
  labelNameMap: { map: Readonly<Record<string, unknown>>; file: string },
  classes: readonly string[],
): string[] {
  const { map, file } = labelNameMap;
  const absent = classes.filter((c) => map[c] === undefined);
  if (absent.length > 0) {
    throw new InputError(
      file,
      `${absent.length} class(es) have no label name: ${absent.slice(0, 5).join(', ')}${absent.length > 5 ? ', ...' : ''}`,
    );
  }
  return classes.map((c) => {
    const v = map[c];
    const name = Array.isArray(v) ? v[0] : v;
    if (typeof name !== 'string' || name === '') {
      throw new InputError(file, `must be a label name or a list of them, got ${JSON.stringify(v)}`, {
        field: c,
      });
    }
    return name;
  });
}

/**
 * Indicator 1 on one classifier's scores of one dataset.
 * @throws InputError for scores that are not finite or do not match the classes, a taxonomy whose
 *   labels are not among the class label names (unless partialTaxonomy); UsageError for a group
 *   attribute no item has
 */
export function evaluateLabelAssociation(
  scores: ClassScores,
  options: LabelAssociationStageOptions,
): StageResult<LabelAssociationRow> {
  checkClassScores(scores);
  const labelNames =
    options.labelNameMap === undefined ? undefined : labelNamesOf(options.labelNameMap, scores.classes);
  const names = labelNames ?? scores.classes;
  const { missing } = checkTaxonomyCoverage(options.taxonomy, names, {
    allowPartial: options.partialTaxonomy ?? false,
    ...(options.classesFile === undefined ? {} : { classesFile: options.classesFile }),
  });
  const groupings = groupingsOf(options.groups, scores.items);
  const missingValues = options.missingValues ?? DEFAULT_MISSING_VALUES;
  const missingSet = new Set(missingValues);
  const rows = labelAssociation(scores.items, scores.logits, {
    model: scores.model,
    dataset: scores.dataset,
    taxonomy: options.taxonomy,
    classes: scores.classes,
    ...(labelNames === undefined ? {} : { labelNames }),
    thresholds: options.thresholds ?? LABEL_ASSOCIATION_THRESHOLDS,
    groupings,
    missingValues,
    perClass: options.perClass ?? 'taxonomy',
    comparisons: comparisonsOf(options),
    bootstrap: options.bootstrap,
  });
  const missingGroups = groupings.some((g) =>
    splitByGrouping(scores.items, g).groups.some((group) => isMissingGroup(group, missingSet)),
  );
  const notes: string[] = [];
  if (missing.length > 0) {
    notes.push(
      `label-association (${scores.model}, ${scores.dataset}): taxonomy labels not among the classes, never predicted: ${missing.join(', ')}`,
    );
  }
  const excluded = scores.excluded ?? [];
  if (excluded.length > 0) {
    notes.push(
      `label-association (${scores.model}, ${scores.dataset}): ${excluded.length} item(s) excluded (no prediction): see failures`,
    );
  }
  return stageResult({
    rows: rows as LabelAssociationRow[],
    notes,
    failures: excluded,
    deviations: [
      ...preprocessDeviations(scores.model, scores.preprocess),
      ...deviationsThatHold(LABEL_ASSOCIATION_DEVIATIONS, {
        taxonomy: options.taxonomy,
        missingLabels: missing,
        missingGroups,
      }),
    ],
  });
}
