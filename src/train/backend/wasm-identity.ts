import * as tf from '@tensorflow/tfjs';

/**
 * A zero-copy `Identity` (tensor.clone) for the wasm backend. TF.js clones every tensor a gradient
 * saves for the backward pass; tfjs-backend-wasm 4.22's Identity copies the bytes (9% of a SwAV
 * step, tf.profile), whereas TF.js tensors are immutable and its own Reshape already shares data
 * by reference count. This kernel does the same as the cpu backend's Identity.
 */
function identityShared(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const backend = args.backend as { incRef(dataId: object): void };
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}
const MARK = Symbol.for('fairscope.sharedIdentity');
let previous: tf.KernelConfig | undefined;

/** Replaces the wasm Identity kernel (call after the wasm backend initialised). Idempotent. */
export function registerWasmSharedIdentity(): void {
  const old = tf.getKernel('Identity', 'wasm');
  if (old !== undefined && (old.kernelFunc as unknown as Record<symbol, boolean>)[MARK]) return;
  previous = old;
  if (old !== undefined) tf.unregisterKernel('Identity', 'wasm');
  (identityShared as unknown as Record<symbol, boolean>)[MARK] = true;
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: identityShared as unknown as tf.KernelFunc,
  });
}

/** Restores the copying Identity (for before/after benchmarks). */
export function unregisterWasmSharedIdentity(): void {
  if (previous === undefined) return;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel(previous);
  previous = undefined;
}
