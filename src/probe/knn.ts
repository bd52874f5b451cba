/**
 * Weighted k-nearest-neighbour classifier on frozen features, as used to evaluate self-supervised
 * models: [0] Wu et al., "Unsupervised Feature Learning via Non-Parametric Instance Discrimination"
 * (InstDisc), 2018, arXiv:1805.01978; [1] Caron et al., "Emerging Properties in Self-Supervised Vision
 * Transformers" (DINO), 2021, arXiv:2104.14294, `knn_classifier` in eval_knn.py.
 *
 * Features are L2-normalised; the k most cosine-similar bank rows vote for their class with weight
 * exp(sim / T); the class score is the sum of its votes and the prediction the best-scoring class.
 * Ties are broken by index everywhere: among equal similarities the lower bank row is nearer, among
 * equal scores the lower class index wins.
 */
import { exactKnn } from '../linalg/knn.js';
import { l2NormalizeRows } from '../linalg/normalize.js';
import { type ComputeBackend, ORT_MIN_WORK } from './products.js';

export interface KnnOptions {
  /** Neighbours that vote (DINO default 20). */
  k?: number;
  /** Temperature T of the vote weights exp(sim / T) (DINO/InstDisc default 0.07). */
  temperature?: number;
  /** For each query, a bank row it may not use (its own copy: leave-one-out), or -1. */
  excludeBankRow?: Int32Array;
  /** Engine of the similarity products (default 'auto': onnxruntime for large banks). */
  backend?: ComputeBackend;
  threads?: number;
}

export interface KnnResult {
  /** (nQuery, numClasses) row-major: summed vote weights of each class. */
  scores: Float64Array;
  /** (nQuery) best class of each query. */
  predictions: Int32Array;
  /** (nQuery, k) bank rows of the neighbours, nearest first; -1 where fewer than k exist. */
  neighbors: Int32Array;
  /** (nQuery, k) their cosine similarities; NaN where no neighbour. */
  similarities: Float64Array;
}

/** Similarities (m, nBank) of normalised queries with a normalised bank, float64 accumulation. */
function similaritiesJs(
  q: Float32Array,
  m: number,
  bank: Float32Array,
  nBank: number,
  d: number,
): Float64Array {
  const out = new Float64Array(m * nBank);
  for (let i = 0; i < m; i++) {
    const qo = i * d;
    for (let b = 0; b < nBank; b++) {
      const bo = b * d;
      let s0 = 0;
      let s1 = 0;
      let j = 0;
      for (; j + 1 < d; j += 2) {
        s0 += q[qo + j] * bank[bo + j];
        s1 += q[qo + j + 1] * bank[bo + j + 1];
      }
      if (j < d) s0 += q[qo + j] * bank[bo + j];
      out[i * nBank + b] = s0 + s1;
    }
  }
  return out;
}

/**
 * Classifies queries by a weighted vote of their k nearest bank rows.
 * @param bank (nBank, d) row-major (normalised here)
 * @param bankLabels (nBank) class index of each bank row, in [0, numClasses)
 * @param queries (nQuery, d) row-major (normalised here)
 */
export async function knnPredict(
  bank: Float32Array,
  nBank: number,
  d: number,
  bankLabels: Int32Array,
  numClasses: number,
  queries: Float32Array,
  nQuery: number,
  opts: KnnOptions = {},
): Promise<KnnResult> {
  const k = opts.k ?? 20;
  const temperature = opts.temperature ?? 0.07;
  const backend = opts.backend ?? 'auto';
  if (!Number.isInteger(k) || k < 1)
    throw new RangeError(`knnPredict: k must be a positive integer, got ${k}`);
  if (!(temperature > 0)) throw new RangeError(`knnPredict: temperature must be > 0, got ${temperature}`);
  if (bank.length !== nBank * d)
    throw new RangeError(`knnPredict: bank has ${bank.length} values, not ${nBank}·${d}`);
  if (queries.length !== nQuery * d) {
    throw new RangeError(`knnPredict: queries have ${queries.length} values, not ${nQuery}·${d}`);
  }
  if (bankLabels.length !== nBank) {
    throw new RangeError(`knnPredict: bankLabels has ${bankLabels.length} entries, bank ${nBank} rows`);
  }
  for (let i = 0; i < nBank; i++) {
    if (!(bankLabels[i] >= 0 && bankLabels[i] < numClasses)) {
      throw new RangeError(`knnPredict: bankLabels[${i}] = ${bankLabels[i]} is outside [0, ${numClasses})`);
    }
  }
  const exclude = opts.excludeBankRow;
  if (exclude !== undefined && exclude.length !== nQuery) {
    throw new RangeError(`knnPredict: excludeBankRow has ${exclude.length} entries, queries ${nQuery}`);
  }
  const c = numClasses;
  const nb = l2NormalizeRows(bank, nBank, d).data;
  const nq = l2NormalizeRows(queries, nQuery, d).data;
  const useOrt = backend === 'onnx' || (backend === 'auto' && nQuery * nBank * d >= ORT_MIN_WORK);
  const found = useOrt
    ? await nearestOrt(nq, nQuery, nb, nBank, d, k, exclude, opts.threads)
    : nearestJs(nq, nQuery, nb, nBank, d, k, exclude);

  const scores = new Float64Array(nQuery * c);
  const predictions = new Int32Array(nQuery);
  for (let q = 0; q < nQuery; q++) {
    const so = q * c;
    for (let t = 0; t < k; t++) {
      const b = found.neighbors[q * k + t];
      if (b < 0) break;
      scores[so + bankLabels[b]] += Math.exp(found.similarities[q * k + t] / temperature);
    }
    let best = 0;
    for (let cl = 1; cl < c; cl++) if (scores[so + cl] > scores[so + best]) best = cl;
    predictions[q] = best;
  }
  return { scores, predictions, ...found };
}

