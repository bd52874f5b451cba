import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError, UsageError } from '../../core/errors.js';
import { tempDir, writeImage, writeText } from '../../data/importers/testing.js';
import { readManifest } from '../../data/manifest.js';
import { runCli } from '../testing/run-cli.js';
import { run } from './import.js';

const tmp = await tempDir();
after(tmp.cleanup);

test('fairscope import utkface writes the manifest, the skipped records and a JSON summary', async () => {
  const root = join(tmp.dir, 'utk');
  for (const f of ['25_0_0_1.jpg', '31_1_1_2.jpg', '40_1_1_3.jpg', 'bad_name.jpg'])
    await writeImage(join(root, f), 4, 4);
  const out = join(tmp.dir, 'out', 'utk.jsonl');
  const r = await runCli('import', 'utkface', root, '--out', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.format, 'utkface');
  assert.equal(summary.manifest, out);
  assert.equal(summary.items, 3);
  assert.equal(summary.skipped, 1);
  assert.equal(summary.clusters, 3);
  assert.deepEqual(summary.attrs.gender, { kind: 'categorical', counts: { female: 2, male: 1 }, missing: 0 });
  assert.deepEqual(summary.attrs.race, { kind: 'categorical', counts: { black: 2, white: 1 }, missing: 0 });
  assert.deepEqual(summary.attrs.age, { kind: 'numeric', min: 25, max: 40, missing: 0 });
  const items = await readManifest(out);
  assert.deepEqual(
    items.map((it) => [it.id, it.source]),
    [
      ['25_0_0_1.jpg', '../utk/25_0_0_1.jpg'],
      ['31_1_1_2.jpg', '../utk/31_1_1_2.jpg'],
      ['40_1_1_3.jpg', '../utk/40_1_1_3.jpg'],
    ],
  );
  const skipped = (await readFile(`${out}.skipped.jsonl`, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(skipped.length, 1);
  assert.equal(skipped[0].file, join(root, 'bad_name.jpg'));
  assert.match(skipped[0].reason, /does not match/);
});

test('fairscope import --help lists every format with its options; text summary counts values', async () => {
  const help = await runCli('import', '--help');
  assert.equal(help.code, 0, help.stderr);
  for (const name of [
    'casual-conversations',
    'utkface',
    'miap',
    'dollar-street',
    'image-folder',
    'fairface',
    'fashion-mnist',
  ]) {
    assert.match(help.stdout, new RegExp(`^  ${name} `, 'm'));
  }
  assert.match(help.stdout, /--drop-unknown {2,}drop boxes/);
  assert.match(help.stdout, /--images VALUE/);

  const root = join(tmp.dir, 'classes');
  for (const f of ['cat/a.jpg', 'cat/b.jpg', 'dog/c.jpg']) await writeImage(join(root, f), 4, 4);
  const out = join(tmp.dir, 'classes.jsonl');
  const r = await runCli('import', 'image-folder', root, '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /items: 3/);
  assert.match(r.stdout, /labels \(2 distinct\): cat 2, dog 1/);
});

test('errors: missing format, unknown format, missing --out, unknown option, nothing imported', async () => {
  await assert.rejects(
    run([]),
    (err: unknown) =>
      err instanceof UsageError && /missing the format; formats are: casual-conversations/.test(err.message),
  );
  await assert.rejects(
    run(['celeba', 'x', '--out', 'y']),
    (err: unknown) => err instanceof UsageError && /unknown format "celeba"/.test(err.message),
  );
  await assert.rejects(
    run(['utkface', tmp.dir]),
    (err: unknown) => err instanceof UsageError && /--out/.test(err.message),
  );
  await assert.rejects(run(['utkface', tmp.dir, '--out', 'x.jsonl', '--images', 'y']), UsageError);
  const bad = join(tmp.dir, 'allbad');
  await writeImage(join(bad, 'nope.jpg'), 4, 4);
  const out = join(tmp.dir, 'allbad.jsonl');
  await assert.rejects(run(['utkface', bad, '--out', out]), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.match(
      err.message,
      /no items imported \(1 records skipped, listed in .*allbad\.jsonl\.skipped\.jsonl\)/,
    );
    assert.match(err.message, /nope\.jpg: file name does not match/);
    return true;
  });
  assert.equal((await readFile(`${out}.skipped.jsonl`, 'utf8')).trim().split('\n').length, 1);
  const r = await runCli('import', 'miap', join(tmp.dir, 'none.csv'), '--out', out);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /needs --images DIR/);
  const meta = join(tmp.dir, 'cc.json');
  await writeText(meta, '{"not": "a list"}');
  const r2 = await runCli('import', 'casual-conversations', meta, '--out', out);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /cc\.json: expected a JSON list of records, got an object/);
});
