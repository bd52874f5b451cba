/**
 * Does pretraining learn? SwAV (and a supervised baseline) on a Fashion-MNIST subset with
 * resnet-tiny at 28 px on the wasm backend (onnxruntime kernels), against the same network at
 * random initialisation: kNN accuracy (k = 20, cosine) of the frozen, globally pooled features,
 * with the training images (no augmentation) as the bank and t10k images as queries.
 *
 *   node --import tsx bench/train-fashion-mnist.ts [trainImages=1024] [epochs=2] [methods=swav,supervised] [queries=1000]
 *
 * The default is a 1-2 minute smoke run; the recorded result (bench/results/train.md) is
 * `... 10000 7`, about 20 minutes on 2 shared cores (SwAV about 90 img/s, supervised 340).
 *
 * Environment: FM_LR_SWAV (0.2), FM_LR_SUPERVISED (0.05), FM_WD (1e-5), FM_QUEUE (512: SwAV queue
 * length, 0 for none), FM_QUEUE_START (1: epoch), FM_PROTOTYPES (30), FM_SEED (0), FM_OPT (sgd).
 * Updates the Fashion-MNIST section of bench/results/train.md.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/core/rng.js';
import { buildBackbone } from '../src/train/backbones/presets.js';
import { selectBackend } from '../src/train/backend/select.js';
import { DEFAULT_CONFIG, type EpochReport, embedImages, train } from '../src/train/loop.js';
import type { Method } from '../src/train/methods.js';
import { knnAccuracy, rankMe } from '../src/train/monitors.js';
import { FASHION_CLASSES, readFashionMnist } from '../src/train/testing/fashion-mnist.js';
import { resultsPath, SHARED_RESULTS, startRun, writeKeyedSection } from './machine.js';

const nTrain = Number(process.argv[2] ?? 1024);
const epochs = Number(process.argv[3] ?? 2);
const methods = (process.argv[4] ?? 'swav,supervised').split(',') as Method[];
const nQuery = Number(process.argv[5] ?? 1000);
const env = (k: string, d: number) => (process.env[k] === undefined ? d : Number(process.env[k]));
const lrSwav = env('FM_LR_SWAV', 0.2);
const lrSup = env('FM_LR_SUPERVISED', 0.05);
const weightDecay = env('FM_WD', 1e-5);
const queueLength = env('FM_QUEUE', 512);
const queueStartEpoch = env('FM_QUEUE_START', 1);
const prototypes = env('FM_PROTOTYPES', 30);
const seed = env('FM_SEED', 0);
const optimizer = (process.env.FM_OPT ?? 'sgd') as 'sgd' | 'lars' | 'adamw';
const run = startRun({
  script: import.meta.url,
  packages: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'onnxruntime-node'],
  env: ['FM_'],
});

const sel = await selectBackend('auto');
const tr = readFashionMnist('train', nTrain);
const va = readFashionMnist('t10k', nQuery);
const asImages = (d: { pixels: Float32Array; labels: number[] }) => ({
  ids: d.labels.map((_, i) => String(i)),
  pixels: d.pixels,
  size: 28,
  labels: d.labels.map((l) => FASHION_CLASSES[l] as string),
  failures: [],
});
const se = (p: number) => Math.sqrt((p * (1 - p)) / nQuery);
const evaluate = (m: ReturnType<typeof buildBackbone>) => {
  const bank = embedImages(m, tr.pixels, nTrain, 28);
  const acc = knnAccuracy(bank, tr.labels, embedImages(m, va.pixels, nQuery, 28), va.labels, 64, 20);
  return { acc, rank: rankMe(bank, nTrain, 64) };
};
const row = (model: string, ep: string, r: { acc: number; rank: number }, extra: string) =>
  `| ${model} | ${nTrain} | ${ep} | ${r.acc.toFixed(3)} ± ${se(r.acc).toFixed(3)} | ${r.rank.toFixed(1)} | ${extra} |`;

const lines = [
  `| model | train images | epochs (steps) | kNN top-1 (k=20, ${nQuery} t10k queries) ± s.e. | RankMe of 64 | loss first → last epoch; img/s; minutes |`,
  `|---|---|---|---|---|---|`,
];
// Random initialisation drawn as the training loop draws it (Math.random from Rng(seed), the backbone
// first): the very network SwAV and the supervised run start from.
const random = Math.random;
const initRng = new Rng(seed);
Math.random = () => initRng.next();
const init = buildBackbone('resnet-tiny', null);
Math.random = random;
lines.push(row('resnet-tiny, random init', '0', evaluate(init), '-'));
process.stderr.write(`${lines[lines.length - 1]}\n`);

for (const method of methods) {
  const t0 = performance.now();
  let last: EpochReport[] = [];
  let model: ReturnType<typeof buildBackbone> | null = null;
  const outDir = mkdtempSync(join(tmpdir(), `fm-${method}-`));
  last = await train({
    config: {
      ...DEFAULT_CONFIG,
      method,
      backbone: 'resnet-tiny',
      epochs,
      batch: 64,
      seed,
      imageSize: 28,
      lr: method === 'supervised' ? lrSup : lrSwav,
      weightDecay,
      optimizer,
      prototypes,
      queueLength: method === 'swav' ? queueLength : 0,
      queueStartEpoch,
    },
    train: asImages(tr),
    val: asImages(readFashionMnist('t10k', 500)),
    outDir,
    resume: false,
    onEpoch: (r) => process.stderr.write(`${method} ${JSON.stringify(r)}\n`),
  });
  const { loadLayersModel, io } = await import('@tensorflow/tfjs');
  const mj = JSON.parse(readFileSync(join(outDir, 'model', 'model.json'), 'utf8'));
  const weights = readFileSync(join(outDir, 'model', 'weights.bin'));
  model = await loadLayersModel(
    io.fromMemory({
      modelTopology: mj.modelTopology,
      weightSpecs: mj.weightsManifest[0].weights,
      weightData: new Uint8Array(weights).buffer,
    }),
  );
  const minutes = (performance.now() - t0) / 60000;
  const ips = last.reduce((s, r) => s + r.imagesPerSecond, 0) / last.length;
  const steps = Math.floor(nTrain / 64) * epochs;
  lines.push(
    row(
      `resnet-tiny, ${method}`,
      `${epochs} (${steps})`,
      evaluate(model),
      `${last[0]?.loss.toFixed(2)} → ${last[last.length - 1]?.loss.toFixed(2)}; ${ips.toFixed(0)}; ${minutes.toFixed(1)}`,
    ),
  );
  process.stderr.write(`${lines[lines.length - 1]}\n`);
}

// One section per configuration, so a default smoke run never replaces the recorded long run.
const key = `bench/train-fashion-mnist.ts ${nTrain} ${epochs} ${methods.join(',')} ${nQuery}`;
const section = [
  `## Does SwAV learn? \`node --import tsx ${key}\``,
  '',
  run.block(),
  '',
  `${new Date().toISOString().slice(0, 10)}, backend ${sel.backend}${sel.ortKernels?.active ? ' + onnxruntime kernels' : ''}. resnet-tiny (3 basic stages 16/32/64, 3×3 stem), 28 px, batch 64, ${optimizer === 'sgd' ? 'SGD' : optimizer.toUpperCase()} momentum 0.9, weight decay ${weightDecay}, 1 warm-up epoch then cosine; SwAV lr ${lrSwav}, 2×28 + 2×12 crops, ${prototypes} prototypes (frozen for epoch 1), queue ${queueLength} from epoch ${queueStartEpoch}; supervised lr ${lrSup}, one 28 px crop of scale 0.08-1. kNN: k = 20, cosine, the ${nTrain} training images (not augmented) as the bank, the first ${nQuery} t10k images as queries; s.e. = √(p(1−p)/${nQuery}).`,
  '',
  ...lines,
].join('\n');
writeKeyedSection(resultsPath(SHARED_RESULTS.train.file), { ...SHARED_RESULTS.train, key, section });
console.log(section);
