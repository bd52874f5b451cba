import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../core/errors.js';
import { ageBucket, importer, loadTaxonomy, pythonInt, skinTone, videoKey } from './casual-conversations.js';
import { runImporter, tempDir, writeImage, writeText } from './testing.js';

const tmp = await tempDir();
after(tmp.cleanup);

test('pythonInt follows int(): integer strings and numbers parse, floats truncate, the rest is null', () => {
  assert.equal(pythonInt('20'), 20);
  assert.equal(pythonInt(' 20 '), 20);
  assert.equal(pythonInt('+7'), 7);
  assert.equal(pythonInt('1_0'), 10);
  assert.equal(pythonInt(45), 45);
  assert.equal(pythonInt(20.7), 20);
  assert.equal(pythonInt(-0.5), 0);
  assert.equal(pythonInt('20.5'), null);
  assert.equal(pythonInt('n/a'), null);
  assert.equal(pythonInt(''), null);
  assert.equal(pythonInt(null), null);
});

test('age buckets [18,30) [30,45) [45,70) >=70 and <18; skin tone 1-3 lighter, 4-6 darker', async () => {
  const tax = await loadTaxonomy();
  const ages: [number | null, string][] = [
    [0, '<18'],
    [17, '<18'],
    [18, '18-30'],
    [29, '18-30'],
    [30, '30-45'],
    [44, '30-45'],
    [45, '45-70'],
    [69, '45-70'],
    [70, '70+'],
    [85, '70+'],
    [null, 'unknown'],
  ];
  for (const [age, bucket] of ages) assert.equal(ageBucket(age, tax), bucket, `age ${age}`);
  const tones: [number | null, string][] = [
    [0, 'unknown'],
    [1, 'lighter'],
    [3, 'lighter'],
    [4, 'darker'],
    [6, 'darker'],
    [7, 'unknown'],
    [null, 'unknown'],
  ];
  for (const [type, tone] of tones) assert.equal(skinTone(type, tax), tone, `type ${type}`);
});

test('videoKey: last three components without the _frame suffix (protocols.md 9.11)', () => {
  assert.equal(
    videoKey('/ckpt/cc/CasualConversationsA/1140/1140_10_frame123.jpg'),
    'CasualConversationsA/1140/1140_10',
  );
  assert.equal(videoKey('1140/1140_10_0.png'), '1140/1140_10');
  // no '_' in the file name: one crop per file, extension removed
  assert.equal(videoKey('a_b/1140/crop.jpg'), 'a_b/1140/crop');
});

test('imports CC metadata as vissl reads it: the last crop of a video, unexpected genders kept; missing images reported', async () => {
  const dir = join(tmp.dir, 'cc');
  const crops = join(dir, 'crops');
  for (const p of [
    'CasualConversationsA/1140/1140_10_frame1.jpg',
    'CasualConversationsA/1140/1140_10_frame9.jpg',
    'CasualConversationsA/1141/1141_03_frame7.jpg',
    'CasualConversationsB/1200/1200_01_frame2.jpg',
    'CasualConversationsB/1201/1201_05_frame2.jpg',
    'CasualConversationsB/1202/1202_05_frame2.jpg',
  ]) {
    await writeImage(join(crops, p), 8, 8);
  }
  const meta = join(dir, 'meta.json');
  await writeText(
    meta,
    [
      '[',
      '  {"age": "20", "gender": "Female", "img_path": "crops/CasualConversationsA/1140/1140_10_frame1.jpg", "skin-type": "5", "subject_id": "1140"},',
      '  {"age": 45, "gender": "MALE", "img_path": "crops/CasualConversationsA/1141/1141_03_frame7.jpg", "skin-type": 2, "subject_id": 1141},',
      '  {"age": "n/a", "gender": "Other", "img_path": "crops/CasualConversationsB/1200/1200_01_frame2.jpg", "skin-type": "7", "subject_id": "1200"},',
      '  {"age": "70", "gender": "N/A", "img_path": "crops/CasualConversationsB/1201/1201_05_frame2.jpg", "skin-type": "", "subject_id": "1201"},',
      '  {"age": "17", "gender": "female", "img_path": "crops/CasualConversationsA/1140/1140_10_frame9.jpg", "skin-type": "1", "subject_id": "1140"},',
      '  {"age": "30", "gender": "Nonbinary", "img_path": "crops/CasualConversationsB/1202/1202_05_frame2.jpg", "skin-type": "3", "subject_id": "1202"},',
      '  {"age": "29", "gender": "male", "img_path": "crops/CasualConversationsB/1300/1300_01_frame1.jpg", "skin-type": "3", "subject_id": "1300"}',
      ']',
    ].join('\n'),
  );
  const { items, skipped, notes } = await runImporter(importer, [meta], dir);
  assert.deepEqual(items, [
    {
      // Line 6 is another crop of line 2's video: it replaces it, in line 2's place.
      id: 'CasualConversationsA/1140/1140_10',
      source: 'crops/CasualConversationsA/1140/1140_10_frame9.jpg',
      labels: [],
      attrs: {
        gender: 'female',
        age: 17,
        age_bucket: '<18',
        skin_type: 1,
        skintone: 'lighter',
        gender_skintone: 'female_lighter',
      },
      cluster: '1140',
    },
    {
      id: 'CasualConversationsA/1141/1141_03',
      source: 'crops/CasualConversationsA/1141/1141_03_frame7.jpg',
      labels: [],
      attrs: {
        gender: 'male',
        age: 45,
        age_bucket: '45-70',
        skin_type: 2,
        skintone: 'lighter',
        gender_skintone: 'male_lighter',
      },
      cluster: '1141',
    },
    {
      id: 'CasualConversationsB/1200/1200_01',
      source: 'crops/CasualConversationsB/1200/1200_01_frame2.jpg',
      labels: [],
      attrs: {
        gender: 'other',
        age_bucket: 'unknown',
        skin_type: 7,
        skintone: 'unknown',
        gender_skintone: 'other_unknown',
      },
      cluster: '1200',
    },
    {
      id: 'CasualConversationsB/1201/1201_05',
      source: 'crops/CasualConversationsB/1201/1201_05_frame2.jpg',
      labels: [],
      attrs: {
        gender: 'n/a',
        age: 70,
        age_bucket: '70+',
        skintone: 'unknown',
        gender_skintone: 'n/a_unknown',
      },
      cluster: '1201',
    },
    {
      id: 'CasualConversationsB/1202/1202_05',
      source: 'crops/CasualConversationsB/1202/1202_05_frame2.jpg',
      labels: [],
      attrs: {
        gender: 'nonbinary',
        age: 30,
        age_bucket: '30-45',
        skin_type: 3,
        skintone: 'lighter',
        gender_skintone: 'nonbinary_lighter',
      },
      cluster: '1202',
    },
  ]);
  assert.deepEqual(
    skipped.map((s) => [s.line, s.field]),
    [
      [2, 'img_path'],
      [8, 'img_path'],
    ],
  );
  assert.match(
    skipped[0].reason,
    /another crop of video "CasualConversationsA\/1140\/1140_10" \(line 6\) replaces it/,
  );
  assert.match(skipped[1].reason, /image file not found: .*1300_01_frame1\.jpg/);
  assert.deepEqual(notes, [
    '1 record(s) have a gender outside male, female, other, n/a, kept lowercased as vissl reads them: nonbinary (1)',
  ]);
  assert.ok(skipped.every((s) => s.file === meta));
});

