/**
 * Float32 matrix products run by onnxruntime's CPU GEMM (MLAS): about 20x a plain TypeScript loop
 * (docs/stack.md). One session per thread count, built from in-memory model bytes with symbolic
 * dimensions, serves every shape; outputs can be written into caller-owned buffers.
 */
import { availableParallelism } from 'node:os';
import { gemmModelBytes, gemmTopKModelBytes } from './onnx-gemm-model.js';

type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

let ortModule: Promise<Ort> | undefined;

function loadOrt(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node').then((m) => {
    const mod = m as Ort & { default?: Ort };
    return mod.InferenceSession ? mod : (mod.default as Ort);
  });
  return ortModule;
}

/** C = A · Bᵀ, and the row-wise top-k of C, on onnxruntime. */
export class Gemm {
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
   * @param spinning let idle pool threads spin (default false: the JavaScript thread merges top-k
   *   results while a product runs, and spinning threads would take its core)
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
   * C = A · Bᵀ.
   * @param a (m, k) row-major
   * @param b (n, k) row-major
   * @param out (m, n) row-major buffer to fill; a new one when omitted
   * @returns out
   */
  async abT(
    a: Float32Array,
    m: number,
    k: number,
    b: Float32Array,
    n: number,
    out?: Float32Array,
  ): Promise<Float32Array> {
    if (a.length !== m * k) throw new RangeError(`Gemm.abT: a has ${a.length} values, expected ${m}x${k}`);
    if (b.length !== n * k) throw new RangeError(`Gemm.abT: b has ${b.length} values, expected ${n}x${k}`);
    const target = out ?? new Float32Array(m * n);
    if (target.length !== m * n)
      throw new RangeError(`Gemm.abT: out has ${target.length} values, expected ${m}x${n}`);
    const { Tensor } = this.ort;
    await this.session.run(
      { A: new Tensor('float32', a, [m, k]), B: new Tensor('float32', b, [n, k]) },
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
    if (a.length !== m * k)
      throw new RangeError(`Gemm.abTTopK: a has ${a.length} values, expected ${m}x${k}`);
    if (b.length !== n * k)
      throw new RangeError(`Gemm.abTTopK: b has ${b.length} values, expected ${n}x${k}`);
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
    if (this.topKSession !== undefined) await (await this.topKSession).release();
  }
}
