import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyRoi, centerCrop, cropBox, miapSquareBox, roundHalfEven } from './crop.js';
import type { RgbImage } from './rgb.js';

/** An image whose pixel (x, y) is (x, y, 7): crops can be read back as coordinates. */
function coords(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([x, y, 7], (y * width + x) * 3);
  }
  return { data, width, height };
}

const at = (img: RgbImage, x: number, y: number) =>
  Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

test("roundHalfEven is Python's round", () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6, 3].map(roundHalfEven), [0, 2, 2, -0, -2, 2, 3, 3]);
});

test('MIAP rule: tall -> top square, wide -> horizontally centred square, near-square kept', () => {
  assert.deepEqual(miapSquareBox(30, 56), [0, 0, 30, 30]);
  // (88 - 30) / 2 = 29
  assert.deepEqual(miapSquareBox(88, 30), [29, 0, 59, 30]);
  // odd excess: int((101 - 50) / 2) = int(25.5) = 25
  assert.deepEqual(miapSquareBox(101, 50), [25, 0, 75, 50]);
  assert.equal(miapSquareBox(35, 36), null);
  // the threshold is inclusive: 60 / 50 = 1.2 exactly
  assert.deepEqual(miapSquareBox(50, 60), [0, 0, 50, 50]);
  assert.equal(miapSquareBox(59, 70), null); // 1.186
});

test('MIAP rule on hand-made images: which pixels survive', () => {
  const tall = applyRoi(coords(10, 20), 'miap-square');
  assert.deepEqual([tall.width, tall.height], [10, 10]);
  assert.deepEqual(at(tall, 0, 0), [0, 0, 7]);
  assert.deepEqual(at(tall, 9, 9), [9, 9, 7]); // the top square: rows 0..9
  const wide = applyRoi(coords(25, 10), 'miap-square');
  assert.deepEqual([wide.width, wide.height], [10, 10]);
  assert.deepEqual(at(wide, 0, 0), [7, 0, 7]); // int((25 - 10) / 2) = 7
  assert.deepEqual(at(wide, 9, 9), [16, 9, 7]);
  const square = coords(11, 12);
  assert.equal(applyRoi(square, 'miap-square'), square);
  assert.equal(applyRoi(coords(10, 20), 'none').height, 20);
});

test('bbox crop rounds corners half-to-even and fills outside with black', () => {
  // [1.5, 2.5, 4.5, 5.5] -> (2, 2, 4, 6): 2x4 pixels starting at (2, 2)
  const c = cropBox(coords(8, 8), [1.5, 2.5, 4.5, 5.5]);
  assert.deepEqual([c.width, c.height], [2, 4]);
  assert.deepEqual(at(c, 0, 0), [2, 2, 7]);
  const out = cropBox(coords(4, 4), [2, 2, 6, 5]);
  assert.deepEqual([out.width, out.height], [4, 3]);
  assert.deepEqual(at(out, 1, 1), [3, 3, 7]);
  assert.deepEqual(at(out, 2, 1), [0, 0, 0]); // x = 4 is outside
  assert.throws(() => cropBox(coords(4, 4), [5, 0, 9, 3]), /outside the 4x4 image/);
  // [1.5, 0, 2.5, 3] rounds to (2, 0, 2, 3): empty
  assert.throws(() => cropBox(coords(4, 4), [1.5, 0, 2.5, 3]), /empty crop/);
});

test("center crop uses torchvision's round((h - size) / 2) and zero padding", () => {
  // (5 - 2) / 2 = 1.5 -> 2
  assert.deepEqual(at(centerCrop(coords(5, 5), 2), 0, 0), [2, 2, 7]);
  // (6 - 1) / 2 = 2.5 -> 2; (7 - 2) / 2 = 2.5 -> 2
  assert.deepEqual(at(centerCrop(coords(6, 6), 1), 0, 0), [2, 2, 7]);
  assert.deepEqual(at(centerCrop(coords(7, 7), 2), 0, 0), [2, 2, 7]);
  // crop 6 of a 3x8 image: pad left (6 - 3) // 2 = 1, right 2; top = round((8 - 6) / 2) = 1
  const padded = centerCrop(coords(3, 8), 6);
  assert.deepEqual([padded.width, padded.height], [6, 6]);
  assert.deepEqual(at(padded, 0, 0), [0, 0, 0]);
  assert.deepEqual(at(padded, 1, 0), [0, 1, 7]);
  assert.deepEqual(at(padded, 3, 5), [2, 6, 7]);
  assert.deepEqual(at(padded, 4, 5), [0, 0, 0]);
});
