/**
 * The one-layer ONNX graphs that run TF.js's NHWC convolutions (forward, input gradient, filter
 * gradient) on onnxruntime. TF.js layouts are kept at the graph boundary (x NHWC, filter HWIO) so
 * the kernels pass TF.js memory as is; the graphs transpose to ONNX's NCHW/OIHW inside. With the
 * weights as graph inputs, onnxruntime runs these Convs with im2col + GEMM (its NCHWc rewrite needs
 * constant weights): ./ort-conv-nchwc-graphs.ts has the faster graphs the kernels use where the
 * channel counts allow; these are the fallback, and the filter gradient beyond the first layer.
 */
import type { OnnxGraph, OnnxNode } from '../../linalg/onnx-model.js';

/** Geometry of one 2-D convolution (TF.js `computeConv2DInfo` values). */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  /** Zero padding of the input, TF convention (SAME puts the odd pixel at the bottom/right). */
  pad: { top: number; bottom: number; left: number; right: number };
}

/** Fused activations the forward graph supports (TF.js names). */
export type OrtActivation = 'linear' | 'relu' | 'sigmoid' | 'elu' | 'leakyrelu';

export const SUPPORTED_ACTIVATIONS: readonly string[] = ['linear', 'relu', 'sigmoid', 'elu', 'leakyrelu'];

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];
const HWIO_TO_OIHW = [3, 2, 0, 1];

const xShape = (g: ConvGeometry) => [g.batch, g.inHeight, g.inWidth, g.inChannels];
const yShape = (g: ConvGeometry) => [g.batch, g.outHeight, g.outWidth, g.outChannels];
const wShape = (g: ConvGeometry) => [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels];

/**
 * y = act(conv(x, w) + bias): inputs x (N, H, W, Ci), w (kh, kw, Ci, Co), optional bias (Co);
 * output y (N, OH, OW, Co).
 */
export function convForwardGraph(
  g: ConvGeometry,
  opts: { bias: boolean; activation: OrtActivation; leakyreluAlpha?: number },
): OnnxGraph {
  const nodes: OnnxNode[] = [
    { op: 'Transpose', inputs: ['x'], outputs: ['xc'], attributes: { perm: NHWC_TO_NCHW } },
    { op: 'Transpose', inputs: ['w'], outputs: ['wc'], attributes: { perm: HWIO_TO_OIHW } },
    {
      op: 'Conv',
      inputs: opts.bias ? ['xc', 'wc', 'b'] : ['xc', 'wc'],
      outputs: ['yc'],
      attributes: {
        kernel_shape: [g.filterHeight, g.filterWidth],
        strides: [g.strideHeight, g.strideWidth],
        dilations: [g.dilationHeight, g.dilationWidth],
        pads: [g.pad.top, g.pad.left, g.pad.bottom, g.pad.right],
      },
    },
  ];
  let last = 'yc';
  const act = opts.activation;
  if (act !== 'linear') {
    const op = { relu: 'Relu', sigmoid: 'Sigmoid', elu: 'Elu', leakyrelu: 'LeakyRelu' }[act];
    const attributes = act === 'leakyrelu' ? { alpha: { float: opts.leakyreluAlpha ?? 0.2 } } : undefined;
    nodes.push({ op, inputs: [last], outputs: ['ya'], attributes });
    last = 'ya';
  }
  nodes.push({ op: 'Transpose', inputs: [last], outputs: ['y'], attributes: { perm: NCHW_TO_NHWC } });
  const inputs = [
    { name: 'x', shape: xShape(g) },
    { name: 'w', shape: wShape(g) },
  ];
  if (opts.bias) inputs.push({ name: 'b', shape: [g.outChannels] });
  return { nodes, inputs, outputs: [{ name: 'y', shape: yShape(g) }] };
}

/**
 * dx of y = conv(x, w) as a transposed convolution: inputs dy (N, OH, OW, Co), w (kh, kw, Ci, Co);
 * output dx (N, H, W, Ci). The forward padding is cropped from the full transposed output; rows
 * and columns no output saw (VALID with a remainder) come from `output_padding` as zeros.
 */
