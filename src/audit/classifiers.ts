/**
 * Class scores for the classifier-based evaluations: a model's own logits (zero-shot), or a probe on
 * frozen features (linear, BatchNorm+linear as vissl's eval_mlp, or kNN), trained once per model and
 * cached under OUT/cache/probes/<model>/<probe>/ with a hash of its inputs.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FairscopeError, UsageError } from '../core/errors.js';
import { stableHash } from '../core/hash.js';
import type { ManifestItem } from '../core/types.js';
import { classList, labelOf, parseLabelSource } from '../probe/dataset.js';
import { type Head, predictLogitsWith } from '../probe/head.js';
import { loadHead, saveHead } from '../probe/head-io.js';
import { buildKnnHead, knnLogits, predictKnn } from '../probe/knn-head.js';
import { trainLinearProbe } from '../probe/train.js';
import { type StoredEmbeddings, selectRows } from './embeddings.js';
import type { ProbeSpec } from './spec.js';

/** Scores of one classifier on some items, rows aligned with `items`. */
export interface ClassScores {
  items: ManifestItem[];
  /** (items.length, classes.length) row-major */
  logits: Float32Array;
  classes: string[];
  /** 'zero-shot-logits' or the probe's adaptation ('linear-probe', 'knn'). */
  adaptation: string;
  /** Plain-words description of the classifier, for the report. */
  detail: string;
}

export interface TrainedProbe {
  name: string;
  head: Head;
  detail: string;
}

/**
 * Fits a probe head on labelled embeddings: a linear (or BatchNorm + linear) softmax probe, or a kNN bank.
 * @param x (n, d) row-major
 * @param labels (n) class index into `classes`
 * @param ids (n) item ids (the kNN bank leaves a query out of its own vote)
 */
export function fitHead(
  spec: Pick<ProbeSpec, 'head' | 'l2' | 'maxIter'>,
  x: Float32Array,
  n: number,
  d: number,
  labels: Int32Array,
  classes: string[],
  ids: string[],
  seed: number,
): Promise<Head> {
  if (spec.head === 'knn') return Promise.resolve(buildKnnHead(x, n, d, labels, classes, ids));
  return trainLinearProbe(x, n, d, labels, classes.length, {
    head: spec.head,
    l2: spec.l2,
    maxIter: spec.maxIter,
    seed,
    classes,
  });
}

/**
 * A head's class scores for some rows (kNN: log vote weights).
 * @param x (n, head.dim) row-major
 * @param ids (n) item ids, for the kNN leave-one-out
 * @returns (n, head.classes.length) row-major
 */
export async function headLogits(
  head: Head,
  x: Float32Array,
  n: number,
  ids: string[],
): Promise<Float32Array> {
  if (head.adaptation === 'knn') return knnLogits((await predictKnn(head, x, n, ids)).scores);
  return predictLogitsWith(head, x, n);
}

/** Trains (or loads from the cache) one probe for one model. */
export async function trainProbe(
  name: string,
  spec: ProbeSpec,
  model: string,
  stored: StoredEmbeddings,
  trainItems: readonly ManifestItem[],
  outDir: string,
  seed: number,
): Promise<TrainedProbe> {
  const source = parseLabelSource(spec.labelFrom);
  const { items, embeddings } = selectRows(stored, trainItems);
  const labelled = items.map((it) => labelOf(it, source));
  const unlabelled = items.filter((_, i) => labelled[i] === undefined).map((it) => it.id);
  if (unlabelled.length > 0) {
    throw new UsageError(
      `probes.${name}: ${unlabelled.length} training item(s) have no class under labelFrom "${spec.labelFrom}", e.g. ${unlabelled.slice(0, 3).join(', ')}`,
    );
  }
  const classes = classList(labelled as string[]);
  if (classes.length < 2)
    throw new UsageError(`probes.${name}: training data has only ${classes.length} class(es)`);
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const labels = Int32Array.from(labelled as string[], (l) => classIndex.get(l) as number);
  const n = items.length;
  const d = stored.set.dim;
  const key = stableHash({
    spec,
    model,
    seed,
    ids: items.map((it) => it.id),
    modelId: stored.set.modelId,
    dim: d,
  });
  const dir = join(outDir, 'cache', 'probes', model, name);
  const keyFile = join(dir, 'key.txt');
  const describe = (head: Head) =>
    head.adaptation === 'knn'
      ? `kNN classifier (k=${head.k}, T=${head.temperature}) on frozen ${d}-d features, ${n} training images, ${classes.length} classes`
      : `${head.head === 'bn-linear' ? 'BatchNorm + linear' : 'linear'} probe (softmax regression, L2 ${spec.l2}) on frozen ${d}-d features, ${n} training images, ${classes.length} classes, training accuracy ${(100 * (head.metrics.trainAccuracy ?? Number.NaN)).toFixed(1)}%`;
  if (existsSync(keyFile) && (await readFile(keyFile, 'utf8')) === key) {
    const head = await loadHead(dir);
    return { name, head, detail: describe(head) };
  }
  const head = await fitHead(
    spec,
    embeddings,
    n,
    d,
    labels,
    classes,
    items.map((it) => it.id),
    seed,
  );
  await saveHead(dir, head);
  await writeFile(keyFile, key);
  return { name, head, detail: describe(head) };
}

/** Applies a trained probe, or the model's own logits, to some items. */
export async function classify(
  classifier: string,
  probes: ReadonlyMap<string, TrainedProbe>,
  stored: StoredEmbeddings,
  items: readonly ManifestItem[],
): Promise<ClassScores> {
  const rows = selectRows(stored, items);
  const n = rows.items.length;
  if (classifier === 'logits') {
    if (rows.logits === undefined || stored.set.classes === undefined) {
      throw new UsageError(
        `classifier "logits": model ${stored.set.modelId} has no logits; train a probe instead`,
      );
    }
    return {
      items: rows.items,
      logits: rows.logits,
      classes: stored.set.classes,
      adaptation: 'zero-shot-logits',
      detail: `the model's own ${stored.set.classes.length}-class head (zero-shot)`,
    };
  }
  const probe = probes.get(classifier.replace(/^probe:/, ''));
  if (probe === undefined) throw new FairscopeError(`classifier ${classifier} was not trained`);
  const { head } = probe;
  const logits = await headLogits(
    head,
    rows.embeddings,
    n,
    rows.items.map((it) => it.id),
  );
  return {
    items: rows.items,
    logits,
    classes: head.classes,
    adaptation: head.adaptation,
    detail: probe.detail,
  };
}
