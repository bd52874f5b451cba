/**
 * Float32 matrix products run by onnxruntime (MLAS GEMM, about 20x a plain TypeScript loop; see
 * bench/results/probe.md). Two one-node Gemm graphs with symbolic dimensions (src/linalg's model
 * bytes) serve every shape: one session each per thread count, created on first use.
 */
import { availableParallelism } from 'node:os';
import { gemmModelBytes } from '../linalg/onnx-gemm-model.js';

type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

/** Float32 GEMM with one operand transposed. Results are fresh arrays. */
export interface OrtGemm {
  /** 'onnxruntime/cpu' plus the thread count. */
  readonly provider: string;
  /**
   * C = A · Bᵀ.
   * @param a (m, k) row-major
   * @param b (n, k) row-major
   * @param out (m, n) row-major buffer to fill; a new one when omitted
   * @returns (m, n) row-major
   */
  abT(
    a: Float32Array,
    m: number,
    k: number,
    b: Float32Array,
    n: number,
    out?: Float32Array,
  ): Promise<Float32Array>;
  /**
   * C = A · B.
   * @param a (m, k) row-major
   * @param b (k, n) row-major
   * @param out (m, n) row-major buffer to fill; a new one when omitted
   * @returns (m, n) row-major
   */
  ab(
    a: Float32Array,
    m: number,
    k: number,
    b: Float32Array,
    n: number,
    out?: Float32Array,
  ): Promise<Float32Array>;
}

let ortModule: Promise<Ort | null> | undefined;
const engines = new Map<number, Promise<OrtGemm | null>>();

async function importOrt(): Promise<Ort | null> {
  try {
    const mod = (await import('onnxruntime-node')) as Ort & { default?: Ort };
    return mod.InferenceSession ? mod : (mod.default ?? null);
  } catch {
    return null;
  }
}

async function createEngine(ort: Ort, threads: number): Promise<OrtGemm> {
  const options = {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential' as const,
    graphOptimizationLevel: 'all' as const,
    logSeverityLevel: 3 as const,
    // Idle pool threads sleep instead of spinning: the products are short and alternate with
    // TypeScript work, and spinning threads steal the cores that work needs (docs/stack.md).
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
  const [abTSession, abSession]: Session[] = await Promise.all([
    ort.InferenceSession.create(gemmModelBytes({ transB: true }), options),
    ort.InferenceSession.create(gemmModelBytes({ transB: false }), options),
  ]);
  const run = async (
    session: Session,
    a: Float32Array,
    aDims: number[],
    b: Float32Array,
    bDims: number[],
    yDims: [number, number],
    out: Float32Array | undefined,
  ) => {
    if (a.length !== aDims[0] * aDims[1])
      throw new RangeError(`gemm: A has ${a.length} values, not ${aDims.join('x')}`);
    if (b.length !== bDims[0] * bDims[1])
      throw new RangeError(`gemm: B has ${b.length} values, not ${bDims.join('x')}`);
    const y = out ?? new Float32Array(yDims[0] * yDims[1]);
    if (y.length !== yDims[0] * yDims[1])
      throw new RangeError(`gemm: out has ${y.length} values, not ${yDims.join('x')}`);
    // The output tensor wraps `y`: onnxruntime writes into it, no copy or allocation per call.
    await session.run(
      { A: new ort.Tensor('float32', a, aDims), B: new ort.Tensor('float32', b, bDims) },
      { Y: new ort.Tensor('float32', y, yDims) },
    );
    return y;
  };
  return {
    provider: `onnxruntime/cpu x${threads}`,
    abT: (a, m, k, b, n, out) => run(abTSession, a, [m, k], b, [n, k], [m, n], out),
    ab: (a, m, k, b, n, out) => run(abSession, a, [m, k], b, [k, n], [m, n], out),
  };
}

/** Default thread count: every core this process may use. */
export function defaultThreads(): number {
  return availableParallelism();
}

/**
 * The onnxruntime GEMM engine for a thread count, or null when onnxruntime-node cannot be loaded
 * (callers then use the TypeScript kernels).
 */
export function loadOrtGemm(threads = defaultThreads()): Promise<OrtGemm | null> {
  let engine = engines.get(threads);
  if (engine === undefined) {
    ortModule ??= importOrt();
    engine = ortModule.then((ort) => (ort === null ? null : createEngine(ort, threads)));
    engines.set(threads, engine);
  }
  return engine;
}
