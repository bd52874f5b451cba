/**
 * ImageNet-C corruptions at 224 x 224: images per second of each corruption (severities 1-5 in turn,
 * one thread) against decoding the same images with sharp (JPEG -> 8-bit RGB), measured in the same
 * run. Images: natural-ish test images (gradients, shapes, texture) made by formula and stored as
 * JPEG in a temporary folder. Writes bench/results/corrupt.md.
 *
 *   node --import tsx bench/corrupt.ts [--images 8] [--min-seconds 0.4] [--only a,b]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { Rng } from '../src/core/rng.js';
import { CORRUPTION_NAMES, corruptImage } from '../src/image/corrupt/index.js';
import { naturalTestImage } from '../src/image/corrupt/testing.js';
import { decodeImage } from '../src/image/node/decode.js';
import type { RgbImage } from '../src/image/rgb.js';
import { resultsPath, resultsText, startRun } from './machine.js';

const { values } = parseArgs({
  options: { images: { type: 'string' }, 'min-seconds': { type: 'string' }, only: { type: 'string' } },
});
const IMAGES = Number(values.images ?? 8);
const MIN_SECONDS = Number(values['min-seconds'] ?? 0.4);
const names = values.only === undefined ? [...CORRUPTION_NAMES] : values.only.split(',');
const SIDE = 224;
const run = startRun({ script: import.meta.url, packages: ['sharp'] });

/** A test image with per-image texture so the JPEGs differ. */
function textured(seed: number): RgbImage {
  const img = naturalTestImage(SIDE, SIDE);
  const rng = new Rng(seed);
  for (let i = 0; i < img.data.length; i++)
    img.data[i] = Math.max(0, Math.min(255, (img.data[i] as number) + Math.round(rng.normal() * 6)));
  return img;
}

/** Runs `step(i)` over the images until MIN_SECONDS have passed (at least one pass); images per second. */
async function rate(step: (i: number) => Promise<unknown>): Promise<number> {
  await step(0); // warm-up
  let done = 0;
  const start = performance.now();
  while (done < IMAGES || performance.now() - start < MIN_SECONDS * 1000) {
    await step(done % IMAGES);
    done++;
  }
  return done / ((performance.now() - start) / 1000);
}

const tmp = await mkdtemp(join(tmpdir(), 'fairscope-bench-corrupt-'));
try {
  const files: string[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const img = textured(i);
    const path = join(tmp, `img${i}.jpg`);
    await sharp(img.data, { raw: { width: SIDE, height: SIDE, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(path);
    files.push(path);
  }
  const decoded = await Promise.all(files.map((f) => decodeImage(f)));
  const decodeRate = await rate((i) => decodeImage(files[i] as string));
  process.stderr.write(`decode: ${decodeRate.toFixed(1)} images/s\n`);
  const results: { name: string; rate: number }[] = [];
  for (const name of names) {
    let severity = 0;
    const r = await rate((i) => {
      severity = (severity % 5) + 1;
      return corruptImage(decoded[i] as RgbImage, name, severity, { seed: i });
    });
    results.push({ name, rate: r });
    process.stderr.write(`${name}: ${r.toFixed(1)} images/s\n`);
  }
  const lines = [
    '## Corruptions (ImageNet-C) at 224 x 224',
    '',
    run.block(),
    '',
    `\`node --import tsx bench/corrupt.ts\`: ${IMAGES} natural-ish 224 x 224 JPEG images, severities 1-5 in turn, one thread,`,
    `against decoding the same JPEGs with sharp in the same run. ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}.`,
    '',
    '| corruption | images/s | ms / image | cost in decodes |',
    '|---|---:|---:|---:|',
    `| *decode (sharp, baseline)* | ${decodeRate.toFixed(0)} | ${(1000 / decodeRate).toFixed(2)} | 1.0 |`,
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.rate.toFixed(0)} | ${(1000 / r.rate).toFixed(2)} | ${(decodeRate / r.rate).toFixed(1)} |`,
    ),
    '',
    'Cost in decodes: how many JPEG decodes take as long as one corruption. The corruptions run in',
    'TypeScript on typed arrays (separable and running-sum filters, folded long kernels); jpeg_compression',
    'encodes and decodes with sharp; glass_blur swaps pixels one by one as the reference does.',
  ];
  const out = resultsPath('corrupt.md');
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, resultsText(import.meta.url, lines.join('\n')));
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
