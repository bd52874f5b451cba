/**
 * Corrupting a whole manifest: each item is decoded, optionally cropped and resized as ImageNet-C
 * prepares its images (Resize 256, CenterCrop 224), corrupted with a seed derived from (seed, id),
 * and written as PNG. An image that cannot be decoded (or is too small) is recorded with its reason
 * and left out, never replaced. Items are processed a few at a time so that sharp's decoding and
 * encoding overlap with the corruption; results do not depend on that order.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { FairscopeError } from '../../core/errors.js';
import type { ManifestItem, Preprocess } from '../../core/types.js';
import { resolveSource, writeManifest } from '../../data/manifest.js';
import { resolutionScale, toRgbImage } from '../corrupt/image.js';
import { corruptImage, corruptionInfo } from '../corrupt/registry.js';
import { itemSeed } from '../corrupt/seed.js';
import { prepareImage } from '../preprocess.js';
import type { RgbImage } from '../rgb.js';
import { decodeImage } from './decode.js';

export const CORRUPTED_IMAGES_DIR = 'images';
export const CORRUPTED_MANIFEST = 'manifest.jsonl';
export const CORRUPT_FAILURES = 'failures.jsonl';
export const CORRUPT_INFO = 'corrupt.json';

export interface CorruptDatasetOptions {
  manifest: string;
  corruption: string;
  severity: number;
  seed: number;
  out: string;
  /** Shorter side to resize to before corrupting (after any bbox crop); none by default. */
  resize?: number;
  /** Centre crop side after the resize. */
  crop?: number;
  /** Items in flight at once (default 4). */
  concurrency?: number;
  /** Called once per finished item (written or failed). */
  onItem?: () => void;
}

export interface CorruptDatasetResult {
  written: number;
  failures: { id: string; reason: string }[];
  manifestPath: string;
}

/** File name of an item's image: the id when it is a safe file name, else a sanitised id plus a hash. */
export function imageFileName(id: string, taken: Set<string>): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  let name = safe;
  if (safe !== id || safe.startsWith('.') || taken.has(safe.toLowerCase())) {
    name = `${safe}-${createHash('sha256').update(id).digest('hex').slice(0, 10)}`;
  }
  taken.add(name.toLowerCase());
  return `${name}.png`;
}

function geometry(resize: number | undefined, crop: number | undefined): Preprocess | undefined {
  if (resize === undefined && crop === undefined) return undefined;
  if (resize === undefined)
    throw new FairscopeError('a crop needs a resize (ImageNet-C: resize 256, crop 224)');
  return {
    resize,
    resizeMode: 'shorter',
    crop: crop ?? null,
    interpolation: 'bilinear',
    scale: 1,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    channels: 'rgb',
    layout: 'nhwc',
  };
}

/**
 * Writes OUT/images/*.png, OUT/manifest.jsonl (same ids, labels, cluster; attrs.corruption and
 * attrs.severity added), OUT/failures.jsonl and OUT/corrupt.json.
 */
export async function corruptDataset(
  items: readonly ManifestItem[],
  options: CorruptDatasetOptions,
): Promise<CorruptDatasetResult> {
  const info = corruptionInfo(options.corruption);
  const pp = geometry(options.resize, options.crop);
  const imagesDir = join(options.out, CORRUPTED_IMAGES_DIR);
  await mkdir(imagesDir, { recursive: true });
  const taken = new Set<string>();
  const names = items.map((item) => imageFileName(item.id, taken));
  const outputs: (ManifestItem | { id: string; reason: string })[] = new Array(items.length);

  /** Images whose shorter side is not 224 px: their pixel parameters are scaled. */
  let scaled = 0;
  const processOne = async (index: number): Promise<void> => {
    const item = items[index] as ManifestItem;
    let img: RgbImage;
    try {
      img = await decodeImage(resolveSource(options.manifest, item));
    } catch (err) {
      outputs[index] = { id: item.id, reason: `cannot decode: ${(err as Error).message}` };
      return;
    }
    const outItem: ManifestItem = {
      ...item,
      source: `${CORRUPTED_IMAGES_DIR}/${names[index]}`,
      attrs: { ...item.attrs, corruption: info.name, severity: options.severity },
    };
    try {
      if (pp !== undefined) {
        img = prepareImage(img, pp, { bbox: item.bbox, roi: item.roi });
        delete outItem.bbox;
        delete outItem.roi;
      }
      if (resolutionScale(img.width, img.height) !== 1) scaled++;
      const corrupted = toRgbImage(
        await corruptImage(img, info.name, options.severity, { seed: itemSeed(options.seed, item.id) }),
      );
      await sharp(corrupted.data, { raw: { width: corrupted.width, height: corrupted.height, channels: 3 } })
        .png()
        .toFile(join(imagesDir, names[index] as string));
      outputs[index] = outItem;
    } catch (err) {
      if (err instanceof RangeError) throw err;
      outputs[index] = { id: item.id, reason: (err as Error).message };
    }
  };

  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      await processOne(i);
      options.onItem?.();
    }
  };
  const concurrency = Math.max(1, options.concurrency ?? 4);
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));

  const written = outputs.filter((o): o is ManifestItem => 'source' in o);
  const failures = outputs.filter((o): o is { id: string; reason: string } => !('source' in o));
  await writeFile(
    join(options.out, CORRUPT_FAILURES),
    failures.map((f) => `${JSON.stringify(f)}\n`).join(''),
  );
  const manifestPath = join(options.out, CORRUPTED_MANIFEST);
  if (written.length > 0) await writeManifest(manifestPath, written);
  await writeFile(
    join(options.out, CORRUPT_INFO),
    `${JSON.stringify(
      {
        corruption: info.name,
        severity: options.severity,
        seed: options.seed,
        family: info.family,
        heldOut: info.heldOut,
        sourceManifest: options.manifest,
        resize: options.resize ?? null,
        crop: options.crop ?? null,
        items: items.length,
        written: written.length,
        failed: failures.length,
        deviation: info.deviation,
        scaling: 'parameters in pixels scaled by min(width, height) / 224 (see src/image/corrupt/image.ts)',
        scaledItems: scaled,
      },
      null,
      2,
    )}\n`,
  );
  if (written.length === 0) {
    throw new FairscopeError(
      `no image of ${options.manifest} could be corrupted (${failures.length} failures, listed in ${join(options.out, CORRUPT_FAILURES)})`,
    );
  }
  return { written: written.length, failures, manifestPath };
}
