import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputError } from '../core/errors.js';
import { defaultPreprocess } from './descriptor.js';
import { checkInputShape, preprocessSize } from './input-shape.js';
import { runFixedBatch } from './outputs.js';

const onnx = defaultPreprocess('onnx'); // resize 256 shorter, crop 224, NCHW

describe('input shape vs preprocess', () => {
  test('preprocess sizes: crop wins, squash gives resize, shorter-side without crop varies', () => {
    assert.deepEqual(preprocessSize(onnx), [224, 224]);
    assert.deepEqual(preprocessSize({ ...onnx, crop: null, resizeMode: 'squash', resize: 96 }), [96, 96]);
    assert.equal(preprocessSize({ ...onnx, crop: null }), null);
  });

  test('agreeing shapes give the fixed batch or null', () => {
    assert.equal(checkInputShape([null, 3, 224, 224], onnx, 'm.onnx', 'x'), null);
    assert.equal(checkInputShape([8, 3, null, null], onnx, 'm.onnx', 'x'), 8);
    assert.equal(checkInputShape([null, 224, 224, 3], { ...onnx, layout: 'nhwc' }, 'm.onnx', 'x'), null);
  });

  test('disagreements name the file, the input, both shapes and the fix', () => {
    const cases: [(number | null)[], typeof onnx, RegExp][] = [
      [[null, 224, 224, 3], onnx, /expects 224 channels .*it looks NHWC: set preprocess.layout/],
      [[null, 1, 224, 224], onnx, /expects 1 channels in the NCHW channel position$/],
      [[null, 3, 299, 299], onnx, /NCHW, 3 channels, 224x224: the model needs 299x299 images/],
      [
        [null, 3, 224, 224],
        { ...onnx, crop: null },
        /HxW varying: the model needs 224x224 images; set preprocess.crop/,
      ],
      [[null, 3, 224], onnx, /the input has rank 3/],
    ];
    for (const [dims, p, re] of cases) {
      assert.throws(
        () => checkInputShape(dims, p, 'm.onnx', 'x'),
        (err: unknown) =>
          err instanceof InputError &&
          err.file === 'm.onnx' &&
          /model input "x" has shape/.test(err.message) &&
          re.test(err.message),
        `${JSON.stringify(dims)}`,
      );
    }
  });
});

describe('runFixedBatch', () => {
  test('5 items through a graph fixed at 2: chunks [0,1] [2,3] [4,pad]; padded rows dropped', async () => {
    // Items of 2 values; the fake model embeds an item as (sum, count of non-zero chunk rows) and
    // logits as (first value). Data: item i = [i, 10 i].
    const data = Float32Array.from([0, 0, 1, 10, 2, 20, 3, 30, 4, 40]);
    const seen: number[][] = [];
    const out = await runFixedBatch(data, 5, 2, 2, { embedding: 2, logits: 1 }, async (chunk) => {
      seen.push(Array.from(chunk));
      assert.equal(chunk.length, 4);
      const embedding = new Float32Array(4);
      const logits = new Float32Array(2);
      for (let r = 0; r < 2; r++) {
        embedding[r * 2] = chunk[r * 2] + chunk[r * 2 + 1];
        embedding[r * 2 + 1] = r;
        logits[r] = chunk[r * 2];
      }
      return { embedding, logits };
    });
    assert.deepEqual(seen, [
      [0, 0, 1, 10],
      [2, 20, 3, 30],
      [4, 40, 0, 0],
    ]);
    assert.deepEqual(Array.from(out.embedding), [0, 0, 11, 1, 22, 0, 33, 1, 44, 0]);
    assert.deepEqual(Array.from(out.logits ?? []), [0, 1, 2, 3, 4]);
  });
});
