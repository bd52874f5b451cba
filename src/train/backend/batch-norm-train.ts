/**
 * Training-mode batch normalisation as ONE differentiable op with a closed-form gradient
 * (./ort-batchnorm-graphs.ts has the formulas). TF.js's own path (moments, then FusedBatchNorm,
 * each differentiated separately) costs a dozen kernels per layer in the backward pass, among them
 * a `tile` of the whole activation tensor (36% of a ResNet step on wasm, stack.md).
 *
 * On the wasm backend with onnxruntime available, the forward and backward run as two
 * onnxruntime kernels (`registerBatchNormTrainKernels`); elsewhere the same formulas run as TF.js
 * ops with broadcasting (no tile).
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormBackwardGraph, batchNormForwardGraph } from './ort-batchnorm-graphs.js';
import { countCall, heapView, sessionFor, sizeOf, type WasmBackendInternals } from './ort-kernel-support.js';
import { ortSyncAvailable } from './ort-sync.js';

const FORWARD = 'FairscopeBatchNormTrain';
const BACKWARD = 'FairscopeBatchNormTrainGrad';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };

/** Rows and channels of x viewed as (M, C). */
function rowsAndChannels(shape: number[]): [number, number] {
  const c = shape[shape.length - 1] as number;
  return [sizeOf(shape) / c, c];
}

function forwardKernel(args: KernelArgs): tf.TensorInfo[] {
  const { x, gamma, beta } = args.inputs as Record<string, tf.TensorInfo>;
  const epsilon = (args.attrs as { epsilon: number }).epsilon;
  const backend = args.backend as WasmBackendInternals;
  const xi = x as tf.TensorInfo;
  const [m, c] = rowsAndChannels(xi.shape);
  const s = sessionFor(JSON.stringify(['bn', m, c, epsilon]), () => batchNormForwardGraph(m, c, epsilon));
  const y = backend.makeOutput([...xi.shape], 'float32');
  const mean = backend.makeOutput([c], 'float32');
  const variance = backend.makeOutput([c], 'float32');
  s.run(
    {
      x: heapView(backend, xi),
      gamma: heapView(backend, gamma as tf.TensorInfo),
      beta: heapView(backend, beta as tf.TensorInfo),
    },
    { y: heapView(backend, y), mean: heapView(backend, mean), variance: heapView(backend, variance) },
  );
  countCall(FORWARD);
  return [y, mean, variance];
}

function backwardKernel(args: KernelArgs): tf.TensorInfo[] {
  const { x, dy, mean, variance, gamma } = args.inputs as Record<string, tf.TensorInfo>;
  const epsilon = (args.attrs as { epsilon: number }).epsilon;
  const backend = args.backend as WasmBackendInternals;
  const xi = x as tf.TensorInfo;
  const [m, c] = rowsAndChannels(xi.shape);
  const s = sessionFor(JSON.stringify(['bngrad', m, c, epsilon]), () =>
    batchNormBackwardGraph(m, c, epsilon),
  );
  const dx = backend.makeOutput([...xi.shape], 'float32');
  const dgamma = backend.makeOutput([c], 'float32');
  const dbeta = backend.makeOutput([c], 'float32');
  const v = (t: tf.TensorInfo | undefined) => heapView(backend, t as tf.TensorInfo);
  s.run(
    { x: v(xi), dy: v(dy), mean: v(mean), variance: v(variance), gamma: v(gamma) },
    { dx: v(dx), dgamma: v(dgamma), dbeta: v(dbeta) },
  );
  countCall(BACKWARD);
  return [dx, dgamma, dbeta];
}

/** Registers the onnxruntime BatchNorm kernels for the wasm backend when onnxruntime loads. */
export function registerBatchNormTrainKernels(): boolean {
  if (!ortSyncAvailable()) return false;
  for (const [kernelName, kernelFunc] of [
    [FORWARD, forwardKernel],
    [BACKWARD, backwardKernel],
  ] as const) {
    if (tf.getKernel(kernelName, 'wasm') === undefined)
      tf.registerKernel({
        kernelName,
        backendName: 'wasm',
        kernelFunc: kernelFunc as unknown as tf.KernelFunc,
      });
  }
  return true;
}

