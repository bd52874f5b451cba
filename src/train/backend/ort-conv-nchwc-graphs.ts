/**
 * Convolution graphs on onnxruntime's blocked-channel (NCHWc) CPU kernels: the contrib ops
 * `ReorderInput`, `Conv` and `ReorderOutput` of the domain `com.microsoft.nchwc`, which MLAS runs
 * with its direct AVX2/AVX-512 convolution kernels. onnxruntime's own layout optimiser inserts them
 * only for a Conv whose weights are constant initializers; training passes the weights as inputs,
 * so the plain graphs (./ort-conv-graphs.ts) ran MLAS's im2col + GEMM path instead. These graphs
 * call the NCHWc ops directly and reorder the weights inside the graph (a few KB per layer).
 * Measured on the shared 2-core AVX-512 machine (other jobs running), 64 images of 32×32×16, 3×3
 * to 16: forward 3.7 vs 7.0 ms, input gradient 3.5 vs 8.3 ms; 64×32×32×64 to 64: 78 vs 100 ms
 * and 76 vs 108 ms.
 *
 * Layouts (B = the NCHWc block size, 16 with AVX-512, 8 with AVX2): activations NCHWc
 * [N][C/B][H][W][B]; filters OIHWBiBo [O/B][I/B][kh][kw][Bi][Bo] when the input is blocked, OIHWBo
 * [O/B][I][kh][kw][Bo] when fewer than B input channels are read as plain NCHW (MLAS's reorder.cpp).
 * Channel counts are zero-padded up to a multiple of B where the kernels allow it. TF.js layouts
 * stay at the graph boundary (x NHWC, filter HWIO): `ReorderInput`/`ReorderOutput` read and write
 * channels-last directly, so no separate transposes remain.
 */
import type { OnnxGraph, OnnxNode } from '../../linalg/onnx-model.js';
import type { ConvGeometry, OrtActivation } from './ort-conv-graphs.js';

export const NCHWC_DOMAIN = 'com.microsoft.nchwc';

type Ints = NonNullable<OnnxGraph['int64Initializers']>;

const roundUp = (c: number, block: number) => Math.ceil(c / block) * block;

/**
 * Channels a blocked convolution can take as input: fewer than a block (read as plain NCHW), or a
 * multiple of 4, which `ReorderInput` zero-pads to whole blocks (24 → 32 with blocks of 16).
 */
const readableChannels = (c: number, block: number) => c < block || c % 4 === 0;

/** Input channels of the blocked convolution: as given below a block, else padded to whole blocks. */
const blockedChannels = (c: number, block: number) => (c < block ? c : roundUp(c, block));

/** True when `convForwardNchwcGraph` covers the geometry. */
export function nchwcForwardFits(g: ConvGeometry, block: number): boolean {
  return readableChannels(g.inChannels, block);
}

/**
 * True when `convInputGradNchwcGraph` covers the geometry: stride 1 (a strided input gradient is a
 * transposed convolution with holes) and padding of at most the dilated kernel extent per side.
 */
export function nchwcInputGradFits(g: ConvGeometry, block: number): boolean {
  const eh = (g.filterHeight - 1) * g.dilationHeight;
  const ew = (g.filterWidth - 1) * g.dilationWidth;
  return (
    g.strideHeight === 1 &&
    g.strideWidth === 1 &&
    readableChannels(g.outChannels, block) &&
    Math.max(g.pad.top, g.pad.bottom) <= eh &&
    Math.max(g.pad.left, g.pad.right) <= ew &&
    g.outHeight + eh - g.pad.top - g.pad.bottom === g.inHeight &&
    g.outWidth + ew - g.pad.left - g.pad.right === g.inWidth
  );
}

/**
 * Nodes turning the HWIO filter `src` (kh, kw, inCh, outCh) into the blocked filter `out` of an
 * NCHWc convolution with `inCh` input and `outCh` output channels. With `swap`, `src` is
 * (kh, kw, outCh, inCh) instead (the input gradient's filter: the forward filter read with input
 * and output exchanged). Output channels, and input channels from a block on, are zero-padded to
 * a multiple of the block.
 */
