import * as tf from '@tensorflow/tfjs';
import { add, bn, conv, relu } from './blocks.js';
import { GroupedConv2D } from './grouped-conv.js';
import { type RegnetParams, regnetWidths } from './regnet-widths.js';
import { FEATURE_LAYER } from './resnet.js';

export interface RegnetYOptions extends RegnetParams {
  /** Squeeze-excitation ratio of the block input width. Default 0.25 (RegNetY). */
  seRatio?: number;
  /** Stem width. Default 32. */
  stemWidth?: number;
  /** Input size (square), or null for any size. */
  inputSize?: number | null;
  channels?: number;
  name?: string;
}

/**
 * RegNetY [Radosavovic et al. 2020, arXiv:2003.13678], as ClassyVision's `RegNet` with
 * `ResBottleneckBlock`, bottleneck multiplier 1 and SE (protocols.md 7.2), NHWC:
 *
 *   stem: 3×3/2 conv → stemWidth, BN, ReLU
 *   block: 1×1 conv, BN, ReLU; 3×3 grouped conv (groups = w/gw; stride 2 in a stage's first block),
 *          BN, ReLU; SE (squeeze to round(seRatio·w_in), ReLU, excite, sigmoid); 1×1 conv, BN;
 *          + shortcut (1×1/2 conv + BN when the shape changes); ReLU
 *   global average pooling (layer `features`)
 *
 * The grouped conv is `GroupedConv2D` (split + conv + concat; TF.js has no grouped conv).
 * @returns a model (n, h, w, channels) → (n, last stage width)
 */
export function regnetY(opts: RegnetYOptions): tf.LayersModel {
  const { widths, depths, groupWidths } = regnetWidths(opts);
  const seRatio = opts.seRatio ?? 0.25;
  const size = opts.inputSize ?? null;
  const input = tf.input({ shape: [size, size, opts.channels ?? 3], name: 'image' });
  let w_in = opts.stemWidth ?? 32;
  let x = relu(bn(conv(input, w_in, 3, 2, 'stem_conv'), 'stem_bn'), 'stem_relu');
  widths.forEach((w, s) => {
    const groups = w / (groupWidths[s] as number);
    for (let i = 0; i < (depths[s] as number); i++) {
      const stride = i === 0 ? 2 : 1;
      const p = `s${s + 1}_b${i + 1}`;
      let y = relu(bn(conv(x, w, 1, 1, `${p}_a`), `${p}_a_bn`), `${p}_a_relu`);
      y = new GroupedConv2D({ filters: w, kernelSize: 3, strides: stride, groups, name: `${p}_b` }).apply(
        y,
      ) as tf.SymbolicTensor;
      y = relu(bn(y, `${p}_b_bn`), `${p}_b_relu`);
      const seWidth = Math.round(seRatio * w_in);
      let se = tf.layers.globalAveragePooling2d({ name: `${p}_se_pool` }).apply(y) as tf.SymbolicTensor;
      se = tf.layers
        .dense({ units: seWidth, activation: 'relu', name: `${p}_se_squeeze` })
        .apply(se) as tf.SymbolicTensor;
      se = tf.layers
        .dense({ units: w, activation: 'sigmoid', name: `${p}_se_excite` })
        .apply(se) as tf.SymbolicTensor;
      se = tf.layers
        .reshape({ targetShape: [1, 1, w], name: `${p}_se_reshape` })
        .apply(se) as tf.SymbolicTensor;
      y = tf.layers.multiply({ name: `${p}_se_scale` }).apply([y, se]) as tf.SymbolicTensor;
      y = bn(conv(y, w, 1, 1, `${p}_c`), `${p}_c_bn`);
      const shortcut =
        stride !== 1 || w_in !== w ? bn(conv(x, w, 1, stride, `${p}_proj`), `${p}_proj_bn`) : x;
      x = relu(add(y, shortcut, `${p}_add`), `${p}_out`);
      w_in = w;
    }
  });
  const features = tf.layers.globalAveragePooling2d({ name: FEATURE_LAYER }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: features, name: opts.name ?? 'regnety' });
}
