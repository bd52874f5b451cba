/**
 * A kNN "head": the labelled bank the classifier votes with, saved like a linear head so that
 * `probe predict` / `probe eval` treat both adaptations alike.
 */
import { l2NormalizeRows } from '../linalg/normalize.js';
import type { KnnHead } from './head.js';
import { type KnnOptions, type KnnResult, knnPredict } from './knn.js';

/**
 * @param x (n, d) row-major bank features (normalised and copied here)
 * @param labels (n) class index per row
 * @param ids (n) item ids, used to leave an item out of its own vote at prediction
 */
export function buildKnnHead(
  x: Float32Array,
  n: number,
  d: number,
  labels: Int32Array,
  classes: string[],
  ids: string[],
  opts: { k?: number; temperature?: number } = {},
): KnnHead {
  const started = performance.now();
  if (ids.length !== n || labels.length !== n) {
    throw new RangeError(`buildKnnHead: ${n} rows but ${ids.length} ids and ${labels.length} labels`);
  }
  for (let i = 0; i < n; i++) {
    if (!(labels[i] >= 0 && labels[i] < classes.length)) {
      throw new RangeError(`buildKnnHead: labels[${i}] = ${labels[i]} is outside [0, ${classes.length})`);
    }
  }
  const k = opts.k ?? 20;
  const temperature = opts.temperature ?? 0.07;
  if (!Number.isInteger(k) || k < 1)
    throw new RangeError(`buildKnnHead: k must be a positive integer, got ${k}`);
  if (!(temperature > 0)) throw new RangeError(`buildKnnHead: temperature must be > 0, got ${temperature}`);
  return {
    adaptation: 'knn',
    head: 'knn',
    classes,
    dim: d,
    k,
    temperature,
    bank: l2NormalizeRows(x, n, d).data,
    bankIds: ids,
    bankLabels: Int32Array.from(labels),
    metrics: { bankCount: n, seconds: (performance.now() - started) / 1000 },
  };
}

/**
 * kNN votes of a head for new rows. A query whose id is in the bank does not vote with its own bank
 * row (leave-one-out), so predicting on the training embeddings is not trivially perfect.
 * @param x (n, head.dim) row-major
 * @param ids (n) query ids, or undefined to exclude nothing
 */
export function predictKnn(
  head: KnnHead,
  x: Float32Array,
  n: number,
  ids: string[] | undefined,
  opts: Pick<KnnOptions, 'backend' | 'threads'> = {},
): Promise<KnnResult> {
  let excludeBankRow: Int32Array | undefined;
  if (ids !== undefined) {
    const row = new Map(head.bankIds.map((id, i) => [id, i]));
    excludeBankRow = Int32Array.from(ids, (id) => row.get(id) ?? -1);
  }
  return knnPredict(head.bank, head.bankIds.length, head.dim, head.bankLabels, head.classes.length, x, n, {
    k: head.k,
    temperature: head.temperature,
    excludeBankRow,
    ...opts,
  });
}

/**
 * Vote scores as logits: log(votes), so that a softmax over classes gives each class's share of the
 * vote weight. A class with no votes gets -Infinity (probability exactly 0).
 * @param scores (n, c) summed vote weights
 */
export function knnLogits(scores: Float64Array): Float32Array {
  return Float32Array.from(scores, (s) => (s > 0 ? Math.log(s) : Number.NEGATIVE_INFINITY));
}
