import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { InputError, UsageError } from '../../core/errors.js';
import { importer, miapAge, miapGender } from './miap.js';
import { runImporter, tempDir, writeImage, writeText } from './testing.js';

const tmp = await tempDir();
after(tmp.cleanup);

const HEADER =
  'ImageID,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepictionOf,IsInsideOf,GenderPresentation,AgePresentation';
const row = (id: string, box: string, gender: string, age: string) =>
  `${id},/m/01g317,1,${box},0,0,0,0,0,${gender},${age}`;

const csvDir = join(tmp.dir, 'csv');
const images = join(csvDir, 'images');
const csv = join(csvDir, 'open_images_extended_miap_boxes_test.csv');

before(async () => {
  // img_a is 400x300, img_b is 1000x200 (sizes read from the files); img_c has no file.
  await writeImage(join(images, 'img_a.jpg'), 400, 300);
  await writeImage(join(images, 'img_b.jpg'), 1000, 200);
  // Columns after ImageID..Confidence: XMin,XMax,YMin,YMax.
  await writeText(
    csv,
    [
      HEADER,
      row('img_a', '0,0.5,0,1', 'Predominantly Feminine', 'Young'), // line 2: [0,0,200,300] tall
      row('img_a', '0.5,0.75,0,0.5', 'Predominantly Masculine', 'Older'), // 3: [200,0,300,150] w=100 kept
      row('img_a', '0,0.2,0,1', 'Predominantly Feminine', 'Middle'), // 4: w = 0.2*400 = 80 < 100
      row('img_b', '0.125,0.875,0,1', 'Unknown', 'Unknown'), // 5: [125,0,875,200] wide
      row('img_b', '0,0.5,0,1', 'Predominantly Nonbinary', 'Young'), // 6: unknown gender value
      row('img_b', '0,0.5,0.25,1', 'Predominantly Feminine', 'Middle'), // 7: [0,50,500,200] h=150
      row('img_c', '0,1,0,1', 'Predominantly Masculine', 'Young'), // 8: no image file
      row('img_a', '0,1,0,1', 'Predominantly Masculine', 'Teen'), // 9: unknown age value
      row('img_b', '0.5,1,0,0.25', 'Predominantly Masculine', 'Young'), // 10: h = 0.25*200 = 50 < 100
    ].join('\n'),
  );
});

test('gender is the last word lowercased and mapped; age is lowercased', () => {
  const tax = {
    minBoxSide: 100,
    gender: { feminine: 'female', masculine: 'male', unknown: 'gender_unknown' },
    genderUnknown: 'gender_unknown',
    ages: ['young', 'middle', 'older', 'unknown'] as [string, ...string[]],
    ageUnknown: 'unknown',
  };
  assert.equal(miapGender('Predominantly Feminine', tax), 'female');
  assert.equal(miapGender('predominantly MASCULINE ', tax), 'male');
  assert.equal(miapGender('Unknown', tax), 'gender_unknown');
  assert.equal(miapGender('Nonbinary', tax), null);
  assert.equal(miapGender('', tax), null);
  assert.equal(miapAge('Older', tax), 'older');
  assert.equal(miapAge('Teen', tax), null);
});

test('CSV form: pixel boxes from image sizes, 100 px filter, unknowns kept, one item per box', async () => {
  const { items, skipped } = await runImporter(importer, [csv], csvDir, { images });
  assert.deepEqual(items, [
    {
      id: 'img_a/0',
      source: 'images/img_a.jpg',
      bbox: [0, 0, 200, 300],
      roi: 'miap-square',
      labels: [],
      attrs: { gender: 'female', age: 'young' },
      cluster: 'img_a',
    },
    {
      id: 'img_a/1',
      source: 'images/img_a.jpg',
      bbox: [200, 0, 300, 150],
      roi: 'miap-square',
      labels: [],
      attrs: { gender: 'male', age: 'older' },
      cluster: 'img_a',
    },
    {
      id: 'img_b/0',
      source: 'images/img_b.jpg',
      bbox: [125, 0, 875, 200],
      roi: 'miap-square',
      labels: [],
      attrs: { gender: 'gender_unknown', age: 'unknown' },
      cluster: 'img_b',
    },
    {
      id: 'img_b/2',
      source: 'images/img_b.jpg',
      bbox: [0, 50, 500, 200],
      roi: 'miap-square',
      labels: [],
      attrs: { gender: 'female', age: 'middle' },
      cluster: 'img_b',
    },
  ]);
  assert.deepEqual(
    skipped.map((s) => s.line),
    [4, 6, 8, 9, 10],
  );
  assert.match(skipped[0].reason, /box is 80\.0x300\.0 px/);
  assert.match(skipped[1].reason, /unknown GenderPresentation "Predominantly Nonbinary"/);
  assert.equal(skipped[1].field, 'GenderPresentation');
  assert.match(skipped[2].reason, /image file not found: .*img_c\.jpg/);
  assert.match(skipped[3].reason, /unknown AgePresentation "Teen"/);
  assert.match(skipped[4].reason, /box is 500\.0x50\.0 px/);
});

