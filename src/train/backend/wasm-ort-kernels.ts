/**
 * TF.js wasm-backend kernels whose work is done by onnxruntime (stack.md, "Where the training
 * speed comes from": a ResNet-18 step from about 45 s to 4-5 s): Conv2D, FusedConv2D (linear,
 * relu, sigmoid, elu, leakyrelu), Conv2DBackpropInput and Conv2DBackpropFilter; and the training-mode
 * BatchNorm kernels of ./batch-norm-train.ts.
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
 */
import * as tf from '@tensorflow/tfjs';
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
  countCall,
  heapView,
  sessionFor,
  setOrtKernelThreads,
  sizeOf as size,
  type WasmBackendInternals,
} from './ort-kernel-support.js';
import { ortSyncAvailable, ortSyncUnavailableReason } from './ort-sync.js';
import { conv2DBackpropFilterWasm } from './wasm-conv2d-backprop-filter.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };
type Kernel = (args: KernelArgs) => tf.TensorInfo;

const ORT_KERNELS = ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'] as const;
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
    const s = sessionFor(JSON.stringify(['fwd', g, opts]), () => convForwardGraph(g, opts));
    const out = backend.makeOutput(info.outShape, 'float32');
    const feeds: Record<string, Float32Array> = { x: heapView(backend, x), w: heapView(backend, filter) };
    if (bias !== undefined) feeds.b = heapView(backend, bias);
    s.run(feeds, { y: heapView(backend, out) });
    countCall(name);
    return out;
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
    const s = sessionFor(JSON.stringify(['dx', g]), () => convInputGradGraph(g));
    const out = backend.makeOutput([...a.inputShape], 'float32');
    s.run({ dy: heapView(backend, dy), w: heapView(backend, filter) }, { dx: heapView(backend, out) });
    countCall('Conv2DBackpropInput');
    return out;
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
    const s = sessionFor(JSON.stringify(['dw', g]), () => convFilterGradGraph(g));
    const out = backend.makeOutput([...a.filterShape], 'float32');
    s.run({ x: heapView(backend, x), dy: heapView(backend, dy) }, { dw: heapView(backend, out) });
    countCall('Conv2DBackpropFilter');
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

export { ortKernelCalls, ortSessionCount } from './ort-kernel-support.js';
