/**
 * The bytes of two tiny ONNX models with symbolic dimensions, so that one onnxruntime session serves
 * every matrix shape: Y = A · Bᵀ (or A · B), and the same product followed by TopK (the k largest of
 * each row, ties to the lower index by the ONNX TopK specification). Written as protobuf by hand
 * (field numbers from onnx/onnx.proto) in the same field order as onnx's own serializer: the bytes
 * equal those of `onnx.helper.make_model` for the same graphs (tools/make_gemm_onnx.py, the test).
 */

/** A protobuf message under construction: only the wire types a ModelProto of this kind needs. */
class Message {
  private readonly bytes: number[] = [];

  private varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.bytes.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    this.bytes.push(v);
  }

  /** A varint field (wire type 0). */
  int(field: number, value: number): this {
    this.varint(field << 3);
    this.varint(value);
    return this;
  }

  /** A length-delimited field (wire type 2): a string or a nested message. */
  bytesField(field: number, payload: Uint8Array | number[]): this {
    this.varint((field << 3) | 2);
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

const FLOAT = 1; // TensorProto.DataType.FLOAT
const INT64 = 7; // TensorProto.DataType.INT64
const ATTRIBUTE_INT = 2; // AttributeProto.AttributeType.INT

/** ValueInfoProto of a tensor; string dimensions are symbolic, numbers fixed. */
function tensorInfo(name: string, elemType: number, dims: (string | number)[]): Message {
  const shape = new Message();
  for (const d of dims) {
    // dim { dim_value } or dim { dim_param }
    shape.message(1, typeof d === 'number' ? new Message().int(1, d) : new Message().string(2, d));
  }
  const tensor = new Message().int(1, elemType).message(2, shape); // elem_type, shape
  return new Message().string(1, name).message(2, new Message().message(1, tensor)); // name, type.tensor_type
}

const floatTensorInfo = (name: string, dims: string[]) => tensorInfo(name, FLOAT, dims);

/** NodeProto of Gemm(A, B) -> Y. */
function gemmNode(transB: boolean): Message {
  const node = new Message().string(1, 'A').string(1, 'B').string(2, 'Y').string(3, 'gemm').string(4, 'Gemm');
  if (transB) node.message(5, new Message().string(1, 'transB').int(3, 1).int(20, ATTRIBUTE_INT));
  return node;
}

/** ModelProto around a graph (IR version 8, default-domain opset). */
function model(graph: Message, opset: number): Uint8Array {
  return new Message()
    .int(1, 8) // ir_version
    .string(2, 'fairscope') // producer_name
    .message(7, graph)
    .message(8, new Message().string(1, '').int(2, opset)) // opset_import
    .finish();
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
  const graph = new Message()
    .message(1, gemmNode(options.transB))
    .string(2, 'fairscope_gemm')
    .message(11, floatTensorInfo('A', ['m', 'k']))
    .message(11, floatTensorInfo('B', options.transB ? ['n', 'k'] : ['k', 'n']))
    .message(12, floatTensorInfo('Y', ['m', 'n']));
  return model(graph, options.opset ?? 13);
}

/**
 * ONNX ModelProto of TopK(A · Bᵀ, K) along rows: inputs A (m, k), B (n, k) float32 and K (1) int64;
 * outputs values (m, top) float32, descending, and indices (m, top) int64. TopK-11+ puts the lower
 * index first among equal values, so a row's result equals a stable sort.
 */
export function gemmTopKModelBytes(options: { opset?: number } = {}): Uint8Array {
  const topk = new Message()
    .string(1, 'Y')
    .string(1, 'K')
    .string(2, 'values')
    .string(2, 'indices')
    .string(3, 'topk')
    .string(4, 'TopK');
  const graph = new Message()
    .message(1, gemmNode(true))
    .message(1, topk)
    .string(2, 'fairscope_gemm_topk')
    .message(11, floatTensorInfo('A', ['m', 'k']))
    .message(11, floatTensorInfo('B', ['n', 'k']))
    .message(11, tensorInfo('K', INT64, [1]))
    .message(12, floatTensorInfo('values', ['m', 'top']))
    .message(12, tensorInfo('indices', INT64, ['m', 'top']));
  return model(graph, options.opset ?? 13);
}
