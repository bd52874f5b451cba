import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { packageRoot } from './packages.js';
import { mapPool, pngSize, renderEmoji, renderIfMissing } from './render.js';

/** Mean and variance of all channel values of an image, from a plain loop. */
async function stats(
  png: Buffer,
): Promise<{ width: number; height: number; channels: number; mean: number; variance: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  for (const v of data) sum += v;
  const mean = sum / data.length;
  let ss = 0;
  for (const v of data) ss += (v - mean) ** 2;
  return {
    width: info.width,
    height: info.height,
    channels: info.channels,
    mean,
    variance: ss / data.length,
  };
}

const gorillaSvg = {
  format: 'svg' as const,
  path: join(packageRoot('openmoji'), 'color', 'svg', '1F98D.svg'),
};
const womanPng = {
  format: 'png' as const,
  path: join(packageRoot('emoji-datasource-google'), 'img', 'google', '64', '1f469-1f3fd.png'),
};

describe('renderEmoji', () => {
  it('renders an OpenMoji SVG to an RGB PNG of the requested size that is not blank', async () => {
    const s = await stats(await renderEmoji(gorillaSvg, 48));
    assert.deepEqual([s.width, s.height, s.channels], [48, 48, 3]);
    // A blank (all white) image has variance 0; a drawing has dark outlines on white.
    assert.ok(s.variance > 500, `variance ${s.variance}`);
    assert.ok(s.mean > 100 && s.mean < 250, `mean ${s.mean}`);
  });

  it('resizes a Google PNG and flattens its transparent corners to white', async () => {
    const png = await renderEmoji(womanPng, 32);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [32, 32, 3]);
    assert.deepEqual([...data.subarray(0, 3)], [255, 255, 255]); // top-left pixel: was transparent
    assert.ok((await stats(png)).variance > 500);
  });
});

describe('renderIfMissing', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fairscope-emoji-render-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('renders once, then reuses a file of the right size, and re-renders a wrong size or a non-PNG', async () => {
    const out = join(dir, 'g.png');
    assert.equal(await renderIfMissing(gorillaSvg, 24, out), true);
    const first = await stat(out);
    assert.deepEqual(await pngSize(out), { width: 24, height: 24 });
    assert.equal(await renderIfMissing(gorillaSvg, 24, out), false);
    assert.equal((await stat(out)).mtimeMs, first.mtimeMs);
    assert.equal(await renderIfMissing(gorillaSvg, 20, out), true);
    assert.deepEqual(await pngSize(out), { width: 20, height: 20 });
    await writeFile(out, 'not a png');
    assert.equal(await pngSize(out), null);
    assert.equal(await renderIfMissing(gorillaSvg, 20, out), true);
  });

  it('records a broken SVG as an error instead of writing anything', async () => {
    const bad = join(dir, 'bad.svg');
    await writeFile(bad, '<svg this is not xml');
    const out = join(dir, 'bad.png');
    await assert.rejects(renderIfMissing({ format: 'svg', path: bad }, 16, out));
    assert.equal(await pngSize(out), null);
  });
});

describe('mapPool', () => {
  it('keeps task order and bounds concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapPool([5, 1, 4, 2, 3], 2, async (x, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, x));
      inFlight--;
      return x * 10 + i;
    });
    assert.deepEqual(out, [50, 11, 42, 23, 34]);
    assert.equal(peak, 2);
  });
});
