/**
 * The pipeline against PIL 9.4 + torchvision 0.14 (tools/preprocess_reference.py, committed output in
 * test/fixtures/image/reference.json): the uint8 pixels after crop/resize/center-crop must be
 * identical, and the final float tensor equal to within 1e-6 (float32 rounding) in normalised units.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { BBox, Preprocess, RoiRule } from '../core/types.js';
import { decodeImage } from './node/decode.js';
import { Preprocessor, prepareImage, preprocessHash, tensorShape } from './preprocess.js';

interface Case {
  name: string;
  image: string;
  preprocess: Preprocess;
  pixelsShape: [number, number, number];
  pixels: string;
  shape: number[];
  stats: { mean: number; std: number; min: number; max: number; sum: number };
  samples: [number, number][];
  bbox?: BBox;
  roi?: RoiRule;
}

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'image');
const reference = JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8')) as { cases: Case[] };

/** Tolerance in normalised units; float32 ops in the same order give 0 in practice. */
const TOL = 1e-6;

describe('preprocessing matches torchvision (reference.json)', () => {
  for (const c of reference.cases) {
    test(c.name, async () => {
      const img = await decodeImage(join(FIXTURES, c.image));
      const box = { bbox: c.bbox, roi: c.roi };
      const pixels = prepareImage(img, c.preprocess, box);
      const expected = Buffer.from(c.pixels, 'base64');
      assert.deepEqual([pixels.height, pixels.width, 3], c.pixelsShape);
      let maxPixelDiff = 0;
      for (let i = 0; i < expected.length; i++) {
        maxPixelDiff = Math.max(maxPixelDiff, Math.abs(expected[i] - pixels.data[i]));
      }
      assert.equal(maxPixelDiff, 0, `uint8 pixels differ from PIL by up to ${maxPixelDiff}`);

      const pre = new Preprocessor(c.preprocess);
      assert.deepEqual(pre.shape, c.shape);
      const t = pre.fromPixels(img, box);
      for (const [i, v] of c.samples)
        assert.ok(Math.abs(t[i] - v) <= TOL, `t[${i}] = ${t[i]}, expected ${v}`);
      let sum = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const v of t) {
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      const mean = sum / t.length;
      let ss = 0;
      for (const v of t) ss += (v - mean) ** 2;
      assert.ok(Math.abs(mean - c.stats.mean) <= TOL, `mean ${mean} vs ${c.stats.mean}`);
      assert.ok(Math.abs(Math.sqrt(ss / t.length) - c.stats.std) <= TOL);
      assert.ok(Math.abs(min - c.stats.min) <= TOL && Math.abs(max - c.stats.max) <= TOL);
    });
  }
});

describe('Preprocess validation and hashing', () => {
  const base: Preprocess = {
    resize: 256,
    resizeMode: 'shorter',
    crop: 224,
    interpolation: 'bilinear',
    scale: 1 / 255,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    channels: 'rgb',
    layout: 'nchw',
  };

  test('shape follows crop, squash and layout', () => {
    assert.deepEqual(tensorShape(base), [3, 224, 224]);
    assert.deepEqual(tensorShape({ ...base, layout: 'nhwc' }), [224, 224, 3]);
    assert.deepEqual(tensorShape({ ...base, resizeMode: 'squash', crop: null }), [3, 256, 256]);
  });

  test("a 'shorter' resize without a crop is refused (batch shapes would differ)", () => {
    assert.throws(() => tensorShape({ ...base, crop: null }), /without a crop/);
  });

  test('hash is key-order independent and changes with any field', () => {
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as unknown as Preprocess;
    assert.equal(preprocessHash(reordered), preprocessHash(base));
    assert.notEqual(preprocessHash({ ...base, channels: 'bgr' }), preprocessHash(base));
    assert.notEqual(preprocessHash({ ...base, interpolation: 'bicubic' }), preprocessHash(base));
  });
});
