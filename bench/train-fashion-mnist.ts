/**
 * Does pretraining learn? SwAV (and a supervised baseline) on a Fashion-MNIST subset with
 * resnet-tiny at 28 px on the wasm backend, against the same network at random initialisation:
 * kNN accuracy (k = 20, cosine) of the frozen features on t10k images.
 *
 *   node --import tsx bench/train-fashion-mnist.ts [trainImages=512] [epochs=2] [methods=swav,supervised]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBackbone } from '../src/train/backbones/presets.js';
import { selectBackend } from '../src/train/backend/select.js';
import { DEFAULT_CONFIG, embedImages, train } from '../src/train/loop.js';
import type { Method } from '../src/train/methods.js';
import { knnAccuracy } from '../src/train/monitors.js';
import { FASHION_CLASSES, readFashionMnist } from '../src/train/testing/fashion-mnist.js';

const nTrain = Number(process.argv[2] ?? 512);
const epochs = Number(process.argv[3] ?? 2);
const methods = (process.argv[4] ?? 'swav,supervised').split(',') as Method[];
const sel = await selectBackend('auto');
const tr = readFashionMnist('train', nTrain);
const va = readFashionMnist('t10k', 500);
const asImages = (d: { pixels: Float32Array; labels: number[] }) => ({
  ids: d.labels.map((_, i) => String(i)),
  pixels: d.pixels,
  size: 28,
  labels: d.labels.map((l) => FASHION_CLASSES[l] as string),
  failures: [],
});
const random = buildBackbone('resnet-tiny', null);
const knnOf = (m: typeof random) =>
  knnAccuracy(
    embedImages(m, tr.pixels, nTrain, 28),
    tr.labels,
    embedImages(m, va.pixels, 500, 28),
    va.labels,
    64,
    20,
  );
const lines = [
  `| model | train images | epochs | kNN top-1 (k=20, 500 t10k) | img/s | backend |`,
  `|---|---|---|---|---|---|`,
];
lines.push(`| resnet-tiny, random init | ${nTrain} | 0 | ${knnOf(random).toFixed(3)} | - | ${sel.backend} |`);
for (const method of methods) {
  const reports = await train({
    config: {
      ...DEFAULT_CONFIG,
      method,
      backbone: 'resnet-tiny',
      epochs,
      batch: 64,
      imageSize: 28,
      lr: method === 'supervised' ? 0.05 : 0.1,
    },
    train: asImages(tr),
    val: asImages(va),
    outDir: mkdtempSync(join(tmpdir(), `fm-${method}-`)),
    resume: false,
    onEpoch: (r) => process.stderr.write(`${method} ${JSON.stringify(r)}\n`),
  });
  const last = reports[reports.length - 1];
  const ips = reports.reduce((s, r) => s + r.imagesPerSecond, 0) / reports.length;
  lines.push(
    `| resnet-tiny, ${method} | ${nTrain} | ${epochs} | ${last?.knnAccuracy?.toFixed(3)} | ${ips.toFixed(1)} | ${sel.backend} |`,
  );
}
console.log(lines.join('\n'));
