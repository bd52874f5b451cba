import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './select.js';

before(async () => {
  await selectBackend('wasm');
});

test('clone on wasm shares the data: the clone outlives the original and stays correct', () => {
  const buffers = () => tf.backend().numDataIds();
  const before = buffers();
  const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const b = a.clone();
  assert.equal(buffers() - before, 1, 'one buffer for both tensors');
  a.dispose();
  assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3, 4]);
  const c = tf.add(b, 1);
  assert.deepEqual(Array.from(c.dataSync()), [2, 3, 4, 5]);
  b.dispose();
  c.dispose();
  assert.equal(buffers(), before);
});

test('a variable assigned after a clone leaves the clone unchanged', () => {
  const v = tf.variable(tf.tensor1d([5, 6]));
  const snapshot = v.clone();
  v.assign(tf.tensor1d([7, 8]));
  assert.deepEqual(Array.from(snapshot.dataSync()), [5, 6]);
  assert.deepEqual(Array.from(v.dataSync()), [7, 8]);
  tf.dispose([v, snapshot]);
});
