/**
 * Shared plumbing of the onnxruntime-backed wasm kernels: the wasm heap views, the session cache
 * keyed by (op, shapes, attributes), and call counters.
 */
import type * as tf from '@tensorflow/tfjs';
import { type OnnxGraph, onnxModelBytes } from './onnx-model.js';
import { OrtSyncSession } from './ort-sync.js';

/** The parts of tfjs-backend-wasm 4.22's `BackendWasm` the kernels use. */
export interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

const sessions = new Map<string, OrtSyncSession>();
/** Sessions kept at most (oldest dropped first): shapes change rarely within a run. */
const MAX_SESSIONS = 512;
let threads: number | undefined;
const calls = new Map<string, number>();

/** Sets onnxruntime's intra-op threads for sessions created from now on (default: all cores). */
export function setOrtKernelThreads(n: number | undefined): void {
  threads = n;
}

/** The cached session for `key`, built from `build()` on first use. */
export function sessionFor(key: string, build: () => OnnxGraph): OrtSyncSession {
  let s = sessions.get(key);
  if (s === undefined) {
    const graph = build();
    const shapes = {
      inputs: Object.fromEntries(graph.inputs.map((i) => [i.name, i.shape])),
      outputs: Object.fromEntries(graph.outputs.map((o) => [o.name, o.shape])),
    };
    s = OrtSyncSession.create(onnxModelBytes(graph), shapes, { threads });
    if (sessions.size >= MAX_SESSIONS) {
      const [oldKey, old] = sessions.entries().next().value as [string, OrtSyncSession];
      old.dispose();
      sessions.delete(oldKey);
    }
    sessions.set(key, s);
  }
  return s;
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * A Float32Array view of a tensor's bytes on the wasm heap. Take views only after the last
 * allocation (`makeOutput`) of the kernel: heap growth detaches earlier ones.
 */
export function heapView(backend: WasmBackendInternals, t: tf.TensorInfo): Float32Array {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error('wasm tensor data not found');
  return new Float32Array(backend.wasm.HEAPU8.buffer, data.memoryOffset, sizeOf(t.shape));
}

export function countCall(name: string): void {
  calls.set(name, (calls.get(name) ?? 0) + 1);
}

/** Number of onnxruntime kernel calls by kernel name since the last reset. */
export function ortKernelCalls(reset = false): Record<string, number> {
  const out = Object.fromEntries(calls);
  if (reset) calls.clear();
  return out;
}

/** Number of cached onnxruntime sessions. */
export function ortSessionCount(): number {
  return sessions.size;
}
