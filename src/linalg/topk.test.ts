import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TopKRows, topKIndices } from './topk.js';

test('topKIndices: descending, ties by ascending index', () => {
  assert.deepEqual(topKIndices([0.5, 2, 0.5, 2, 1], 4), [1, 3, 4, 0]);
  assert.deepEqual(topKIndices([3, 3, 3], 5), [0, 1, 2]);
});

test('TopKRows: blocks fed in column order give the stable full ranking', () => {
  // one row of 9 scores with ties across block boundaries
  const scores = [1, 5, 3, 5, 2, 5, 3, 0, 4];
  const top = new TopKRows(1, 5);
  top.push(new Float32Array(scores.slice(0, 4)), 1, 4, 0, 0);
  top.push(new Float32Array(scores.slice(4, 6)), 1, 2, 0, 4);
  top.push(new Float32Array(scores.slice(6)), 1, 3, 0, 6);
  top.finish();
  // stable ranking: 5@1, 5@3, 5@5, 4@8, 3@2 (3@6 is later)
  assert.deepEqual([...top.indices], [1, 3, 5, 8, 2]);
  assert.deepEqual([...top.values], [5, 5, 5, 4, 3]);
});

test('TopKRows: fewer columns than k leave -1 / -Infinity slots', () => {
  const top = new TopKRows(2, 3);
  top.push(new Float32Array([1, 2, 7, 7]), 2, 2, 0, 0);
  top.finish();
  assert.deepEqual([...top.indices], [1, 0, -1, 0, 1, -1]);
  assert.equal(top.values[2], Number.NEGATIVE_INFINITY);
});

test('TopKRows equals a stable sort on random data with many ties, in blocks of any size', () => {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (const [rows, cols, k, block] of [
    [5, 300, 10, 37],
    [3, 50, 50, 7],
    [4, 1000, 1, 1000],
    [2, 20, 30, 3],
  ] as const) {
    const data = Float32Array.from({ length: rows * cols }, () => Math.floor(rand() * 20) / 4);
    const top = new TopKRows(rows, k);
    for (let c0 = 0; c0 < cols; c0 += block) {
      const c1 = Math.min(cols, c0 + block);
      const b = new Float32Array(rows * (c1 - c0));
      for (let r = 0; r < rows; r++) b.set(data.subarray(r * cols + c0, r * cols + c1), r * (c1 - c0));
      top.push(b, rows, c1 - c0, 0, c0);
    }
    top.finish();
    for (let r = 0; r < rows; r++) {
      const expected = topKIndices(data.subarray(r * cols, (r + 1) * cols), k);
      const got = [...top.indices.subarray(r * k, (r + 1) * k)].filter((i) => i >= 0);
      assert.deepEqual(got, expected, `rows ${rows} cols ${cols} k ${k} block ${block} row ${r}`);
    }
  }
});

test('TopKRows.pushCandidates: candidate lists in any order, ties to the lower index', () => {
  const top = new TopKRows(1, 3);
  // block 2 (columns 10..) first, then block 1 (columns 0..): equal values must end up by index
  top.pushCandidates(new Float32Array([5, 4, 4]), [0, 3, 5], 1, 3, 0, 10);
  top.pushCandidates(new Float32Array([4, 4, 1]), [7, 2, 0], 1, 3, 0, 0);
  top.finish();
  // 5@10, then the 4s by index: 2, 7, 13, 15
  assert.deepEqual([...top.indices], [10, 2, 7]);
  assert.deepEqual([...top.values], [5, 4, 4]);
  const big = new TopKRows(1, 2);
  big.pushCandidates(new Float32Array([1, 2]), new BigInt64Array([1n, 0n]), 1, 2, 0, 100);
  big.finish();
  assert.deepEqual([...big.indices], [100, 101]);
});
