/**
 * Seeded synthetic embeddings for tests and benchmarks: points around random cluster centres (the
 * realistic case for nearest-neighbour search, unlike uniform noise), and near-duplicate copies
 * planted with a known ground truth. Not part of the public API.
 */
import { Rng } from '../core/rng.js';

export interface ClusteredOptions {
  n: number;
  dim: number;
  clusters: number;
  /** Noise around each centre relative to the centre's scale (default 0.5). */
  spread?: number;
  seed: number;
}

/**
 * @returns data (n, dim) row-major, not normalised, and each point's cluster
 */
export function clusteredEmbeddings(options: ClusteredOptions): { data: Float32Array; cluster: Int32Array } {
  const { n, dim, clusters, seed } = options;
  const spread = options.spread ?? 0.5;
  const rng = new Rng(seed);
  const centres = new Float32Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = rng.normal();
  const data = new Float32Array(n * dim);
  const cluster = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(clusters);
    cluster[i] = c;
    for (let t = 0; t < dim; t++)
      data[i * dim + t] = (centres[c * dim + t] as number) + spread * rng.normal();
  }
  return { data, cluster };
}

/**
 * Overwrites `copies` rows with noisy copies of other rows (cosine similarity to the original about
 * 1 - noise²/2 for unit rows). Copies never copy a copy.
 * @param data (n, dim) row-major, modified in place
 * @returns the planted pairs [original, copy], copy > original not guaranteed
 */
export function plantDuplicates(
  data: Float32Array,
  n: number,
  dim: number,
  copies: number,
  noise: number,
  seed: number,
): [number, number][] {
  const rng = new Rng(seed);
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  const targets = order.slice(0, copies);
  const sources = order.slice(copies, 2 * copies);
  const pairs: [number, number][] = [];
  for (let p = 0; p < copies; p++) {
    const src = sources[p] as number;
    const dst = targets[p] as number;
    let norm = 0;
    for (let t = 0; t < dim; t++) norm += (data[src * dim + t] as number) ** 2;
    const scale = Math.sqrt(norm / dim);
    for (let t = 0; t < dim; t++)
      data[dst * dim + t] = (data[src * dim + t] as number) + noise * scale * rng.normal();
    pairs.push([src, dst]);
  }
  return pairs;
}
