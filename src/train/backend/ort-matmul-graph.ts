/**
 * The one-node ONNX graph that runs TF.js's BatchMatMul on onnxruntime: a (batchA, ·, ·) and
 * b (batchB, ·, ·) with equal batches or one of them 1 (broadcast), each optionally transposed
 * (onnxruntime folds the transposes into its MatMul).
 */
import type { OnnxGraph, OnnxNode } from '../../linalg/onnx-model.js';

/** Inputs a, b as stored (before transposition); output y (batch, M, N). */
export function batchMatMulGraph(
  aShape: [number, number, number],
  bShape: [number, number, number],
  transposeA: boolean,
  transposeB: boolean,
): OnnxGraph {
  const nodes: OnnxNode[] = [];
  let a = 'a';
  let b = 'b';
  if (transposeA) {
    nodes.push({ op: 'Transpose', inputs: ['a'], outputs: ['aT'], attributes: { perm: [0, 2, 1] } });
    a = 'aT';
  }
  if (transposeB) {
    nodes.push({ op: 'Transpose', inputs: ['b'], outputs: ['bT'], attributes: { perm: [0, 2, 1] } });
    b = 'bT';
  }
  nodes.push({ op: 'MatMul', inputs: [a, b], outputs: ['y'] });
  const m = transposeA ? aShape[2] : aShape[1];
  const n = transposeB ? bShape[1] : bShape[2];
  return {
    nodes,
    inputs: [
      { name: 'a', shape: aShape },
      { name: 'b', shape: bShape },
    ],
    outputs: [{ name: 'y', shape: [Math.max(aShape[0], bShape[0]), m, n] }],
  };
}
