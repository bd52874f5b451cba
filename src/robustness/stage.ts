/**
 * The robustness stage: natural shifts (with output masks and label maps), corruption sweeps with
 * corruption errors and mCE (normalised by a baseline model or published errors when given), and
 * effective robustness against baseline models, for every model and every group. It scores each
 * model's class scores against each set's targets (one scoring for both front doors), runs
 * evaluate.ts, and states the deviations that hold. `fairscope robustness` and the audit's
 * `robustness` entries both call evaluateRobustnessStage.
 */
import { deviation, deviationsThatHold } from '../core/deviations.js';
import { type StageResult, stageResult } from '../core/stage.js';
import type { FailedItem, ManifestItem } from '../core/types.js';
import type { ClassScores } from '../indicators/class-scores.js';
import { checkClassScores } from '../indicators/class-scores.js';
import { parseLabelSource } from '../probe/dataset.js';
import { requireAttributes } from '../stats/groups.js';
import type { MinimumGroupSize } from '../stats/sample-size.js';
import {
  type ConstantAccuracies,
  type ConstantBaselineErrors,
  type DatasetKind,
  EFFECTIVE_ROBUSTNESS_NOTE,
  type EvalDataset,
  type EvalModel,
  type EvalOutcome,
  evaluateRobustness,
  type RobustnessMetric,
  type ShiftFit,
} from './evaluate.js';
import { defaultAttributes } from './groups.js';
import {
  buildTargets,
  type ClassMap,
  classMask,
  labelSetsOf,
  type MaskSpec,
  targetWarnings,
} from './labels.js';
import { topKCorrect } from './scoring.js';

/** One evaluation set: in-distribution, a natural shift, or one corruption at one severity. */
export interface RobustnessSet {
  /** Unique within the evaluation (a corrupted set: e.g. "people~gaussian_noise-3"). */
  name: string;
  kind: DatasetKind;
  corruption?: string;
  severity?: number;
  /**
   * Sets with the same pairing are resampled jointly (clusters matched by name): a clean set and
   * its corrupted copies, a shift drawn from the same units. Default: the set's own name.
   */
  pairing?: string;
  items: readonly ManifestItem[];
  /** Classes the set is scored on (IN-A, IN-R, ObjectNet: 'present'); default 'none'. */
  mask?: MaskSpec;
  /** Dataset label → model class(es). */
  classMap?: ClassMap;
  /** Deviations of how the set was made (recorded by `fairscope corrupt` in corrupt.json). */
  deviations?: readonly string[];
}

/** One model's class scores on (some of) the sets, by set name. */
export interface RobustnessModel {
  id: string;
  scores: ReadonlyMap<string, ClassScores>;
}

export interface RobustnessStageOptions {
  /** Name of the in-distribution (clean) set. */
  inDistribution: string;
  /** Attributes whose groups get their own rows and gaps (default: every attribute with string values). */
  attributes?: readonly string[];
  /** Where an item's class comes from: 'labels' (default) or 'attr:NAME'. */
  labelFrom?: string;
  /** Default: every metric. */
  metrics?: readonly RobustnessMetric[];
  /** Normalises corruption errors: a model evaluated here, or published errors (AlexNet). */
  baseline?: { model: string } | ConstantBaselineErrors;
  /** Models (at least 2) or published accuracies that define the effective-robustness fit. */
  effectiveRobustness?: { models: readonly string[] } | { constants: readonly ConstantAccuracies[] };
  bootstrap: { seed: number; resamples: number; level: number };
  minimumGroupSize?: MinimumGroupSize;
  missingValues?: readonly string[];
}

export interface RobustnessStageResult extends StageResult {
  fits: ShiftFit[];
  /** Why some metric could not be computed at all. */
  warnings: string[];
  attributes: string[];
}

interface Context {
  corruptionSets: number;
  normalised: boolean;
  effectiveRobustness: boolean;
}

/** How robustness departs from SEER's evaluation, and when. */
export const ROBUSTNESS_DEVIATIONS = {
  unnormalised: deviation<Context>(
    'robustness.unnormalised-ce',
    (c) => c.corruptionSets > 0 && !c.normalised,
    "robustness: corruption errors and mCE are unnormalised (no baseline errors given, such as AlexNet's in Hendrycks & Dietterich); they are not comparable to published mCE.",
  ),
  effectiveRobustness: deviation<Context>(
    'robustness.effective-robustness',
    (c) => c.effectiveRobustness,
    `robustness: ${EFFECTIVE_ROBUSTNESS_NOTE}.`,
  ),
};

/**
 * Top-1/top-5 outcomes of one model's scores on one set: targets from the items' labels (or an
 * attribute) through the set's label map, scores masked to the set's classes; items without a
 * prediction, or without a class the model can predict, are not scored and say so.
 */
