import type { ManifestItem } from '../core/types.js';
import { readManifest, resolveSource } from '../data/manifest.js';
import { decodeImage } from '../image/node/decode.js';
import { resizeImage } from '../image/resize.js';

/** A manifest's images held in memory for training. */
export interface TrainingImages {
  ids: string[];
  /** (n, size, size, 3) values in [0, 1], row-major NHWC. */
  pixels: Float32Array;
  size: number;
  /** Class of each item (default: its first label), or null when it has none. */
  labels: (string | null)[];
  /** Items whose image could not be decoded: recorded and excluded, never replaced. */
  failures: { id: string; reason: string }[];
}

/**
 * Decodes every manifest item and resizes it to size×size (squash, bilinear as PIL). Small
 * datasets only: everything is held in memory.
 */
export async function loadTrainingImages(manifestPath: string, size: number): Promise<TrainingImages> {
  return loadTrainingItems(manifestPath, await readManifest(manifestPath), size);
}

/**
 * As loadTrainingImages, for some items of a manifest (sources resolve against `manifestPath`'s
 * folder), in their order.
 * @param classOf an item's class (default: its first label); null or undefined when it has none
 */
export async function loadTrainingItems(
  manifestPath: string,
  items: readonly ManifestItem[],
  size: number,
  classOf: (item: ManifestItem) => string | null | undefined = (item) => item.labels[0],
): Promise<TrainingImages> {
  const ids: string[] = [];
  const labels: (string | null)[] = [];
  const failures: { id: string; reason: string }[] = [];
  const chunks: Float32Array[] = [];
  for (const item of items) {
    try {
      const img = resizeImage(await decodeImage(resolveSource(manifestPath, item)), size, size, 'bilinear');
      const f = new Float32Array(img.data.length);
      for (let i = 0; i < f.length; i++) f[i] = (img.data[i] as number) / 255;
      chunks.push(f);
      ids.push(item.id);
      labels.push(classOf(item) ?? null);
    } catch (err) {
      failures.push({ id: item.id, reason: (err as Error).message });
    }
  }
  const pixels = new Float32Array(chunks.length * size * size * 3);
  chunks.forEach((c, i) => {
    pixels.set(c, i * c.length);
  });
  return { ids, pixels, size, labels, failures };
}
