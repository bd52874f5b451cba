/** pHashes of image files (decoded with sharp), for the near-duplicate search (phash.ts computes them). */
import sharp from 'sharp';
import type { BBox, ManifestItem } from '../../core/types.js';
import { resolveSource } from '../../data/manifest.js';
import { cropBox } from '../../image/crop.js';
import { decodeImage } from '../../image/node/decode.js';
import { type ImageHashes, PHASH_SIZE, type Phash, phashOfGrey } from '../phash.js';

/**
 * pHash of an image file (of its box when bbox is given, cropped as the image pipeline crops).
 * Throws when the image cannot be read; the caller records the failure.
 */
export async function imagePhash(path: string, bbox?: BBox): Promise<Phash> {
  let img = await decodeImage(path);
  if (bbox !== undefined) img = cropBox(img, bbox);
  const n = img.width * img.height;
  const grey = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    // PIL's integer L conversion: (R*19595 + G*38470 + B*7471 + 0x8000) >> 16
    const r = img.data[p * 3] as number;
    const g = img.data[p * 3 + 1] as number;
    const b = img.data[p * 3 + 2] as number;
    grey[p] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
  }
  const small = await sharp(grey, { raw: { width: img.width, height: img.height, channels: 1 } })
    .resize(PHASH_SIZE, PHASH_SIZE, { fit: 'fill', kernel: 'lanczos3' })
    .extractChannel(0) // sharp would otherwise write the grey band three times
    .raw()
    .toBuffer();
  return phashOfGrey(small);
}

/**
 * pHashes of a manifest's images, `concurrency` at a time. Unreadable images are recorded in
 * `failures` and marked invalid, never hashed as something else.
 */
export async function hashManifestImages(
  manifestPath: string,
  items: readonly ManifestItem[],
  options: { concurrency?: number; onProgress?: (done: number) => void } = {},
): Promise<ImageHashes> {
  const n = items.length;
  const out: ImageHashes = {
    hi: new Uint32Array(n),
    lo: new Uint32Array(n),
    valid: new Uint8Array(n),
    failures: [],
  };
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const item = items[i] as ManifestItem;
      try {
        const h = await imagePhash(resolveSource(manifestPath, item), item.bbox);
        out.hi[i] = h.hi;
        out.lo[i] = h.lo;
        out.valid[i] = 1;
      } catch (err) {
        out.failures.push({ index: i, id: item.id, reason: (err as Error).message });
      }
      options.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  out.failures.sort((a, b) => a.index - b.index);
  return out;
}
