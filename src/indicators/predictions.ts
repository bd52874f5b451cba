/**
 * From logits to the thresholded top-k predictions of protocols.md 2.2: the top-10 classes by logit
 * (ties by class index, 9.10), their softmax over ALL classes (9.5), then for a threshold τ the first
 * 5 of those whose softmax is ≥ τ (equal to top-5 ∩ {p ≥ τ} since the list is sorted).
 */
import { InputError } from '../core/errors.js';
import { TopKRows } from '../linalg/topk.js';

/** The protocol's candidate list (accuracy_list_meter topk_values: [10]) and kept predictions. */
export const CANDIDATES = 10;
export const TOP_K = 5;

/** Top candidates of every item. */
export interface RankedPredictions {
  n: number;
  candidates: number;
  /** (n, candidates) class indices, by descending logit, ties by ascending index. */
  classes: Int32Array;
  /** (n, candidates) softmax probability of each candidate, over all classes (float64). */
  probabilities: Float64Array;
  /** (n, candidates) 1 where the candidate's logit is finite (0: −Infinity, no kNN vote). */
  scored: Uint8Array;
}

/**
 * Ranks the classes of every item and computes the candidates' softmax probabilities.
 * @param logits (n, nClasses) row-major, finite
 */
export function rankPredictions(
  logits: Float32Array,
  n: number,
  nClasses: number,
  candidates = CANDIDATES,
): RankedPredictions {
  const k = Math.min(candidates, nClasses);
  const top = new TopKRows(n, k);
  // -Infinity logits (classes a kNN head gave no vote) rank last, by class index, like any tie.
  top.push(logits, n, nClasses, 0, 0);
  top.finish();
  const probabilities = new Float64Array(n * k);
  const scored = Uint8Array.from(top.values.subarray(0, n * k), (v) =>
    v === Number.NEGATIVE_INFINITY ? 0 : 1,
  );
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * nClasses, (i + 1) * nClasses);
    const max = top.values[i * k] as number;
    let sum = 0;
    for (let c = 0; c < nClasses; c++) sum += Math.exp((row[c] as number) - max);
    for (let j = 0; j < k; j++) {
      probabilities[i * k + j] = Math.exp((top.values[i * k + j] as number) - max) / sum;
    }
  }
  return { n, candidates: k, classes: top.indices, probabilities, scored };
}

/**
 * Positions (into the item's candidate list) of its thresholded top-k: candidates with
 * probability ≥ tau, in rank order, at most topK of them. A class whose logit is −Infinity (a kNN
 * class that got no vote) is never predicted, not even at τ = 0; a finite logit whose probability
 * underflows to 0 is kept at τ = 0, as vissl's `p >= t` keeps it.
 */
export function thresholdedPositions(
  ranked: RankedPredictions,
  item: number,
  tau: number,
  topK = TOP_K,
): number[] {
  const out: number[] = [];
  const base = item * ranked.candidates;
  for (let j = 0; j < ranked.candidates && out.length < topK; j++) {
    if ((ranked.probabilities[base + j] as number) >= tau && ranked.scored[base + j] === 1) out.push(j);
  }
  return out;
}

/**
 * Checks logits: NaN and +Infinity are errors naming the file, item and class. -Infinity is allowed
 * (a class a kNN head gave no vote: probability 0), unless every logit of an item is -Infinity.
 * @param logits (ids.length, classes.length) row-major
 */
export function checkLogits(
  logits: Float32Array,
  ids: readonly string[],
  classes: readonly string[],
  file: string,
): void {
  const c = classes.length;
  if (logits.length !== ids.length * c) {
    throw new InputError(
      file,
      `logits have ${logits.length} values, expected ${ids.length} items x ${c} classes`,
      {
        field: 'logits',
      },
    );
  }
  for (let row = 0; row < ids.length; row++) {
    let finite = 0;
    for (let j = 0; j < c; j++) {
      const v = logits[row * c + j] as number;
      if (Number.isNaN(v) || v === Number.POSITIVE_INFINITY) {
        throw new InputError(
          file,
          `logit of item "${ids[row]}" for class "${classes[j]}" (index ${j}) is ${v}; logits must be finite (or -Infinity)`,
          { field: 'logits' },
        );
      }
      if (v !== Number.NEGATIVE_INFINITY) finite++;
    }
    if (finite === 0) {
      throw new InputError(file, `every logit of item "${ids[row]}" is -Infinity: no softmax`, {
        field: 'logits',
      });
    }
  }
}
