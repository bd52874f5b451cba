/**
 * Top-k correctness on logits, with output masking and label sets: pure functions, no I/O.
 * Ties are broken by class index (protocols.md 9.10); masked classes get -Infinity and are never
 * predicted (vissl's model_output_mask_hook).
 */

/**
 * Logits with the classes outside `mask` set to -Infinity (a new array).
 * @param logits (n, c) row-major
 * @param mask (c) 1 = kept
 */
export function maskLogits(logits: Float32Array, n: number, c: number, mask: Uint8Array): Float32Array {
  if (mask.length !== c) throw new RangeError(`maskLogits: mask has ${mask.length} entries for ${c} classes`);
  const out = Float32Array.from(logits);
  for (let i = 0; i < n; i++) {
    const row = i * c;
    for (let j = 0; j < c; j++) if (mask[j] === 0) out[row + j] = Number.NEGATIVE_INFINITY;
  }
  return out;
}

/**
 * The k best classes of each row after masking, by descending logit, ties by ascending index;
 * -1 where fewer than k classes have a logit above -Infinity.
 * @param logits (n, c) row-major; NaN is an error
 * @returns (n, k) class indices
 */
export function topKClasses(
  logits: Float32Array,
  n: number,
  c: number,
  k: number,
  mask?: Uint8Array,
): Int32Array {
  if (logits.length !== n * c)
    throw new RangeError(`topKClasses: logits have ${logits.length} values, expected ${n} x ${c}`);
  for (let i = 0; i < logits.length; i++) {
    if (Number.isNaN(logits[i]))
      throw new RangeError(`topKClasses: logit of row ${Math.floor(i / c)}, class ${i % c} is NaN`);
  }
  if (!Number.isInteger(k) || k <= 0)
    throw new RangeError(`topKClasses: k must be a positive integer, got ${k}`);
  const scores = mask === undefined ? logits : maskLogits(logits, n, c, mask);
  const indices = new Int32Array(n * k).fill(-1);
  const values = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    values.fill(Number.NEGATIVE_INFINITY);
    const base = i * k;
    for (let j = 0; j < c; j++) {
      const v = scores[i * c + j] as number;
      // strictly greater than the k-th best: an equal value never displaces an earlier class
      if (!(v > (values[k - 1] as number))) continue;
      let p = k - 1;
      while (p > 0 && (values[p - 1] as number) < v) {
        values[p] = values[p - 1] as number;
        indices[base + p] = indices[base + p - 1] as number;
        p--;
      }
      values[p] = v;
      indices[base + p] = j;
    }
  }
  return indices;
}

/**
 * Whether each item's top-k contains any of its positive classes (multi-label targets).
 * @param positives (n) class indices of each item's label set
 * @returns (n) 1 for a hit
 */
export function topKCorrect(
  logits: Float32Array,
  n: number,
  c: number,
  positives: readonly Int32Array[],
  k: number,
  mask?: Uint8Array,
): Uint8Array {
  if (positives.length !== n)
    throw new RangeError(`topKCorrect: ${positives.length} label sets for ${n} rows`);
  const top = topKClasses(logits, n, c, k, mask);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = positives[i] as Int32Array;
    for (let j = 0; j < k; j++) {
      const cls = top[i * k + j] as number;
      if (cls >= 0 && p.includes(cls)) {
        out[i] = 1;
        break;
      }
    }
  }
  return out;
}
