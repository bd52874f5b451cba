/**
 * Decoding: EXIF orientation ignored (as PIL) unless asked, alpha dropped (PIL's convert('RGB')), grey replicated, and
 * missing / corrupt / truncated files reported as failures, never replaced.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type { Preprocess } from '../../core/types.js';
import { type ImageFailure, isFailure } from '../preprocess.js';
import { decodeImage } from './decode.js';
import { FilePreprocessor } from './file-preprocessor.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'image');
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fairscope-decode-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('EXIF orientation 6 is ignored by default (stored grid, as PIL) and applied on request', async () => {
  // 2x3 image, pixel (x, y) = (200x, 100y, 50)
  const raw = new Uint8Array(2 * 3 * 3);
  for (let y = 0; y < 3; y++) for (let x = 0; x < 2; x++) raw.set([x * 200, y * 100, 50], (y * 2 + x) * 3);
  const png = await sharp(raw, { raw: { width: 2, height: 3, channels: 3 } })
    .withMetadata({ orientation: 6 })
    .png()
    .toBuffer();
  const stored = await decodeImage(png);
  assert.deepEqual([stored.width, stored.height], [2, 3]);
  assert.deepEqual(Array.from(stored.data), Array.from(raw));
  const img = await decodeImage(png, { applyExifOrientation: true });
  assert.deepEqual([img.width, img.height], [3, 2]);
  // rotated (x', y') = original (y', H - 1 - x'): (0, 0) <- (0, 2); (2, 1) <- (1, 0)
  assert.deepEqual(Array.from(img.data.subarray(0, 3)), [0, 200, 50]);
  assert.deepEqual(Array.from(img.data.subarray(5 * 3, 6 * 3)), [200, 0, 50]);
});

test('alpha is dropped without compositing; grey is replicated', async () => {
  const rgba = Uint8Array.from([10, 20, 30, 0, 200, 100, 50, 128]);
  const png = await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } })
    .png()
    .toBuffer();
  assert.deepEqual(Array.from((await decodeImage(png)).data), [10, 20, 30, 200, 100, 50]);
  const grey = await sharp(Uint8Array.from([0, 77, 255]), { raw: { width: 3, height: 1, channels: 1 } })
    .png()
    .toBuffer();
  assert.deepEqual(Array.from((await decodeImage(grey)).data), [0, 0, 0, 77, 77, 77, 255, 255, 255]);
});

test('missing, corrupt and truncated files become failure records', async () => {
  const pre = new FilePreprocessor({
    resize: 8,
    resizeMode: 'squash',
    crop: null,
    interpolation: 'bilinear',
    scale: 1 / 255,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    channels: 'rgb',
    layout: 'nchw',
  });
  const jpg = await readFile(join(FIXTURES, 'photo_48x36.jpg'));
  await writeFile(join(dir, 'truncated.jpg'), jpg.subarray(0, Math.floor(jpg.length * 0.6)));
  await writeFile(join(dir, 'garbage.png'), 'definitely not a png');
  const cases: [string, RegExp][] = [
    ['missing.jpg', /^file not found: .*missing\.jpg$/],
    ['garbage.png', /^cannot decode .*garbage\.png: .*unsupported image format/],
    ['truncated.jpg', /^cannot decode .*truncated\.jpg: .*premature end/i],
  ];
  for (const [file, reason] of cases) {
    const r = await pre.run({ id: file, path: join(dir, file) });
    assert.ok(isFailure(r), file);
    assert.equal((r as ImageFailure).id, file);
    assert.match((r as ImageFailure).reason, reason);
  }
  const ok = await pre.run({ id: 'ok', path: join(FIXTURES, 'photo_48x36.jpg') });
  assert.ok(!isFailure(ok));
  // A bbox entirely outside the image is a failure too, not a black crop.
  const off = await pre.run({
    id: 'off',
    path: join(FIXTURES, 'photo_48x36.jpg'),
    bbox: [100, 100, 120, 130],
  });
  assert.match((off as ImageFailure).reason, /outside the 48x36 image/);
});

test("the pipeline keeps the stored grid unless a model's preprocess says exifOrientation: 'apply'", async () => {
  // 1x2 image: red on top, blue below; orientation 6 shows it as blue left, red right.
  const raw = Uint8Array.from([255, 0, 0, 0, 0, 255]);
  const path = join(dir, 'oriented.png');
  await sharp(raw, { raw: { width: 1, height: 2, channels: 3 } })
    .withMetadata({ orientation: 6 })
    .png()
    .toFile(path);
  const pp: Preprocess = {
    resize: 2,
    resizeMode: 'squash',
    crop: null,
    interpolation: 'nearest',
    scale: 1,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    channels: 'rgb',
    layout: 'nhwc',
  };
  const plain = await new FilePreprocessor(pp).run({ id: 'a', path });
  const applied = await new FilePreprocessor({ ...pp, exifOrientation: 'apply' }).run({ id: 'a', path });
  // nhwc 2x2, rows: stored grid = [red, red], [blue, blue]; rotated = [blue, red], [blue, red]
  assert.deepEqual(Array.from(plain as Float32Array), [255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255]);
  assert.deepEqual(Array.from(applied as Float32Array), [0, 0, 255, 255, 0, 0, 0, 0, 255, 255, 0, 0]);
});
