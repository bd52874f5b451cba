/**
 * Test support: a tiny FeatureExtractor (per-channel mean of the input tensor) and solid-colour test
 * images whose embeddings have a closed form. Used by the embed tests, the resume-after-kill child
 * process and the benchmark's sanity check; not part of the public API.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { EmbedOutput, FeatureExtractor, ImageBatch, ManifestItem, Preprocess } from '../core/types.js';

export const TEST_PREPROCESS: Preprocess = {
  resize: 12,
  resizeMode: 'shorter',
  crop: 8,
  interpolation: 'bilinear',
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  channels: 'rgb',
  layout: 'nchw',
};

export interface MeanPoolOptions {
  id?: string;
  preprocess?: Preprocess;
  /** Adds 2 logits per image: [mean of channel 0, -mean of channel 0]. */
  logits?: boolean;
  /** Called before each batch (count calls, throw to simulate a crash, sleep to slow down). */
  beforeBatch?(batch: ImageBatch): void | Promise<void>;
  /** Replaces the output (e.g. with NaN) for tests of output checks. */
  mangle?(out: EmbedOutput, batch: ImageBatch): EmbedOutput;
}

/** Embedding = per-channel mean of the NCHW tensor (dim 3). */
export function meanPoolExtractor(opts: MeanPoolOptions = {}): FeatureExtractor & { calls: number } {
  const preprocess = opts.preprocess ?? TEST_PREPROCESS;
  const ext = {
    id: opts.id ?? 'mean-pool',
    preprocess,
    embeddingDim: 3,
    ...(opts.logits ? { classes: ['bright', 'dark'] } : {}),
    provider: 'test/cpu',
    calls: 0,
    async embed(batch: ImageBatch): Promise<EmbedOutput> {
      ext.calls++;
      await opts.beforeBatch?.(batch);
      const [n, c, h, w] = batch.shape;
      const embedding = new Float32Array(n * c);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < c; k++) {
          let s = 0;
          const base = (i * c + k) * h * w;
          for (let j = 0; j < h * w; j++) s += batch.data[base + j];
          embedding[i * c + k] = s / (h * w);
        }
      }
      let out: EmbedOutput = { embedding };
      if (opts.logits) {
        out.logits = new Float32Array(n * 2);
        for (let i = 0; i < n; i++) {
          out.logits[i * 2] = embedding[i * 3];
          out.logits[i * 2 + 1] = -embedding[i * 3];
        }
      }
      if (opts.mangle) out = opts.mangle(out, batch);
      return out;
    },
    async dispose() {},
  };
  return ext;
}

/** The colour of solid test image i. */
export function testColour(i: number): [number, number, number] {
  return [(i * 37) % 256, (255 - i * 11) % 256, (i * i * 3 + 7) % 256];
}

/**
 * Writes n solid-colour PNGs (sizes vary) into dir and returns manifest items whose sources are
 * relative to dir.
 */
export async function writeTestImages(dir: string, n: number): Promise<ManifestItem[]> {
  await mkdir(dir, { recursive: true });
  const items: ManifestItem[] = [];
  for (let i = 0; i < n; i++) {
    const [r, g, b] = testColour(i);
    const file = `img-${String(i).padStart(3, '0')}.png`;
    await sharp({
      create: { width: 14 + (i % 5), height: 12 + (i % 3), channels: 3, background: { r, g, b } },
    })
      .png()
      .toFile(join(dir, file));
    items.push({ id: `item-${i}`, source: file, labels: [], attrs: { group: i % 2 === 0 ? 'even' : 'odd' } });
  }
  return items;
}

/**
 * The embedding meanPoolExtractor gives a solid image of colour c under TEST_PREPROCESS, by hand:
 * every pixel normalises to f32(f32(f32(c / 255) - mean) / std).
 */
export function expectedEmbedding(c: readonly number[], pp: Preprocess = TEST_PREPROCESS): number[] {
  const f = Math.fround;
  return c.map((v, k) => f(f(f(v / 255) - f(pp.mean[k])) / f(pp.std[k])));
}
