/**
 * The point matrix every curation step works on: the embeddings of a manifest's items, in manifest
 * order, checked (no NaN, no zero rows) and, for cosine distance, L2-normalised. Building it is the
 * one place where a store and a manifest are matched; every later step indexes items by row.
 */
import { InputError } from '../core/errors.js';
import type { EmbeddingSet, ManifestItem } from '../core/types.js';
import { type EmbeddedItems, embeddedItems } from '../embed/join.js';
import { NORMALIZE_EPS } from '../linalg/normalize.js';

/** How two embeddings are compared. Cosine: 1 - cos on L2-normalised rows; euclidean: ‖x - y‖. */
export type DistanceMetric = 'cosine' | 'euclidean';
export const DISTANCE_METRICS: readonly DistanceMetric[] = Object.freeze(['cosine', 'euclidean']);

/** Embeddings ready for curation. */
export interface PointMatrix {
  /** (n, dim) row-major; rows have unit L2 norm when metric is 'cosine'. */
  data: Float32Array;
  n: number;
  dim: number;
  metric: DistanceMetric;
  /** (n) squared L2 norm of each row (1 for cosine). */
  squaredNorms: Float32Array;
}

/** How many example ids an error message lists. */
export const EXAMPLES_SHOWN = 5;

function examples(ids: readonly string[]): string {
  const shown = ids.slice(0, EXAMPLES_SHOWN).map((id) => JSON.stringify(id));
  return ids.length > EXAMPLES_SHOWN ? `${shown.join(', ')}, ...` : shown.join(', ');
}

export interface AlignOptions {
  metric?: DistanceMetric;
  /** Name of the embeddings file or folder, for error messages. */
  source?: string;
  /** Ids that failed to embed (DIR/failures.jsonl): missing rows for these are excluded, not errors. */
  failedIds?: ReadonlySet<string>;
  /**
   * Normalise `set.data` in place when its rows are already in manifest order (saves a copy of the
   * matrix at scale; the caller's set is modified). Default false.
   */
  inPlace?: boolean;
}

export interface AlignedPoints {
  points: PointMatrix;
  /** The manifest items that have embeddings, in manifest order: row i of points is items[i]. */
  items: ManifestItem[];
  /** Manifest items left out because they are listed as failures of the embedding run. */
  excludedFailures: string[];
}

/**
 * The point matrix of joined items (embed/join.ts): rows checked (no NaN, no zero rows) and, for
 * cosine distance, L2-normalised; errors name the item ids and the store.
 * @param inPlace normalise `embeddings` itself instead of a copy
 */
export function pointsOf(
  joined: Pick<EmbeddedItems, 'items' | 'embeddings' | 'dim' | 'store'>,
  metric: DistanceMetric = 'cosine',
  inPlace = false,
): PointMatrix {
  const n = joined.items.length;
  const out = inPlace ? joined.embeddings : new Float32Array(n * joined.dim);
  return checkedPoints(
    joined.embeddings,
    null,
    n,
    joined.dim,
    metric,
    out,
    (i) => joined.items[i]?.id as string,
    joined.store,
  );
}

/**
 * Matches a manifest with an embedding set (the shared join, embed/join.ts: the manifest selects its
 * rows; a manifest item without a row is an error unless listed in failedIds) and prepares the point
 * matrix (pointsOf).
 */
export function alignEmbeddings(
  manifest: readonly ManifestItem[],
  set: EmbeddingSet,
  options: AlignOptions = {},
): AlignedPoints {
  const source = options.source ?? 'embeddings';
  if (set.data.length !== set.ids.length * set.dim) {
    throw new InputError(
      source,
      `has ${set.data.length} values for ${set.ids.length} rows of dim ${set.dim}`,
      {
        field: 'embedding',
      },
    );
  }
  const joined = embeddedItems(
    manifest,
    set,
    { manifest: 'the manifest', store: source, dataset: '' },
    { failures: [...(options.failedIds ?? [])].map((id) => ({ id, reason: 'failed to embed' })) },
  );
  const inPlace = (options.inPlace ?? false) || joined.embeddings !== set.data;
  return {
    points: pointsOf(joined, options.metric ?? 'cosine', inPlace),
    items: joined.items,
    excludedFailures: joined.excluded.map((f) => f.id),
  };
}

/**
 * Copies rows (all, or `rows` in that order) into `out`, checking and normalising them.
 * @param src (>= n, dim) row-major
 * @param out (n, dim); may be `src` itself when rows is null
 */
function checkedPoints(
  src: Float32Array,
  rows: readonly number[] | null,
  n: number,
  dim: number,
  metric: DistanceMetric,
  out: Float32Array,
  idOf: (i: number) => string,
  source: string,
): PointMatrix {
  const squaredNorms = new Float32Array(n);
  const nonFinite: string[] = [];
  const zero: string[] = [];
  for (let i = 0; i < n; i++) {
    const from = (rows === null ? i : (rows[i] as number)) * dim;
    const to = i * dim;
    let ss = 0;
    let finite = true;
    for (let t = 0; t < dim; t++) {
      const v = src[from + t] as number;
      if (!Number.isFinite(v)) finite = false;
      ss += v * v;
      out[to + t] = v;
    }
    if (!finite) {
      nonFinite.push(idOf(i));
      continue;
    }
    const norm = Math.sqrt(ss);
    if (norm < NORMALIZE_EPS) {
      zero.push(idOf(i));
      continue;
    }
    if (metric === 'cosine') {
      // the same division as l2NormalizeRows (x / norm), done in place to avoid a second matrix
      const inv = 1 / norm;
      for (let t = 0; t < dim; t++) out[to + t] = (out[to + t] as number) * inv;
      squaredNorms[i] = 1;
    } else squaredNorms[i] = ss;
  }
  if (nonFinite.length > 0 || zero.length > 0) {
    const parts: string[] = [];
    if (nonFinite.length > 0)
      parts.push(`${nonFinite.length} row(s) contain NaN or infinite values (${examples(nonFinite)})`);
    if (zero.length > 0) parts.push(`${zero.length} row(s) are all zeros (${examples(zero)})`);
    throw new InputError(source, `unusable embeddings: ${parts.join('; ')}; re-embed or drop these items`, {
      field: 'embedding',
    });
  }
  return { data: out, n, dim, metric, squaredNorms };
}

/**
 * A point matrix from raw rows (tests, benchmarks, library callers without a manifest); errors name
 * rows as "row i".
 * @param data (n, dim) row-major; copied unless inPlace
 */
export function pointsFromRows(
  data: Float32Array,
  n: number,
  dim: number,
  metric: DistanceMetric = 'cosine',
  inPlace = false,
): PointMatrix {
  if (data.length !== n * dim)
    throw new RangeError(`pointsFromRows: expected ${n}x${dim} values, got ${data.length}`);
  const out = inPlace ? data : new Float32Array(n * dim);
  return checkedPoints(data, null, n, dim, metric, out, (i) => `row ${i}`, 'rows');
}

/** Rows `indices` of a point matrix, as a new (indices.length, dim) matrix. */
export function gatherRows(points: PointMatrix, indices: ArrayLike<number>): Float32Array {
  const { dim, data } = points;
  const out = new Float32Array(indices.length * dim);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r] as number;
    out.set(data.subarray(i * dim, (i + 1) * dim), r * dim);
  }
  return out;
}
