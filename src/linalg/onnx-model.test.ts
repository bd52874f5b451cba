import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { onnxModelBytes } from './onnx-model.js';
import { REFERENCE_GRAPH } from './testing/onnx-reference-graph.js';

// Bytes serialized by onnx.helper.make_model and checked by onnx.checker (tools/onnx_model_reference.py).
const reference = JSON.parse(
  readFileSync(new URL('../../test/fixtures/train/onnx-model.json', import.meta.url), 'utf8'),
) as { bytes: string; x: number[]; y: number[] };

test('the hand-written ModelProto equals the bytes onnx.helper serializes', () => {
  assert.equal(Buffer.from(onnxModelBytes(REFERENCE_GRAPH)).toString('hex'), reference.bytes);
});

test('a non-integer INT attribute is refused', () => {
  assert.throws(
    () =>
      onnxModelBytes({
        ...REFERENCE_GRAPH,
        nodes: [{ op: 'X', inputs: [], outputs: [], attributes: { a: 0.5 } }],
      }),
    /INT expected/,
  );
});
