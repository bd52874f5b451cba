/**
 * pHash against scipy (tools/phash_reference.py -> test/fixtures/curate/phash_reference.json), the
 * Hamming distance against a bit-by-bit count, copies of real images (re-encoded, resized) against
 * different images, and multi-index pair search against all pairs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { Rng } from '../core/rng.js';
import type { ManifestItem } from '../core/types.js';
import { PHASH_DISTANCE } from './dedup.js';
import { nearestHashMatches, nearHashPairs } from './hash-pairs.js';
import { hashManifestImages } from './node/phash-files.js';
import { hammingDistance, type ImageHashes, lowFrequencyDct, phashHex, phashOfGrey } from './phash.js';

interface Reference {
  images: { params: { a: number; b: number; c: number; d: number }; lowFrequencies: number[]; hex: string }[];
}
const REFERENCE = JSON.parse(
  readFileSync(
    join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'curate', 'phash_reference.json'),
    'utf8',
  ),
) as Reference;

function formulaPixels(p: { a: number; b: number; c: number; d: number }): Float64Array {
  const out = new Float64Array(32 * 32);
  for (let x = 0; x < 32; x++) {
    for (let y = 0; y < 32; y++) out[x * 32 + y] = (p.a * x + p.b * y + ((p.c * x * y) % 37) * p.d) % 256;
  }
  return out;
}

test('the 8x8 DCT block and the hash equal scipy.fftpack / imagehash on the same pixels', () => {
  for (const ref of REFERENCE.images) {
    const grey = formulaPixels(ref.params);
    const low = lowFrequencyDct(grey);
    ref.lowFrequencies.forEach((v, i) => {
      assert.ok(
        Math.abs((low[i] as number) - v) <= 1e-6 * Math.max(1, Math.abs(v)),
        `coefficient ${i}: ${low[i]} vs ${v}`,
      );
    });
    assert.equal(phashHex(phashOfGrey(grey)), ref.hex, JSON.stringify(ref.params));
  }
});

test('hammingDistance counts differing bits', () => {
  const rng = new Rng(3);
  for (let trial = 0; trial < 200; trial++) {
    const a = [rng.nextUint32(), rng.nextUint32()] as const;
    const b = [rng.nextUint32(), rng.nextUint32()] as const;
    let slow = 0;
    for (let bit = 0; bit < 32; bit++) {
      slow += ((a[0] >>> bit) & 1) !== ((b[0] >>> bit) & 1) ? 1 : 0;
      slow += ((a[1] >>> bit) & 1) !== ((b[1] >>> bit) & 1) ? 1 : 0;
    }
    assert.equal(hammingDistance(a[0], a[1], b[0], b[1]), slow);
  }
  assert.equal(hammingDistance(0xffffffff, 0xffffffff, 0, 0), 64);
});

/** Random hashes plus planted near copies (flipping up to `flip` bits). */
function hashSet(n: number, copies: number, flip: number, seed: number): ImageHashes {
  const rng = new Rng(seed);
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    hi[i] = rng.nextUint32();
    lo[i] = rng.nextUint32();
  }
  for (let c = 0; c < copies; c++) {
    const src = rng.int(n);
    const dst = rng.int(n);
    let h = hi[src] as number;
    let l = lo[src] as number;
    for (let f = rng.int(flip + 1); f > 0; f--) {
      const bit = rng.int(64);
      if (bit < 32) h = (h ^ (1 << bit)) >>> 0;
      else l = (l ^ (1 << (bit - 32))) >>> 0;
    }
    hi[dst] = h;
    lo[dst] = l;
  }
  const valid = new Uint8Array(n).fill(1);
  valid[5] = 0; // an unreadable image takes part in nothing
  return { hi, lo, valid, failures: [] };
}

test('nearHashPairs links exactly the pairs an all-pairs scan finds within t (identical hashes to their first)', () => {
  for (const t of [0, 3, 6]) {
    const h = hashSet(400, 60, 8, 10 + t);
    const union = new Map<number, number>();
    const find = (i: number): number => {
      let x = i;
      while (union.has(x)) x = union.get(x) as number;
      return x;
    };
    for (const [i, j, d] of nearHashPairs(h, t)) {
      assert.ok(i < j);
      assert.equal(
        d,
        hammingDistance(h.hi[i] as number, h.lo[i] as number, h.hi[j] as number, h.lo[j] as number),
      );
      assert.ok(d <= t);
      const a = find(i);
      const b = find(j);
      if (a !== b) union.set(Math.max(a, b), Math.min(a, b));
    }
    // every close pair of valid hashes ends in the same component; no invalid item is linked
    for (let i = 0; i < 400; i++) {
      for (let j = i + 1; j < 400; j++) {
        const d = hammingDistance(h.hi[i] as number, h.lo[i] as number, h.hi[j] as number, h.lo[j] as number);
        const close = d <= t && h.valid[i] === 1 && h.valid[j] === 1;
        if (close) assert.equal(find(i), find(j), `t=${t}: ${i}~${j} (d=${d}) not linked`);
      }
    }
    assert.equal(find(5), 5);
  }
});

