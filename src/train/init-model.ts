import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/node/atomic-write.js';
import { buildBackbone } from './backbones/presets.js';
import type { TrainConfig } from './config.js';
import type { TrainingImages } from './data.js';
import { evaluate, modelDescriptor, withSeededInit } from './loop.js';
import { fileSaveHandler } from './save-model.js';

/** The monitors of an untrained backbone (as an epoch report has them). */
export interface InitMonitors {
  knnAccuracy: number | null;
  rankMe: number;
  embeddingStd: number;
}

/**
 * The floor of every paradigm comparison: the backbone at its seeded random initialisation, written
 * as train() writes a model (RUN_DIR/model/, RUN_DIR/model.json), no training. Seeded as train()
 * seeds its first network, so it is the starting point of a model trained with the same seed and
 * backbone. The monitors are computed on `images` (kNN leave-one-out when every image has a class).
 * BatchNorm layers keep their initial statistics (mean 0, variance 1).
 */
export async function saveInitialBackbone(
  config: Omit<TrainConfig, 'method'>,
  images: TrainingImages,
  outDir: string,
): Promise<InitMonitors> {
  const backbone = withSeededInit(config.seed, (seedInit) => {
    seedInit();
    return buildBackbone(config.backbone, null);
  });
  try {
    const classes = [...new Set(images.labels.filter((l): l is string => l !== null))].sort();
    const monitors = evaluate(backbone, { train: images, val: null }, classes, config.knnK);
    await mkdir(outDir, { recursive: true });
    await backbone.save(fileSaveHandler(join(outDir, 'model')));
    await writeFileAtomic(
      join(outDir, 'model.json'),
      `${JSON.stringify(modelDescriptor({ ...config, method: 'random-init' }), null, 2)}\n`,
    );
    return monitors;
  } finally {
    backbone.dispose();
  }
}
