import * as tf from '@tensorflow/tfjs';

export interface GroupedConv2DArgs {
  filters: number;
  kernelSize: number;
  strides?: number;
  /** Number of groups; input and output channels must both be divisible by it. */
  groups: number;
  name?: string;
  trainable?: boolean;
}

/**
 * A grouped 2-D convolution (no bias, 'same' padding, NHWC), as in ResNeXt/RegNet.
 *
 * TF.js has no grouped convolution (only depthwise), so this layer splits the input channels into
 * `groups` slices, convolves each with its slice of the kernel and concatenates the results: exact,
 * but `groups` kernel launches instead of one. The kernel is stored as Keras stores a grouped
 * Conv2D: (k, k, inChannels / groups, filters), output channels grouped in order.
 *
 * Padding is TensorFlow's 'same' (extra row/column at the bottom/right for stride 2), not
 * PyTorch's symmetric padding: weights trained in PyTorch would need a shifted input.
 *
 * Registered for serialisation as 'GroupedConv2D': a loader of saved models must import this module.
 */
export class GroupedConv2D extends tf.layers.Layer {
  static className = 'GroupedConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly groups: number;
  private kernel: tf.LayerVariable | null = null;

  constructor(args: GroupedConv2DArgs) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides ?? 1;
    this.groups = args.groups;
    if (this.filters % this.groups !== 0)
      throw new Error(
        `GroupedConv2D: filters (${this.filters}) must be divisible by groups (${this.groups})`,
      );
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inChannels = shape[shape.length - 1] as number;
    if (inChannels % this.groups !== 0)
      throw new Error(
        `GroupedConv2D ${this.name}: input channels (${inChannels}) must be divisible by groups (${this.groups})`,
      );
    const k = this.kernelSize;
    // He (fan-out) normal init as torchvision: std = sqrt(2 / (k·k·filters/groups)).
    const fanOut = (k * k * this.filters) / this.groups;
    this.kernel = this.addWeight(
      'kernel',
      [k, k, inChannels / this.groups, this.filters],
      'float32',
      tf.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(2 / fanOut) }),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const out = (n: number | null) => (n === null ? null : Math.ceil(n / this.strides));
    return [s[0] as number | null, out(s[1] as number | null), out(s[2] as number | null), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const w = (this.kernel as tf.LayerVariable).read() as tf.Tensor4D;
      const s: [number, number] = [this.strides, this.strides];
      if (this.groups === 1) return tf.conv2d(x, w, s, 'same');
      const xs = tf.split(x, this.groups, 3);
      const ws = tf.split(w, this.groups, 3);
      return tf.concat(
        xs.map((xg, g) => tf.conv2d(xg as tf.Tensor4D, ws[g] as tf.Tensor4D, s, 'same')),
        3,
      );
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      groups: this.groups,
    };
  }
}
tf.serialization.registerClass(GroupedConv2D);
