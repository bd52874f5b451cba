import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { onnxModelBytes } from '../../linalg/onnx-model.js';
import { REFERENCE_GRAPH } from '../../linalg/testing/onnx-reference-graph.js';
import { ORT_PINNED_VERSION, OrtSyncSession, ortSyncAvailable, ortVersion } from './ort-sync.js';

const reference = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/train/onnx-model.json', import.meta.url), 'utf8'),
) as { x: number[]; y: number[] };

test(`onnxruntime-node is the pinned ${ORT_PINNED_VERSION} and its synchronous binding loads`, () => {
  const installed = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string })
    .version;
  // A different version must be re-checked against this module's assumptions before pinning it.
  assert.equal(installed, ORT_PINNED_VERSION);
  assert.equal(ortSyncAvailable(), true);
  assert.equal(ortVersion(), ORT_PINNED_VERSION);
});

test('run is synchronous and reads/writes views of a larger buffer in place (numpy reference)', () => {
  const s = OrtSyncSession.create(onnxModelBytes(REFERENCE_GRAPH), {
    inputs: { x: [4, 2] },
    outputs: { y: [2, 3] },
  });
  const heap = new Float32Array(64).fill(-99);
  const x = heap.subarray(5, 13);
  x.set(reference.x);
  const y = heap.subarray(20, 26);
  s.run({ x }, { y }); // no await: the values are there when run returns
  assert.deepEqual(Array.from(y), reference.y);
  assert.equal(heap[19], -99);
  assert.equal(heap[26], -99);
  assert.deepEqual(Array.from(heap.subarray(5, 13)), reference.x);
  s.dispose();
});

test('a wrongly sized array is refused with its name', () => {
  const s = OrtSyncSession.create(onnxModelBytes(REFERENCE_GRAPH), {
    inputs: { x: [4, 2] },
    outputs: { y: [2, 3] },
  });
  assert.throws(
    () => s.run({ x: new Float32Array(7) }, { y: new Float32Array(6) }),
    /x needs 8 values, got 7/,
  );
  s.dispose();
});
