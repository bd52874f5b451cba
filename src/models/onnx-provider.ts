/**
 * Which onnxruntime execution providers to try, in order. onnxruntime-node 1.30 bundles `cpu` and
 * `webgpu` (Dawn over Vulkan); `cuda` works only where the user installed its provider libraries
 * beside the binding (the npm install here skips them).
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { ProviderChoice } from './descriptor.js';

export const ONNX_PROVIDERS = ['cpu', 'cuda', 'webgpu'] as const;
export type OnnxProvider = (typeof ONNX_PROVIDERS)[number];

/** Folder of onnxruntime-node's native binding (where provider libraries must sit). */
function bindingDir(): string | null {
  try {
    const main = createRequire(import.meta.url).resolve('onnxruntime-node');
    const dir = join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}

/** True when onnxruntime's CUDA provider library is installed beside the binding. */
export function cudaProviderInstalled(): boolean {
  const dir = bindingDir();
  return dir !== null && existsSync(join(dir, 'libonnxruntime_providers_cuda.so'));
}

/**
 * True when the machine shows a GPU device node. Without one, Dawn finds no adapter after about 3 s
 * and prints to stderr, so `auto` does not try WebGPU there.
 */
export function gpuDevicePresent(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

/**
 * The providers to try, best first. `auto`: CUDA when installed, WebGPU when a GPU device exists,
 * then the CPU. A named provider is tried alone (its failure is an error, not a fallback).
 */
export function onnxProviderCandidates(choice: ProviderChoice): OnnxProvider[] {
  if (choice === 'auto') {
    const gpu: OnnxProvider[] = [];
    if (cudaProviderInstalled()) gpu.push('cuda');
    if (gpuDevicePresent()) gpu.push('webgpu');
    return [...gpu, 'cpu'];
  }
  if ((ONNX_PROVIDERS as readonly string[]).includes(choice)) return [choice as OnnxProvider];
  throw new UsageError(
    `provider "${choice}" is not an onnxruntime execution provider; ONNX models run on auto, ${ONNX_PROVIDERS.join(', ')}`,
  );
}
