import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstNonFinite, l2NormalizeRows } from './normalize.js';

test('l2NormalizeRows: unit rows; zero rows stay zero and are listed', () => {
  const { data, zeroRows } = l2NormalizeRows(new Float32Array([3, 4, 0, 0, 0, -2]), 3, 2);
  assert.deepEqual([...data], [0.6000000238418579, 0.800000011920929, 0, 0, 0, -1]);
  assert.deepEqual(zeroRows, [1]);
  assert.throws(() => l2NormalizeRows(new Float32Array(5), 3, 2), /expected 3x2/);
});

test('firstNonFinite', () => {
  assert.equal(firstNonFinite([1, 2, Number.NaN, Number.POSITIVE_INFINITY]), 2);
  assert.equal(firstNonFinite(new Float32Array([1, -Infinity])), 1);
  assert.equal(firstNonFinite([0]), -1);
});
