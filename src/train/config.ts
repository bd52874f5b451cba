/**
 * Training configuration and its defaults, kept free of TF.js imports so that the audit spec can
 * validate `train:` entries without loading an engine.
 */
import type { AugmentConfig } from './augment.js';
import type { OptimizerName } from './optimizer.js';

/** Training methods: the self-supervised ones and the supervised baseline. */
export const METHODS = ['swav', 'simclr', 'byol', 'dino', 'barlow', 'supervised'] as const;
export type Method = (typeof METHODS)[number];

export const OPTIMIZERS = ['sgd', 'lars', 'adamw'] as const satisfies readonly OptimizerName[];

export interface TrainConfig {
  method: Method;
  backbone: string;
  epochs: number;
  batch: number;
  seed: number;
  imageSize: number;
  optimizer: OptimizerName;
  /** Peak learning rate (after warm-up). */
  lr: number;
  weightDecay: number;
  warmupEpochs: number;
  hiddenDim: number;
  outputDim: number;
  prototypes: number;
  localCrops: number;
  /** Prototype freeze in epochs (SwAV: 1 epoch, 313 iterations at batch 4096). */
  freezePrototypesEpochs: number;
  /** kNN monitor: number of neighbours. */
  knnK: number;
  /** SwAV queue length (0: none), rounded down to a multiple of the batch. */
  queueLength: number;
  /** Epoch from which the SwAV queue is filled (SwAV: 15 at batch 256, queue 3840). */
  queueStartEpoch: number;
  /**
   * Augmentation of the training views (src/train/augment.ts); absent: SwAV's recipe. Left out of
   * DEFAULT_CONFIG so that configs without it hash (checkpoints, audit caches) as before.
   */
  augment?: AugmentConfig;
}

export const DEFAULT_CONFIG: Omit<TrainConfig, 'method' | 'backbone'> = {
  epochs: 10,
  batch: 64,
  seed: 0,
  imageSize: 32,
  optimizer: 'sgd',
  lr: 0.1,
  weightDecay: 1e-6,
  warmupEpochs: 1,
  hiddenDim: 256,
  outputDim: 64,
  prototypes: 100,
  localCrops: 2,
  freezePrototypesEpochs: 1,
  knnK: 20,
  queueLength: 0,
  queueStartEpoch: 15,
};