function blockedFilter(
  src: string,
  out: string,
  f: { kh: number; kw: number; inCh: number; outCh: number; swap: boolean },
  block: number,
  ints: Ints,
): OnnxNode[] {
  const { kh, kw, outCh, swap } = f;
  const outPad = roundUp(outCh, block);
  const inCh = blockedChannels(f.inCh, block);
  const nodes: OnnxNode[] = [];
  let w = src;
  if (outPad !== outCh || inCh !== f.inCh) {
    const [o, i] = [outPad - outCh, inCh - f.inCh];
    ints.push({ name: `${out}_pads`, dims: [8], values: [0, 0, 0, 0, 0, 0, swap ? o : i, swap ? i : o] });
    nodes.push({ op: 'Pad', inputs: [w, `${out}_pads`], outputs: [`${out}_padded`] });
    w = `${out}_padded`;
  }
  // Split the channel axes into (blocks, B) where blocked, then order as O/B, [I/B], kh, kw, [I], [Bi], Bo.
  let dims: number[];
  let perm: number[];
  if (inCh < block) {
    // OIHWBo: [O/B][I][kh][kw][Bo]
    dims = swap ? [kh, kw, outPad / block, block, inCh] : [kh, kw, inCh, outPad / block, block];
    perm = swap ? [2, 4, 0, 1, 3] : [3, 2, 0, 1, 4];
  } else {
    // OIHWBiBo: [O/B][I/B][kh][kw][Bi][Bo]
    dims = swap
      ? [kh, kw, outPad / block, block, inCh / block, block]
      : [kh, kw, inCh / block, block, outPad / block, block];
    perm = swap ? [2, 4, 0, 1, 5, 3] : [4, 2, 0, 1, 3, 5];
  }
  ints.push(
    { name: `${out}_split`, dims: [dims.length], values: dims },
    { name: `${out}_shape`, dims: [4], values: [outPad, inCh, kh, kw] },
  );
  nodes.push(
    { op: 'Reshape', inputs: [w, `${out}_split`], outputs: [`${out}_split6`] },
    { op: 'Transpose', inputs: [`${out}_split6`], outputs: [`${out}_ordered`], attributes: { perm } },
    { op: 'Reshape', inputs: [`${out}_ordered`, `${out}_shape`], outputs: [out] },
  );
  return nodes;
}

/** Node making the NHWC tensor `src` an input of a blocked convolution: NCHWc, or plain NCHW below a block. */
function blockedInput(src: string, out: string, channels: number, block: number): OnnxNode {
  return channels < block
    ? { op: 'Transpose', inputs: [src], outputs: [out], attributes: { perm: [0, 3, 1, 2] } }
    : {
        op: 'ReorderInput',
        domain: NCHWC_DOMAIN,
        inputs: [src],
        outputs: [out],
        attributes: { channels_last: 1 },
      };
}

const activationNode = (act: OrtActivation, input: string, output: string, alpha?: number): OnnxNode => ({
  op: { linear: 'Identity', relu: 'Relu', sigmoid: 'Sigmoid', elu: 'Elu', leakyrelu: 'LeakyRelu' }[act],
  inputs: [input],
  outputs: [output],
  attributes: act === 'leakyrelu' ? { alpha: { float: alpha ?? 0.2 } } : undefined,
});

/**
 * y = act(conv(x, w) + bias) on the NCHWc kernels: inputs x (N, H, W, Ci), w (kh, kw, Ci, Co),
 * optional bias (Co); output y (N, OH, OW, Co). Needs `nchwcForwardFits`.
 */
