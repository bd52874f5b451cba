import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { InputError } from '../../core/errors.js';
import { importer } from './image-folder.js';
import { runImporter, tempDir, writeImage, writeText } from './testing.js';

const tmp = await tempDir();
after(tmp.cleanup);
const root = join(tmp.dir, 'imagenet-r');

before(async () => {
  await writeImage(join(root, 'n01440764', 'a.jpg'), 4, 4);
  await writeImage(join(root, 'n01440764', 'b.png'), 4, 4);
  await writeText(join(root, 'n01440764', 'notes.txt'), 'x');
  await writeImage(join(root, 'n01443537', 'c.JPEG'), 4, 4);
  await writeImage(join(root, 'n01443537', 'deeper', 'd.jpg'), 4, 4);
  await writeText(join(root, 'README.txt'), 'readme');
  await writeText(join(root, '.hidden'), '');
});

test('class folders become labels; non-images and stray files are skipped with reasons', async () => {
  const { items, skipped } = await runImporter(importer, [root], tmp.dir);
  assert.deepEqual(items, [
    { id: 'n01440764/a.jpg', source: 'imagenet-r/n01440764/a.jpg', labels: ['n01440764'], attrs: {} },
    { id: 'n01440764/b.png', source: 'imagenet-r/n01440764/b.png', labels: ['n01440764'], attrs: {} },
    { id: 'n01443537/c.JPEG', source: 'imagenet-r/n01443537/c.JPEG', labels: ['n01443537'], attrs: {} },
  ]);
  assert.deepEqual(
    skipped.map((s) => [s.file.slice(root.length + 1), s.reason]),
    [
      ['README.txt', 'not in a class folder'],
      ['n01440764/notes.txt', 'not an image file (by extension)'],
      ['n01443537/deeper', 'a folder inside a class folder'],
    ],
  );
});

test('--class-map maps folders to one or several class names', async () => {
  const map = join(tmp.dir, 'map.json');
  await writeText(
    map,
    JSON.stringify({ n01440764: 'tench', n01443537: ['goldfish', 'Carassius auratus'], n99999999: 'unused' }),
  );
  const { items } = await runImporter(importer, [root], tmp.dir, { 'class-map': map });
  assert.deepEqual(
    items.map((it) => [it.id, it.labels]),
    [
      ['n01440764/a.jpg', ['tench']],
      ['n01440764/b.png', ['tench']],
      ['n01443537/c.JPEG', ['goldfish', 'Carassius auratus']],
    ],
  );
});

test('ImageNet-V2 style index folders with a class map', async () => {
  const v2 = join(tmp.dir, 'v2');
  await writeImage(join(v2, '0', '7e1f.jpeg'), 4, 4);
  await writeImage(join(v2, '1', '99aa.jpeg'), 4, 4);
  const map = join(tmp.dir, 'v2map.json');
  await writeText(map, '{"0": "tench", "1": "goldfish", "2": "great white shark"}');
  const { items } = await runImporter(importer, [v2], tmp.dir, { 'class-map': map });
  assert.deepEqual(
    items.map((it) => [it.id, it.labels[0]]),
    [
      ['0/7e1f.jpeg', 'tench'],
      ['1/99aa.jpeg', 'goldfish'],
    ],
  );
});

test('class folders missing from the class map are an error listing all of them', async () => {
  const map = join(tmp.dir, 'partial.json');
  await writeText(map, '{"n99999999": "x"}');
  await assert.rejects(runImporter(importer, [root], tmp.dir, { 'class-map': map }), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.file, map);
    assert.match(err.message, /2 class folder\(s\) .* are not in the class map: n01440764, n01443537/);
    return true;
  });
});

test('bad class maps and roots are clear errors', async () => {
  const map = join(tmp.dir, 'bad.json');
  await writeText(map, '{"n01440764": 5}');
  await assert.rejects(
    runImporter(importer, [root], tmp.dir, { 'class-map': map }),
    (err: unknown) => err instanceof InputError && err.field === 'n01440764' && /got 5/.test(err.message),
  );
  await writeText(map, '["tench"]');
  await assert.rejects(runImporter(importer, [root], tmp.dir, { 'class-map': map }), /must be a JSON object/);
  await writeText(map, '{"a": "b",}');
  await assert.rejects(runImporter(importer, [root], tmp.dir, { 'class-map': map }), /invalid JSON/);
  await assert.rejects(runImporter(importer, [join(tmp.dir, 'nope')], tmp.dir), /does not exist/);
  const flat = join(tmp.dir, 'flat');
  await writeImage(join(flat, 'a.jpg'), 4, 4);
  await assert.rejects(runImporter(importer, [flat], tmp.dir), /no class folders/);
  await assert.rejects(runImporter(importer, [root, flat], tmp.dir), /exactly one input/);
});
