/**
 * The audit's training step: a model given as `train:` in the spec is trained (or, for method
 * `none`, initialised) into OUT/cache/train/<model name>/ before it is embedded, and is then
 * RUN_DIR/model.json like any descriptor. A run is keyed by a hash of its configuration (method,
 * backbone, every hyper-parameter, seed) and its data (item ids and classes, in order):
 * - a finished run with the same key is reused as is;
 * - an interrupted one with the same key resumes from its last checkpoint;
 * - a folder holding another key (or none) is moved aside to <model name>.replaced-<its key> and the
 *   model is trained afresh: never reused, never deleted.
 * The descriptor id written into RUN_DIR/model.json carries a hash of the weights, so the embedding
 * store and probe caches (keyed by model id) change whenever the weights do.
 */

import { createHash } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { stableHash } from '../core/hash.js';
import { noProgress, type StartProgress } from '../core/stage.js';
import { labelOf, parseLabelSource } from '../probe/dataset.js';
import { BACKBONES } from '../train/backbones/presets.js';
import { type BackendSelection, selectBackend } from '../train/backend/select.js';
import type { TrainConfig } from '../train/config.js';
import { loadTrainingItems } from '../train/data.js';
import { saveInitialBackbone } from '../train/init-model.js';
import { DEFAULT_CONFIG, type EpochReport, train } from '../train/loop.js';
import type { ResolvedDataset } from './datasets.js';
import type { AuditSpec, TrainSpec } from './spec.js';

/** How a trained model was made, for results.models[name].training and the report. */
export interface TrainingInfo {
  /** 'none': the backbone at its seeded random initialisation. */
  method: TrainSpec['method'];
  backbone: string;
  dataset: string;
  /** Images trained on (decoded); failures are excluded. */
  images: number;
  epochs: number;
  steps: number;
  batch: number;
  imageSize: number;
  optimizer: string;
  lr: number;
  seed: number;
  /** Mean loss of the last epoch (null for 'none'). */
  finalLoss: number | null;
  /** The classes of the kNN monitor (and of supervised training): 'labels' or 'attr:<name>'. */
  labelFrom: string;
  /** Monitors of the last epoch (of the initial weights for 'none'). */
  knnAccuracy: number | null;
  rankMe: number;
  embeddingStd: number;
  /** Training time summed over epochs, and images per second of the last epoch (null for 'none'). */
  seconds: number;
  imagesPerSecond: number | null;
  /** SHA-256 (16 hex) of the saved weights. */
  weights: string;
  /** The run folder, relative to the output folder. */
  runDir: string;
  /** A sign of a failed run, e.g. a SwAV loss at ln K (uniform predictions: a collapse). */
  warning?: string;
}

export interface TrainedModel {
  /** RUN_DIR/model.json, a descriptor embedJobs and loadModel accept. */
  modelPath: string;
  /** The descriptor's id: the model name, method, backbone and weights hash. */
  modelId: string;
  info: TrainingInfo;
  /** True when a finished run was reused (nothing trained). */
  reused: boolean;
}

const STATE_FILE = 'audit-train.json';
const METRICS_FILE = 'metrics.jsonl';

interface RunState {
  version: 1;
  key: string;
  status: 'running' | 'done';
  modelId?: string;
  info?: TrainingInfo;
}

/** The training configuration of a spec entry (DEFAULT_CONFIG for what the spec cannot set). */
export function trainConfigOf(
  t: TrainSpec,
  specSeed: number,
): Omit<TrainConfig, 'method'> & {
  method: TrainSpec['method'];
} {
  return {
    ...DEFAULT_CONFIG,
    method: t.method,
    backbone: t.backbone,
    epochs: t.epochs,
    batch: t.batch,
    seed: t.seed ?? specSeed,
    imageSize: t.imageSize,
    optimizer: t.optimizer,
    lr: t.lr,
    weightDecay: t.weightDecay,
    warmupEpochs: t.warmupEpochs,
    prototypes: t.prototypes,
    localCrops: t.localCrops,
    queueLength: t.queueLength,
    queueStartEpoch: t.queueStartEpoch,
    // Only when given: a config without it keeps the key (and cache) it had before the option.
    ...(t.augment === undefined ? {} : { augment: t.augment }),
  };
}