export function convInputGradGraph(g: ConvGeometry): OnnxGraph {
  const fullH = g.strideHeight * (g.outHeight - 1) + (g.filterHeight - 1) * g.dilationHeight + 1;
  const fullW = g.strideWidth * (g.outWidth - 1) + (g.filterWidth - 1) * g.dilationWidth + 1;
  // output = full + outPad - top - bottom = inHeight
  const bottom = Math.max(0, fullH - g.pad.top - g.inHeight);
  const right = Math.max(0, fullW - g.pad.left - g.inWidth);
  const outPadH = g.inHeight - (fullH - g.pad.top - bottom);
  const outPadW = g.inWidth - (fullW - g.pad.left - right);
  return {
    nodes: [
      { op: 'Transpose', inputs: ['dy'], outputs: ['dyc'], attributes: { perm: NHWC_TO_NCHW } },
      { op: 'Transpose', inputs: ['w'], outputs: ['wc'], attributes: { perm: HWIO_TO_OIHW } },
      {
        op: 'ConvTranspose',
        inputs: ['dyc', 'wc'],
        outputs: ['dxc'],
        attributes: {
          kernel_shape: [g.filterHeight, g.filterWidth],
          strides: [g.strideHeight, g.strideWidth],
          dilations: [g.dilationHeight, g.dilationWidth],
          pads: [g.pad.top, g.pad.left, bottom, right],
          output_padding: [outPadH, outPadW],
        },
      },
      { op: 'Transpose', inputs: ['dxc'], outputs: ['dx'], attributes: { perm: NCHW_TO_NHWC } },
    ],
    inputs: [
      { name: 'dy', shape: yShape(g) },
      { name: 'w', shape: wShape(g) },
    ],
    outputs: [{ name: 'dx', shape: xShape(g) }],
  };
}

/** Output positions per image from which the filter gradient batches its products over images. */
export const PER_IMAGE_PRODUCTS_FROM = 256;

/**
 * Bytes of padded input per chunk of images in the filter gradient: each chunk's taps and products
 * are formed while its input is still in cache. Measured (2 shared cores, 64×32×32×64 3×3): chunks of
 * 4 images (1.2 MB) 74 ms, 8: 91 ms, 16: 148 ms, the whole batch at once: 240 ms; 128×32×32×16:
 * 16 images (1.2 MB) 17 ms against 36 ms.
 */
export const FILTER_GRAD_CHUNK_BYTES = 1.25 * 2 ** 20;

/** The largest divisor of `n` images whose padded inputs fit `chunkBytes` (at least 1). */
export function imagesPerChunk(
  n: number,
  bytesPerImage: number,
  chunkBytes = FILTER_GRAD_CHUNK_BYTES,
): number {
  for (let k = Math.min(n, Math.floor(chunkBytes / bytesPerImage)); k > 1; k--) if (n % k === 0) return k;
  return 1;
}

/**
 * dw of y = conv(x, w), one matrix product per kernel tap (stack.md: strided slices + MatMul beat
 * a dilated conv). Tap (i, j) saw a strided slice X_ij of the padded input, so
 *
 *   dW[i, j]ᵀ (Co, Ci) = dYᵀ (Co, M) · X_ij (M, Ci),   M = N·OH·OW.
 *
 * A product with a huge reduction dimension and a tiny output is one MLAS does not split across
 * threads well, so for large feature maps (OH·OW ≥ PER_IMAGE_PRODUCTS_FROM) the product is batched
 * over images, (n, Co, OH·OW)·(n, OH·OW, Ci), and summed over them, one chunk of n images
 * (`imagesPerChunk`) at a time: a chunk is cut and padded in one Pad (negative pads crop the batch),
 * and its k² taps are sliced and multiplied while it is in cache. Small maps with many channels keep
 * the single product. Both measured faster on onnxruntime than one product with the concatenated
 * im2col matrix. Inputs x (N, H, W, Ci), dy declared (M, Co); output dw declared (kh·kw, Ci, Co),
 * which is HWIO in memory.
 */
