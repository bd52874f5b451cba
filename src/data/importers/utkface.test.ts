import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError, UsageError } from '../../core/errors.js';
import { runImporter, tempDir, writeImage, writeText } from './testing.js';
import { importer, parseUtkName } from './utkface.js';

const tmp = await tempDir();
after(tmp.cleanup);

test('parseUtkName reads [age]_[gender]_[race]_[datetime].jpg and gives reasons for the rest', () => {
  const tax = { gender: { '0': 'male', '1': 'female' }, race: { '0': 'white', '4': 'others' } };
  assert.deepEqual(parseUtkName('25_0_0_20170116174525125.jpg.chip.jpg', tax), {
    age: 25,
    gender: 'male',
    race: 'white',
  });
  assert.deepEqual(parseUtkName('116_1_4_20170110183726390.JPG', tax), {
    age: 116,
    gender: 'female',
    race: 'others',
  });
  assert.match(
    (parseUtkName('39_1_20170116174525125.jpg.chip.jpg', tax) as { reason: string }).reason,
    /does not match/,
  );
  assert.match(
    (parseUtkName('30_2_0_2017.jpg', tax) as { reason: string }).reason,
    /gender code 2 is not one of 0=male, 1=female/,
  );
  assert.match((parseUtkName('30_0_3_2017.jpg', tax) as { reason: string }).reason, /race code 3/);
  assert.match((parseUtkName('a_0_0_2017.jpg', tax) as { reason: string }).reason, /does not match/);
  assert.match((parseUtkName('25_0_0_2017.png', tax) as { reason: string }).reason, /not a \.jpg/);
});

test('imports a UTKFace folder (with a sub-folder); malformed names are skipped with file and reason', async () => {
  const root = join(tmp.dir, 'utk');
  const good = [
    '25_0_0_20170116174525125.jpg.chip.jpg',
    '1_1_2_20161219140623097.jpg',
    'part2/80_1_4_20170110183726390.jpg',
    '40_0_3_20170104201427591.jpg',
  ];
  const bad = [
    '39_1_20170116174525125.jpg.chip.jpg',
    '30_2_0_20170116174525125.jpg',
    '30_0_5_20170116174525125.jpg',
    'abc_0_0_2017.jpg',
  ];
  for (const f of [...good, ...bad]) await writeImage(join(root, f), 4, 4);
  await writeText(join(root, 'notes.txt'), 'hello');
  await writeText(join(root, '.DS_Store'), '');
  const out = join(tmp.dir, 'out');
  const { items, skipped } = await runImporter(importer, [root], out);
  // Walk order: entries sorted by name, sub-folders walked where they sort.
  assert.deepEqual(items, [
    {
      id: '1_1_2_20161219140623097.jpg',
      source: '../utk/1_1_2_20161219140623097.jpg',
      labels: [],
      attrs: { gender: 'female', race: 'asian', age: 1 },
    },
    {
      id: '25_0_0_20170116174525125.jpg.chip.jpg',
      source: '../utk/25_0_0_20170116174525125.jpg.chip.jpg',
      labels: [],
      attrs: { gender: 'male', race: 'white', age: 25 },
    },
    {
      id: '40_0_3_20170104201427591.jpg',
      source: '../utk/40_0_3_20170104201427591.jpg',
      labels: [],
      attrs: { gender: 'male', race: 'indian', age: 40 },
    },
    {
      id: '80_1_4_20170110183726390.jpg',
      source: '../utk/part2/80_1_4_20170110183726390.jpg',
      labels: [],
      attrs: { gender: 'female', race: 'others', age: 80 },
    },
  ]);
  assert.deepEqual(
    skipped.map((s) => [s.file.slice(root.length + 1), s.reason.split(' ').slice(0, 3).join(' ')]),
    [
      ['30_0_5_20170116174525125.jpg', 'race code 5'],
      ['30_2_0_20170116174525125.jpg', 'gender code 2'],
      ['39_1_20170116174525125.jpg.chip.jpg', 'file name does'],
      ['abc_0_0_2017.jpg', 'file name does'],
      ['notes.txt', 'not a .jpg'],
    ],
  );
});

test('duplicate file names across folders are reported, not imported twice', async () => {
  const a = join(tmp.dir, 'dupA');
  const b = join(tmp.dir, 'dupB');
  await writeImage(join(a, '20_0_0_1.jpg'), 4, 4);
  await writeImage(join(b, '20_0_0_1.jpg'), 4, 4);
  const { items, skipped } = await runImporter(importer, [a, b], tmp.dir);
  assert.equal(items.length, 1);
  assert.equal(skipped.length, 1);
  assert.match(skipped[0].reason, /same file name as .*dupA\/20_0_0_1\.jpg/);
});

test('clear errors: no input, missing folder, empty folder', async () => {
  await assert.rejects(runImporter(importer, [], tmp.dir), UsageError);
  await assert.rejects(runImporter(importer, [join(tmp.dir, 'nope')], tmp.dir), /does not exist/);
  const empty = join(tmp.dir, 'empty');
  await mkdir(empty);
  await assert.rejects(
    runImporter(importer, [empty], tmp.dir),
    (err: unknown) => err instanceof InputError && /no files found/.test(err.message),
  );
});
