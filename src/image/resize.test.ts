/**
 * Hand-computed cases of PIL's resampling (the fixture test in preprocess.test.ts covers the rest
 * against PIL itself).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resizedSize, resizeImage } from './resize.js';
import type { RgbImage } from './rgb.js';

function row(values: number[]): RgbImage {
  const data = new Uint8Array(values.length * 3);
  values.forEach((v, i) => {
    data.fill(v, i * 3, i * 3 + 3);
  });
  return { data, width: values.length, height: 1 };
}

test('bilinear 4 -> 2 uses the antialiased support (tent of width 2 x 2)', () => {
  // Output 0: centre 1.0, support 2 (1 x scale 2), taps x = 0, 1, 2 with tent((x + 0.5 - 1) / 2) =
  // 0.75, 0.75, 0.25 -> normalised 3/7, 3/7, 1/7: 0*3/7 + 70*3/7 + 140/7 = 50.
  // Output 1: centre 3.0, taps x = 1, 2, 3 with tent((x + 0.5 - 3) / 2) = 0.25, 0.75, 0.75
  // -> 70/7 + 140*3/7 + 210*3/7 = 160. (PIL 9.4 gives [50, 160] too.)
  const out = resizeImage(row([0, 70, 140, 210]), 2, 1, 'bilinear');
  assert.deepEqual(Array.from(out.data), [50, 50, 50, 160, 160, 160]);
});

test('nearest 5 -> 2 picks source floor((i + 0.5) * 2.5): pixels 1 and 3', () => {
  const out = resizeImage(row([10, 20, 30, 40, 50]), 2, 1, 'nearest');
  assert.deepEqual(Array.from(out.data), [20, 20, 20, 40, 40, 40]);
});

test('a constant image stays constant under every filter, up and down', () => {
  const img: RgbImage = { data: new Uint8Array(7 * 5 * 3).fill(173), width: 7, height: 5 };
  for (const interp of ['nearest', 'bilinear', 'bicubic'] as const) {
    for (const [w, h] of [
      [3, 2],
      [16, 11],
      [7, 9],
    ]) {
      const out = resizeImage(img, w, h, interp);
      assert.equal(out.data.length, w * h * 3);
      assert.ok(
        out.data.every((v) => v === 173),
        `${interp} ${w}x${h}`,
      );
    }
  }
});

test('bicubic overshoot is clipped to [0, 255]', () => {
  const out = resizeImage(row([0, 0, 255, 255, 0, 0]), 15, 1, 'bicubic');
  assert.ok(out.data.some((v) => v === 255));
  assert.ok(out.data.every((v) => v >= 0 && v <= 255));
});

test("torchvision's size rule: shorter side = size, longer = int(size * long / short)", () => {
  assert.deepEqual(resizedSize(640, 480, { resize: 256, resizeMode: 'shorter' }), {
    width: 341,
    height: 256,
  });
  assert.deepEqual(resizedSize(480, 640, { resize: 256, resizeMode: 'shorter' }), {
    width: 256,
    height: 341,
  });
  // 224 * 500 / 333 = 336.34 -> 336 (truncated, not rounded)
  assert.deepEqual(resizedSize(333, 500, { resize: 224, resizeMode: 'shorter' }), {
    width: 224,
    height: 336,
  });
  assert.deepEqual(resizedSize(500, 500, { resize: 256, resizeMode: 'shorter' }), {
    width: 256,
    height: 256,
  });
  assert.deepEqual(resizedSize(640, 480, { resize: 224, resizeMode: 'squash' }), { width: 224, height: 224 });
});
