import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../core/errors.js';
import type { ManifestItem } from '../core/types.js';
import { tempDir, writeText } from './importers/testing.js';
import { clusterOf, readManifest, resolveSource, writeManifest } from './manifest.js';

const tmp = await tempDir();
after(tmp.cleanup);
let fileCount = 0;

/** Writes `lines` as a manifest and reads it back (or rejects). */
async function readLines(lines: string[]): Promise<{ items: Promise<ManifestItem[]>; path: string }> {
  const path = join(tmp.dir, `m${fileCount++}.jsonl`);
  await writeText(path, `${lines.join('\n')}\n`);
  return { items: readManifest(path), path };
}

/** Asserts an InputError with this file, line and field. */
async function rejectsAt(
  lines: string[],
  where: { line?: number; field?: string },
  message: RegExp,
): Promise<void> {
  const { items, path } = await readLines(lines);
  await assert.rejects(items, (err: unknown) => {
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.file, path);
    assert.equal(err.line, where.line);
    assert.equal(err.field, where.field);
    assert.match(err.message, message);
    return true;
  });
}

test('readManifest reads valid lines, skips blank lines, defaults labels/attrs', async () => {
  const { items } = await readLines([
    '{"id":"a","source":"img/a.jpg","labels":["cat"],"attrs":{"gender":"female","age":31},"cluster":"s1"}',
    '',
    '{"id":"b","source":"/abs/b.png","bbox":[1,2,30,40],"roi":"miap-square"}',
  ]);
  assert.deepEqual(await items, [
    { id: 'a', source: 'img/a.jpg', labels: ['cat'], attrs: { gender: 'female', age: 31 }, cluster: 's1' },
    { id: 'b', source: '/abs/b.png', labels: [], attrs: {}, bbox: [1, 2, 30, 40], roi: 'miap-square' },
  ]);
});

test('writeManifest then readManifest round-trips', async () => {
  const items: ManifestItem[] = [
    {
      id: 'x/0',
      source: 'x.jpg',
      bbox: [0, 0, 100.5, 120],
      roi: 'miap-square',
      labels: [],
      attrs: { age: 'young' },
    },
    { id: 'y', source: 'y.jpg', labels: ['a', 'b'], attrs: { income: 90.5 }, cluster: 'h1' },
  ];
  const path = join(tmp.dir, 'sub', 'out.jsonl');
  await writeManifest(path, items);
  assert.deepEqual(await readManifest(path), items);
  assert.equal((await readFile(path, 'utf8')).split('\n').length, 3);
});

test('wrong types name the file, line and field', async () => {
  const ok = '{"id":"a","source":"a.jpg"}';
  await rejectsAt([ok, '{"id":7,"source":"b.jpg"}'], { line: 2, field: 'id' }, /non-empty string, got 7/);
  await rejectsAt(
    [ok, ok.replace('"a"', '"c"'), '{"id":"b","source":""}'],
    { line: 3, field: 'source' },
    /source/,
  );
  await rejectsAt(
    ['{"id":"a","source":"a.jpg","labels":"cat"}'],
    { line: 1, field: 'labels' },
    /array of strings/,
  );
  await rejectsAt(
    ['{"id":"a","source":"a.jpg","attrs":{"age":null}}'],
    { line: 1, field: 'attrs.age' },
    /finite/,
  );
  await rejectsAt(
    ['{"id":"a","source":"a.jpg","bbox":[0,0,10]}'],
    { line: 1, field: 'bbox' },
    /x1, y1, x2, y2/,
  );
  await rejectsAt(['{"id":"a","source":"a.jpg","bbox":[10,0,5,8]}'], { line: 1, field: 'bbox' }, /x2 > x1/);
  await rejectsAt(
    ['{"id":"a","source":"a.jpg","roi":"square"}'],
    { line: 1, field: 'roi' },
    /none, miap-square/,
  );
  await rejectsAt(
    ['{"id":"a","source":"a.jpg","cluster":3}'],
    { line: 1, field: 'cluster' },
    /non-empty string/,
  );
  await rejectsAt(
    ['{"id":"a","source":"a.jpg","colour":"red"}'],
    { line: 1, field: 'colour' },
    /unknown field/,
  );
  await rejectsAt(['[1,2]'], { line: 1, field: undefined }, /expected a JSON object, got an array/);
});

test('an empty manifest is an error', async () => {
  await rejectsAt(['', '   '], {}, /empty/);
});

test('duplicate ids are an error naming the second line and the first', async () => {
  await rejectsAt(
    ['{"id":"a","source":"a.jpg"}', '{"id":"b","source":"b.jpg"}', '{"id":"a","source":"c.jpg"}'],
    { line: 3, field: 'id' },
    /duplicate id "a" \(first seen on line 1\)/,
  );
});

test('invalid JSON names the line', async () => {
  await rejectsAt(['{"id":"a","source":"a.jpg"}', '{"id":"b",'], { line: 2 }, /invalid JSON/);
});

test('a missing manifest file is an InputError naming it', async () => {
  await assert.rejects(readManifest('/nonexistent/m.jsonl'), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.file, '/nonexistent/m.jsonl');
    return true;
  });
});

test('resolveSource and clusterOf', () => {
  assert.equal(resolveSource('/data/set/m.jsonl', { source: 'img/a.jpg' }), '/data/set/img/a.jpg');
  assert.equal(resolveSource('/data/set/m.jsonl', { source: '/x/a.jpg' }), '/x/a.jpg');
  assert.equal(clusterOf({ id: 'a' }), 'a');
  assert.equal(clusterOf({ id: 'a', cluster: 'h' }), 'h');
});
