/**
 * Float32 matrix products run by onnxruntime's CPU GEMM (MLAS): about 20x a plain TypeScript loop
 * (docs/stack.md). One session per product kind and thread count, built from in-memory model bytes
 * with symbolic dimensions, serves every shape; outputs can be written into caller-owned buffers.
 */
import { availableParallelism } from 'node:os';
import { gemmModelBytes, gemmTopKModelBytes } from './onnx-gemm-model.js';

type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

let ortModule: Promise<Ort> | undefined;

function loadOrt(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node').then((m) => {
    const mod = m as Ort & { default?: Ort };
    const ort = mod.InferenceSession ? mod : mod.default;
    if (ort?.InferenceSession === undefined) throw new Error('onnxruntime-node has no InferenceSession');
    return ort;
  });
  return ortModule;
}

/**
 * The operands of a product: A (m, k) row-major, B (n, k) for A · Bᵀ or (k, n) for A · B, and an
 * (m, n) row-major buffer to fill (a new one when omitted).
 */
type Operands = [a: Float32Array, m: number, k: number, b: Float32Array, n: number, out?: Float32Array];

/** C = A · Bᵀ, C = A · B, and the row-wise top-k of A · Bᵀ, on onnxruntime. */
export class Gemm {
  private abSession: Promise<Session> | undefined;
  private topKSession: Promise<Session> | undefined;

  private constructor(
    private readonly ort: Ort,
    private readonly session: Session,
    private readonly options: Parameters<Ort['InferenceSession']['create']>[1],
    /** Threads of onnxruntime's intra-op pool. */
    readonly threads: number,
  ) {}

  /**
   * @param threads onnxruntime intra-op threads (default: all cores)
   * @param spinning let idle pool threads spin (default false: the JavaScript thread works between
   *   products, merging top-k results or updating a probe's weights, and spinning threads would
   *   take its core)
   */
  static async create(options: { threads?: number; spinning?: boolean } = {}): Promise<Gemm> {
    const threads = options.threads ?? availableParallelism();
    const ort = await loadOrt();
    const sessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential' as const,
      graphOptimizationLevel: 'all' as const,
      logSeverityLevel: 3 as const,
      extra: { session: { intra_op: { allow_spinning: options.spinning ? '1' : '0' } } },
    };
    const session = await ort.InferenceSession.create(gemmModelBytes({ transB: true }), sessionOptions);
    return new Gemm(ort, session, sessionOptions, threads);
  }

  get provider(): string {
    return `onnxruntime/cpu x${this.threads}`;
  }

  /**
   * C = A · Bᵀ, B (n, k) row-major.
   * @returns out, or a new (m, n) array when omitted
   */
  abT(...operands: Operands): Promise<Float32Array> {
    return this.product('abT', this.session, true, ...operands);
  }

  /**
   * C = A · B, B (k, n) row-major.
   * @returns out, or a new (m, n) array when omitted
   */
  async ab(...operands: Operands): Promise<Float32Array> {
    this.abSession ??= this.ort.InferenceSession.create(gemmModelBytes({ transB: false }), this.options);
    return this.product('ab', await this.abSession, false, ...operands);
  }

  /** Runs a Gemm session (transB: B is (n, k), else (k, n)), writing Y (m, n) into `out` or a new array. */
  private async product(
    name: string,
    session: Session,
    transB: boolean,
    ...[a, m, k, b, n, out]: Operands
  ): Promise<Float32Array> {
    const aDims: [number, number] = [m, k];
    const bDims: [number, number] = transB ? [n, k] : [k, n];
    checkSize(`Gemm.${name}: a`, a, aDims);
    checkSize(`Gemm.${name}: b`, b, bDims);
    const target = out ?? new Float32Array(m * n);
    checkSize(`Gemm.${name}: out`, target, [m, n]);
    const { Tensor } = this.ort;
    // The output tensor wraps `target`: onnxruntime writes into it, no copy or allocation per call.
    await session.run(
      { A: new Tensor('float32', a, aDims), B: new Tensor('float32', b, bDims) },
      { Y: new Tensor('float32', target, [m, n]) },
    );
    return target;
  }

  /**
   * The `top` largest entries of each row of A · Bᵀ, computed inside onnxruntime (Gemm then TopK),
   * so that the (m, n) product never reaches JavaScript. Rows are sorted descending; equal values
   * keep the lower column first (ONNX TopK).
   * @param a (m, k) row-major
   * @param b (n, k) row-major
   * @returns values (m, top) and column indices (m, top), top = min(top, n)
   */
  async abTTopK(
    a: Float32Array,
    m: number,
    k: number,
    b: Float32Array,
    n: number,
    top: number,
  ): Promise<{ values: Float32Array; indices: BigInt64Array; top: number }> {
    checkSize('Gemm.abTTopK: a', a, [m, k]);
    checkSize('Gemm.abTTopK: b', b, [n, k]);
    const t = Math.min(top, n);
    this.topKSession ??= this.ort.InferenceSession.create(gemmTopKModelBytes(), this.options);
    const session = await this.topKSession;
    const { Tensor } = this.ort;
    const out = await session.run({
      A: new Tensor('float32', a, [m, k]),
      B: new Tensor('float32', b, [n, k]),
      K: new Tensor('int64', BigInt64Array.from([BigInt(t)]), [1]),
    });
    return {
      values: out.values?.data as Float32Array,
      indices: out.indices?.data as BigInt64Array,
      top: t,
    };
  }

  async dispose(): Promise<void> {
    await this.session.release();
    if (this.abSession !== undefined) await (await this.abSession).release();
    if (this.topKSession !== undefined) await (await this.topKSession).release();
  }
}

function checkSize(what: string, x: Float32Array, [rows, cols]: [number, number]): void {
  if (x.length !== rows * cols)
    throw new RangeError(`${what} has ${x.length} values, expected ${rows}x${cols}`);
}

const shared = new Map<number, Promise<Gemm | null>>();

/**
 * A process-wide Gemm for a thread count, created on first use and never disposed (for callers
 * that multiply many times over a run, such as probe training), or null when onnxruntime-node
 * cannot be loaded: callers then use TypeScript kernels.
 * @param threads onnxruntime intra-op threads (default: all cores)
 */
export function sharedGemm(threads = availableParallelism()): Promise<Gemm | null> {
  let gemm = shared.get(threads);
  if (gemm === undefined) {
    gemm = loadOrt().then(
      () => Gemm.create({ threads }),
      () => null,
    );
    shared.set(threads, gemm);
  }
  return gemm;
}
