import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../core/errors.js';
import { importer } from './fairface.js';
import { runImporter, tempDir, writeImage, writeText } from './testing.js';

const tmp = await tempDir();
after(tmp.cleanup);

test('imports the FairFace label CSV; unknown values and missing files are skipped with reasons', async () => {
  const root = join(tmp.dir, 'fairface');
  for (const k of [1, 2, 3, 4, 5, 6]) await writeImage(join(root, 'val', `${k}.jpg`), 4, 4);
  const csv = join(root, 'fairface_label_val.csv');
  await writeText(
    csv,
    [
      'file,age,gender,race,service_test',
      'val/1.jpg,50-59,Male,East Asian,True', // 2
      'val/2.jpg,more than 70,Female,"Latino_Hispanic",False', // 3
      'val/3.jpg,20-29,Nonbinary,White,True', // 4
      'val/4.jpg,5-9,Male,White,True', // 5
      'val/5.jpg,20-29,Male,Martian,False', // 6
      'val/6.jpg,20-29,Female,Indian,maybe', // 7
      'val/7.jpg,0-2,Female,Black,False', // 8: no file
      'val/1.jpg,50-59,Male,East Asian,True', // 9: listed again
    ].join('\r\n'),
  );
  const { items, skipped } = await runImporter(importer, [csv], root);
  assert.deepEqual(items, [
    {
      id: 'val/1.jpg',
      source: 'val/1.jpg',
      labels: [],
      attrs: { gender: 'male', age: '50-59', race: 'East Asian', service_test: 'true' },
    },
    {
      id: 'val/2.jpg',
      source: 'val/2.jpg',
      labels: [],
      attrs: { gender: 'female', age: 'more than 70', race: 'Latino_Hispanic', service_test: 'false' },
    },
  ]);
  assert.deepEqual(
    skipped.map((s) => [s.line, s.field]),
    [
      [4, 'gender'],
      [5, 'age'],
      [6, 'race'],
      [7, 'service_test'],
      [8, 'file'],
      [9, 'file'],
    ],
  );
  assert.match(skipped[0].reason, /unknown gender "Nonbinary"; expected Male, Female/);
  assert.match(skipped[4].reason, /image file not found/);
  assert.match(skipped[5].reason, /listed again \(first on line 2\)/);
});

test('works without service_test and with --root; a missing column is named', async () => {
  const dir = join(tmp.dir, 'ff2');
  await writeImage(join(dir, 'data', 'train', '9.jpg'), 4, 4);
  const csv = join(dir, 'labels.csv');
  await writeText(csv, 'file,age,gender,race\ntrain/9.jpg,3-9,Female,Southeast Asian\n');
  const { items } = await runImporter(importer, [csv], dir, { root: join(dir, 'data') });
  assert.deepEqual(items, [
    {
      id: 'train/9.jpg',
      source: 'data/train/9.jpg',
      labels: [],
      attrs: { gender: 'female', age: '3-9', race: 'Southeast Asian' },
    },
  ]);
  await writeText(csv, 'file,age,gender\ntrain/9.jpg,3-9,Female\n');
  await assert.rejects(
    runImporter(importer, [csv], dir),
    (err: unknown) =>
      err instanceof InputError && err.field === 'race' && /missing column "race"/.test(err.message),
  );
  await assert.rejects(runImporter(importer, [join(dir, 'none.csv')], dir), /no such file/);
});
