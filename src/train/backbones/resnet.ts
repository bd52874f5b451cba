import * as tf from '@tensorflow/tfjs';
import { add, bn, conv, relu } from './blocks.js';

export type ResnetBlock = 'basic' | 'bottleneck';

export interface ResnetOptions {
  /** 18, 34, 50, 101 or 152 (torchvision's stage depths and block type); or give `blocks`. */
  depth?: 18 | 34 | 50 | 101 | 152;
  /** Blocks per stage, e.g. [2, 2, 2, 2]; overrides `depth`. */
  blocks?: number[];
  /** Block type; defaults to the depth's (basic below 50). */
  block?: ResnetBlock;
  /** Width of the first stage (64 in ResNets); stage s has width·2^s (×4 at a bottleneck's output). */
  width?: number;
  /** 'imagenet': 7×7/2 conv + 3×3/2 max-pool; 'cifar': one 3×3/1 conv (small images). */
  stem?: 'imagenet' | 'cifar';
  /** Input size (square), or null for any size. Default null. */
  inputSize?: number | null;
  /** Input channels. Default 3. */
  channels?: number;
  /** Model name. */
  name?: string;
}

const DEPTHS: Record<number, { blocks: number[]; block: ResnetBlock }> = {
  18: { blocks: [2, 2, 2, 2], block: 'basic' },
  34: { blocks: [3, 4, 6, 3], block: 'basic' },
  50: { blocks: [3, 4, 6, 3], block: 'bottleneck' },
  101: { blocks: [3, 4, 23, 3], block: 'bottleneck' },
  152: { blocks: [3, 8, 36, 3], block: 'bottleneck' },
};

/** Name of the output layer of every backbone: the globally average-pooled feature. */
export const FEATURE_LAYER = 'features';

/**
 * ResNet v1.5 [He et al. 2016, arXiv:1512.03385; torchvision's variant: stride on the 3×3 conv of
 * a bottleneck], NHWC, ending in global average pooling (layer `features`).
 * @returns a model (n, h, w, channels) → (n, finalWidth)
 */
export function resnet(opts: ResnetOptions = {}): tf.LayersModel {
  const preset = opts.depth === undefined ? undefined : DEPTHS[opts.depth];
  if (opts.depth !== undefined && preset === undefined)
    throw new Error(`resnet: depth must be one of ${Object.keys(DEPTHS).join(', ')}, got ${opts.depth}`);
  const blocks = opts.blocks ?? preset?.blocks;
  if (blocks === undefined || blocks.length === 0 || blocks.some((b) => !Number.isInteger(b) || b < 1))
    throw new Error(
      `resnet: give depth or blocks (positive integers per stage), got ${JSON.stringify(opts.blocks)}`,
    );
  const block = opts.block ?? preset?.block ?? 'basic';
  const width = opts.width ?? 64;
  const stem = opts.stem ?? 'imagenet';
  const size = opts.inputSize ?? null;
  const input = tf.input({ shape: [size, size, opts.channels ?? 3], name: 'image' });
  let x: tf.SymbolicTensor;
  if (stem === 'imagenet') {
    x = relu(bn(conv(input, width, 7, 2, 'stem_conv'), 'stem_bn'), 'stem_relu');
    x = tf.layers
      .maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'stem_pool' })
      .apply(x) as tf.SymbolicTensor;
  } else {
    x = relu(bn(conv(input, width, 3, 1, 'stem_conv'), 'stem_bn'), 'stem_relu');
  }
  let inWidth = width;
  blocks.forEach((n, s) => {
    const w = width * 2 ** s;
    for (let i = 0; i < n; i++) {
      const stride = i === 0 && s > 0 ? 2 : 1;
      const p = `s${s + 1}_b${i + 1}`;
      const outWidth = block === 'bottleneck' ? 4 * w : w;
      let y: tf.SymbolicTensor;
      if (block === 'basic') {
        y = relu(bn(conv(x, w, 3, stride, `${p}_conv1`), `${p}_bn1`), `${p}_relu1`);
        y = bn(conv(y, w, 3, 1, `${p}_conv2`), `${p}_bn2`);
      } else {
        y = relu(bn(conv(x, w, 1, 1, `${p}_conv1`), `${p}_bn1`), `${p}_relu1`);
        y = relu(bn(conv(y, w, 3, stride, `${p}_conv2`), `${p}_bn2`), `${p}_relu2`);
        y = bn(conv(y, outWidth, 1, 1, `${p}_conv3`), `${p}_bn3`);
      }
      const shortcut =
        stride !== 1 || inWidth !== outWidth
          ? bn(conv(x, outWidth, 1, stride, `${p}_proj`), `${p}_proj_bn`)
          : x;
      x = relu(add(y, shortcut, `${p}_add`), `${p}_out`);
      inWidth = outWidth;
    }
  });
  const features = tf.layers.globalAveragePooling2d({ name: FEATURE_LAYER }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: features, name: opts.name ?? 'resnet' });
}