export function convForwardNchwcGraph(
  g: ConvGeometry,
  block: number,
  opts: { bias: boolean; activation: OrtActivation; leakyreluAlpha?: number },
): OnnxGraph {
  if (!nchwcForwardFits(g, block)) throw new Error(`convForwardNchwcGraph: ${g.inChannels} input channels`);
  const ints: Ints = [];
  const nodes = blockedFilter(
    'w',
    'wb',
    { kh: g.filterHeight, kw: g.filterWidth, inCh: g.inChannels, outCh: g.outChannels, swap: false },
    block,
    ints,
  );
  nodes.push(blockedInput('x', 'xb', g.inChannels, block));
  const convInputs = ['xb', 'wb'];
  const outPad = roundUp(g.outChannels, block);
  if (opts.bias) {
    if (outPad === g.outChannels) convInputs.push('b');
    else {
      ints.push({ name: 'b_pads', dims: [2], values: [0, outPad - g.outChannels] });
      nodes.push({ op: 'Pad', inputs: ['b', 'b_pads'], outputs: ['b_padded'] });
      convInputs.push('b_padded');
    }
  }
  const last = opts.activation === 'linear' ? 'y' : 'y_linear';
  nodes.push(
    {
      op: 'Conv',
      domain: NCHWC_DOMAIN,
      inputs: convInputs,
      outputs: ['yb'],
      attributes: {
        kernel_shape: [g.filterHeight, g.filterWidth],
        strides: [g.strideHeight, g.strideWidth],
        dilations: [g.dilationHeight, g.dilationWidth],
        pads: [g.pad.top, g.pad.left, g.pad.bottom, g.pad.right],
      },
    },
    {
      op: 'ReorderOutput',
      domain: NCHWC_DOMAIN,
      inputs: ['yb'],
      outputs: [last],
      attributes: { channels: g.outChannels, channels_last: 1 },
    },
  );
  if (opts.activation !== 'linear')
    nodes.push(activationNode(opts.activation, last, 'y', opts.leakyreluAlpha));
  const inputs = [
    { name: 'x', shape: [g.batch, g.inHeight, g.inWidth, g.inChannels] },
    { name: 'w', shape: [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels] },
  ];
  if (opts.bias) inputs.push({ name: 'b', shape: [g.outChannels] });
  return {
    nodes,
    inputs,
    outputs: [{ name: 'y', shape: [g.batch, g.outHeight, g.outWidth, g.outChannels] }],
    int64Initializers: ints,
  };
}

/**
 * dx of y = conv(x, w) at stride 1, as a convolution of dy with the spatially flipped filter read
 * with input and output channels exchanged:
 *
 *   dx[h, w, ci] = Σ_{i, j, co} dy[h + top − i·d, w + left − j·d, co] · W[i, j, ci, co]
 *
 * i.e. a correlation with W'[i', j', co, ci] = W[kh−1−i', kw−1−j', ci, co] and padding
 * (kh−1)·d − top before, (kh−1)·d − bottom after (likewise for the width). Inputs dy (N, OH, OW, Co),
 * w (kh, kw, Ci, Co); output dx (N, H, W, Ci). Needs `nchwcInputGradFits`.
 */
export function convInputGradNchwcGraph(g: ConvGeometry, block: number): OnnxGraph {
  if (!nchwcInputGradFits(g, block)) throw new Error('convInputGradNchwcGraph: geometry not covered');
  const { filterHeight: kh, filterWidth: kw, dilationHeight: dh, dilationWidth: dw } = g;
  const ints: Ints = [
    { name: 'flip_starts', dims: [2], values: [-1, -1] },
    { name: 'flip_ends', dims: [2], values: [-(2 ** 62), -(2 ** 62)] },
    { name: 'flip_axes', dims: [2], values: [0, 1] },
    { name: 'flip_steps', dims: [2], values: [-1, -1] },
  ];
  const nodes: OnnxNode[] = [
    {
      op: 'Slice',
      inputs: ['w', 'flip_starts', 'flip_ends', 'flip_axes', 'flip_steps'],
      outputs: ['w_flipped'],
    },
    ...blockedFilter(
      'w_flipped',
      'wb',
      { kh, kw, inCh: g.outChannels, outCh: g.inChannels, swap: true },
      block,
      ints,
    ),
    blockedInput('dy', 'dyb', g.outChannels, block),
    {
      op: 'Conv',
      domain: NCHWC_DOMAIN,
      inputs: ['dyb', 'wb'],
      outputs: ['dxb'],
      attributes: {
        kernel_shape: [kh, kw],
        dilations: [dh, dw],
        pads: [
          (kh - 1) * dh - g.pad.top,
          (kw - 1) * dw - g.pad.left,
          (kh - 1) * dh - g.pad.bottom,
          (kw - 1) * dw - g.pad.right,
        ],
      },
    },
    {
      op: 'ReorderOutput',
      domain: NCHWC_DOMAIN,
      inputs: ['dxb'],
      outputs: ['dx'],
      attributes: { channels: g.inChannels, channels_last: 1 },
    },
  ];
  return {
    nodes,
    inputs: [
      { name: 'dy', shape: [g.batch, g.outHeight, g.outWidth, g.outChannels] },
      { name: 'w', shape: [kh, kw, g.inChannels, g.outChannels] },
    ],
    outputs: [{ name: 'dx', shape: [g.batch, g.inHeight, g.inWidth, g.inChannels] }],
    int64Initializers: ints,
  };
}

