import * as tf from '@tensorflow/tfjs';

/** Arguments of `tf.layers.conv2d`. */
type Conv2DArgs = Parameters<typeof tf.layers.conv2d>[0];

/** Run-time fields of tfjs-layers 4.22's Conv2D that the plain path reads. */
interface Conv2DInternals {
  rank: number;
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  activation: { getClassName(): string };
  strides: number[];
  padding: 'valid' | 'same' | 'causal';
  dataFormat: 'channelsFirst' | 'channelsLast';
  dilationRate: number[];
}

type Kwargs = Record<string, unknown>;
type Conv2DClass = new (
  args: Conv2DArgs,
) => tf.layers.Layer & { call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] };

let plainPath = true;

/**
 * Turns the plain-gradient path on or off for every layer made by `conv2d` (off: tfjs-layers' fused
 * op, for before/after benchmarks). Default on.
 */
export function usePlainGradConv(enabled: boolean): void {
  plainPath = enabled;
}

// tfjs does not export the class; its factory returns an instance.
const Conv2D = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 }))
  .constructor as Conv2DClass;

/**
 * tfjs-layers' Conv2D whose bias-free, linear NHWC case runs `tf.conv2d` instead of
 * `tf.fused.conv2d`. Same kernel and values; the difference is the gradient: the fused op's custom
 * gradient computes the input and the filter gradients together, the plain op's registered gradient
 * computes each only when the tape needs it, so a network's first layer (whose input, the image,
 * needs no gradient) skips its input gradient. Weights and the serialized form (class name
 * 'Conv2D') are the tfjs layer's, so saved models load with plain `tf.loadLayersModel`.
 */
class PlainGradConv2D extends Conv2D {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as Conv2DInternals;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (
      !plainPath ||
      x === undefined ||
      x.rank !== 4 ||
      self.rank !== 2 ||
      self.bias !== null ||
      self.activation.getClassName() !== 'linear' ||
      self.dataFormat !== 'channelsLast' ||
      self.padding === 'causal'
    )
      return super.call(inputs, kwargs);
    return tf.tidy(() =>
      tf.conv2d(
        x as tf.Tensor4D,
        self.kernel.read() as tf.Tensor4D,
        self.strides as [number, number],
        self.padding as 'same' | 'valid',
        'NHWC',
        self.dilationRate as [number, number],
      ),
    );
  }
}

/** `tf.layers.conv2d` whose input gradient is computed only when needed. */
export function conv2d(args: Conv2DArgs): tf.layers.Layer {
  return new PlainGradConv2D(args);
}
