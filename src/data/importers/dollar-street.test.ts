import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../core/errors.js';
import { importer, incomeBucketIndex, roundHalfEven, urlChecksum } from './dollar-street.js';
import { runImporter, tempDir, writeImage, writeText } from './testing.js';

const tmp = await tempDir();
after(tmp.cleanup);

test('roundHalfEven rounds halves to the even neighbour, like numpy', () => {
  const cases: [number, number][] = [
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [-0.5, 0],
    [-1.5, -2],
    [2.4999, 2],
    [2.5001, 3],
    [1, 1],
  ];
  for (const [x, r] of cases) assert.equal(roundHalfEven(x), r, `round(${x})`);
});

test('income buckets at the edges e^4.5 ≈ 90.02, e^7.5 ≈ 1808.04, e^1.5 ≈ 4.48, e^10.5 ≈ 36315.5', () => {
  // ln(90) = ln 9 + ln 10 = 2.197225 + 2.302585 = 4.499810 → /3 = 1.49994 → 1
  assert.equal(incomeBucketIndex(90), 1);
  // ln(91) = 4.510860 → 1.50362 → 2
  assert.equal(incomeBucketIndex(91), 2);
  // ln(1808) = ln 1800 + ln(1.004444) = 7.495542 + 0.004435 = 7.499977 → 2.49999 → 2
  assert.equal(incomeBucketIndex(1808), 2);
  // ln(1809) = 7.495542 + ln(1.005) = 7.500530 → 2.50018 → 3
  assert.equal(incomeBucketIndex(1809), 3);
  // ln(4) = 1.386294 → 0.46 → 0 (outside 1..3); ln(5) = 1.609438 → 0.54 → 1
  assert.equal(incomeBucketIndex(4), 0);
  assert.equal(incomeBucketIndex(5), 1);
  // ln(36315) = 10.5 - 0.5/36315.5 → 3.499995 → 3; ln(36316) = 10.5 + 0.5/36315.5 → 3.500005 → 4
  assert.equal(incomeBucketIndex(36315), 3);
  assert.equal(incomeBucketIndex(36316), 4);
});

test('urlChecksum: last path segment, up to the first dot, after the last dash', () => {
  assert.equal(
    urlChecksum('https://static.dollarstreet.io/media/India 12/image-5d4bde31cf0b3a0f3f35f0d9.jpg'),
    '5d4bde31cf0b3a0f3f35f0d9',
  );
  assert.equal(urlChecksum('https://x/a-b-c.d.jpg'), 'c');
  assert.equal(urlChecksum('https://x/abc.jpg'), 'abc');
});

const url = (sum: string) => `https://static.dollarstreet.io/media/some place/image-${sum}.jpg`;

