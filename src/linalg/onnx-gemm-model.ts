/**
 * The bytes of two tiny ONNX models with symbolic dimensions, so that one onnxruntime session serves
 * every matrix shape: Y = A · Bᵀ (or A · B), and the same product followed by TopK (the k largest of
 * each row, ties to the lower index by the ONNX TopK specification). The bytes equal those of
 * `onnx.helper.make_model` for the same graphs (tools/make_gemm_onnx.py, the test).
 */
import { type OnnxGraph, type OnnxNode, onnxModelBytes } from './onnx-model.js';

type Graph = OnnxGraph<number | string>;

/** Gemm(A, B) -> Y. */
function gemmNode(transB: boolean): OnnxNode {
  return {
    op: 'Gemm',
    name: 'gemm',
    inputs: ['A', 'B'],
    outputs: ['Y'],
    ...(transB ? { attributes: { transB: 1 } } : {}),
  };
}

export interface GemmModelOptions {
  /** Multiply by Bᵀ: B is (n, k). Otherwise B is (k, n). */
  transB: boolean;
  /** Default-domain opset (Gemm-13 by default). */
  opset?: number;
}

/**
 * ONNX ModelProto (IR version 8) of Y = A · op(B) with inputs A (m, k), B (n, k) or (k, n) and
 * output Y (m, n), all float32 with symbolic dimensions m, k, n.
 */
export function gemmModelBytes(options: GemmModelOptions): Uint8Array {
  const graph: Graph = {
    name: 'fairscope_gemm',
    nodes: [gemmNode(options.transB)],
    inputs: [
      { name: 'A', shape: ['m', 'k'] },
      { name: 'B', shape: options.transB ? ['n', 'k'] : ['k', 'n'] },
    ],
    outputs: [{ name: 'Y', shape: ['m', 'n'] }],
    opset: options.opset ?? 13,
  };
  return onnxModelBytes(graph);
}

/**
 * ONNX ModelProto of TopK(A · Bᵀ, K) along rows: inputs A (m, k), B (n, k) float32 and K (1) int64;
 * outputs values (m, top) float32, descending, and indices (m, top) int64. TopK-11+ puts the lower
 * index first among equal values, so a row's result equals a stable sort.
 */
export function gemmTopKModelBytes(options: { opset?: number } = {}): Uint8Array {
  const graph: Graph = {
    name: 'fairscope_gemm_topk',
    nodes: [gemmNode(true), { op: 'TopK', name: 'topk', inputs: ['Y', 'K'], outputs: ['values', 'indices'] }],
    inputs: [
      { name: 'A', shape: ['m', 'k'] },
      { name: 'B', shape: ['n', 'k'] },
      { name: 'K', shape: [1], type: 'int64' },
    ],
    outputs: [
      { name: 'values', shape: ['m', 'top'] },
      { name: 'indices', shape: ['m', 'top'], type: 'int64' },
    ],
    opset: options.opset ?? 13,
  };
  return onnxModelBytes(graph);
}