test('nearestHashMatches: the closest database hash within t, ties to the lower index', () => {
  const db = hashSet(300, 0, 0, 4);
  const q: ImageHashes = {
    hi: new Uint32Array(3),
    lo: new Uint32Array(3),
    valid: Uint8Array.from([1, 1, 1]),
    failures: [],
  };
  // query 0: db 7 with 2 bits flipped; query 1: unrelated; query 2: equal to db 9, and db 200 set equal to db 9 too
  q.hi[0] = ((db.hi[7] as number) ^ 0b101) >>> 0;
  q.lo[0] = db.lo[7] as number;
  q.hi[1] = 0x12345678;
  q.lo[1] = 0x9abcdef0;
  db.hi[200] = db.hi[9] as number;
  db.lo[200] = db.lo[9] as number;
  q.hi[2] = db.hi[9] as number;
  q.lo[2] = db.lo[9] as number;
  const { match, distance } = nearestHashMatches(q, db, 4);
  assert.deepEqual([...match], [7, -1, 9]);
  assert.deepEqual([...distance], [2, -1, 0]);
});

test('image copies (JPEG re-encoded, resized) hash within PHASH_DISTANCE bits; different images are far apart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fairscope-phash-'));
  try {
    const rng = new Rng(7);
    const items: ManifestItem[] = [];
    const bases = 8;
    for (let b = 0; b < bases; b++) {
      // smooth random blobs, 96x64
      const w = 96;
      const h = 64;
      const px = Buffer.alloc(w * h * 3);
      const blobs = Array.from({ length: 5 }, () => [
        rng.uniform(0, w),
        rng.uniform(0, h),
        rng.uniform(8, 30),
        rng.int(256),
        rng.int(256),
        rng.int(256),
      ]);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const c = [40, 40, 40];
          for (const [bx, by, r, cr, cg, cb] of blobs as number[][]) {
            const wgt = Math.exp(
              -(((x - (bx as number)) ** 2 + (y - (by as number)) ** 2) / (r as number) ** 2),
            );
            c[0] = (c[0] as number) + wgt * (cr as number);
            c[1] = (c[1] as number) + wgt * (cg as number);
            c[2] = (c[2] as number) + wgt * (cb as number);
          }
          for (let k = 0; k < 3; k++) px[(y * w + x) * 3 + k] = Math.min(255, Math.round(c[k] as number));
        }
      }
      const raw = { raw: { width: w, height: h, channels: 3 as const } };
      await sharp(px, raw)
        .png()
        .toFile(join(dir, `b${b}.png`));
      await sharp(px, raw)
        .jpeg({ quality: 60 })
        .toFile(join(dir, `b${b}-jpeg.jpg`));
      await sharp(px, raw)
        .resize(48, 32)
        .png()
        .toFile(join(dir, `b${b}-small.png`));
      items.push(
        { id: `b${b}`, source: `b${b}.png`, labels: [], attrs: {} },
        { id: `b${b}-jpeg`, source: `b${b}-jpeg.jpg`, labels: [], attrs: {} },
        { id: `b${b}-small`, source: `b${b}-small.png`, labels: [], attrs: {} },
      );
    }
    await writeFile(join(dir, 'broken.jpg'), 'not an image');
    items.push({ id: 'broken', source: 'broken.jpg', labels: [], attrs: {} });
    const hashes = await hashManifestImages(join(dir, 'm.jsonl'), items, { concurrency: 2 });
    assert.deepEqual(
      hashes.failures.map((f) => f.id),
      ['broken'],
    );
    assert.equal(hashes.valid[items.length - 1], 0);
    const d = (i: number, j: number) =>
      hammingDistance(
        hashes.hi[i] as number,
        hashes.lo[i] as number,
        hashes.hi[j] as number,
        hashes.lo[j] as number,
      );
    let worstCopy = 0;
    let closestOther = 64;
    for (let b = 0; b < bases; b++) {
      worstCopy = Math.max(worstCopy, d(3 * b, 3 * b + 1), d(3 * b, 3 * b + 2));
      for (let c = b + 1; c < bases; c++) closestOther = Math.min(closestOther, d(3 * b, 3 * c));
    }
    assert.ok(worstCopy <= PHASH_DISTANCE, `a copy differs by ${worstCopy} bits`);
    assert.ok(closestOther > 2 * PHASH_DISTANCE, `two different images are ${closestOther} bits apart`);
    // every copy pair is linked at the default distance and nothing else
    const pairs = nearHashPairs(hashes, PHASH_DISTANCE).map(([i, j]) => `${i}-${j}`);
    const expected = Array.from({ length: bases }, (_, b) => [
      `${3 * b}-${3 * b + 1}`,
      `${3 * b}-${3 * b + 2}`,
      `${3 * b + 1}-${3 * b + 2}`,
    ]).flat();
    for (const p of pairs) assert.ok(expected.includes(p), `unexpected pair ${p}`);
    // connected: each base with both copies
    for (let b = 0; b < bases; b++) {
      const linked = pairs.filter((p) => p.split('-').every((x) => Math.floor(Number(x) / 3) === b));
      assert.ok(linked.length >= 2, `base ${b}: ${linked.join(', ')}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