test('imports Dollar Street: households, income buckets, multi-label images as one item, skips with reasons', async () => {
  const dir = join(tmp.dir, 'ds');
  const images = join(dir, 'images');
  for (const f of [
    'toothbrush/h1.jpg',
    'toothpaste/h1.jpg',
    'stove/h2.jpg',
    'car/h3.png',
    'local/car_h4.jpg',
    'cup/h7.jpg',
  ]) {
    await writeImage(join(images, f), 4, 4);
  }
  const e = (o: Record<string, unknown>) => JSON.stringify(o);
  const meta = join(dir, 'metadata_full_dollar_street.json');
  await writeText(
    meta,
    [
      '[',
      `${e({ _id: 'h1', label: 'toothbrush', country: 'India', region: 'Asia', income: 90, url: url('abc123') })},`, // 2
      `${e({ _id: 'h1', label: 'toothpaste', country: 'India', region: 'Asia', income: 90, url: url('abc123') })},`, // 3
      `${e({ _id: 'h2', label: 'stove', country: 'Kenya', region: 'Africa', income: 91, url: url('def456') })},`, // 4
      `${e({ _id: 'h3', label: 'car', country: 'Sweden', region: 'Europe', income: '1808', url: url('ghi789') })},`, // 5
      `${e({ _id: 'h4', label: 'car', country: 'USA', region: 'The Americas', income: 1809, path: 'local/car_h4.jpg' })},`, // 6
      `${e({ _id: 'h5', label: 'bed', country: 'X', region: 'Asia', income: 4, url: url('jkl') })},`, // 7
      `${e({ _id: 'h5', label: 'bed', country: 'X', region: 'Asia', income: 36316, url: url('mno') })},`, // 8
      `${e({ _id: 'h5', label: 'bed', country: 'X', region: 'Asia', income: 0, url: url('pqr') })},`, // 9
      `${e({ _id: 'h5', label: 'bed', country: 'X', region: 'Oceania', income: 100, url: url('stu') })},`, // 10
      `${e({ _id: 'h6', label: 'bed', country: 'X', region: 'Asia', income: 100, url: url('vwx') })},`, // 11 no file
      `${e({ _id: 'h9', label: 'soap', country: 'India', region: 'Asia', income: 90, url: url('abc123') })},`, // 12
      `${e({ _id: 'h7', label: 'cup', country: 'Peru', region: 'The Americas', income: 36315, url: url('yz0') })},`, // 13
      `${e({ _id: 'h1', label: 'toothbrush', country: 'India', region: 'Asia', income: 90, url: url('abc123') })}`, // 14
      ']',
    ].join('\n'),
  );
  const { items, skipped } = await runImporter(importer, [meta], dir, { images });
  assert.deepEqual(items, [
    {
      id: 'abc123',
      source: 'images/toothbrush/h1.jpg',
      labels: ['toothbrush', 'toothpaste'],
      attrs: { region: 'Asia', country: 'India', income: 90, income_bucket: 'low' },
      cluster: 'h1',
    },
    {
      id: 'def456',
      source: 'images/stove/h2.jpg',
      labels: ['stove'],
      attrs: { region: 'Africa', country: 'Kenya', income: 91, income_bucket: 'medium' },
      cluster: 'h2',
    },
    {
      id: 'ghi789',
      source: 'images/car/h3.png',
      labels: ['car'],
      attrs: { region: 'Europe', country: 'Sweden', income: 1808, income_bucket: 'medium' },
      cluster: 'h3',
    },
    {
      id: 'local/car_h4.jpg',
      source: 'images/local/car_h4.jpg',
      labels: ['car'],
      attrs: { region: 'The Americas', country: 'USA', income: 1809, income_bucket: 'high' },
      cluster: 'h4',
    },
    {
      id: 'yz0',
      source: 'images/cup/h7.jpg',
      labels: ['cup'],
      attrs: { region: 'The Americas', country: 'Peru', income: 36315, income_bucket: 'high' },
      cluster: 'h7',
    },
  ]);
  assert.deepEqual(
    skipped.map((s) => [s.line, s.field]),
    [
      [7, 'income'],
      [8, 'income'],
      [9, 'income'],
      [10, 'region'],
      [11, 'url'],
      [12, '_id'],
    ],
  );
  assert.match(skipped[0].reason, /income 4 is outside the buckets \(round\(ln\(4\)\/3\) = 0/);
  assert.match(skipped[1].reason, /round\(ln\(36316\)\/3\) = 4/);
  assert.match(skipped[2].reason, /income 0 is outside the buckets \(ln undefined/);
  assert.match(skipped[3].reason, /unknown region "Oceania"/);
  assert.match(skipped[4].reason, /image file not found: .*bed\/h6\.\*/);
  assert.match(skipped[5].reason, /same image as line 2 but a different household/);
});

test('missing and mistyped fields name file, line and field', async () => {
  const meta = join(tmp.dir, 'bad.json');
  const ok =
    '{"_id": "h1", "label": "cup", "country": "Peru", "region": "Asia", "income": 90, "url": "https://x/image-a.jpg"}';
  await writeText(
    meta,
    `[\n${ok},\n{"_id": "h1", "label": "cup", "country": "Peru", "region": "Asia", "url": "https://x/image-b.jpg"}\n]`,
  );
  await assert.rejects(
    runImporter(importer, [meta], tmp.dir),
    (err: unknown) =>
      err instanceof InputError && err.file === meta && err.line === 3 && err.field === 'income',
  );
  await writeText(meta, `[\n${ok.replace('90', '"ninety"')}\n]`);
  await assert.rejects(
    runImporter(importer, [meta], tmp.dir),
    (err: unknown) =>
      err instanceof InputError && err.line === 2 && err.field === 'income' && /"ninety"/.test(err.message),
  );
  await writeText(meta, '[{"_id": "h1", "label": "cup", "country": "Peru", "region": "Asia", "income": 90}]');
  await assert.rejects(
    runImporter(importer, [meta], tmp.dir),
    (err: unknown) =>
      err instanceof InputError && err.field === 'url' && /neither "url" nor "path"/.test(err.message),
  );
  await writeText(meta, '{"h1": {}}');
  await assert.rejects(runImporter(importer, [meta], tmp.dir), /expected a JSON list/);
  await assert.rejects(runImporter(importer, [join(tmp.dir, 'none.json')], tmp.dir), /no such file/);
});