/**
 * A graph whose output is the shape (1, B, 1, 1) of 4 channels reordered to NCHWc, as floats:
 * B is the block size MLAS picked for this CPU (the reorder pads the channels to one block).
 */
export function blockSizeProbeGraph(): OnnxGraph {
  return {
    nodes: [
      { op: 'ReorderInput', domain: NCHWC_DOMAIN, inputs: ['x'], outputs: ['blocked'] },
      { op: 'Shape', inputs: ['blocked'], outputs: ['dims'] },
      { op: 'Cast', inputs: ['dims'], outputs: ['shape'], attributes: { to: 1 } }, // FLOAT
    ],
    inputs: [{ name: 'x', shape: [1, 4, 1, 1] }],
    outputs: [{ name: 'shape', shape: [4] }],
  };
}

/** Bottom/right zero rows and columns the filter gradient's last taps read (negative: unread input). */
function filterGradExtent(g: ConvGeometry): { bottom: number; right: number } {
  return {
    bottom:
      (g.filterHeight - 1) * g.dilationHeight +
      (g.outHeight - 1) * g.strideHeight +
      1 -
      g.inHeight -
      g.pad.top,
    right:
      (g.filterWidth - 1) * g.dilationWidth + (g.outWidth - 1) * g.strideWidth + 1 - g.inWidth - g.pad.left,
  };
}

/**
 * True when `convFilterGradNchwcGraph` covers the geometry and is the faster route: fewer input
 * channels than half a block (a network's first layer, on RGB images), where the per-tap products
 * of ./ort-conv-graphs.ts have 3-wide outputs; a batch of whole blocks; no unread input rows or
 * columns. Measured (block 16, 64 images): 32×32×3 → 16, 3×3: 3.4 vs 5.9 ms; → 64: 15 vs 72 ms;
 * 64×64×3 → 64, 7×7 stride 2: 53 vs 546 ms; but 8 input channels: 9.4 vs 6.6 ms.
 */
export function nchwcFilterGradFits(g: ConvGeometry, block: number): boolean {
  const { bottom, right } = filterGradExtent(g);
  return 2 * g.inChannels < block && g.batch % block === 0 && bottom >= 0 && right >= 0;
}

/**
 * dw of y = conv(x, w) as one NCHWc convolution over the batch: with images as channels and input
 * channels as the batch,
 *
 *   dW[i, j, ci, co] = Σ_{n, p, q} X[n, p·s + i·d − top, q·s + j·d − left, ci] · dY[n, p, q, co]
 *
 * is a correlation of X' (Ci, N, H, W) with the filter dY' (Co, N, OH, OW) at stride d and dilation
 * s, giving (Ci, Co, kh, kw). Inputs x (N, H, W, Ci), dy (N, OH, OW, Co); output dw (kh, kw, Ci, Co).
 * Needs `nchwcFilterGradFits`.
 */
