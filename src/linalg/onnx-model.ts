/**
 * A minimal ONNX ModelProto writer for the small graphs handed to onnxruntime: the symbolic-shape
 * Gemm and Gemm+TopK models (onnx-gemm-model.ts) and the per-layer graphs of the wasm training
 * kernels (conv forward, input and filter gradients, batch norm). Protobuf written by hand, field
 * numbers from onnx/onnx.proto (IR version 8), in the field order of onnx's own serializer, so the
 * bytes equal those of `onnx.helper.make_model` (tools/make_gemm_onnx.py, tools/onnx_model_reference.py).
 * Only what those graphs need: nodes with INT, INTS and FLOAT attributes, int64 and float32
 * initializers, and float32 or int64 inputs/outputs with fixed or symbolic dimensions.
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
  /** Node name; default `n<index>`. */
  name?: string;
}

/** A graph input or output: a number is a fixed dimension, a string a symbolic one. */
export interface OnnxValue<Dim extends number | string = number | string> {
  name: string;
  shape: Dim[];
  /** Element type; default 'float32'. */
  type?: 'float32' | 'int64';
}

/** A graph; `Dim` = number when every input and output shape is fixed (the default). */
export interface OnnxGraph<Dim extends number | string = number> {
  nodes: OnnxNode[];
  inputs: OnnxValue<Dim>[];
  outputs: OnnxValue<Dim>[];
  /** Int64 constant tensors (shapes for Reshape, Slice bounds). */
  int64Initializers?: { name: string; dims: number[]; values: number[] }[];
  /** Float32 constant tensors (epsilons, scale factors). */
  floatInitializers?: { name: string; dims: number[]; values: number[] }[];
  /** Graph name; default 'fairscope_kernel'. */
  name?: string;
  /** Default-domain opset. Default 17. */
  opset?: number;
}

function valueInfo(value: OnnxValue): Message {
  const dims = new Message();
  for (const d of value.shape) {
    // dim { dim_value } or dim { dim_param }
    dims.message(1, typeof d === 'number' ? new Message().int(1, d) : new Message().string(2, d));
  }
  const elemType = value.type === 'int64' ? INT64 : FLOAT;
  const tensor = new Message().int(1, elemType).message(2, dims); // elem_type, shape
  return new Message().string(1, value.name).message(2, new Message().message(1, tensor)); // name, type
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

/** The serialized ModelProto (IR version 8, producer 'fairscope') of `graph`. */
export function onnxModelBytes(graph: OnnxGraph<number | string>): Uint8Array {
  const g = new Message();
  graph.nodes.forEach((n, i) => {
    const node = new Message();
    for (const x of n.inputs) node.string(1, x);
    for (const y of n.outputs) node.string(2, y);
    node.string(3, n.name ?? `n${i}`).string(4, n.op);
    for (const [k, v] of Object.entries(n.attributes ?? {})) node.message(5, attribute(k, v));
    if (n.domain) node.string(7, n.domain);
    g.message(1, node);
  });
  g.string(2, graph.name ?? 'fairscope_kernel');
  for (const t of graph.int64Initializers ?? [])
    g.message(5, constantTensor(t.name, t.dims, t.values, 'int64'));
  for (const t of graph.floatInitializers ?? [])
    g.message(5, constantTensor(t.name, t.dims, t.values, 'float32'));
  for (const x of graph.inputs) g.message(11, valueInfo(x));
  for (const y of graph.outputs) g.message(12, valueInfo(y));
  return new Message()
    .int(1, 8) // ir_version
    .string(2, 'fairscope') // producer_name
    .message(7, g)
    .message(8, new Message().string(1, '').int(2, graph.opset ?? 17)) // opset_import
    .finish();
}
