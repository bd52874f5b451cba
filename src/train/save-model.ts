import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/**
 * An IOHandler that writes a TF.js layers model as files (the layout of tfjs-node's `file://`:
 * model.json with topology and weights manifest, and weights.bin), atomically: into a temporary
 * folder renamed over `dir` at the end. Load it with `tf.loadLayersModel` and a file handler.
 */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      const tmp = `${dir}.tmp-${process.pid}`;
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true });
      const weights =
        artifacts.weightData === undefined
          ? new ArrayBuffer(0)
          : tf.io.concatenateArrayBuffers(
              Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData],
            );
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: 'fairscope',
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(tmp, 'model.json'), JSON.stringify(modelJson));
      await writeFile(join(tmp, 'weights.bin'), new Uint8Array(weights));
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}
