/**
 * Synchronous onnxruntime sessions, for TF.js kernels (which must return synchronously).
 *
 * onnxruntime-node's public `InferenceSession.create` / `run` are async, but both only wrap a
 * synchronous native binding in `setImmediate`. This module uses that binding directly:
 * `dist/binding.js` exports `{ binding, initOrt }`, and `new binding.InferenceSession()` has
 * `loadModel(buffer, byteOffset, byteLength, options)` and `run(feeds, fetches, options)`, the
 * latter writing into pre-allocated output tensors. This is an INTERNAL API, checked against
 * onnxruntime-node 1.30.0 (src/train/backend/ort-sync.test.ts exercises it); other versions are
 * accepted only when the same functions exist, else `loadOrtSync` returns null and callers fall
 * back to pure TF.js kernels.
 *
 * Inputs and outputs are passed as views (no copy): onnxruntime reads and writes the caller's
 * memory, e.g. the TF.js wasm heap.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';

/** The onnxruntime-node version whose internals this module was written against. */
export const ORT_PINNED_VERSION = '1.30.0';

interface OrtTensor {
  readonly dims: readonly number[];
}
type TensorCtor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;

interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, OrtTensor>, options: object): unknown;
  dispose(): void;
}

interface OrtInternals {
  version: string;
  Tensor: TensorCtor;
  Session: new () => NativeSession;
}

let internals: OrtInternals | null | undefined;
let loadError = '';

/** The binding internals, or null (with `ortSyncUnavailableReason()`) when they cannot be used. */
function loadInternals(): OrtInternals | null {
  if (internals !== undefined) return internals;
  try {
    const require = createRequire(import.meta.url);
    const version = (require('onnxruntime-node/package.json') as { version: string }).version;
    const ort = require('onnxruntime-node') as { Tensor?: TensorCtor };
    const b = require('onnxruntime-node/dist/binding.js') as {
      binding?: { InferenceSession?: new () => NativeSession };
      initOrt?: () => void;
    };
    const Session = b.binding?.InferenceSession;
    if (typeof b.initOrt !== 'function' || typeof Session !== 'function' || typeof ort.Tensor !== 'function')
      throw new Error(
        `onnxruntime-node ${version}: the binding internals differ from ${ORT_PINNED_VERSION}'s`,
      );
    const proto = Session.prototype as Partial<NativeSession>;
    if (typeof proto.loadModel !== 'function' || typeof proto.run !== 'function')
      throw new Error(`onnxruntime-node ${version}: InferenceSession lacks loadModel/run`);
    b.initOrt();
    internals = { version, Tensor: ort.Tensor, Session };
  } catch (err) {
    loadError = (err as Error).message.split('\n')[0] ?? String(err);
    internals = null;
  }
  return internals;
}

/** Why the synchronous onnxruntime path is unavailable ('' when it is available or untried). */
export function ortSyncUnavailableReason(): string {
  return loadError;
}

export interface OrtSyncOptions {
  /** Intra-op threads. Default: all cores. */
  threads?: number;
  /** onnxruntime's per-session CPU memory arena. Default off (FAIRSCOPE_ORT_ARENA=1 turns it on). */
  memoryArena?: boolean;
}

/** A loaded one-graph session whose run blocks until the outputs are written. */
export class OrtSyncSession {
  private constructor(
    private readonly ort: OrtInternals,
    private readonly native: NativeSession,
    private readonly inputShapes: Map<string, readonly number[]>,
    private readonly outputShapes: Map<string, readonly number[]>,
  ) {}

  /**
   * Loads model bytes. Thread spinning is off: a spinning pool would starve the single JS/wasm
   * thread between calls (stack.md).
   */
  static create(
    model: Uint8Array,
    shapes: { inputs: Record<string, readonly number[]>; outputs: Record<string, readonly number[]> },
    opts: OrtSyncOptions = {},
  ): OrtSyncSession {
    const ort = loadInternals();
    if (ort === null) throw new Error(`synchronous onnxruntime unavailable: ${loadError}`);
    const native = new ort.Session();
    native.loadModel(model.buffer, model.byteOffset, model.byteLength, {
      executionProviders: ['cpu'],
      intraOpNumThreads: opts.threads ?? availableParallelism(),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      // Each session would keep its own arena at its peak size: 6.7 GB resident for a ResNet-18
      // SwAV step at batch 64 against 3.4 GB without, at about the same speed (bench/notes/train.md).
      enableCpuMemArena: opts.memoryArena ?? process.env.FAIRSCOPE_ORT_ARENA === '1',
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
    return new OrtSyncSession(
      ort,
      native,
      new Map(Object.entries(shapes.inputs)),
      new Map(Object.entries(shapes.outputs)),
    );
  }

  /**
   * Runs the graph. Every array is used in place (views of other memory are fine); outputs are
   * overwritten. Array lengths must match the declared shapes.
   */
  run(inputs: Record<string, Float32Array>, outputs: Record<string, Float32Array>): void {
    const wrap = (arrays: Record<string, Float32Array>, shapes: Map<string, readonly number[]>) => {
      const out: Record<string, OrtTensor> = {};
      for (const [name, shape] of shapes) {
        const a = arrays[name];
        const size = shape.reduce((p, d) => p * d, 1);
        if (a === undefined || a.length !== size)
          throw new Error(`OrtSyncSession.run: ${name} needs ${size} values, got ${a?.length ?? 'none'}`);
        out[name] = new this.ort.Tensor('float32', a, shape);
      }
      return out;
    };
    this.native.run(wrap(inputs, this.inputShapes), wrap(outputs, this.outputShapes), {});
  }

  dispose(): void {
    this.native.dispose();
  }
}

/** True when synchronous sessions can be created here. */
export function ortSyncAvailable(): boolean {
  return loadInternals() !== null;
}

/** Version of the installed onnxruntime-node, or null when it cannot be loaded. */
export function ortVersion(): string | null {
  return loadInternals()?.version ?? null;
}
