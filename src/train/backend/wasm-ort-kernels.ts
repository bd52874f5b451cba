/**
 * TF.js wasm-backend kernels whose work is done by onnxruntime (stack.md, "Where the training
 * speed comes from": a ResNet-18 step from about 45 s to 4-5 s): Conv2D, FusedConv2D (linear,
 * relu, sigmoid, elu, leakyrelu), Conv2DBackpropInput, Conv2DBackpropFilter and BatchMatMul; and
 * the training-mode BatchNorm kernels of ./batch-norm-train.ts.
 *
 * - A kernel may do its work anywhere but must return synchronously: onnxruntime is called through
 *   its synchronous native binding (./ort-sync.ts).
 * - One cached session per (op, shapes, attributes); creating one costs tens of milliseconds, on
 *   the first step only (a smaller last batch adds sessions).
 * - No copies: inputs are views of the wasm heap, and onnxruntime writes into the TF.js output.
 *   The output is allocated BEFORE the views are taken, since allocation can grow the heap and
 *   detach earlier views.
 * - Cases the graphs do not cover (NCHW, prelu/relu6, dilated gradients, non-float32) go to the
 *   kernel that was registered before (the wasm backend's own, or ./wasm-conv2d-backprop-filter.ts).
 * - The forward, the stride-1 input gradient and a first layer's filter gradient run on
 *   onnxruntime's NCHWc kernels where the channel counts allow (./ort-conv-nchwc-graphs.ts: about
 *   twice as fast), else the plain graphs.
 */
import * as tf from '@tensorflow/tfjs';
import type { OnnxGraph } from '../../linalg/onnx-model.js';
import { registerBatchNormTrainKernels, unregisterBatchNormTrainKernels } from './batch-norm-train.js';
import {
  type ConvGeometry,
  convFilterGradGraph,
  convForwardGraph,
  convInputGradGraph,
  type OrtActivation,
  SUPPORTED_ACTIVATIONS,
} from './ort-conv-graphs.js';
import {
  convFilterGradNchwcGraph,
  convForwardNchwcGraph,
  convInputGradNchwcGraph,
  nchwcFilterGradFits,
  nchwcForwardFits,
  nchwcInputGradFits,
} from './ort-conv-nchwc-graphs.js';
import {
  countCall,
  heapView,
  nchwcBlockSize,
  sessionFor,
  setOrtKernelThreads,
  sizeOf as size,
  type WasmBackendInternals,
} from './ort-kernel-support.js';
import { batchMatMulGraph } from './ort-matmul-graph.js';
import { ortSyncAvailable, ortSyncUnavailableReason } from './ort-sync.js';
import { conv2DBackpropFilterWasm } from './wasm-conv2d-backprop-filter.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };
type Kernel = (args: KernelArgs) => tf.TensorInfo;

const ORT_KERNELS = [
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'BatchMatMul',
] as const;
/** Marks a kernel function as ours (registration is idempotent). */
const MARK = Symbol.for('fairscope.ortKernel');

/** Kernels registered before ours, restored by `unregisterOrtWasmKernels`. */
const previous = new Map<string, tf.KernelConfig | undefined>();

function geometry(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    pad: {
      top: info.padInfo.top,
      bottom: info.padInfo.bottom,
      left: info.padInfo.left,
      right: info.padInfo.right,
    },
  };
}

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
  leakyreluAlpha?: number;
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}

const isFloat = (...ts: (tf.TensorInfo | undefined)[]) =>
  ts.every((t) => t === undefined || (t.dtype === 'float32' && size(t.shape) > 0));

/**
 * Runs one convolution graph into a new output: onnxruntime's blocked-channel (NCHWc) form when the
 * CPU has those kernels and `fits` says the geometry suits them, else the plain graph (sessions
 * cached by `[tag, ...key]`); counts the call under `name` (and `name:nchwc`).
 */
function runConvGraph(
  backend: WasmBackendInternals,
  call: {
    name: string;
    tag: string;
    key: unknown[];
    fits: (block: number) => boolean;
    nchwcGraph: (block: number) => OnnxGraph;
    plainGraph: () => OnnxGraph;
    /** Views of the inputs, made after the output is allocated (allocating may grow the heap and detach earlier views). */
    feeds: () => Record<string, Float32Array>;
    output: string;
    outShape: number[];
  },
): tf.TensorInfo {
  const block = nchwcBlockSize();
  const nchwc = block !== null && call.fits(block);
  const s = nchwc
    ? sessionFor(JSON.stringify([`${call.tag}-nchwc`, ...call.key]), () => call.nchwcGraph(block))
    : sessionFor(JSON.stringify([call.tag, ...call.key]), call.plainGraph);
  const out = backend.makeOutput(call.outShape, 'float32');
  s.run(call.feeds(), { [call.output]: heapView(backend, out) });
  countCall(call.name);
  if (nchwc) countCall(`${call.name}:nchwc`);
  return out;
}