/** Classes of the items under the entry's labelFrom (undefined: none). */
function classesOf(t: TrainSpec, dataset: ResolvedDataset): (string | undefined)[] {
  const source = parseLabelSource(t.labelFrom);
  return dataset.items.map((it) => labelOf(it, source));
}

/**
 * Checks every `train:` entry against what the spec schema cannot see, before anything is trained:
 * the backbone exists; the dataset has at least one batch of images; supervised training has a
 * class for every image and at least 2 classes. Each problem names the key path; the audit lists
 * them with the other checks of its spec (preflight.ts).
 */
export function trainedModelProblems(
  spec: AuditSpec,
  datasets: ReadonlyMap<string, ResolvedDataset>,
): string[] {
  const problems: string[] = [];
  for (const [name, m] of Object.entries(spec.models)) {
    const t = m.train;
    if (t === undefined) continue;
    const path = `models.${name}.train`;
    if (!(t.backbone in BACKBONES))
      problems.push(
        `${path}.backbone: no backbone "${t.backbone}" (backbones: ${Object.keys(BACKBONES).join(', ')})`,
      );
    const ds = datasets.get(t.dataset);
    if (ds === undefined) continue;
    if (t.method !== 'none' && ds.items.length < t.batch)
      problems.push(
        `${path}.batch: dataset "${t.dataset}" has ${ds.items.length} images, fewer than one batch of ${t.batch}`,
      );
    if (t.method === 'supervised') {
      const classes = classesOf(t, ds);
      const missing = ds.items.filter((_, i) => classes[i] === undefined).map((it) => it.id);
      const distinct = new Set(classes.filter((c) => c !== undefined));
      if (missing.length > 0)
        problems.push(
          `${path}.labelFrom: supervised training needs a class for every image; ${missing.length} of ${ds.items.length} in dataset "${t.dataset}" have none under "${t.labelFrom}", e.g. ${missing.slice(0, 3).join(', ')}`,
        );
      else if (distinct.size < 2)
        problems.push(
          `${path}.labelFrom: supervised training needs at least 2 classes; dataset "${t.dataset}" has ${distinct.size} under "${t.labelFrom}"`,
        );
    }
  }
  return problems;
}

