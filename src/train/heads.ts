import * as tf from '@tensorflow/tfjs';
import { batchNormalization } from './backbones/batch-norm-layer.js';

/** One block of an MLP head: a linear layer, optionally followed by BatchNorm and ReLU. */
export interface HeadBlock {
  units: number;
  batchNorm: boolean;
  relu: boolean;
}

/**
 * A generic MLP head built from blocks (heads are data; lightly's `ProjectionHead`).
 * @returns a model (n, inputDim) → (n, last units)
 */
export function mlpHead(inputDim: number, blocks: HeadBlock[], name: string): tf.LayersModel {
  const input = tf.input({ shape: [inputDim], name: `${name}_in` });
  let x = input;
  blocks.forEach((b, i) => {
    x = tf.layers
      .dense({ units: b.units, useBias: !b.batchNorm, name: `${name}_fc${i + 1}` })
      .apply(x) as tf.SymbolicTensor;
    if (b.batchNorm)
      x = batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: `${name}_bn${i + 1}` }).apply(
        x,
      ) as tf.SymbolicTensor;
    if (b.relu) x = tf.layers.reLU({ name: `${name}_relu${i + 1}` }).apply(x) as tf.SymbolicTensor;
  });
  return tf.model({ inputs: input, outputs: x, name });
}

/**
 * Projection head of SwAV [arXiv:2006.09882]: "a 2-layer MLP projection head of dimension 2048
 * → 128" (Linear, BN, ReLU, Linear); SimCLR [arXiv:2002.05709] uses the same shape without the
 * final BN; BYOL [arXiv:2006.07733] 4096 → 256. Small defaults suit CPU training; pass the paper's.
 */
export function projectionHead(
  inputDim: number,
  hiddenDim: number,
  outputDim: number,
  name = 'projection',
): tf.LayersModel {
  return mlpHead(
    inputDim,
    [
      { units: hiddenDim, batchNorm: true, relu: true },
      { units: outputDim, batchNorm: false, relu: false },
    ],
    name,
  );
}
