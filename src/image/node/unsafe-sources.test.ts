/**
 * Sources that would hang or exhaust memory are failures with the reason, never replaced: a FIFO
 * (would block on open/read), a device (/dev/zero never ends), and small files that declare
 * 16000 x 16000 pixels (0.8-1 GB each once decoded). The decode pixel limit follows the number of
 * decodes at once and the machine's memory.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import type { ManifestItem } from '../../core/types.js';
import { embedManifest } from '../../embed/run.js';
import { readFailures } from '../../embed/store.js';
import { meanPoolExtractor, TEST_PREPROCESS, writeTestImages } from '../../embed/testing.js';
import { isFailure } from '../preprocess.js';
import { decodeImage, decodePixelLimit } from './decode.js';
import { FilePreprocessor } from './file-preprocessor.js';
import { PreprocessPool } from './pool.js';

let dir: string;
let fifo: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fairscope-unsafe-'));
  fifo = join(dir, 'fifo.png');
  execFileSync('mkfifo', [fifo]);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A PNG chunk: length, type, data, CRC. */
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid PNG header declaring width x height RGB pixels, with one row of data: a few hundred bytes. */
function declaringPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Rejects when `p` takes longer than `ms` (a hang fails the test instead of stalling it). */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms).unref(),
    ),
  ]);
}

test('the pixel limit shares a quarter of the memory between the decodes that run at once', () => {
  const GiB = 2 ** 30;
  assert.equal(decodePixelLimit(4, 8 * GiB), 2 ** 26);
  assert.equal(decodePixelLimit(1, 1 * GiB), 2 ** 25);
  // More workers, a lower limit; never more than 2^27 pixels (134 Mpx), however large the machine.
  assert.ok(decodePixelLimit(32, 8 * GiB) < decodePixelLimit(4, 8 * GiB));
  assert.equal(decodePixelLimit(32, 512 * GiB), 2 ** 27);
  assert.ok(decodePixelLimit(2, 1024 * GiB) < 16000 * 16000);
});

test('a FIFO or a device as a source fails at once with "not a regular file"', async () => {
  await assert.rejects(within(decodeImage(fifo), 5000), /not a regular file \(a FIFO\)/);
  await assert.rejects(within(decodeImage('/dev/zero'), 5000), /not a regular file \(a device\)/);
  const pre = new FilePreprocessor(TEST_PREPROCESS);
  const r = await within(pre.run({ id: 'f', path: fifo }), 5000);
  assert.ok(isFailure(r));
  assert.match(r.reason, /fifo\.png: not a regular file \(a FIFO\)/);
});

test('a small file declaring 16000 x 16000 pixels is refused before decoding, naming the limit', async () => {
  const big = join(dir, 'big.png');
  await writeFile(big, declaringPng(16000, 16000));
  assert.ok((await stat(big)).size < 100_000);
  await assert.rejects(
    decodeImage(big),
    /declares 16000x16000 = 256\.0 Mpx, more than the decode limit of \d+\.\d Mpx .*not decoded/,
  );
  // Under the limit, the same kind of file decodes (its missing rows are an error, as PIL's).
  await writeFile(join(dir, 'ok.png'), declaringPng(40, 1));
  assert.equal((await decodeImage(join(dir, 'ok.png'))).width, 40);
  await assert.rejects(decodeImage(big, { maxPixels: 16000 * 16000 - 1 }), /more than the decode limit/);
});

test('embed records such sources as failures with the reason; the pool limit follows its workers', async () => {
  const images = join(dir, 'set');
  const items: ManifestItem[] = await writeTestImages(images, 3);
  for (let i = 0; i < 4; i++) {
    await writeFile(join(images, `huge${i}.png`), declaringPng(16000, 16000));
    items.push({ id: `huge${i}`, source: `huge${i}.png`, labels: [], attrs: {} });
  }
  items.push({ id: 'fifo', source: fifo, labels: [], attrs: {} });
  items.push({ id: 'zero', source: '/dev/zero', labels: [], attrs: {} });
  const pool = new PreprocessPool(TEST_PREPROCESS, 2);
  const pool8 = new PreprocessPool(TEST_PREPROCESS, 8);
  try {
    assert.ok(pool8.maxPixels < pool.maxPixels || pool.maxPixels === 2 ** 27);
  } finally {
    await Promise.all([pool.close(), pool8.close()]);
  }
  const out = join(dir, 'store');
  const summary = await within(
    embedManifest({
      extractor: meanPoolExtractor(),
      manifestPath: join(images, 'm.jsonl'),
      items,
      out,
      workers: 2,
    }),
    60_000,
  );
  assert.equal(summary.count, 3);
  const reasons = new Map((await readFailures(out)).map((f) => [f.id, f.reason]));
  assert.deepEqual([...reasons.keys()].sort(), ['fifo', 'huge0', 'huge1', 'huge2', 'huge3', 'zero']);
  assert.match(
    reasons.get('huge2') as string,
    /huge2\.png: declares 16000x16000 = 256\.0 Mpx, more than the decode limit/,
  );
  assert.match(reasons.get('fifo') as string, /not a regular file \(a FIFO\)/);
  assert.match(reasons.get('zero') as string, /not a regular file \(a device\)/);
});
