import * as tf from '@tensorflow/tfjs';
import { batchNormTrain } from '../backend/batch-norm-train.js';

/** Arguments of `tf.layers.batchNormalization`. */
type BatchNormArgs = Parameters<typeof tf.layers.batchNormalization>[0];

/** Run-time fields of tfjs-layers 4.22's BatchNormalization that the training path reads. */
interface BatchNormInternals {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

type Kwargs = Record<string, unknown>;
type BatchNormClass = new (
  args?: BatchNormArgs,
) => tf.layers.Layer & { call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] };

let fastPath = true;

/**
 * Turns the fast training path on or off for every layer made by `batchNormalization` (off: the
 * tfjs implementation, for before/after benchmarks). Default on.
 */
export function useFastBatchNorm(enabled: boolean): void {
  fastPath = enabled;
}

// tfjs does not export the class; its factory returns an instance.
const BatchNormalization = Object.getPrototypeOf(tf.layers.batchNormalization({}))
  .constructor as BatchNormClass;

/**
 * tfjs-layers' BatchNormalization whose training-mode call is one op with a closed-form gradient
 * (`batchNormTrain`: onnxruntime kernels on wasm). Inference, weights, moving-average updates and
 * the serialized form (class name 'BatchNormalization') are those of the tfjs layer, so saved
 * models load with plain `tf.loadLayersModel`. Other configurations (axis not last, no centre or
 * scale) use the tfjs implementation.
 */
class FastBatchNormalization extends BatchNormalization {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as BatchNormInternals;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const lastAxis = self.axis === -1 || (x !== undefined && self.axis === x.rank - 1);
    if (!fastPath || kwargs.training !== true || x === undefined || !lastAxis || !self.center || !self.scale)
      return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTrain(
        x,
        self.gamma.read() as tf.Tensor1D,
        self.beta.read() as tf.Tensor1D,
        self.epsilon,
      );
      // The tfjs layer's update: v ← v − (v − batch value)·(1 − momentum).
      for (const [v, value] of [
        [self.movingMean, mean],
        [self.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const orig = v.read();
          v.write(tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - self.momentum)));
        });
      }
      mean.dispose();
      variance.dispose();
      return y;
    });
  }
}

/** `tf.layers.batchNormalization` with the fast training path. */
export function batchNormalization(args: BatchNormArgs): tf.layers.Layer {
  return new FastBatchNormalization(args);
}
