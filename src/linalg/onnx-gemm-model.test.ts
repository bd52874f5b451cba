import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gemmModelBytes, gemmTopKModelBytes } from './onnx-gemm-model.js';

// Bytes serialized by onnx.helper.make_model (tools/make_gemm_onnx.py, checked by onnx.checker).
const reference = JSON.parse(
  readFileSync(new URL('../../test/fixtures/indicators/gemm-onnx.json', import.meta.url), 'utf8'),
) as { transB: string; plain: string; topK: string };

test('the hand-written ModelProto equals the bytes onnx serializes', () => {
  assert.equal(Buffer.from(gemmModelBytes({ transB: true })).toString('hex'), reference.transB);
  assert.equal(Buffer.from(gemmModelBytes({ transB: false })).toString('hex'), reference.plain);
  assert.equal(Buffer.from(gemmTopKModelBytes()).toString('hex'), reference.topK);
});
