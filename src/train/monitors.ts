import * as tf from '@tensorflow/tfjs';

/**
 * Cosine k-nearest-neighbour accuracy (majority vote over the k nearest bank items; a tie goes to
 * the class whose tied member ranks first; neighbours ordered by (−similarity, index)).
 * @param bank (nb, d) row-major; `bankLabels` nb class indices
 * @param queries (nq, d); `queryLabels` nq class indices
 * @param leaveOneOut when bank and queries are the same set, skip each query itself
 */
export function knnAccuracy(
  bank: Float32Array,
  bankLabels: number[],
  queries: Float32Array,
  queryLabels: number[],
  dim: number,
  k = 20,
  leaveOneOut = false,
): number {
  const nb = bankLabels.length;
  const nq = queryLabels.length;
  const sims = tf.tidy(() => {
    const norm = (x: tf.Tensor2D) => tf.div(x, tf.norm(x, 2, 1, true).maximum(1e-12));
    const b = norm(tf.tensor2d(bank, [nb, dim]));
    const q = norm(tf.tensor2d(queries, [nq, dim]));
    return tf.matMul(q, b, false, true).dataSync() as Float32Array;
  });
  let correct = 0;
  for (let i = 0; i < nq; i++) {
    const row = sims.subarray(i * nb, (i + 1) * nb);
    const order = Array.from({ length: nb }, (_, j) => j)
      .filter((j) => !(leaveOneOut && j === i))
      .sort((a, b) => (row[b] as number) - (row[a] as number) || a - b)
      .slice(0, k);
    const votes = new Map<number, { n: number; first: number }>();
    order.forEach((j, rank) => {
      const c = bankLabels[j] as number;
      const v = votes.get(c);
      if (v === undefined) votes.set(c, { n: 1, first: rank });
      else v.n++;
    });
    let best = -1;
    let bestVote = { n: -1, first: Number.POSITIVE_INFINITY };
    for (const [c, v] of votes) {
      if (v.n > bestVote.n || (v.n === bestVote.n && v.first < bestVote.first)) {
        best = c;
        bestVote = v;
      }
    }
    if (best === queryLabels[i]) correct++;
  }
  return correct / Math.max(1, nq);
}

/** Eigenvalues of a symmetric (d, d) matrix by cyclic Jacobi rotations. */
export function symmetricEigenvalues(a: Float64Array, d: number): number[] {
  const m = Float64Array.from(a);
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += (m[p * d + q] as number) ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < d; p++)
      for (let q = p + 1; q < d; q++) {
        const apq = m[p * d + q] as number;
        if (Math.abs(apq) < 1e-300) continue;
        const app = m[p * d + p] as number;
        const aqq = m[q * d + q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < d; r++) {
          const arp = m[r * d + p] as number;
          const arq = m[r * d + q] as number;
          m[r * d + p] = c * arp - s * arq;
          m[r * d + q] = s * arp + c * arq;
        }
        for (let r = 0; r < d; r++) {
          const apr = m[p * d + r] as number;
          const aqr = m[q * d + r] as number;
          m[p * d + r] = c * apr - s * aqr;
          m[q * d + r] = s * apr + c * aqr;
        }
      }
  }
  return Array.from({ length: d }, (_, i) => m[i * d + i] as number);
}

/**
 * RankMe [Garrido et al. 2023, arXiv:2210.02885]: exp of the entropy of the normalised singular
 * values of the embedding matrix, p_k = σ_k / Σσ + ε (ε = 1e-7). Between 1 (collapse) and min(n, d).
 * @param x (n, d) row-major
 */
export function rankMe(x: Float32Array, n: number, d: number): number {
  const gram = tf.tidy(() => {
    const t = tf.tensor2d(x, [n, d]);
    return tf.matMul(t, t, true, false).dataSync();
  });
  const sigma = symmetricEigenvalues(Float64Array.from(gram), d).map((e) => Math.sqrt(Math.max(0, e)));
  const total = sigma.reduce((a, b) => a + b, 0);
  if (total === 0) return 1;
  let h = 0;
  for (const s of sigma) {
    const p = s / total + 1e-7;
    h -= p * Math.log(p);
  }
  return Math.exp(h);
}

/**
 * Collapse detector of SimSiam [Chen & He 2021, arXiv:2011.10566 §4]: mean over dimensions of
 * the standard deviation of the L2-normalised embeddings. 0 = collapsed to a point; about 1/√d for
 * well-spread embeddings.
 * @param x (n, d) row-major
 */
export function embeddingStd(x: Float32Array, n: number, d: number): number {
  return tf.tidy(() => {
    const t = tf.tensor2d(x, [n, d]);
    const z = tf.div(t, tf.norm(t, 2, 1, true).maximum(1e-12));
    return tf.mean(tf.sqrt(tf.moments(z, 0).variance)).dataSync()[0] as number;
  });
}