export function convFilterGradGraph(g: ConvGeometry, chunkBytes = FILTER_GRAD_CHUNK_BYTES): OnnxGraph {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = g;
  const { dilationHeight: dh, dilationWidth: dw, outHeight: oh, outWidth: ow } = g;
  const n = g.batch;
  const m = n * oh * ow;
  const perImage = oh * ow >= PER_IMAGE_PRODUCTS_FROM;
  // Bottom/right zeros only as far as the last tap reads.
  const bottom = Math.max(0, (kh - 1) * dh + (oh - 1) * sh + 1 - g.inHeight - g.pad.top);
  const right = Math.max(0, (kw - 1) * dw + (ow - 1) * sw + 1 - g.inWidth - g.pad.left);
  const paddedH = g.inHeight + g.pad.top + bottom;
  const paddedW = g.inWidth + g.pad.left + right;
  const per = perImage ? imagesPerChunk(n, paddedH * paddedW * g.inChannels * 4, chunkBytes) : n;
  const chunks = n / per;
  const ints: NonNullable<OnnxGraph['int64Initializers']> = [
    { name: 'axes', dims: [2], values: [1, 2] },
    { name: 'steps', dims: [2], values: [sh, sw] },
  ];
  const nodes: OnnxNode[] = [];
  if (perImage)
    ints.push(
      { name: 'dyShape', dims: [3], values: [n, oh * ow, g.outChannels] },
      { name: 'rows', dims: [3], values: [per, oh * ow, g.inChannels] },
      { name: 'batchAxis', dims: [1], values: [0] },
    );
  else ints.push({ name: 'rows', dims: [2], values: [m, g.inChannels] });
  const padded = g.pad.top + bottom + g.pad.left + right > 0;
  const chunkSums: string[] = [];
  for (let c = 0; c < chunks; c++) {
    const p = chunks > 1 ? `c${c}_` : '';
    let src = 'x';
    if (padded || chunks > 1) {
      ints.push({
        name: `${p}pads`,
        dims: [8],
        values: [-c * per, g.pad.top, g.pad.left, 0, -(n - (c + 1) * per), bottom, right, 0],
      });
      nodes.push({ op: 'Pad', inputs: ['x', `${p}pads`], outputs: [`${p}xp`] });
      src = `${p}xp`;
    }
    const dyT = `${p}dyT`;
    if (!perImage)
      nodes.push({ op: 'Transpose', inputs: ['dy'], outputs: [dyT], attributes: { perm: [1, 0] } }); // (Co, M)
    else {
      if (c === 0) nodes.push({ op: 'Reshape', inputs: ['dy', 'dyShape'], outputs: ['dy3'] });
      let dyChunk = 'dy3';
      if (chunks > 1) {
        ints.push(
          { name: `${p}start`, dims: [1], values: [c * per] },
          { name: `${p}end`, dims: [1], values: [(c + 1) * per] },
        );
        nodes.push({
          op: 'Slice',
          inputs: ['dy3', `${p}start`, `${p}end`, 'batchAxis'],
          outputs: [`${p}dy3`],
        });
        dyChunk = `${p}dy3`;
      }
      nodes.push({ op: 'Transpose', inputs: [dyChunk], outputs: [dyT], attributes: { perm: [0, 2, 1] } }); // (n, Co, P)
    }
    const products: string[] = [];
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) {
        const r0 = i * dh;
        const c0 = j * dw;
        const t = `${p}t${i}_${j}`;
        let tap = src;
        const whole = sh === 1 && sw === 1 && r0 === 0 && c0 === 0 && oh === paddedH && ow === paddedW;
        if (!whole) {
          if (c === 0)
            ints.push(
              { name: `t${i}_${j}_s`, dims: [2], values: [r0, c0] },
              { name: `t${i}_${j}_e`, dims: [2], values: [r0 + (oh - 1) * sh + 1, c0 + (ow - 1) * sw + 1] },
            );
          nodes.push({
            op: 'Slice',
            inputs: [src, `t${i}_${j}_s`, `t${i}_${j}_e`, 'axes', 'steps'],
            outputs: [t],
          });
          tap = t;
        }
        nodes.push(
          { op: 'Reshape', inputs: [tap, 'rows'], outputs: [`${t}_r`] },
          { op: 'MatMul', inputs: [dyT, `${t}_r`], outputs: [`${t}_p`] }, // (Co, Ci) or (n, Co, Ci)
        );
        if (perImage) {
          nodes.push({
            op: 'ReduceSum',
            inputs: [`${t}_p`, 'batchAxis'],
            outputs: [`${t}_sum`],
            attributes: { keepdims: 0 },
          });
          products.push(`${t}_sum`);
        } else products.push(`${t}_p`);
      }
    nodes.push({ op: 'Concat', inputs: products, outputs: [`${p}cat`], attributes: { axis: 0 } }); // (kh·kw·Co, Ci)
    chunkSums.push(`${p}cat`);
  }
  if (chunks > 1) nodes.push({ op: 'Sum', inputs: chunkSums, outputs: ['cat'] });
  ints.push({ name: 'perTap', dims: [3], values: [kh * kw, g.outChannels, g.inChannels] });
  nodes.push(
    { op: 'Reshape', inputs: ['cat', 'perTap'], outputs: ['cat3'] },
    { op: 'Transpose', inputs: ['cat3'], outputs: ['dw'], attributes: { perm: [0, 2, 1] } },
  );
  return {
    nodes,
    inputs: [
      { name: 'x', shape: xShape(g) },
      { name: 'dy', shape: [m, g.outChannels] },
    ],
    outputs: [{ name: 'dw', shape: [kh * kw, g.inChannels, g.outChannels] }],
    int64Initializers: ints,
  };
}
