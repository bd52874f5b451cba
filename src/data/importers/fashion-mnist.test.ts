import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { InputError } from '../../core/errors.js';
import { importer } from './fashion-mnist.js';
import { parseIdx } from './idx.js';
import { runImporter, tempDir } from './testing.js';

const tmp = await tempDir();
after(tmp.cleanup);

/** An IDX unsigned-byte file: 0 0 8 ndims, big-endian dims, values. */
function idx(shape: number[], values: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = 0x08;
  head[3] = shape.length;
  for (const [k, d] of shape.entries()) head.writeUInt32BE(d, 4 + 4 * k);
  return Buffer.concat([head, Buffer.from(values)]);
}

async function greyPixels(path: string): Promise<number[]> {
  assert.equal((await sharp(path).metadata()).channels, 1, 'a one-channel grey PNG');
  const { data, info } = await sharp(path).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 1);
  return [...data];
}

test('parseIdx reads shape and values; rejects bad magic, types and lengths', () => {
  const a = parseIdx(idx([2, 3], [1, 2, 3, 4, 5, 6]), 'f');
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual([...a.data], [1, 2, 3, 4, 5, 6]);
  assert.throws(() => parseIdx(Buffer.from([1, 0, 8, 1, 0, 0, 0, 0]), 'f'), /not an IDX file/);
  const floats = idx([1], [0]);
  floats[2] = 0x0d;
  assert.throws(() => parseIdx(floats, 'f'), /0xd is not unsigned byte/);
  assert.throws(() => parseIdx(idx([2, 3], [1, 2, 3]), 'f'), /needs 6 values but the file has 3/);
});

test('imports IDX files (gz and raw) into grey PNGs with class names; --limit keeps the first N', async () => {
  const dir = join(tmp.dir, 'fm');
  // 3 images of 2 rows x 3 cols: image k holds 10k+0 .. 10k+5; labels 9, 0, 12 (12 is invalid).
  const pixels = [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25];
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(idx([3, 2, 3], pixels)));
  await writeFile(join(dir, 't10k-labels-idx1-ubyte'), idx([3], [9, 0, 12]));
  const out = join(tmp.dir, 'out');
  const limited = await runImporter(importer, [dir], out, { limit: '2' });
  assert.deepEqual(limited.items, [
    { id: 'test/00000', source: 'fashion-mnist-test/00000.png', labels: ['Ankle boot'], attrs: {} },
    { id: 'test/00001', source: 'fashion-mnist-test/00001.png', labels: ['T-shirt/top'], attrs: {} },
  ]);
  assert.deepEqual(limited.skipped, []);
  assert.deepEqual(await greyPixels(join(out, 'fashion-mnist-test/00000.png')), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(await greyPixels(join(out, 'fashion-mnist-test/00001.png')), [10, 11, 12, 13, 14, 15]);
  const meta = await sharp(join(out, 'fashion-mnist-test/00001.png')).metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [3, 2, 'png']);

  const all = await runImporter(importer, [dir], out);
  assert.equal(all.items.length, 2);
  assert.equal(all.skipped.length, 1);
  assert.match(all.skipped[0].reason, /image 2: label 12 is not a class index 0-9/);
});

test('clear errors: missing split files, mismatched counts, bad options', async () => {
  const dir = join(tmp.dir, 'fm-bad');
  await mkdir(dir, { recursive: true });
  await assert.rejects(
    runImporter(importer, [dir], tmp.dir, { split: 'train' }),
    (err: unknown) =>
      err instanceof InputError &&
      /neither train-images-idx3-ubyte.gz nor train-images-idx3-ubyte/.test(err.message),
  );
  await writeFile(join(dir, 'train-images-idx3-ubyte'), idx([2, 1, 1], [1, 2]));
  await writeFile(join(dir, 'train-labels-idx1-ubyte'), idx([3], [1, 2, 3]));
  await assert.rejects(
    runImporter(importer, [dir], tmp.dir, { split: 'train' }),
    /has 3 labels but .* has 2 images/,
  );
  await assert.rejects(
    runImporter(importer, [dir], tmp.dir, { split: 'val' }),
    /--split must be train or test/,
  );
  await assert.rejects(
    runImporter(importer, [dir], tmp.dir, { limit: '0' }),
    /--limit must be a positive integer/,
  );
});

const DEBIAN = '/usr/share/datasets/fashion-mnist';
test('Debian dataset-fashion-mnist: first test labels and pixels', {
  skip: !existsSync(DEBIAN),
}, async () => {
  const out = join(tmp.dir, 'debian');
  const { items } = await runImporter(importer, [], out, { limit: '10' });
  // First 10 t10k labels 9 2 1 1 6 1 4 6 5 7 (read with Python's gzip from the same file).
  assert.deepEqual(
    items.map((it) => it.labels[0]),
    [
      'Ankle boot',
      'Pullover',
      'Trouser',
      'Trouser',
      'Shirt',
      'Trouser',
      'Coat',
      'Shirt',
      'Sandal',
      'Sneaker',
    ],
  );
  const px = await greyPixels(join(out, items[0].source));
  assert.equal(px.length, 28 * 28);
  // Sum of image 0's bytes and row 14, cols 10-15, as read with Python's gzip: 33456 and 00 00 62 88 6e 6d.
  assert.equal(
    px.reduce((a, b) => a + b, 0),
    33456,
  );
  assert.deepEqual(px.slice(14 * 28 + 10, 14 * 28 + 16), [0x00, 0x00, 0x62, 0x88, 0x6e, 0x6d]);
});