export function scoreSet(set: RobustnessSet, scores: ClassScores, labelFrom: string): EvalOutcome {
  checkClassScores(scores);
  const source = parseLabelSource(labelFrom);
  const rowOf = new Map(scores.items.map((it, i) => [it.id, i]));
  const { items } = set;
  const targets = buildTargets(labelSetsOf(items, source), scores.classes, set.classMap);
  const masked = classMask(set.mask ?? 'none', scores.classes, targets);
  const c = scores.classes.length;
  const scored = new Uint8Array(items.length);
  const positions: number[] = [];
  let missing = 0;
  items.forEach((item, i) => {
    const row = rowOf.get(item.id);
    if (row === undefined) {
      missing++;
      return;
    }
    if (targets.scorable[i] !== 1) return;
    scored[i] = 1;
    positions.push(i);
  });
  const logits = new Float32Array(positions.length * c);
  positions.forEach((i, j) => {
    const row = rowOf.get((items[i] as ManifestItem).id) as number;
    logits.set(scores.logits.subarray(row * c, (row + 1) * c), j * c);
  });
  const positives = positions.map((i) => targets.positives[i] as Int32Array);
  const hits1 = topKCorrect(logits, positions.length, c, positives, 1, masked.mask);
  const hits5 = topKCorrect(logits, positions.length, c, positives, 5, masked.mask);
  const top1 = new Uint8Array(items.length);
  const top5 = new Uint8Array(items.length);
  positions.forEach((i, j) => {
    top1[i] = hits1[j] as number;
    top5[i] = hits5[j] as number;
  });
  const warnings = targetWarnings(set.name, targets, masked);
  if (missing > 0) {
    warnings.push(
      `${set.name}: ${missing} item(s) have no prediction from ${scores.model} (failed images): not scored`,
    );
  }
  return { scored, top1, top5, warnings };
}

/**
 * Robustness of every model on every set, per group.
 * @throws InputError for class scores that are not finite or do not match the classes; RangeError
 *   for sets or options that do not fit together (an unknown in-distribution set or baseline model)
 */
export function evaluateRobustnessStage(
  sets: readonly RobustnessSet[],
  models: readonly RobustnessModel[],
  options: RobustnessStageOptions,
): RobustnessStageResult {
  const labelFrom = options.labelFrom ?? 'labels';
  const datasets: EvalDataset[] = sets.map((s) => ({
    name: s.name,
    kind: s.kind,
    ...(s.corruption === undefined ? {} : { corruption: s.corruption }),
    ...(s.severity === undefined ? {} : { severity: s.severity }),
    pairing: s.pairing ?? s.name,
    items: s.items,
  }));
  const failures: FailedItem[] = [];
  const evalModels: EvalModel[] = models.map((m) => {
    const outcomes = new Map<string, EvalOutcome>();
    for (const set of sets) {
      const scores = m.scores.get(set.name);
      if (scores === undefined) continue;
      outcomes.set(set.name, scoreSet(set, scores, labelFrom));
      failures.push(...(scores.excluded ?? []));
    }
    return { id: m.id, outcomes };
  });
  const attributes = [...(options.attributes ?? defaultAttributes(sets.map((s) => s.items)))];
  requireAttributes(
    attributes,
    sets.flatMap((s) => s.items),
    'groups',
  );
  const result = evaluateRobustness(datasets, evalModels, {
    inDistribution: options.inDistribution,
    attributes,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.baseline === undefined ? {} : { baseline: options.baseline }),
    ...(options.effectiveRobustness === undefined
      ? {}
      : { effectiveRobustness: options.effectiveRobustness }),
    bootstrap: options.bootstrap,
    ...(options.minimumGroupSize === undefined ? {} : { minimumGroupSize: options.minimumGroupSize }),
    ...(options.missingValues === undefined ? {} : { missingValues: options.missingValues }),
  });
  // Rows name the dataset they were computed on: a corrupted copy, and an aggregate over
  // corrupted copies, are rows of the clean set, told apart by their corruption parameters.
  const rows = result.rows.map((r) =>
    r.params.corruption !== undefined || r.params.set !== undefined
      ? { ...r, dataset: options.inDistribution }
      : r,
  );
  const setDeviations = sets.flatMap((s) => s.deviations ?? []);
  return {
    ...stageResult({
      rows,
      failures,
      notes: result.warnings.map((w) => `robustness: ${w}`),
      deviations: [
        ...new Set([
          ...setDeviations,
          ...deviationsThatHold(ROBUSTNESS_DEVIATIONS, {
            corruptionSets: sets.filter((s) => s.kind === 'corruption').length,
            normalised: options.baseline !== undefined,
            effectiveRobustness: rows.some((r) => r.metric === 'effective_robustness'),
          }),
        ]),
      ],
    }),
    fits: result.fits,
    warnings: result.warnings,
    attributes,
  };
}
