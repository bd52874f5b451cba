import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { ManifestItem } from '../../core/types.js';
import { readManifest, resolveSource, writeManifest } from '../manifest.js';
import { buildEmojiDataset, type EmojiBuildResult } from './build.js';
import { emojiCredits } from './credits.js';
import { countEmojiItems } from './summary.js';

const LIMIT = 12;
const SIZE = 32;

describe('buildEmojiDataset (small, all styles)', () => {
  let dir = '';
  let first: EmojiBuildResult;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fairscope-emoji-build-'));
    first = await buildEmojiDataset({ outDir: dir, size: SIZE, limitPerCategory: LIMIT });
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('renders limit x 3 categories x 3 styles items with unique ids', () => {
    assert.equal(first.items.length, LIMIT * 3 * 3);
    assert.equal(first.rendered, LIMIT * 3 * 3);
    assert.deepEqual(first.skipped, []);
    assert.equal(new Set(first.items.map((i) => i.id)).size, first.items.length);
    assert.equal(new Set(first.items.map((i) => i.source)).size, first.items.length);
  });

  it('keeps every tone and gender in each style, counted with plain loops', () => {
    for (const style of ['google', 'twitter', 'openmoji']) {
      const tones = new Set<string>();
      const genders = new Set<string>();
      let people = 0;
      for (const item of first.items) {
        if (item.attrs.style !== style || item.attrs.category !== 'person') continue;
        people++;
        tones.add(String(item.attrs.skintone));
        genders.add(String(item.attrs.gender));
      }
      assert.equal(people, LIMIT);
      assert.deepEqual([...tones].sort(), ['1-2', '3', '4', '5', '6', 'none']);
      assert.deepEqual([...genders].sort(), ['man', 'neutral', 'woman']);
    }
    const counts = countEmojiItems(first.items);
    assert.deepEqual(counts.byAttr.style, { google: 36, openmoji: 36, twitter: 36 });
    assert.deepEqual(counts.byAttr.category, { animal: 36, object: 36, person: 36 });
  });

  it('writes items with the id scheme, labels, attributes and concept clusters', () => {
    const item = first.items.find((i) => i.attrs.category === 'person') as ManifestItem;
    assert.match(item.id, /^google\/[0-9a-f]+(-[0-9a-f]+)*$/);
    assert.equal(item.labels[0], 'person');
    assert.equal(item.labels.length, 2);
    assert.deepEqual(Object.keys(item.attrs).sort(), ['age', 'category', 'gender', 'skintone', 'style']);
    // The same concept in another style and tone shares the cluster.
    const twin = first.items.filter((i) => i.cluster === item.cluster);
    assert.deepEqual([...new Set(twin.map((i) => i.attrs.style))].sort(), ['google', 'openmoji', 'twitter']);
    const animal = first.items.find((i) => i.attrs.category === 'animal') as ManifestItem;
    assert.deepEqual(Object.keys(animal.attrs).sort(), ['category', 'style']);
    assert.equal(animal.labels[0], 'animal');
    assert.ok(first.items.some((i) => i.labels.includes('gorilla')));
  });

  it('writes a valid manifest whose sources are PNGs of the right size', async () => {
    const manifest = join(dir, 'manifest.jsonl');
    await writeManifest(manifest, first.items);
    const items = await readManifest(manifest);
    assert.equal(items.length, first.items.length);
    for (const item of items.filter((_, i) => i % 9 === 0)) {
      const meta = await sharp(resolveSource(manifest, item)).metadata();
      assert.deepEqual(
        [meta.format, meta.width, meta.height, meta.channels],
        ['png', SIZE, SIZE, 3],
        item.id,
      );
    }
  });

  it('does not render again on a re-run, and gives the same items', async () => {
    const anyFile = join(dir, first.items[0]?.source as string);
    const before = (await stat(anyFile)).mtimeMs;
    const again = await buildEmojiDataset({ outDir: dir, size: SIZE, limitPerCategory: LIMIT });
    assert.equal(again.rendered, 0);
    assert.equal(again.reused, first.items.length);
    assert.deepEqual(again.items, first.items);
    assert.equal((await stat(anyFile)).mtimeMs, before);
  });

  it('writes the credits of the rendered styles beside the images', () => {
    const text = readFileSync(join(dir, 'emoji', 'CREDITS.md'), 'utf8');
    for (const licence of ['Apache-2.0', 'CC-BY-4.0', 'CC-BY-SA-4.0'])
      assert.ok(text.includes(licence), licence);
    assert.ok(text.includes('32x32'));
  });

  it('renders one style only, into its own folder', async () => {
    const only = await buildEmojiDataset({
      outDir: dir,
      size: SIZE,
      limitPerCategory: 3,
      styles: ['openmoji'],
    });
    assert.deepEqual([...new Set(only.items.map((i) => i.attrs.style))], ['openmoji']);
    assert.equal(only.rendered, 0); // a subset of what the first build rendered
  });

  it('rejects bad options with the value in the message', async () => {
    await assert.rejects(
      buildEmojiDataset({ outDir: dir, size: 3 }),
      /size must be an integer in 8\.\.1024, got 3/,
    );
    await assert.rejects(
      // @ts-expect-error: an unknown style from untyped callers
      buildEmojiDataset({ outDir: dir, styles: ['apple'] }),
      /style must be one of google, twitter, openmoji, got "apple"/,
    );
  });
});

describe('emojiCredits', () => {
  it('gives each style its licence and the installed package version', () => {
    const credits = emojiCredits();
    assert.deepEqual(
      credits.map((c) => [c.style, c.license]),
      [
        ['google', 'Apache-2.0'],
        ['twitter', 'CC-BY-4.0'],
        ['openmoji', 'CC-BY-SA-4.0'],
      ],
    );
    for (const c of credits) {
      const pkg = JSON.parse(readFileSync(join('node_modules', c.package, 'package.json'), 'utf8')) as {
        version: string;
      };
      assert.equal(c.version, pkg.version);
    }
    assert.deepEqual(
      emojiCredits(['openmoji']).map((c) => c.style),
      ['openmoji'],
    );
  });
});