/** Conv2D and FusedConv2D. */
function convForward(name: string, fallback: Kernel): Kernel {
  return (args) => {
    const a = args.attrs as unknown as ConvAttrs;
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<
      string,
      tf.TensorInfo | undefined
    >;
    const activation = a.activation ?? 'linear';
    if (
      x === undefined ||
      filter === undefined ||
      a.dataFormat === 'NCHW' ||
      preluActivationWeights !== undefined ||
      !SUPPORTED_ACTIVATIONS.includes(activation) ||
      (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== filter.shape[3])) ||
      !isFloat(x, filter, bias)
    )
      return fallback(args);
    const backend = args.backend as WasmBackendInternals;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      a.strides,
      a.dilations ?? 1,
      a.pad,
      a.dimRoundingMode,
    );
    const g = geometry(info);
    const opts = {
      bias: bias !== undefined,
      activation: activation as OrtActivation,
      leakyreluAlpha: a.leakyreluAlpha,
    };
    return runConvGraph(backend, {
      name,
      tag: 'fwd',
      key: [g, opts],
      fits: (block) => nchwcForwardFits(g, block),
      nchwcGraph: (block) => convForwardNchwcGraph(g, block, opts),
      plainGraph: () => convForwardGraph(g, opts),
      feeds: () => ({
        x: heapView(backend, x),
        w: heapView(backend, filter),
        ...(bias === undefined ? {} : { b: heapView(backend, bias) }),
      }),
      output: 'y',
      outShape: info.outShape,
    });
  };
}

