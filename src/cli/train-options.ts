import { UsageError } from '../core/errors.js';
import { type AugmentConfig, augmentProblems } from '../train/augment.js';
import { BACKBONES } from '../train/backbones/presets.js';
import { type BackendChoice, selectBackend } from '../train/backend/select.js';
import { loadTrainingImages } from '../train/data.js';
import { DEFAULT_CONFIG, type EpochReport, type TrainConfig, type TrainRun, train } from '../train/loop.js';
import type { Method } from '../train/methods.js';
import type { OptimizerName } from '../train/optimizer.js';
import { positiveInt } from './args.js';
import { GUARD_OPTIONS, GUARD_USAGE, guardOutput } from './out-guard.js';

/** Options shared by `pretrain` and `train-supervised`. */
export const TRAIN_OPTIONS = {
  manifest: { type: 'string' },
  val: { type: 'string' },
  backbone: { type: 'string' },
  out: { type: 'string' },
  epochs: { type: 'string' },
  batch: { type: 'string' },
  seed: { type: 'string' },
  'image-size': { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  'weight-decay': { type: 'string' },
  'warmup-epochs': { type: 'string' },
  backend: { type: 'string' },
  'queue-length': { type: 'string' },
  'queue-start-epoch': { type: 'string' },
  'color-strength': { type: 'string' },
  blur: { type: 'string' },
  grayscale: { type: 'string' },
  'min-scale': { type: 'string' },
  resume: { type: 'boolean' },
  json: { type: 'boolean' },
  ...GUARD_OPTIONS,
} as const;

export const TRAIN_USAGE = `
  --manifest M.jsonl      training images (labels used by the kNN monitor when present)
  --val V.jsonl           labelled validation images for the kNN monitor (default: leave-one-out on train)
  --backbone NAME         ${Object.keys(BACKBONES).join(' | ')}
  --out RUN_DIR           checkpoint/, model/, model.json (an embed descriptor), metrics.jsonl
  --epochs N              default ${DEFAULT_CONFIG.epochs}
  --batch N               default ${DEFAULT_CONFIG.batch}
  --seed N                default ${DEFAULT_CONFIG.seed}
  --image-size N          images are squashed to N×N; default ${DEFAULT_CONFIG.imageSize}
  --optimizer sgd|lars|adamw   default ${DEFAULT_CONFIG.optimizer}
  --lr X                  peak learning rate after warm-up (cosine decay); default ${DEFAULT_CONFIG.lr}
  --weight-decay X        default ${DEFAULT_CONFIG.weightDecay} (none on biases and BatchNorm)
  --warmup-epochs N       default ${DEFAULT_CONFIG.warmupEpochs}
  --backend auto|tensorflow|wasm|cpu   default auto (tfjs-node-gpu > tfjs-node > wasm > cpu)
  --queue-length N        SwAV only: queue of earlier batches' embeddings for the codes (rounded down
                          to a multiple of --batch); default 0 (none). SwAV: 3840 at batch 256
  --queue-start-epoch E   SwAV only: epoch from which the queue is filled; default ${DEFAULT_CONFIG.queueStartEpoch}
  --color-strength S      colour jitter strength (brightness/contrast/saturation 0.8·S, hue 0.2·S,
                          with probability 0.8); default 1 (SwAV). Small drawings: 0.25-0.5
  --blur P                probability of Gaussian blur; default 0.5 (SwAV)
  --grayscale P           probability of grayscale; default 0.2 (SwAV)
  --min-scale X           smallest area fraction of the high-resolution crops; default the method's
                          (SwAV/DINO 0.14, others 0.08)
  --resume                continue RUN_DIR's checkpoint (same options required)
  --json                  one JSON line per epoch on stdout
${GUARD_USAGE}`;

function num(v: string | undefined, name: string, fallback: number, min = 0): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isFinite(x) || x < min)
    throw new UsageError(`--${name} must be a number >= ${min}, got "${v}"`);
  return x;
}

/** The augmentation options given (undefined when none is, so the config hashes as before). */
function augmentOf(s: (k: string) => string | undefined): AugmentConfig | undefined {
  const fields = [
    ['color-strength', 'colorStrength'],
    ['blur', 'blur'],
    ['grayscale', 'grayscale'],
    ['min-scale', 'minScale'],
  ] as const;
  const augment: AugmentConfig = {};
  for (const [option, field] of fields) {
    const v = s(option);
    if (v !== undefined) augment[field] = v.trim() === '' ? Number.NaN : Number(v);
  }
  if (Object.keys(augment).length === 0) return undefined;
  const problems = augmentProblems(augment);
  const problem = problems[0];
  if (problem !== undefined) {
    const option = fields.find(([, f]) => f === problem.field)?.[0] as string;
    throw new UsageError(`--${option} ${problem.rule}, got "${s(option)}"`);
  }
  return augment;
}

/**
 * Parses the shared options, guards RUN_DIR (out-guard.ts), loads the images, trains, and prints
 * per-epoch lines.
 * @param hooks passed to train() (tests use onCheckpoint)
 */
