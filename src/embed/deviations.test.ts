import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Preprocess } from '../core/types.js';
import { defaultPreprocess } from '../models/descriptor.js';
import { preprocessDeviations } from './deviations.js';

const base: Preprocess = { ...defaultPreprocess('onnx'), resize: 224, resizeMode: 'squash', crop: null };

test('a model that squashes without cropping gets no crop deviation; one that crops has its crop stated', () => {
  assert.deepEqual(preprocessDeviations('m', base), []);
  assert.deepEqual(preprocessDeviations('m', undefined), []);
  const [text, ...rest] = preprocessDeviations('r50', {
    ...base,
    resize: 256,
    resizeMode: 'shorter',
    crop: 224,
  });
  assert.equal(rest.length, 0);
  assert.match(
    text ?? '',
    /^r50: test images are resized \(shorter side 256\) and center-cropped to 224×224 \(deterministic\)/,
  );
  assert.match(text ?? '', /RandomCrop 224 at test time/);
});
