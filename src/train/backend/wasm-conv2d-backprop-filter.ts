import * as tf from '@tensorflow/tfjs';

/**
 * `Conv2DBackpropFilter` for the TF.js wasm backend, which does not register one (so no conv
 * layer can train on wasm out of the box; stack.md).
 *
 * Formulation (stack.md: "filter gradient as strided slices + MatMul"): for each kernel tap
 * (i, j), the input positions that tap saw are a strided slice of the padded input,
 *
 *   dW[i, j] = X_ij(n·oh·ow, cin)ᵀ · dY(n·oh·ow, cout),  X_ij = pad(x)[:, i::s, j::s, :] (oh × ow),
 *
 * so the gradient is k² matrix products run by XNNPACK's GEMM. TF 'same' padding (extra at the
 * bottom/right) and explicit pads come from `computeConv2DInfo`, as for the forward conv.
 *
 * Rejected alternative: the wasm binary's native `Conv3DBackpropFilterV2` with depth 1 is a naive
 * loop (a 64-image SwAV step of resnet-tiny spent 10.7 s in it) and is also WRONG for strides > 1
 * in tfjs 4.22 (5×5 input, 1×1 kernel, stride 2: 38 where the cpu backend and a hand sum give 228).
 *
 * The kernel body runs TF.js ops on the wasm backend; ops called inside a kernel are not recorded
 * on the gradient tape (the engine tapes only at kernel depth 0). NHWC only; dilations 1.
 */
export function conv2DBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const xInfo = args.inputs.x as tf.TensorInfo;
  const dyInfo = args.inputs.dy as tf.TensorInfo;
  const attrs = args.attrs as unknown as {
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (wasm): only NHWC is supported');
  const info = tf.backend_util.computeConv2DInfo(
    xInfo.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin, outChannels: cout } = info;
  const {
    outHeight: oh,
    outWidth: ow,
    strideHeight: sh,
    strideWidth: sw,
    filterHeight: kh,
    filterWidth: kw,
  } = info;
  if (oh !== dyInfo.shape[1] || ow !== dyInfo.shape[2])
    throw new Error(
      `Conv2DBackpropFilter (wasm): dy shape [${dyInfo.shape.join(', ')}] does not match the conv output ${oh}x${ow}`,
    );
  const engine = tf.engine();
  const x = engine.makeTensorFromTensorInfo(xInfo) as tf.Tensor4D;
  const dy = engine.makeTensorFromTensorInfo(dyInfo) as tf.Tensor4D;
  const out = tf.tidy(() => {
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    // Enough rows/columns that every tap's strided slice fits (extra zeros are never read as data).
    const bottom = Math.max(0, kh - 1 + (oh - 1) * sh + 1 - h - top);
    const right = Math.max(0, kw - 1 + (ow - 1) * sw + 1 - w - left);
    const xp =
      top + bottom + left + right > 0
        ? tf.pad(x, [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ])
        : x;
    const dy2 = tf.reshape(dy, [n * oh * ow, cout]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) {
        const xs =
          sh === 1 && sw === 1
            ? tf.slice(xp, [0, i, j, 0], [n, oh, ow, cin])
            : tf.stridedSlice(
                xp,
                [0, i, j, 0],
                [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, cin],
                [1, sh, sw, 1],
              );
        taps.push(tf.matMul(tf.reshape(xs, [n * oh * ow, cin]), dy2, true, false)); // (cin, cout)
      }
    return tf.reshape(tf.stack(taps), [kh, kw, cin, cout]);
  });
  x.dispose();
  dy.dispose();
  return out;
}

/** Registers the kernel for the wasm backend (idempotent). */
export function registerWasmConv2DBackpropFilter(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: conv2DBackpropFilterWasm as unknown as tf.KernelFunc,
  });
}
