/**
 * Fashion-MNIST from its IDX files (gzipped or raw), e.g. Debian's dataset-fashion-mnist in
 * /usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz. The images are
 * written as 8-bit grey PNGs into `<manifest folder>/fashion-mnist-<split>/<index>.png`; the labels
 * are the ten class names of data/importers/fashion-mnist.json.
 *
 * `--split train|test` (default test), `--limit N` keeps the first N images (deterministic).
 * id: `<split>/<index, 5 digits>`. No attrs, no cluster.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { InputError, UsageError } from '../../core/errors.js';
import type { ManifestItem } from '../../core/types.js';
import { loadImporterData } from './data-file.js';
import { readIdx } from './idx.js';
import { positiveIntOption, requireFolder, stringOption, toSource } from './inputs.js';
import type { Importer, ImportIssue, ImportOptions, ImportResult } from './types.js';

const SplitFilesSchema = z.object({ images: z.string(), labels: z.string() });
const DataSchema = z.object({
  classes: z.array(z.string()).length(10),
  files: z.object({ train: SplitFilesSchema, test: SplitFilesSchema }),
  defaultFolder: z.string(),
});

/** `<dir>/<name>.gz` if present, else `<dir>/<name>`, else an InputError naming both. */
function idxFile(dir: string, name: string): string {
  for (const candidate of [join(dir, `${name}.gz`), join(dir, name)])
    if (existsSync(candidate)) return candidate;
  throw new InputError(dir, `has neither ${name}.gz nor ${name}`);
}

/** Writes one (h, w) grey image as PNG. */
async function writePng(path: string, pixels: Uint8Array, width: number, height: number): Promise<void> {
  await sharp(Buffer.from(pixels), { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toFile(path);
}

async function importFashionMnist(opts: ImportOptions): Promise<ImportResult> {
  const data = await loadImporterData('fashion-mnist.json', DataSchema);
  if (opts.inputs.length > 1) throw new UsageError('fashion-mnist takes at most one input (the IDX folder)');
  const dir = resolve(opts.inputs[0] ?? data.defaultFolder);
  await requireFolder(dir);
  const split = stringOption(opts, 'split') ?? 'test';
  if (split !== 'train' && split !== 'test')
    throw new UsageError(`--split must be train or test, got "${split}"`);
  const limit = positiveIntOption(opts, 'limit');
  const imagesFile = idxFile(dir, data.files[split].images);
  const labelsFile = idxFile(dir, data.files[split].labels);
  const images = await readIdx(imagesFile);
  const labels = await readIdx(labelsFile);
  if (images.shape.length !== 3) {
    throw new InputError(
      imagesFile,
      `expected 3 dimensions (n, rows, cols), got [${images.shape.join(', ')}]`,
    );
  }
  if (labels.shape.length !== 1)
    throw new InputError(labelsFile, `expected 1 dimension, got [${labels.shape.join(', ')}]`);
  const [n, height, width] = images.shape;
  if (labels.shape[0] !== n) {
    throw new InputError(labelsFile, `has ${labels.shape[0]} labels but ${imagesFile} has ${n} images`);
  }
  const count = Math.min(n, limit ?? n);
  const outFolder = join(resolve(opts.outDir), `fashion-mnist-${split}`);
  await mkdir(outFolder, { recursive: true });
  // Filled by index so the output order does not depend on which write finishes first.
  const items: (ManifestItem | null)[] = new Array(count).fill(null);
  const skipped: (ImportIssue | null)[] = new Array(count).fill(null);
  const size = height * width;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const k = next++;
      const label = labels.data[k];
      const name = String(k).padStart(5, '0');
      if (label >= data.classes.length) {
        skipped[k] = { file: labelsFile, reason: `image ${k}: label ${label} is not a class index 0-9` };
        continue;
      }
      const path = join(outFolder, `${name}.png`);
      await writePng(path, images.data.subarray(k * size, (k + 1) * size), width, height);
      items[k] = {
        id: `${split}/${name}`,
        source: toSource(opts.outDir, path),
        labels: [data.classes[label]],
        attrs: {},
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, count) }, worker));
  return {
    items: items.filter((it): it is ManifestItem => it !== null),
    skipped: skipped.filter((s): s is ImportIssue => s !== null),
  };
}

export const importer: Importer = {
  name: 'fashion-mnist',
  summary: 'Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist), written out as PNGs',
  optionsHelp: {
    split: 'train or test (default test)',
    limit: 'keep only the first N images',
  },
  import: importFashionMnist,
};
