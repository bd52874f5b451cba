/**
 * The worker pool gives the same tensors as the main thread, keeps failures as records, and works
 * from source under tsx (this test) as well as compiled (checked by hand; see the report).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type { Preprocess } from '../../core/types.js';
import { type ImageFailure, isFailure } from '../preprocess.js';
import { PreprocessPool } from './pool.js';

const pp: Preprocess = {
  resize: 20,
  resizeMode: 'shorter',
  crop: 16,
  interpolation: 'bilinear',
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  channels: 'rgb',
  layout: 'nchw',
};

let dir: string;
const paths: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fairscope-pool-'));
  for (let i = 0; i < 12; i++) {
    const w = 30 + i * 3;
    const h = 25 + ((i * 7) % 11);
    const raw = new Uint8Array(w * h * 3).map((_, j) => (j * (i + 3) * 37) % 256);
    const p = join(dir, `img${i}.png`);
    await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toFile(p);
    paths.push(p);
  }
  await writeFile(join(dir, 'corrupt.jpg'), Buffer.from('this is not an image'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('workers give bit-identical tensors to the inline path, and failure records', async () => {
  const tasks = [
    ...paths.map((path, i) => ({ id: `i${i}`, path })),
    { id: 'corrupt', path: join(dir, 'corrupt.jpg') },
    { id: 'missing', path: join(dir, 'nope.png') },
  ];
  const inline = new PreprocessPool(pp, 0);
  const pool = new PreprocessPool(pp, 2);
  try {
    const expected = await Promise.all(tasks.map((t) => inline.run(t)));
    const got = await Promise.all(tasks.map((t) => pool.run(t)));
    for (let i = 0; i < paths.length; i++) {
      assert.ok(!isFailure(got[i]) && !isFailure(expected[i]));
      assert.deepEqual(got[i], expected[i]);
      assert.equal((got[i] as Float32Array).length, 3 * 16 * 16);
    }
    const corrupt = got[paths.length] as ImageFailure;
    const missing = got[paths.length + 1] as ImageFailure;
    assert.equal(corrupt.id, 'corrupt');
    assert.match(corrupt.reason, /cannot decode .*corrupt\.jpg/);
    assert.equal(missing.id, 'missing');
    assert.match(missing.reason, /file not found: .*nope\.png/);
  } finally {
    await pool.close();
    await inline.close();
  }
});

test('a closed pool refuses work', async () => {
  const pool = new PreprocessPool(pp, 1);
  await pool.close();
  await assert.rejects(pool.run({ id: 'x', path: paths[0] }), /after close/);
});