test('--drop-unknown drops unknown gender or age boxes and says so', async () => {
  const { items, skipped } = await runImporter(importer, [csv], csvDir, { images, 'drop-unknown': true });
  assert.deepEqual(
    items.map((it) => it.id),
    ['img_a/0', 'img_a/1', 'img_b/2'],
  );
  const line5 = skipped.find((s) => s.line === 5);
  assert.match(line5?.reason ?? '', /unknown gender dropped by --drop-unknown/);
});

test('CSV errors: missing column named, no --images, bad coordinates named by line and column', async () => {
  const noAge = join(csvDir, 'no-age.csv');
  await writeText(noAge, 'ImageID,XMin,XMax,YMin,YMax,GenderPresentation\nimg_a,0,1,0,1,Unknown\n');
  await assert.rejects(
    runImporter(importer, [noAge], csvDir, { images }),
    (err: unknown) =>
      err instanceof InputError &&
      err.field === 'AgePresentation' &&
      /missing column "AgePresentation"/.test(err.message),
  );
  await assert.rejects(runImporter(importer, [csv], csvDir), UsageError);
  const bad = join(csvDir, 'bad.csv');
  await writeText(
    bad,
    `${HEADER}\n${row('img_a', '0,0.5,0,1', 'Unknown', 'Young')}\n${row('img_a', '0,1.5,0,1', 'Unknown', 'Young')}\n`,
  );
  await assert.rejects(
    runImporter(importer, [bad], csvDir, { images }),
    (err: unknown) =>
      err instanceof InputError && err.line === 3 && err.field === 'XMax' && /\[0, 1\]/.test(err.message),
  );
  await writeText(bad, `${HEADER}\n${row('img_a', '0.5,0.2,0,1', 'Unknown', 'Young')}\n`);
  await assert.rejects(
    runImporter(importer, [bad], csvDir, { images }),
    (err: unknown) =>
      err instanceof InputError && err.line === 2 && /XMax 0.2 must exceed XMin 0.5/.test(err.message),
  );
  await writeText(bad, `${HEADER}\n${row('img_a', 'x,0.2,0,1', 'Unknown', 'Young')}\n`);
  await assert.rejects(
    runImporter(importer, [bad], csvDir, { images }),
    (err: unknown) =>
      err instanceof InputError && err.field === 'XMin' && /must be a number, got "x"/.test(err.message),
  );
});

test('JSON list form (vissl): pixel bbox strings, path, same normalisation and filter', async () => {
  const dir = join(tmp.dir, 'json');
  await writeImage(join(dir, 'imgs', 'img1.jpg'), 16, 16);
  await writeImage(join(dir, 'imgs', 'img2.jpg'), 16, 16);
  const list = join(dir, 'filtered_bbox_open_images_extended_miap_boxes_test.json');
  const rec = (path: string, bbox: unknown, g: string, a: string) =>
    JSON.stringify({
      AgePresentation: a,
      Confidence: '1',
      GenderPresentation: g,
      IsDepictionOf: '0',
      IsGroupOf: '0',
      IsInsideOf: '0',
      IsOccluded: '0',
      IsTruncated: '0',
      LabelName: '/m/01g317',
      bbox,
      path,
    });
  await writeText(
    list,
    [
      '[',
      `${rec('imgs/img1.jpg', ['886.5607679999999', '302.212474', '1016.448', '639.179403'], 'Predominantly Feminine', 'Middle')},`,
      `${rec('imgs/img1.jpg', ['0', '0', '99.5', '300'], 'Predominantly Masculine', 'Young')},`,
      `${rec('imgs/img2.jpg', [10, 20, 210, 140], 'Unknown', 'Older')},`,
      `${rec('imgs/img3.jpg', ['0', '0', '200', '200'], 'Unknown', 'Older')}`,
      ']',
    ].join('\n'),
  );
  const { items, skipped } = await runImporter(importer, [list], dir);
  assert.deepEqual(items, [
    {
      id: 'img1/0',
      source: 'imgs/img1.jpg',
      bbox: [886.5607679999999, 302.212474, 1016.448, 639.179403],
      roi: 'miap-square',
      labels: [],
      attrs: { gender: 'female', age: 'middle' },
      cluster: 'img1',
    },
    {
      id: 'img2/0',
      source: 'imgs/img2.jpg',
      bbox: [10, 20, 210, 140],
      roi: 'miap-square',
      labels: [],
      attrs: { gender: 'gender_unknown', age: 'older' },
      cluster: 'img2',
    },
  ]);
  assert.deepEqual(
    skipped.map((s) => s.line),
    [3, 5],
  );
  assert.match(skipped[0].reason, /box is 99\.5x300\.0 px/);
  assert.match(skipped[1].reason, /image file not found/);

  await writeText(list, `[\n${rec('imgs/img1.jpg', ['1', '2', '3'], 'Unknown', 'Young')}\n]`);
  await assert.rejects(
    runImporter(importer, [list], dir),
    (err: unknown) => err instanceof InputError && err.line === 2 && err.field === 'bbox',
  );
  await writeText(
    list,
    '[\n{"path": "imgs/img1.jpg", "bbox": ["0","0","200","200"], "AgePresentation": "Young"}\n]',
  );
  await assert.rejects(
    runImporter(importer, [list], dir),
    (err: unknown) => err instanceof InputError && err.line === 2 && err.field === 'GenderPresentation',
  );
  await writeText(list, '{"boxes": []}');
  await assert.rejects(runImporter(importer, [list], dir), /expected a JSON list/);
});
