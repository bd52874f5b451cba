/**
 * A minimal ONNX ModelProto writer for the small per-layer graphs that the wasm training kernels
 * hand to onnxruntime (conv forward, input and filter gradients). Protobuf written by hand; field
 * numbers from onnx/onnx.proto (IR version 8). Only what those graphs need: nodes with INT, INTS
 * and FLOAT attributes, int64 and float32 initializers, and float inputs/outputs of fixed shape.
 *
 * src/linalg/onnx-gemm-model.ts has a smaller private encoder (one Gemm node, symbolic dims, no
 * negative ints, no initializers); this one is a superset and could serve both.
 */

/** A protobuf message under construction. */
class Message {
  private readonly bytes: number[] = [];

  /** Unsigned or negative (two's complement int64, 10 bytes) varint. */
  private varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  /** A varint field (wire type 0). */
  int(field: number, value: number): this {
    this.tag(field, 0);
    this.varint(value);
    return this;
  }

  /** A float field (wire type 5, fixed32 little-endian). */
  float(field: number, value: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.bytes.push(...b);
    return this;
  }

  /** A length-delimited field (wire type 2): bytes or a nested message. */
  bytesField(field: number, payload: Uint8Array | number[]): this {
    this.tag(field, 2);
    this.varint(payload.length);
    for (const b of payload) this.bytes.push(b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytesField(field, new TextEncoder().encode(value));
  }

  message(field: number, inner: Message): this {
    return this.bytesField(field, inner.bytes);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** TensorProto.DataType values. */
const FLOAT = 1;
const INT64 = 7;
/** AttributeProto.AttributeType values. */
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

/** An attribute value: a number is INT unless wrapped as `{ float }`; an array is INTS. */
export type OnnxAttribute = number | number[] | { float: number };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, OnnxAttribute>;
  /** Operator domain; '' (default ONNX). */
  domain?: string;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  /** Float32 graph inputs with fixed shapes. */
  inputs: { name: string; shape: number[] }[];
  /** Float32 graph outputs with fixed shapes. */
  outputs: { name: string; shape: number[] }[];
  /** Int64 constant tensors (shapes for Reshape, Slice bounds). */
  int64Initializers?: { name: string; dims: number[]; values: number[] }[];
  /** Float32 constant tensors (epsilons, scale factors). */
  floatInitializers?: { name: string; dims: number[]; values: number[] }[];
  /** Default-domain opset. Default 17. */
  opset?: number;
}

function valueInfo(name: string, shape: number[]): Message {
  const dims = new Message();
  for (const d of shape) dims.message(1, new Message().int(1, d)); // dim { dim_value }
  const tensor = new Message().int(1, FLOAT).message(2, dims); // elem_type, shape
  return new Message().string(1, name).message(2, new Message().message(1, tensor)); // name, type
}

function attribute(name: string, value: OnnxAttribute): Message {
  const a = new Message().string(1, name);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`ONNX attribute ${name}: INT expected, got ${value}`);
    return a.int(3, value).int(20, ATTR_INT);
  }
  if (Array.isArray(value)) {
    for (const v of value) a.int(8, v); // repeated int64 ints = 8 (proto2, unpacked)
    return a.int(20, ATTR_INTS);
  }
  return a.float(2, value.float).int(20, ATTR_FLOAT);
}

/** TensorProto with little-endian raw_data, int64 or float32. */
function constantTensor(name: string, dims: number[], values: number[], type: 'int64' | 'float32'): Message {
  const t = new Message();
  for (const d of dims) t.int(1, d);
  t.int(2, type === 'int64' ? INT64 : FLOAT).string(8, name);
  const width = type === 'int64' ? 8 : 4;
  const raw = new Uint8Array(values.length * width);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => {
    if (type === 'int64') view.setBigInt64(i * 8, BigInt(v), true);
    else view.setFloat32(i * 4, v, true);
  });
  return t.bytesField(9, raw); // raw_data
}

/** The serialized ModelProto of `graph`. */
export function onnxModelBytes(graph: OnnxGraph): Uint8Array {
  const g = new Message();
  graph.nodes.forEach((n, i) => {
    const node = new Message();
    for (const x of n.inputs) node.string(1, x);
    for (const y of n.outputs) node.string(2, y);
    node.string(3, `n${i}`).string(4, n.op);
    for (const [k, v] of Object.entries(n.attributes ?? {})) node.message(5, attribute(k, v));
    if (n.domain) node.string(7, n.domain);
    g.message(1, node);
  });
  g.string(2, 'fairscope_kernel');
  for (const t of graph.int64Initializers ?? [])
    g.message(5, constantTensor(t.name, t.dims, t.values, 'int64'));
  for (const t of graph.floatInitializers ?? [])
    g.message(5, constantTensor(t.name, t.dims, t.values, 'float32'));
  for (const x of graph.inputs) g.message(11, valueInfo(x.name, x.shape));
  for (const y of graph.outputs) g.message(12, valueInfo(y.name, y.shape));
  return new Message()
    .int(1, 8) // ir_version
    .string(2, 'fairscope') // producer_name
    .message(7, g)
    .message(8, new Message().string(1, '').int(2, graph.opset ?? 17)) // opset_import
    .finish();
}
