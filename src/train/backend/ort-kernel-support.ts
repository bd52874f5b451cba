/**
 * Shared plumbing of the onnxruntime-backed wasm kernels: the wasm heap views, the session cache
 * keyed by (op, shapes, attributes), and call counters.
 */
import type * as tf from '@tensorflow/tfjs';
import { type OnnxGraph, onnxModelBytes } from '../../linalg/onnx-model.js';
import { blockSizeProbeGraph } from './ort-conv-nchwc-graphs.js';
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
    s = OrtSyncSession.create(modelBytes(graph), shapes, { threads });
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

/** Appends a protobuf varint. */
function varint(out: number[], v: number): void {
  let x = v;
  while (x >= 0x80) {
    out.push((x & 0x7f) | 0x80);
    x = Math.floor(x / 128);
  }
  out.push(x);
}

/**
 * The model bytes of `graph`, importing version 1 of every operator domain its nodes use besides
 * the default one. The writer imports the default domain only; a repeated protobuf field may be
 * appended after the rest of the message, so each import is one more `opset_import` (field 8 of
 * ModelProto: OperatorSetIdProto { domain = 1, version = 2 }).
 */
export function modelBytes(graph: OnnxGraph): Uint8Array {
  const bytes = onnxModelBytes(graph);
  const domains = [...new Set(graph.nodes.map((n) => n.domain ?? '').filter((d) => d !== ''))];
  if (domains.length === 0) return bytes;
  const tail: number[] = [];
  for (const d of domains) {
    const name = new TextEncoder().encode(d);
    const inner: number[] = [0x0a];
    varint(inner, name.length);
    inner.push(...name, 0x10, 1);
    tail.push(0x42);
    varint(tail, inner.length);
    tail.push(...inner);
  }
  const out = new Uint8Array(bytes.length + tail.length);
  out.set(bytes);
  out.set(tail, bytes.length);
  return out;
}

let nchwcBlock: number | null | undefined;
let nchwcEnabled = process.env.FAIRSCOPE_ORT_NCHWC !== '0';

/**
 * The block size of onnxruntime's NCHWc kernels on this CPU (16 with AVX-512, 8 with AVX2), or null
 * when they are unavailable, use blocks under 8, or are turned off (`useNchwcGraphs(false)`,
 * FAIRSCOPE_ORT_NCHWC=0): the kernels then use the plain graphs.
 */
export function nchwcBlockSize(): number | null {
  if (!nchwcEnabled) return null;
  if (nchwcBlock === undefined) {
    try {
      const s = OrtSyncSession.create(modelBytes(blockSizeProbeGraph()), {
        inputs: { x: [1, 4, 1, 1] },
        outputs: { shape: [4] },
      });
      const shape = new Float32Array(4);
      s.run({ x: new Float32Array(4) }, { shape });
      s.dispose();
      const b = shape[1] as number;
      nchwcBlock = b >= 8 && Number.isInteger(Math.log2(b)) ? b : null;
    } catch {
      nchwcBlock = null;
    }
  }
  return nchwcBlock;
}

/** Turns the NCHWc convolution graphs on or off for kernel calls from now on (before/after comparisons). */
export function useNchwcGraphs(enabled: boolean): void {
  nchwcEnabled = enabled;
}

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