type Neighbours = Pick<KnnResult, 'neighbors' | 'similarities'>;

/** Top-k by a float64 loop; equal similarities keep the lower bank row first. */
function nearestJs(
  nq: Float32Array,
  nQuery: number,
  nb: Float32Array,
  nBank: number,
  d: number,
  k: number,
  exclude: Int32Array | undefined,
): Neighbours {
  const neighbors = new Int32Array(nQuery * k).fill(-1);
  const similarities = new Float64Array(nQuery * k).fill(Number.NaN);
  const topSim = new Float64Array(k);
  const topIdx = new Int32Array(k);
  // Queries per chunk: the (chunk, nBank) similarity block stays under ~32 MB.
  const chunk = Math.max(1, Math.floor((1 << 22) / Math.max(1, nBank)));
  for (let start = 0; start < nQuery; start += chunk) {
    const m = Math.min(chunk, nQuery - start);
    const sims = similaritiesJs(nq.subarray(start * d, (start + m) * d), m, nb, nBank, d);
    for (let i = 0; i < m; i++) {
      const query = start + i;
      const skip = exclude === undefined ? -1 : exclude[query];
      let count = 0;
      const row = i * nBank;
      for (let b = 0; b < nBank; b++) {
        if (b === skip) continue;
        const s = sims[row + b];
        if (count === k && !(s > topSim[k - 1])) continue;
        // Insert after every entry with similarity ≥ s: equal similarities keep the lower row first.
        let p = count < k ? count : k - 1;
        while (p > 0 && topSim[p - 1] < s) {
          topSim[p] = topSim[p - 1];
          topIdx[p] = topIdx[p - 1];
          p--;
        }
        topSim[p] = s;
        topIdx[p] = b;
        if (count < k) count++;
      }
      for (let t = 0; t < count; t++) {
        neighbors[query * k + t] = topIdx[t];
        similarities[query * k + t] = topSim[t];
      }
    }
  }
  return { neighbors, similarities };
}

/** Top-k by onnxruntime GEMM blocks (src/linalg exactKnn); one extra neighbour covers an excluded row. */
async function nearestOrt(
  nq: Float32Array,
  nQuery: number,
  nb: Float32Array,
  nBank: number,
  d: number,
  k: number,
  exclude: Int32Array | undefined,
  threads: number | undefined,
): Promise<Neighbours> {
  const extra = exclude === undefined ? 0 : 1;
  const kk = Math.min(k + extra, nBank);
  const found = await exactKnn(nq, nQuery, nb, nBank, d, kk, { threads });
  const neighbors = new Int32Array(nQuery * k).fill(-1);
  const similarities = new Float64Array(nQuery * k).fill(Number.NaN);
  for (let q = 0; q < nQuery; q++) {
    const skip = exclude === undefined ? -1 : exclude[q];
    let t = 0;
    for (let r = 0; r < kk && t < k; r++) {
      const b = found.indices[q * kk + r];
      if (b < 0 || b === skip) continue;
      neighbors[q * k + t] = b;
      similarities[q * k + t] = found.scores[q * kk + r];
      t++;
    }
  }
  return { neighbors, similarities };
}
