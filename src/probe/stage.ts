/**
 * The probe stages: fit a head on frozen embeddings (a linear or BatchNorm+linear softmax probe, or
 * a kNN bank), predict class scores with it, and measure its top-k accuracy overall and per group.
 * `fairscope probe train|predict|eval`, the audit's probes and the curation evaluation all call
 * these functions, with the same options and defaults.
 */
import { InputError } from '../core/errors.js';
import { type StageResult, stageResult } from '../core/stage.js';
import type { ManifestItem, ResultRow, RowParams } from '../core/types.js';
import type { EmbeddedItems } from '../embed/join.js';
import { requireAttributes } from '../stats/groups.js';
import type { FrameOptions } from '../stats/metric-frame.js';
import { classList, formatLabelSource, type LabelSource, labelOf, parseLabelSource } from './dataset.js';
import { accuracyReport } from './evaluate.js';
import { type Head, type HeadKind, predictLogitsWith } from './head.js';
import { buildKnnHead, knnLogits, predictKnn } from './knn-head.js';
import type { ComputeBackend } from './products.js';
import { type ProbeOptions, trainLinearProbe } from './train.js';

/** Everything a probe can be asked for, from the command line or the audit spec. */
export interface ProbeFitOptions extends Omit<ProbeOptions, 'head' | 'classes' | 'seed'> {
  /** 'linear' (default, L-BFGS), 'bn-linear' (vissl's eval_mlp, SGD) or 'knn'. */
  head?: HeadKind;
  /** Where an item's class comes from: 'labels' (its first label, default) or 'attr:NAME'. */
  labelFrom?: string;
  /** Leave out (and count) training items without a class instead of failing. */
  skipUnlabeled?: boolean;
  /** kNN: neighbours (default 20) and vote temperature (default 0.07). */
  k?: number;
  temperature?: number;
  seed?: number;
}

/** Items with their class under a label source; items without one are an error unless skipped. */
function labelled(
  items: readonly ManifestItem[],
  source: LabelSource,
  where: string,
  skipUnlabeled: boolean,
): { keep: number[]; labels: string[]; skipped: number } {
  const keep: number[] = [];
  const labels: string[] = [];
  const missing: string[] = [];
  items.forEach((item, i) => {
    const label = labelOf(item, source);
    if (label === undefined || label === '') missing.push(item.id);
    else {
      keep.push(i);
      labels.push(label);
    }
  });
  if (missing.length > 0 && !skipUnlabeled) {
    const field = source.kind === 'labels' ? 'labels' : `attrs.${source.name}`;
    throw new InputError(
      where,
      `${missing.length} item(s) have no class in ${field}, e.g. ${missing
        .slice(0, 3)
        .map((id) => `"${id}"`)
        .join(', ')} (skipUnlabeled / --skip-unlabeled leaves such items out)`,
      { field },
    );
  }
  return { keep, labels, skipped: missing.length };
}

/**
 * Fits a head on labelled rows.
 * @param x (n, d) row-major
 * @param labels (n) class index into `classes`
 * @param ids (n) item ids (the kNN bank leaves a query out of its own vote)
 */
export function fitHead(
  x: Float32Array,
  n: number,
  d: number,
  labels: Int32Array,
  classes: string[],
  ids: string[],
  options: ProbeFitOptions,
): Promise<Head> {
  const { head = 'linear', k, temperature, labelFrom: _labelFrom, skipUnlabeled: _skip, ...linear } = options;
  if (head === 'knn') {
    return Promise.resolve(
      buildKnnHead(x, n, d, labels, classes, ids, {
        ...(k === undefined ? {} : { k }),
        ...(temperature === undefined ? {} : { temperature }),
      }),
    );
  }
  return trainLinearProbe(x, n, d, labels, classes.length, {
    ...linear,
    head,
    classes,
    seed: options.seed ?? 0,
  });
}

/** A fitted head and what it was fitted on. */
export interface ProbeFit extends StageResult {
  head: Head;
  /** Training items used (labelled, embedded). */
  trainItems: number;
  skippedUnlabeled: number;
}

/**
 * Fits a probe on a dataset's frozen embeddings; the head records the model, preprocessing and
 * label source it was fitted with.
 * @throws InputError for items without a class (unless skipUnlabeled), fewer than two classes
 */
