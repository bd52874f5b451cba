import type { OnnxGraph } from '../onnx-model.js';

/** The graph of tools/onnx_model_reference.py: every attribute and initializer kind. */
export const REFERENCE_GRAPH: OnnxGraph = {
  nodes: [
    { op: 'Transpose', inputs: ['x'], outputs: ['xt'], attributes: { perm: [1, 0] } },
    { op: 'Slice', inputs: ['xt', 'starts', 'ends', 'axes', 'steps'], outputs: ['s'] },
    { op: 'LeakyRelu', inputs: ['s'], outputs: ['l'], attributes: { alpha: { float: 0.25 } } },
    { op: 'Mul', inputs: ['l', 'scale'], outputs: ['y'] },
  ],
  inputs: [{ name: 'x', shape: [4, 2] }],
  outputs: [{ name: 'y', shape: [2, 3] }],
  int64Initializers: [
    { name: 'starts', dims: [1], values: [-1] },
    { name: 'ends', dims: [1], values: [-4] },
    { name: 'axes', dims: [1], values: [-1] },
    { name: 'steps', dims: [1], values: [-1] },
  ],
  floatInitializers: [{ name: 'scale', dims: [], values: [1.5] }],
};