export function convFilterGradNchwcGraph(g: ConvGeometry, block: number): OnnxGraph {
  if (!nchwcFilterGradFits(g, block)) throw new Error('convFilterGradNchwcGraph: geometry not covered');
  const { batch: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = g;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = g;
  const { bottom, right } = filterGradExtent(g);
  const coPad = roundUp(co, block);
  const ints: Ints = [
    { name: 'x_split', dims: [5], values: [n / block, block, h, w, ci] },
    { name: 'x_shape', dims: [4], values: [ci, n, h, w] },
    { name: 'dy_split', dims: [6], values: [n / block, block, oh, ow, coPad / block, block] },
    { name: 'dy_shape', dims: [4], values: [coPad, n, oh, ow] },
    { name: 'dw_split', dims: [5], values: [ci, coPad / block, kh, kw, block] },
    { name: 'dw_shape', dims: [4], values: [kh, kw, ci, coPad] },
  ];
  const nodes: OnnxNode[] = [
    // x as a batch of Ci "images" with N channels, NCHWc over the images: [Ci][N/B][H][W][B].
    { op: 'Reshape', inputs: ['x', 'x_split'], outputs: ['x5'] },
    { op: 'Transpose', inputs: ['x5'], outputs: ['x5t'], attributes: { perm: [4, 0, 2, 3, 1] } },
    { op: 'Reshape', inputs: ['x5t', 'x_shape'], outputs: ['xb'] },
  ];
  let d = 'dy';
  if (coPad !== co) {
    ints.push({ name: 'dy_pads', dims: [8], values: [0, 0, 0, 0, 0, 0, 0, coPad - co] });
    nodes.push({ op: 'Pad', inputs: ['dy', 'dy_pads'], outputs: ['dy_padded'] });
    d = 'dy_padded';
  }
  // dy as the filter (Co out, N in, OH, OW), OIHWBiBo: [Co/B][N/B][OH][OW][Bn][Bco].
  nodes.push(
    { op: 'Reshape', inputs: [d, 'dy_split'], outputs: ['dy6'] },
    { op: 'Transpose', inputs: ['dy6'], outputs: ['dy6t'], attributes: { perm: [4, 0, 2, 3, 1, 5] } },
    { op: 'Reshape', inputs: ['dy6t', 'dy_shape'], outputs: ['dyb'] },
    {
      op: 'Conv',
      domain: NCHWC_DOMAIN,
      inputs: ['xb', 'dyb'],
      outputs: ['dwb'],
      attributes: {
        kernel_shape: [oh, ow],
        strides: [g.dilationHeight, g.dilationWidth],
        dilations: [g.strideHeight, g.strideWidth],
        pads: [g.pad.top, g.pad.left, bottom, right],
      },
    },
    // (Ci, Co/B, kh, kw, B) → (kh, kw, Ci, Co).
    { op: 'Reshape', inputs: ['dwb', 'dw_split'], outputs: ['dw5'] },
    { op: 'Transpose', inputs: ['dw5'], outputs: ['dw5t'], attributes: { perm: [2, 3, 0, 1, 4] } },
  );
  if (coPad === co) nodes.push({ op: 'Reshape', inputs: ['dw5t', 'dw_shape'], outputs: ['dw'] });
  else {
    ints.push(
      { name: 'co_start', dims: [1], values: [0] },
      { name: 'co_end', dims: [1], values: [co] },
      { name: 'co_axis', dims: [1], values: [3] },
    );
    nodes.push(
      { op: 'Reshape', inputs: ['dw5t', 'dw_shape'], outputs: ['dw_padded'] },
      { op: 'Slice', inputs: ['dw_padded', 'co_start', 'co_end', 'co_axis'], outputs: ['dw'] },
    );
  }
  return {
    nodes,
    inputs: [
      { name: 'x', shape: [n, h, w, ci] },
      { name: 'dy', shape: [n, oh, ow, co] },
    ],
    outputs: [{ name: 'dw', shape: [kh, kw, ci, co] }],
    int64Initializers: ints,
  };
}