function convInputGrad(fallback: Kernel): Kernel {
  return (args) => {
    const a = args.attrs as unknown as ConvAttrs;
    const { dy, filter } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    if (dy === undefined || filter === undefined || a.dataFormat === 'NCHW' || a.inputShape === undefined)
      return fallback(args);
    if (!isFloat(dy, filter) || size(a.inputShape) === 0) return fallback(args);
    const backend = args.backend as WasmBackendInternals;
    const info = tf.backend_util.computeConv2DInfo(
      a.inputShape,
      filter.shape as [number, number, number, number],
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    if (info.outHeight !== dy.shape[1] || info.outWidth !== dy.shape[2]) return fallback(args);
    const g = geometry(info);
    return runConvGraph(backend, {
      name: 'Conv2DBackpropInput',
      tag: 'dx',
      key: [g],
      fits: (block) => nchwcInputGradFits(g, block),
      nchwcGraph: (block) => convInputGradNchwcGraph(g, block),
      plainGraph: () => convInputGradGraph(g),
      feeds: () => ({ dy: heapView(backend, dy), w: heapView(backend, filter) }),
      output: 'dx',
      outShape: [...a.inputShape],
    });
  };
}

function convFilterGrad(fallback: Kernel): Kernel {
  return (args) => {
    const a = args.attrs as unknown as ConvAttrs;
    const { x, dy } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    if (x === undefined || dy === undefined || a.dataFormat === 'NCHW' || a.filterShape === undefined)
      return fallback(args);
    if (!isFloat(x, dy) || size(a.filterShape) === 0) return fallback(args);
    const backend = args.backend as WasmBackendInternals;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      a.filterShape,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    if (info.outHeight !== dy.shape[1] || info.outWidth !== dy.shape[2]) return fallback(args);
    const g = geometry(info);
    return runConvGraph(backend, {
      name: 'Conv2DBackpropFilter',
      tag: 'dw',
      key: [g],
      fits: (block) => nchwcFilterGradFits(g, block),
      nchwcGraph: (block) => convFilterGradNchwcGraph(g, block),
      plainGraph: () => convFilterGradGraph(g),
      feeds: () => ({ x: heapView(backend, x), dy: heapView(backend, dy) }),
      output: 'dw',
      outShape: [...a.filterShape],
    });
  };
}

/**
 * Multiply-adds from which an untransposed BatchMatMul goes to onnxruntime: below, the wasm
 * backend's XNNPACK product (one thread) beats the cost of a session run.
 */
export const ORT_MATMUL_FROM = 1 << 20;

/**
 * BatchMatMul. The wasm backend multiplies a transposed operand with a plain loop (a dense layer's
 * weight gradient xᵀ·dy: 3 ms for 128×64 by 128×256), so every transposed product runs on
 * onnxruntime, and untransposed ones from ORT_MATMUL_FROM multiply-adds.
 */
function batchMatMul(fallback: Kernel): Kernel {
  return (args) => {
    const { a, b } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (a === undefined || b === undefined || !isFloat(a, b) || a.shape.length < 2 || b.shape.length < 2)
      return fallback(args);
    const a3 = [size(a.shape.slice(0, -2)), ...a.shape.slice(-2)] as [number, number, number];
    const b3 = [size(b.shape.slice(0, -2)), ...b.shape.slice(-2)] as [number, number, number];
    const [m, k] = transposeA ? [a3[2], a3[1]] : [a3[1], a3[2]];
    const [kb, n] = transposeB ? [b3[2], b3[1]] : [b3[1], b3[2]];
    const batch = Math.max(a3[0], b3[0]);
    if (
      k !== kb ||
      (a3[0] !== b3[0] && Math.min(a3[0], b3[0]) !== 1) || // broadcasting other than from a single matrix
      (!transposeA && !transposeB && batch * m * n * k < ORT_MATMUL_FROM)
    )
      return fallback(args);
    const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const backend = args.backend as WasmBackendInternals;
    const s = sessionFor(JSON.stringify(['matmul', a3, b3, transposeA, transposeB]), () =>
      batchMatMulGraph(a3, b3, transposeA, transposeB),
    );
    const out = backend.makeOutput([...outer, m, n], 'float32');
    s.run({ a: heapView(backend, a), b: heapView(backend, b) }, { y: heapView(backend, out) });
    countCall('BatchMatMul');
    return out;
  };
}

export interface OrtKernelStatus {
  /** True when the onnxruntime kernels are registered for the wasm backend. */
  active: boolean;
  /** Why they are not (onnxruntime unavailable, disabled). */
  reason?: string;
}

/**
 * Registers the onnxruntime kernels for the wasm backend, replacing (and keeping, as fallbacks)
 * the kernels registered before. Call AFTER `tf.setBackend('wasm')` resolved: the wasm backend's
 * own kernels are wired to the binary at initialisation, and are only usable as fallbacks then.
 * Without onnxruntime, registers the pure TF.js filter gradient only. Idempotent.
 * @param opts.threads onnxruntime intra-op threads (default: all cores)
 */
export function registerOrtWasmKernels(opts: { threads?: number } = {}): OrtKernelStatus {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') === undefined)
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: conv2DBackpropFilterWasm as unknown as tf.KernelFunc,
    });
  if (!ortSyncAvailable()) return { active: false, reason: ortSyncUnavailableReason() };
  setOrtKernelThreads(opts.threads);
  for (const name of ORT_KERNELS) {
    const old = tf.getKernel(name, 'wasm');
    if (old !== undefined && (old.kernelFunc as unknown as Record<symbol, boolean>)[MARK]) continue;
    previous.set(name, old);
    const fallback: Kernel = (args) => {
      if (old === undefined) throw new Error(`${name}: no wasm kernel for this case`);
      return old.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    };
    const kernel =
      name === 'Conv2DBackpropInput'
        ? convInputGrad(fallback)
        : name === 'Conv2DBackpropFilter'
          ? convFilterGrad(fallback)
          : name === 'BatchMatMul'
            ? batchMatMul(fallback)
            : convForward(name, fallback);
    (kernel as unknown as Record<symbol, boolean>)[MARK] = true;
    if (old !== undefined) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: kernel as unknown as tf.KernelFunc,
    });
  }
  registerBatchNormTrainKernels();
  return { active: true };
}

/** Restores the kernels `registerOrtWasmKernels` replaced (for before/after benchmarks). */
export function unregisterOrtWasmKernels(): void {
  for (const [name, old] of previous) {
    tf.unregisterKernel(name, 'wasm');
    if (old !== undefined) tf.registerKernel(old);
  }
  previous.clear();
  unregisterBatchNormTrainKernels();
}

export { nchwcBlockSize, ortKernelCalls, ortSessionCount, useNchwcGraphs } from './ort-kernel-support.js';