test('--root resolves relative img_path; sources are relative to the manifest folder', async () => {
  const dir = join(tmp.dir, 'cc-root');
  await writeImage(join(dir, 'images', 'A', '1', '1_1_f.jpg'), 8, 8);
  const meta = join(dir, 'meta', 'meta.json');
  await writeText(
    meta,
    '[{"age": 33, "gender": "male", "img_path": "A/1/1_1_f.jpg", "skin-type": 4, "subject_id": "1"}]',
  );
  const out = join(dir, 'out');
  const { items } = await runImporter(importer, [meta], out, { root: join(dir, 'images') });
  assert.equal(items[0].source, '../images/A/1/1_1_f.jpg');
  assert.equal(items[0].attrs.age_bucket, '30-45');
  await assert.rejects(runImporter(importer, [meta], out, { root: join(dir, 'nope') }), /does not exist/);
});

test('missing or mistyped fields are errors naming file, line and field', async () => {
  const meta = join(tmp.dir, 'bad.json');
  await writeText(
    meta,
    '[\n  {"age": "20", "gender": "female", "img_path": "a/1/1_1_f.jpg", "skin-type": "5", "subject_id": "1"},\n  {"age": "20", "gender": "female", "img_path": "a/2/2_1_f.jpg", "subject_id": "2"}\n]',
  );
  await assert.rejects(runImporter(importer, [meta], tmp.dir), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.file, meta);
    assert.equal(err.line, 3);
    assert.equal(err.field, 'skin-type');
    assert.match(err.message, /bad\.json:line 3: field "skin-type" record 1 has no "skin-type"/);
    return true;
  });
  await writeText(
    meta,
    '[{"age": 1, "gender": ["f"], "img_path": "a/1/1_1_f.jpg", "skin-type": "5", "subject_id": "1"}]',
  );
  await assert.rejects(runImporter(importer, [meta], tmp.dir), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.field, 'gender');
    assert.match(err.message, /must be a non-empty string, got \["f"\]/);
    return true;
  });
});

test('clear errors: missing file, not a list, empty list, wrong input count', async () => {
  await assert.rejects(runImporter(importer, [join(tmp.dir, 'none.json')], tmp.dir), /no such file/);
  const obj = join(tmp.dir, 'obj.json');
  await writeText(obj, '{"0": {"age": "20"}}');
  await assert.rejects(
    runImporter(importer, [obj], tmp.dir),
    /expected a JSON list of records, got an object/,
  );
  const empty = join(tmp.dir, 'emptylist.json');
  await writeText(empty, '[]');
  await assert.rejects(runImporter(importer, [empty], tmp.dir), /list is empty/);
  await assert.rejects(runImporter(importer, [], tmp.dir), /exactly one input/);
});