/** Removes them (TF.js ops are used instead). */
export function unregisterBatchNormTrainKernels(): void {
  for (const k of [FORWARD, BACKWARD])
    if (tf.getKernel(k, 'wasm') !== undefined) tf.unregisterKernel(k, 'wasm');
}

const useKernels = () => tf.getBackend() === 'wasm' && tf.getKernel(FORWARD, 'wasm') !== undefined;

/** Forward with TF.js ops: x2 (M, C). */
function forwardOps(x2: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): tf.Tensor[] {
  const mean = tf.mean(x2, 0);
  const d = tf.sub(x2, mean);
  const variance = tf.mean(tf.square(d), 0);
  const scale = tf.div(gamma, tf.sqrt(tf.add(variance, epsilon)));
  return [tf.add(tf.mul(d, scale), beta), mean, variance];
}

/** Backward with TF.js ops: x2, dy2 (M, C). */
function backwardOps(
  x2: tf.Tensor2D,
  dy2: tf.Tensor2D,
  mean: tf.Tensor,
  variance: tf.Tensor,
  gamma: tf.Tensor,
  epsilon: number,
): tf.Tensor[] {
  const m = x2.shape[0];
  const rstd = tf.rsqrt(tf.add(variance, epsilon));
  const xhat = tf.mul(tf.sub(x2, mean), rstd);
  const dbeta = tf.sum(dy2, 0);
  const dgamma = tf.sum(tf.mul(dy2, xhat), 0);
  const inner = tf.sub(tf.sub(dy2, tf.div(dbeta, m)), tf.mul(xhat, tf.div(dgamma, m)));
  return [tf.mul(inner, tf.mul(gamma, rstd)), dgamma, dbeta];
}

/**
 * Batch statistics over every axis but the last, normalisation, scale and shift:
 * y = (x − μ)·γ/√(σ² + ε) + β with μ, σ² the per-channel batch mean and (biased) variance.
 * Differentiable in x, γ and β (through μ and σ² as well).
 * @param x (..., C), channels last
 * @param gamma (C)
 * @param beta (C)
 * @returns y (same shape as x); mean and variance (C), not differentiable (for running averages)
 */
export function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const [m, c] = rowsAndChannels(x.shape);
  let stats: tf.Tensor[] = [];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xt, g, b, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const x2 = tf.reshape(xt, [m, c]) as tf.Tensor2D;
    const [y2, mean, variance] = useKernels()
      ? (tf.engine().runKernel(FORWARD, { x: x2, gamma: g, beta: b }, { epsilon }) as tf.Tensor[])
      : forwardOps(x2, g, b, epsilon);
    save([x2, mean as tf.Tensor, variance as tf.Tensor, g]);
    stats = [tf.keep(mean as tf.Tensor), tf.keep(variance as tf.Tensor)];
    return {
      value: tf.reshape(y2 as tf.Tensor, xt.shape),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, smean, svar, sgamma] = saved as [tf.Tensor2D, tf.Tensor, tf.Tensor, tf.Tensor];
        const dy2 = tf.reshape(dy as tf.Tensor, [m, c]) as tf.Tensor2D;
        const [dx, dgamma, dbeta] = useKernels()
          ? (tf
              .engine()
              .runKernel(
                BACKWARD,
                { x: sx, dy: dy2, mean: smean, variance: svar, gamma: sgamma },
                { epsilon },
              ) as tf.Tensor[])
          : backwardOps(sx, dy2, smean, svar, sgamma, epsilon);
        return [
          tf.reshape(dx as tf.Tensor, (dy as tf.Tensor).shape),
          dgamma as tf.Tensor,
          dbeta as tf.Tensor,
        ];
      },
    };
  });
  const y = op(x, gamma, beta) as tf.Tensor;
  const [mean, variance] = stats as [tf.Tensor1D, tf.Tensor1D];
  return { y, mean, variance };
}