async function readState(runDir: string): Promise<RunState | undefined> {
  try {
    const s = JSON.parse(await readFile(join(runDir, STATE_FILE), 'utf8')) as RunState;
    return s.version === 1 && typeof s.key === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

async function writeState(runDir: string, state: RunState): Promise<void> {
  await writeFile(join(runDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

/** SHA-256 of the saved model (topology and weights). */
async function weightsHash(runDir: string): Promise<string> {
  const h = createHash('sha256');
  h.update(await readFile(join(runDir, 'model', 'model.json')));
  h.update(await readFile(join(runDir, 'model', 'weights.bin')));
  return h.digest('hex').slice(0, 16);
}

/** The epochs' reports of the run (metrics.jsonl, the last line per epoch). */
async function readMetrics(runDir: string): Promise<EpochReport[]> {
  const file = join(runDir, METRICS_FILE);
  if (!existsSync(file)) return [];
  const byEpoch = new Map<number, EpochReport>();
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as EpochReport;
    byEpoch.set(r.epoch, r);
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/** Epochs completed by the run's checkpoint (0 when there is none). */
async function checkpointEpoch(runDir: string): Promise<number> {
  try {
    return (JSON.parse(await readFile(join(runDir, 'checkpoint', 'meta.json'), 'utf8')) as { epoch: number })
      .epoch;
  } catch {
    return 0;
  }
}

let backend: Promise<BackendSelection> | undefined;

/** The training backend, chosen once per process (the fastest available, as the train commands do). */
function trainingBackend(log: (line: string) => void): Promise<BackendSelection> {
  backend ??= selectBackend('auto').then((sel) => {
    log(
      `audit: training backend ${sel.backend}${sel.package ? ` (${sel.package})` : ''}${sel.ortKernels?.active ? ' + onnxruntime kernels' : ''}`,
    );
    return sel;
  });
  return backend;
}

const fixed = (x: number | null, digits: number) => (x === null ? 'n/a' : x.toFixed(digits));

/**
 * SwAV's loss is a cross-entropy over K prototypes: at ln K (within 0.005) its predictions are
 * uniform, the collapse that equipartition is meant to prevent.
 */
export function collapseWarning(method: string, prototypes: number, loss: number | null): string | undefined {
  if (method !== 'swav' || loss === null || Math.abs(loss - Math.log(prototypes)) >= 0.005) return undefined;
  return `last-epoch loss ${loss.toFixed(4)} = ln ${prototypes}: uniform predictions over the prototypes (collapsed)`;
}

/**
 * Trains (or reuses, or resumes) the model of one `train:` entry; see the module comment.
 * @param specSeed the spec's seed, used when the entry gives none
 */
export async function prepareTrainedModel(opts: {
  name: string;
  train: TrainSpec;
  specSeed: number;
  dataset: ResolvedDataset;
  outDir: string;
  log: (line: string) => void;
  progress?: StartProgress;
}): Promise<TrainedModel> {
  const { name, train: t, dataset, outDir, log } = opts;
  const startProgress = opts.progress ?? noProgress;
  const relDir = join('cache', 'train', name);
  const runDir = join(outDir, relDir);
  const modelPath = join(runDir, 'model.json');
  const config = trainConfigOf(t, opts.specSeed);
  const classes = classesOf(t, dataset);
  const key = stableHash({
    version: 1,
    config,
    labelFrom: t.labelFrom,
    ids: dataset.items.map((it) => it.id),
    classes: classes.map((c) => c ?? null),
  });

  let state = await readState(runDir);
  const artefacts = existsSync(modelPath) && existsSync(join(runDir, 'model', 'weights.bin'));
  if (state?.key === key && state.status === 'done' && state.info && state.modelId && artefacts) {
    log(`audit: model ${name}: reusing the finished ${t.method} run in ${runDir}`);
    return { modelPath, modelId: state.modelId, info: state.info, reused: true };
  }
  // A run of this configuration that cannot be resumed: finished but its files are gone, or its
  // checkpoint is complete but the model may predate it (interrupted between the two writes).
  const stale =
    state?.key === key &&
    (state.status === 'done' || (t.method !== 'none' && (await checkpointEpoch(runDir)) >= config.epochs));
  if (existsSync(runDir) && (state?.key !== key || stale)) {
    const aside = `${runDir}.replaced-${state?.key ?? 'unknown'}`;
    await rm(aside, { recursive: true, force: true });
    await rename(runDir, aside);
    log(
      `audit: model ${name}: ${runDir} held ${state === undefined ? 'a run of unknown configuration' : stale ? 'an incomplete run' : `another configuration's run (${state.key}; this one is ${key})`}; moved it to ${aside} and training afresh`,
    );
    state = undefined;
  }
  const resume = state?.key === key && existsSync(join(runDir, 'checkpoint'));
  await mkdir(runDir, { recursive: true });
  await writeState(runDir, { version: 1, key, status: 'running' });
  await trainingBackend(log);

  const source = parseLabelSource(t.labelFrom);
  const images = await loadTrainingItems(dataset.manifestPath, dataset.items, config.imageSize, (it) =>
    labelOf(it, source),
  );
  if (images.failures.length > 0)
    log(
      `audit: model ${name}: ${images.failures.length} image(s) of ${t.dataset} could not be decoded and are excluded (${join(runDir, 'failures.jsonl')})`,
    );
  const n = images.ids.length;
  if (t.method !== 'none' && n < config.batch)
    throw new UsageError(
      `models.${name}.train.batch: ${n} images of dataset "${t.dataset}" could be decoded, fewer than one batch of ${config.batch}`,
    );

  const stepsPerEpoch = Math.floor(n / config.batch);
  let final: { loss: number | null; knn: number | null; rankMe: number; std: number; ips: number | null };
  let seconds = 0;
  let epochs = 0;
  if (config.method === 'none') {
    log(`audit: model ${name}: ${config.backbone} at its random initialisation (seed ${config.seed})`);
    const m = await saveInitialBackbone(config, images, runDir);
    final = { loss: null, knn: m.knnAccuracy, rankMe: m.rankMe, std: m.embeddingStd, ips: null };
  } else {
    const method = config.method;
    const done = resume ? await checkpointEpoch(runDir) : 0;
    log(
      `audit: model ${name}: ${resume ? `resuming at epoch ${done + 1} of` : 'training'} ${method} ${config.backbone}, ${config.epochs} epochs × ${stepsPerEpoch} steps (batch ${config.batch}) on ${n} ${t.dataset} images`,
    );
    if (!resume) await rm(join(runDir, METRICS_FILE), { force: true });
    const progress = startProgress(
      `train ${name} (${method})`,
      (config.epochs - done) * stepsPerEpoch * config.batch,
    );
    try {
      await train({
        config: { ...config, method },
        train: images,
        val: null,
        outDir: runDir,
        resume,
        onStep: (k) => progress.tick(k),
        onEpoch: (r) => {
          appendFileSync(join(runDir, METRICS_FILE), `${JSON.stringify(r)}\n`);
          log(
            `audit: model ${name}: epoch ${r.epoch}/${config.epochs}  loss ${r.loss.toFixed(4)}  lr ${r.lr.toExponential(2)}  ${r.imagesPerSecond.toFixed(1)} img/s  kNN ${fixed(r.knnAccuracy, 3)}  RankMe ${r.rankMe.toFixed(1)}`,
          );
        },
      });
    } finally {
      progress.stop();
    }
    const reports = await readMetrics(runDir);
    const last = reports.at(-1);
    if (last === undefined) throw new Error(`model ${name}: training produced no epoch`);
    seconds = reports.reduce((s, r) => s + r.seconds, 0);
    epochs = config.epochs;
    final = {
      loss: last.loss,
      knn: last.knnAccuracy,
      rankMe: last.rankMe,
      std: last.embeddingStd,
      ips: last.imagesPerSecond,
    };
  }

  const weights = await weightsHash(runDir);
  const modelId = `${name}-${config.method === 'none' ? 'random-init' : config.method}-${config.backbone}-${weights.slice(0, 12)}`;
  const descriptor = JSON.parse(await readFile(modelPath, 'utf8')) as Record<string, unknown>;
  await writeFile(modelPath, `${JSON.stringify({ ...descriptor, id: modelId }, null, 2)}\n`);
  const info: TrainingInfo = {
    method: t.method,
    backbone: config.backbone,
    dataset: t.dataset,
    images: n,
    epochs,
    steps: epochs * stepsPerEpoch,
    batch: config.batch,
    imageSize: config.imageSize,
    optimizer: config.optimizer,
    lr: config.lr,
    seed: config.seed,
    labelFrom: t.labelFrom,
    finalLoss: final.loss,
    knnAccuracy: final.knn,
    rankMe: final.rankMe,
    embeddingStd: final.std,
    seconds,
    imagesPerSecond: final.ips,
    weights,
    runDir: relDir,
  };
  const warning = collapseWarning(t.method, config.prototypes, final.loss);
  if (warning !== undefined) {
    info.warning = warning;
    log(`audit: model ${name}: warning: ${warning}`);
  }
  await writeState(runDir, { version: 1, key, status: 'done', modelId, info });
  return { modelPath, modelId, info, reused: false };
}
