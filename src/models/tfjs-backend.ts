/**
 * TF.js backend selection for Node: the native `tensorflow` backend when the user has installed
 * @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node (they do not install from the npm registry
 * alone, so fairscope never depends on them), else WebAssembly (SIMD, one thread in Node), else the
 * pure-JS CPU backend.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { FairscopeError, UsageError } from '../core/errors.js';
import type { ProviderChoice } from './descriptor.js';

export const TFJS_BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type TfjsBackend = (typeof TFJS_BACKENDS)[number];

/** Packages that register the native `tensorflow` backend, GPU first. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

let wasmPathsSet = false;
/** The backend this module last selected. */
let chosen: TfjsBackend | null = null;
/** Why a backend could not be used, for `models inspect` and error messages. */
const unavailable = new Map<TfjsBackend, string>();

async function tryNative(): Promise<boolean> {
  if (tf.findBackend('tensorflow') !== null) return tf.setBackend('tensorflow');
  for (const name of NATIVE_PACKAGES) {
    try {
      await import(name);
    } catch {
      continue;
    }
    if (tf.findBackend('tensorflow') === null) {
      unavailable.set(
        'tensorflow',
        `${name} loaded but registered its backend in another @tensorflow/tfjs copy`,
      );
      return false;
    }
    return tf.setBackend('tensorflow');
  }
  unavailable.set('tensorflow', `none of ${NATIVE_PACKAGES.join(', ')} is installed`);
  return false;
}

async function tryWasm(): Promise<boolean> {
  if (!wasmPathsSet) {
    // The .wasm binaries ship in the package's dist/ folder; Node reads them from disk.
    const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    try {
      setWasmPaths(`${dirname(main)}/`);
    } catch {
      // Another module initialised the wasm backend first, with its own paths: use it as it is.
    }
    wasmPathsSet = true;
  }
  try {
    return await tf.setBackend('wasm');
  } catch (err) {
    unavailable.set('wasm', (err as Error).message);
    return false;
  }
}

async function trySet(backend: TfjsBackend): Promise<boolean> {
  if (backend === 'tensorflow') return tryNative();
  if (backend === 'wasm') return tryWasm();
  return tf.setBackend('cpu');
}

/**
 * Makes TF.js use the chosen backend and returns its name. `auto` keeps a backend already chosen in
 * this process (switching would move every loaded model's weights), else tries tensorflow, wasm, cpu.
 */
export async function initTfjsBackend(choice: ProviderChoice = 'auto'): Promise<TfjsBackend> {
  if (choice === 'auto') {
    // engine().backendName is read without initialising a backend (tf.getBackend() would).
    // A cpu backend that tfjs fell back to on its own (someone called tf.getBackend() first) is
    // upgraded; one chosen here or by the user is kept.
    const current = tf.engine().backendName as string | null | undefined;
    if (current === 'tensorflow' || current === 'wasm' || (current === 'cpu' && chosen === 'cpu')) {
      return current;
    }
    for (const backend of TFJS_BACKENDS) {
      if (await trySet(backend)) {
        chosen = backend;
        return backend;
      }
    }
    throw new FairscopeError('no TF.js backend could be initialised');
  }
  if (!(TFJS_BACKENDS as readonly string[]).includes(choice)) {
    throw new UsageError(
      `provider "${choice}" is not a TF.js backend; TF.js models run on auto, ${TFJS_BACKENDS.join(', ')}`,
    );
  }
  const backend = choice as TfjsBackend;
  if (tf.engine().backendName === backend) {
    chosen = backend;
    return backend;
  }
  if (!(await trySet(backend))) {
    throw new FairscopeError(
      `TF.js backend "${backend}" is not available: ${unavailable.get(backend) ?? 'unknown reason'}`,
    );
  }
  return backend;
}

export { tf };