export async function fitProbe(train: EmbeddedItems, options: ProbeFitOptions): Promise<ProbeFit> {
  const source = parseLabelSource(options.labelFrom ?? 'labels');
  const { keep, labels, skipped } = labelled(
    train.items,
    source,
    train.manifest,
    options.skipUnlabeled ?? false,
  );
  const classes = classList(labels);
  if (classes.length < 2) {
    throw new InputError(
      train.manifest,
      `the training data of ${train.dataset} has ${classes.length} class(es); a probe needs two`,
    );
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const d = train.dim;
  const n = keep.length;
  const x = n === train.items.length ? train.embeddings : new Float32Array(n * d);
  if (x !== train.embeddings)
    keep.forEach((r, i) => {
      x.set(train.embeddings.subarray(r * d, (r + 1) * d), i * d);
    });
  const y = Int32Array.from(labels, (l) => index.get(l) as number);
  const ids = keep.map((i) => (train.items[i] as ManifestItem).id);
  const head = await fitHead(x, n, d, y, classes, ids, options);
  head.source = {
    modelId: train.modelId,
    ...(train.preprocessHash === undefined ? {} : { preprocessHash: train.preprocessHash }),
    labelFrom: formatLabelSource(source),
  };
  const notes = skipped > 0 ? [`probe on ${train.dataset}: skipped ${skipped} item(s) without a class`] : [];
  return {
    ...stageResult({ notes, failures: train.excluded }),
    head,
    trainItems: n,
    skippedUnlabeled: skipped,
  };
}

/** Engine options of prediction. */
export interface PredictOptions {
  backend?: ComputeBackend;
  threads?: number;
}

/**
 * A head's class scores for some rows: raw linear scores z = W·h + b, or kNN log vote weights
 * (−Infinity for a class without votes); a softmax over all classes gives probabilities.
 * @param x (n, head.dim) row-major
 * @param ids (n) item ids (a kNN query does not vote with its own bank row)
 * @returns (n, head.classes.length) row-major
 */
export async function probeLogits(
  head: Head,
  x: Float32Array,
  n: number,
  ids: string[],
  options: PredictOptions = {},
): Promise<Float32Array> {
  if (head.adaptation === 'knn') return knnLogits((await predictKnn(head, x, n, ids, options)).scores);
  return predictLogitsWith(head, x, n, options.backend, options.threads);
}

/**
 * Checks that a head can score a set of embeddings: same dimension, and the same model when the
 * head records one.
 */
export function checkHeadFits(
  head: Head,
  headName: string,
  data: Pick<EmbeddedItems, 'dim' | 'modelId' | 'store'>,
): void {
  if (data.dim !== head.dim) {
    throw new InputError(
      data.store,
      `embeddings have dim ${data.dim}, but the head ${headName} expects ${head.dim}`,
      {
        field: 'embedding',
      },
    );
  }
  const trainedOn = head.source?.modelId;
  if (trainedOn !== undefined && trainedOn !== data.modelId) {
    throw new InputError(
      data.store,
      `embeddings come from model "${data.modelId}", but the head ${headName} was trained on "${trainedOn}"`,
      { field: 'modelId' },
    );
  }
}

/** Parameters every probe-accuracy row has. */
export type ProbeAccuracyParams = RowParams & {
  adaptation: string;
  head: string;
  labelFrom: string;
  resamples: number;
  level: number;
};
export type ProbeAccuracyRow = ResultRow<ProbeAccuracyParams>;

/**
 * The prediction stage: a head's class scores for every row of a store (checked to fit the head).
 * @returns (ids.length, head.classes.length) row-major
 */
export function predictWithProbe(
  head: Head,
  headName: string,
  data: { ids: string[]; embeddings: Float32Array; dim: number; modelId: string; store: string },
  options: PredictOptions = {},
): Promise<Float32Array> {
  checkHeadFits(head, headName, data);
  return probeLogits(head, data.embeddings, data.ids.length, data.ids, options);
}

export interface ProbeEvalOptions {
  /** Model name in the rows. */
  model: string;
  /** The head's name in messages (its folder). */
  headName?: string;
  /** Default: the head's label source. */
  labelFrom?: string;
  skipUnlabeled?: boolean;
  /** k of top-k accuracy (default 1 and 5; a k not below the class count is skipped as trivial). */
  ks?: readonly number[];
  /** Attributes to disaggregate by, each on its own. */
  groupBy?: readonly string[];
  /** Values reported but left out of gaps (default DEFAULT_MISSING_VALUES). */
  missingValues?: readonly string[];
  bootstrap: FrameOptions;
  predict?: PredictOptions;
}

/**
 * Top-k accuracy of a head on a labelled test set, overall and per group, with clustered bootstrap
 * intervals (indicator 'probe').
 */
export async function evaluateProbe(
  head: Head,
  test: EmbeddedItems,
  options: ProbeEvalOptions,
): Promise<StageResult<ProbeAccuracyRow>> {
  checkHeadFits(head, options.headName ?? 'the head', test);
  const labelFrom = options.labelFrom ?? head.source?.labelFrom ?? 'labels';
  const source = parseLabelSource(labelFrom);
  const {
    keep,
    labels: names,
    skipped,
  } = labelled(test.items, source, test.manifest, options.skipUnlabeled ?? false);
  const d = test.dim;
  const items = keep.map((i) => test.items[i] as ManifestItem);
  const x = keep.length === test.items.length ? test.embeddings : new Float32Array(keep.length * d);
  if (x !== test.embeddings)
    keep.forEach((r, i) => {
      x.set(test.embeddings.subarray(r * d, (r + 1) * d), i * d);
    });
  const index = new Map(head.classes.map((name, i) => [name, i]));
  const labels = Int32Array.from(names, (name) => index.get(name) ?? -1);
  const unknown = labels.filter((y) => y < 0).length;
  const scores = await probeLogits(
    head,
    x,
    items.length,
    items.map((it) => it.id),
    options.predict,
  );
  const boot = options.bootstrap;
  requireAttributes(options.groupBy ?? [], test.items, '--group-by');
  const report = accuracyReport(scores, head.classes.length, items, labels, {
    ks: [...(options.ks ?? [1, 5])],
    groupBy: [...(options.groupBy ?? [])],
    seed: boot.seed,
    ...(boot.resamples === undefined ? {} : { resamples: boot.resamples }),
    ...(boot.level === undefined ? {} : { level: boot.level }),
    ...(boot.minimumGroupSize === undefined ? {} : { minimumGroupSize: boot.minimumGroupSize }),
    ...(options.missingValues === undefined ? {} : { missingValues: options.missingValues }),
  });
  const params = {
    adaptation: head.adaptation,
    head: head.head,
    labelFrom,
    resamples: boot.resamples ?? 1000,
    level: boot.level ?? 0.95,
  };
  const rows: ResultRow[] = report.frames.flatMap(({ k, attribute, frame }, i) =>
    frame.toRows({
      model: options.model,
      indicator: 'probe',
      dataset: test.dataset,
      params,
      // The overall value once per k: every frame of one k shares it.
      overall: report.frames.findIndex((f) => f.k === k) === i,
      differences: attribute !== null,
    }),
  );
  const where = `probe (${options.model}, ${test.dataset})`;
  const notes: string[] = [];
  if (unknown > 0)
    notes.push(`${where}: ${unknown} item(s) have a class the head does not know: counted as misses`);
  if (skipped > 0) notes.push(`${where}: skipped ${skipped} item(s) without a class`);
  if (test.excluded.length > 0)
    notes.push(`${where}: ${test.excluded.length} item(s) excluded (no embedding): see failures`);
  return stageResult({ rows: rows as ProbeAccuracyRow[], notes, failures: test.excluded });
}

/** Describes a head for the report's model table. */
export function describeHead(head: Head, trainItems: number): string {
  return head.adaptation === 'knn'
    ? `kNN classifier (k=${head.k}, T=${head.temperature}) on frozen ${head.dim}-d features, ${trainItems} training images, ${head.classes.length} classes`
    : `${head.head === 'bn-linear' ? 'BatchNorm + linear' : 'linear'} probe (softmax regression, L2 ${head.options.l2}) on frozen ${head.dim}-d features, ${trainItems} training images, ${head.classes.length} classes, training accuracy ${(100 * (head.metrics.trainAccuracy ?? Number.NaN)).toFixed(1)}%`;
}
