import * as tf from '@tensorflow/tfjs';
import { batchNormalization } from './batch-norm-layer.js';
import { conv2d } from './conv-layer.js';

type Sym = tf.SymbolicTensor;

/** Layer factory that names layers `${prefix}_${suffix}` so saved models are readable. */
export class Namer {
  constructor(readonly prefix: string) {}
  name(suffix: string): string {
    return `${this.prefix}_${suffix}`;
  }
}

/**
 * Conv (no bias, 'same' padding, He fan-out init as torchvision), NHWC; the input gradient is
 * computed only where needed (./conv-layer.ts).
 */
export function conv(x: Sym, filters: number, kernelSize: number, strides: number, name: string): Sym {
  return conv2d({
    filters,
    kernelSize,
    strides,
    padding: 'same',
    useBias: false,
    kernelInitializer: tf.initializers.varianceScaling({
      scale: 2,
      mode: 'fanOut',
      distribution: 'normal',
    }),
    name,
  }).apply(x) as Sym;
}

/**
 * BatchNorm with PyTorch's defaults (momentum 0.1 → Keras 0.9, eps 1e-5); the training path is
 * one op with a closed-form gradient (./batch-norm-layer.ts).
 */
export function bn(x: Sym, name: string, zeroInit = false): Sym {
  return batchNormalization({
    momentum: 0.9,
    epsilon: 1e-5,
    gammaInitializer: zeroInit ? 'zeros' : 'ones',
    name,
  }).apply(x) as Sym;
}

export function relu(x: Sym, name: string): Sym {
  return tf.layers.reLU({ name }).apply(x) as Sym;
}

export function add(a: Sym, b: Sym, name: string): Sym {
  return tf.layers.add({ name }).apply([a, b]) as Sym;
}
