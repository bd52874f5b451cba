import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerWasmConv2DBackpropFilter } from './wasm-conv2d-backprop-filter.js';
import { registerWasmSharedIdentity } from './wasm-identity.js';
import { type OrtKernelStatus, registerOrtWasmKernels } from './wasm-ort-kernels.js';

/** FAIRSCOPE_ORT_THREADS: onnxruntime intra-op threads of the wasm kernels (default: all cores). */
function ortThreads(): number | undefined {
  const v = Number(process.env.FAIRSCOPE_ORT_THREADS);
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** What `selectBackend` chose, and what it tried first. */
export interface BackendSelection {
  /** tf.getBackend() after selection: 'tensorflow', 'wasm' or 'cpu'. */
  backend: string;
  /** For the native backend, the package that provided it. */
  package?: string;
  /** Why earlier candidates were skipped. */
  skipped: string[];
  /** wasm only: whether the onnxruntime conv kernels are active. */
  ortKernels?: OrtKernelStatus;
}

// Imported by name at run time: neither package is a dependency (they download libtensorflow at
// install, which fails on some machines), but users who have one get it automatically.
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

/**
 * Picks the fastest available TF.js backend for training: tfjs-node-gpu > tfjs-node (when
 * installed) > wasm (convolutions and their gradients run by onnxruntime when it loads, else with
 * the missing `Conv2DBackpropFilter` kernel added in TF.js) > cpu. FAIRSCOPE_ORT_KERNELS=0 keeps
 * the pure TF.js wasm kernels; FAIRSCOPE_ORT_THREADS=N sets onnxruntime's threads,
 * FAIRSCOPE_ORT_ARENA=1 turns its per-session memory arenas on (faster by a few percent at most,
 * twice the memory), FAIRSCOPE_ORT_NCHWC=0 keeps the convolutions off its NCHWc kernels.
 * @param choice 'auto', or force one backend (an error when it cannot start)
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendSelection> {
  const skipped: string[] = [];
  if (choice === 'auto' || choice === 'tensorflow') {
    for (const pkg of NATIVE_PACKAGES) {
      try {
        await import(pkg);
        if (await tf.setBackend('tensorflow')) return { backend: 'tensorflow', package: pkg, skipped };
        skipped.push(`${pkg}: imported but the 'tensorflow' backend did not start`);
      } catch (err) {
        skipped.push(`${pkg}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    if (choice === 'tensorflow') throw new Error(`no native TF.js backend: ${skipped.join('; ')}`);
  }
  if (choice === 'auto' || choice === 'wasm') {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const pkgJson = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
      wasm.setWasmPaths(`${join(dirname(pkgJson), 'dist')}/`);
      registerWasmConv2DBackpropFilter();
      if (await tf.setBackend('wasm')) {
        // After initialisation: the wasm backend's own conv kernels stay usable as fallbacks.
        registerWasmSharedIdentity();
        const ortKernels =
          process.env.FAIRSCOPE_ORT_KERNELS === '0'
            ? { active: false, reason: 'FAIRSCOPE_ORT_KERNELS=0' }
            : registerOrtWasmKernels({ threads: ortThreads() });
        return { backend: 'wasm', skipped, ortKernels };
      }
      skipped.push('wasm: backend did not start');
    } catch (err) {
      skipped.push(`wasm: ${(err as Error).message.split('\n')[0]}`);
    }
    if (choice === 'wasm') throw new Error(`the wasm backend did not start: ${skipped.join('; ')}`);
  }
  await tf.setBackend('cpu');
  return { backend: 'cpu', skipped };
}
