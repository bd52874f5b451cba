import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import type { ManifestItem } from '../../core/types.js';
import { readManifest, writeManifest } from '../../data/manifest.js';
import { corruptImage, itemSeed, toRgbImage } from '../../image/corrupt/index.js';
import { naturalTestImage } from '../../image/corrupt/testing.js';
import { decodeImage } from '../../image/node/decode.js';
import { runCli, testDir } from '../testing/run-cli.js';

const dir = await testDir('fairscope-corrupt-');

async function writePng(path: string, width: number, height: number): Promise<void> {
  const img = naturalTestImage(width, height);
  await sharp(img.data, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(path);
}

await writePng(join(dir, 'a.png'), 24, 20);
await writePng(join(dir, 'b.png'), 16, 16);
await writeFile(join(dir, 'broken.png'), 'this is not an image');
await writePng(join(dir, 'tiny.png'), 6, 6);
const items: ManifestItem[] = [
  { id: 'a', source: 'a.png', labels: ['cat'], attrs: { skintone: 'lighter' }, cluster: 's1' },
  { id: 'dir/b', source: 'b.png', labels: ['dog'], attrs: { skintone: 'darker' } },
  { id: 'broken', source: 'broken.png', labels: ['cat'], attrs: {} },
  { id: 'tiny', source: 'tiny.png', labels: ['cat'], attrs: {} },
];
const manifest = join(dir, 'm.jsonl');
await writeManifest(manifest, items);

describe('fairscope corrupt', () => {
  it('writes corrupted PNGs and a manifest, and records undecodable and too small images', async () => {
    const out = join(dir, 'out');
    const r = await runCli(
      'corrupt',
      '--manifest',
      manifest,
      '--corruption',
      'motion_blur',
      '--severity',
      '3',
      '--seed',
      '5',
      '--out',
      out,
      '--json',
    );
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.items, 4);
    assert.equal(summary.written, 2);
    assert.equal(summary.failed, 2);
    assert.deepEqual(
      summary.failures.map((f: { id: string }) => f.id),
      ['broken', 'tiny'],
    );
    assert.match(summary.failures[0].reason, /^cannot decode: /);
    assert.equal(
      summary.failures[1].reason,
      'motion_blur: image is 6 x 6 px; corruptions need at least 8 x 8 px',
    );
    const failures = (await readFile(join(out, 'failures.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(failures, summary.failures);

    const written = await readManifest(join(out, 'manifest.jsonl'));
    assert.deepEqual(
      written.map((it) => it.id),
      ['a', 'dir/b'],
    );
    const a = written[0];
    assert.deepEqual(a?.attrs, { skintone: 'lighter', corruption: 'motion_blur', severity: 3 });
    assert.deepEqual(a?.labels, ['cat']);
    assert.equal(a?.cluster, 's1');
    assert.equal(a?.source, 'images/a.png');
    assert.match(written[1]?.source ?? '', /^images\/dir_b-[0-9a-f]{10}\.png$/);

    // the PNG holds exactly the corruption of the decoded source with the item's seed
    const original = await decodeImage(join(dir, 'a.png'));
    const expected = toRgbImage(await corruptImage(original, 'motion_blur', 3, { seed: itemSeed(5, 'a') }));
    const got = await decodeImage(join(out, 'images', 'a.png'));
    assert.equal(got.width, 24);
    assert.equal(got.height, 20);
    assert.deepEqual(got.data, expected.data);

    const info = JSON.parse(await readFile(join(out, 'corrupt.json'), 'utf8'));
    assert.equal(info.corruption, 'motion_blur');
    assert.equal(info.written, 2);
  });

  it('gives the same pixels whatever the order of the items', async () => {
    const reversed = join(dir, 'reversed.jsonl');
    await writeManifest(reversed, [...items].reverse());
    const out1 = join(dir, 'order1');
    const out2 = join(dir, 'order2');
    for (const [m, o] of [
      [manifest, out1],
      [reversed, out2],
    ] as const) {
      const r = await runCli(
        'corrupt',
        '--manifest',
        m,
        '--corruption',
        'glass_blur',
        '--severity',
        '2',
        '--out',
        o,
        '--concurrency',
        '2',
      );
      assert.equal(r.code, 0, r.stderr);
    }
    for (const name of ['a.png']) {
      const x = await decodeImage(join(out1, 'images', name));
      const y = await decodeImage(join(out2, 'images', name));
      assert.deepEqual(x.data, y.data);
    }
  });

  it('resizes and crops first when asked, dropping boxes', async () => {
    const out = join(dir, 'cropped');
    const boxed = join(dir, 'boxed.jsonl');
    await writeManifest(boxed, [{ id: 'a', source: 'a.png', labels: [], attrs: {}, bbox: [2, 2, 22, 18] }]);
    const r = await runCli(
      'corrupt',
      '--manifest',
      boxed,
      '--corruption',
      'contrast',
      '--severity',
      '1',
      '--out',
      out,
      '--resize',
      '12',
      '--crop',
      '10',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^wrote 1 of 1 images \(contrast, severity 1, seed 0\)/);
    const [item] = await readManifest(join(out, 'manifest.jsonl'));
    assert.equal(item?.bbox, undefined);
    const img = await decodeImage(join(out, 'images', 'a.png'));
    assert.deepEqual([img.width, img.height], [10, 10]);
  });

  it('rejects a bad severity, an unknown corruption, and --crop without --resize (exit 2)', async () => {
    const base = ['corrupt', '--manifest', manifest, '--out', join(dir, 'x')];
    let r = await runCli(...base, '--corruption', 'fog', '--severity', '6');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--severity must be an integer from 1 to 5, got "6"/);
    r = await runCli(...base, '--corruption', 'rain', '--severity', '1');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown corruption "rain"; corruptions are: gaussian_noise, shot_noise/);
    r = await runCli(...base, '--corruption', 'fog', '--severity', '1', '--crop', '8');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--crop needs --resize/);
  });
});

describe('fairscope corruptions', () => {
  it('lists the 19 corruptions with the held-out flag', async () => {
    const r = await runCli('corruptions', '--json');
    assert.equal(r.code, 0, r.stderr);
    const { corruptions, severities } = JSON.parse(r.stdout);
    assert.deepEqual(severities, [1, 2, 3, 4, 5]);
    assert.equal(corruptions.length, 19);
    assert.deepEqual(corruptions[16], {
      name: 'gaussian_blur',
      family: 'blur',
      heldOut: true,
      random: false,
      deviation: '',
    });
    const text = await runCli('corruptions');
    assert.match(text.stdout, /^spatter +weather +yes +yes +exact distance transform/m);
  });
});