export async function runTraining(
  method: Method,
  values: Record<string, string | boolean | undefined>,
  extra: Partial<TrainConfig>,
  hooks: Pick<TrainRun, 'onCheckpoint'> = {},
): Promise<EpochReport[]> {
  const s = (k: string) => values[k] as string | undefined;
  const manifest = s('manifest');
  const backbone = s('backbone');
  const out = s('out');
  if (manifest === undefined) throw new UsageError('missing required option --manifest');
  if (backbone === undefined) throw new UsageError('missing required option --backbone');
  if (out === undefined) throw new UsageError('missing required option --out');
  if (!(backbone in BACKBONES))
    throw new UsageError(`--backbone must be one of ${Object.keys(BACKBONES).join(', ')}, got "${backbone}"`);
  const optimizer = (s('optimizer') ?? DEFAULT_CONFIG.optimizer) as OptimizerName;
  if (!['sgd', 'lars', 'adamw'].includes(optimizer))
    throw new UsageError(`--optimizer must be one of sgd, lars, adamw, got "${optimizer}"`);
  const backend = (s('backend') ?? 'auto') as BackendChoice;
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend))
    throw new UsageError(`--backend must be one of auto, tensorflow, wasm, cpu, got "${backend}"`);
  const config: TrainConfig = {
    ...DEFAULT_CONFIG,
    ...extra,
    method,
    backbone,
    epochs: positiveInt(s('epochs'), 'epochs', DEFAULT_CONFIG.epochs),
    batch: positiveInt(s('batch'), 'batch', DEFAULT_CONFIG.batch),
    seed: num(s('seed'), 'seed', DEFAULT_CONFIG.seed),
    imageSize: positiveInt(s('image-size'), 'image-size', DEFAULT_CONFIG.imageSize),
    optimizer,
    lr: num(s('lr'), 'lr', extra.lr ?? DEFAULT_CONFIG.lr),
    weightDecay: num(s('weight-decay'), 'weight-decay', DEFAULT_CONFIG.weightDecay),
    warmupEpochs: num(s('warmup-epochs'), 'warmup-epochs', DEFAULT_CONFIG.warmupEpochs),
    queueLength: num(s('queue-length'), 'queue-length', DEFAULT_CONFIG.queueLength),
    queueStartEpoch: num(s('queue-start-epoch'), 'queue-start-epoch', DEFAULT_CONFIG.queueStartEpoch),
  };
  const augment = augmentOf(s);
  if (augment !== undefined) config.augment = augment;
  if (method !== 'swav' && (s('queue-length') !== undefined || s('queue-start-epoch') !== undefined))
    throw new UsageError('--queue-length and --queue-start-epoch apply to --method swav only');
  if (!Number.isInteger(config.queueLength) || !Number.isInteger(config.queueStartEpoch))
    throw new UsageError('--queue-length and --queue-start-epoch must be integers');
  if (config.queueLength > 0 && config.queueLength < config.batch)
    throw new UsageError(
      `--queue-length ${config.queueLength} is shorter than one batch (--batch ${config.batch})`,
    );
  if (config.batch < 2) throw new UsageError(`--batch must be at least 2, got ${config.batch}`);
  const release = await guardOutput({
    command: method === 'supervised' ? 'train-supervised' : 'pretrain',
    out,
    kind: 'folder',
    inputs: [manifest, s('val')],
    force: values.force === true,
    wait: values.wait === true,
  });
  try {
    const sel = await selectBackend(backend);
    if (process.env.FAIRSCOPE_QUIET !== '1')
      process.stderr.write(
        `backend: ${sel.backend}${sel.package ? ` (${sel.package})` : ''}${sel.ortKernels?.active ? ' + onnxruntime kernels' : sel.ortKernels ? ` (onnxruntime kernels off: ${sel.ortKernels.reason})` : ''}\n`,
      );
    const trainImages = await loadTrainingImages(manifest, config.imageSize);
    const val =
      s('val') === undefined ? null : await loadTrainingImages(s('val') as string, config.imageSize);
    if (trainImages.failures.length > 0)
      process.stderr.write(
        `${trainImages.failures.length} images could not be decoded and are excluded (see ${out}/failures.jsonl)\n`,
      );
    return await train({
      config,
      train: trainImages,
      val,
      outDir: out,
      resume: values.resume === true,
      ...hooks,
      onEpoch: (r) => {
        if (values.json === true) process.stdout.write(`${JSON.stringify(r)}\n`);
        else if (process.env.FAIRSCOPE_QUIET !== '1')
          process.stdout.write(
            `epoch ${r.epoch}: loss ${r.loss.toFixed(4)}  lr ${r.lr.toExponential(2)}  ${r.imagesPerSecond.toFixed(1)} img/s  kNN ${r.knnAccuracy === null ? 'n/a' : r.knnAccuracy.toFixed(3)}  RankMe ${r.rankMe.toFixed(1)}  std ${r.embeddingStd.toFixed(4)}\n`,
          );
      },
    });
  } finally {
    await release();
  }
}
