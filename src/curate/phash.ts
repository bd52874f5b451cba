/**
 * Perceptual hash (pHash) for exact and near-exact image copies, as the imagehash package computes
 * it: the image in grey (PIL's "L": 0.299 R + 0.587 G + 0.114 B), resized to 32x32 (Lanczos), its
 * 2-D DCT-II, the top-left 8x8 low frequencies (DC included), and one bit per coefficient: above the
 * median of the 64. Bits are taken row-major (frequency u down, v across), the first bit the most
 * significant, so the hex text equals imagehash's str(phash(img)). Copies that were re-encoded or
 * resized stay within a few bits (Hamming distance); different images differ in about half.
 */

/** Side of the grey image the DCT runs on. */
export const PHASH_SIZE = 32;
/** Side of the low-frequency block kept (64 bits). */
export const PHASH_LOW = 8;

/** A 64-bit hash as two 32-bit words: hi holds bits 0..31 (bit 0 the most significant). */
export interface Phash {
  hi: number;
  lo: number;
}

/** Hashes of a list of images; `valid[i]` is 0 where image i could not be read (see failures). */
export interface ImageHashes {
  hi: Uint32Array;
  lo: Uint32Array;
  valid: Uint8Array;
  failures: { index: number; id: string; reason: string }[];
}

/** cos(pi u (2x + 1) / 64) for u < 8, x < 32, times scipy's factor 2 of the unnormalised DCT-II. */
const BASIS = (() => {
  const b = new Float64Array(PHASH_LOW * PHASH_SIZE);
  for (let u = 0; u < PHASH_LOW; u++) {
    for (let x = 0; x < PHASH_SIZE; x++)
      b[u * PHASH_SIZE + x] = 2 * Math.cos((Math.PI * u * (2 * x + 1)) / (2 * PHASH_SIZE));
  }
  return b;
})();

/**
 * The 8x8 low-frequency block of the 2-D DCT-II (scipy.fftpack.dct, type 2, norm None, along axis 0
 * then axis 1) of a 32x32 grey image.
 * @param grey (32, 32) row-major, values 0..255
 * @returns (8, 8) row-major, [u][v] with u the vertical frequency
 */
export function lowFrequencyDct(grey: ArrayLike<number>): Float64Array {
  const S = PHASH_SIZE;
  const L = PHASH_LOW;
  if (grey.length !== S * S)
    throw new RangeError(`lowFrequencyDct: expected ${S * S} pixels, got ${grey.length}`);
  const rows = new Float64Array(L * S); // (u, y): along axis 0 (down the rows)
  for (let u = 0; u < L; u++) {
    for (let y = 0; y < S; y++) {
      let s = 0;
      for (let x = 0; x < S; x++) s += (BASIS[u * S + x] as number) * (grey[x * S + y] as number);
      rows[u * S + y] = s;
    }
  }
  const out = new Float64Array(L * L);
  for (let u = 0; u < L; u++) {
    for (let v = 0; v < L; v++) {
      let s = 0;
      for (let y = 0; y < S; y++) s += (BASIS[v * S + y] as number) * (rows[u * S + y] as number);
      out[u * L + v] = s;
    }
  }
  return out;
}

/** pHash of a 32x32 grey image (row-major, 0..255). */
export function phashOfGrey(grey: ArrayLike<number>): Phash {
  const coeffs = lowFrequencyDct(grey);
  const sorted = Float64Array.from(coeffs).sort();
  const median = ((sorted[31] as number) + (sorted[32] as number)) / 2; // numpy's median of 64 values
  let hi = 0;
  let lo = 0;
  for (let b = 0; b < 64; b++) {
    const bit = (coeffs[b] as number) > median ? 1 : 0;
    if (b < 32) hi = (hi << 1) | bit;
    else lo = (lo << 1) | bit;
  }
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

/** 16 hex digits, as imagehash prints a hash. */
export function phashHex(h: Phash): string {
  return h.hi.toString(16).padStart(8, '0') + h.lo.toString(16).padStart(8, '0');
}

function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Number of differing bits between two hashes. */
export function hammingDistance(aHi: number, aLo: number, bHi: number, bLo: number): number {
  return popcount32((aHi ^ bHi) >>> 0) + popcount32((aLo ^ bLo) >>> 0);
}
