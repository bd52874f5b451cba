import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../core/errors.js';
import { clusterOf } from '../core/items.js';
import type { ManifestItem } from '../core/types.js';
import { IdIndex } from './id-index.js';
import { tempDir, writeText } from './importers/testing.js';
import { manifestItems, readManifest, resolveSource, validateManifest, writeManifest } from './manifest.js';

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

test('a manifest that starts with a UTF-8 byte order mark is read; CRLF line endings too', async () => {
  const path = join(tmp.dir, 'bom.jsonl');
  const lines = ['{"id":"a","source":"a.jpg"}', '{"id":"é","source":"b.jpg"}'];
  await writeFile(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n'))]));
  assert.deepEqual(
    (await readManifest(path)).map((it) => it.id),
    ['a', 'é'],
  );
});

test('bytes that are not UTF-8 are an error naming the file, line and field, never replaced', async () => {
  const path = join(tmp.dir, 'latin1.jsonl');
  const good = Buffer.from('{"id":"a","source":"a.jpg"}\n');
  // "café" in Latin-1: 0xe9 alone is not UTF-8.
  const bad = Buffer.concat([
    Buffer.from('{"id":"caf'),
    Buffer.from([0xe9]),
    Buffer.from('","source":"b.jpg"}\n'),
  ]);
  await writeFile(path, Buffer.concat([good, bad]));
  await assert.rejects(readManifest(path), (err: unknown) => {
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.file, path);
    assert.equal(err.line, 2);
    assert.equal(err.field, 'id');
    assert.match(err.message, /not UTF-8.*"caf\uFFFD"/);
    return true;
  });
  const inAttr = join(tmp.dir, 'latin1-attr.jsonl');
  await writeFile(
    inAttr,
    Buffer.concat([
      Buffer.from('{"id":"a","source":"a.jpg","attrs":{"region":"S'),
      Buffer.from([0xe3]),
      Buffer.from('o"}}\n'),
    ]),
  );
  await assert.rejects(
    readManifest(inAttr),
    (err: unknown) => err instanceof InputError && err.field === 'attrs.region',
  );
});

test('manifestItems streams the items in order; validateManifest counts them', async () => {
  const path = join(tmp.dir, 'stream.jsonl');
  await writeFile(
    path,
    Array.from({ length: 5000 }, (_, i) => `{"id":"i${i}","source":"${i}.jpg"}\n`).join(''),
  );
  let n = 0;
  for await (const item of manifestItems(path)) assert.equal(item.id, `i${n++}`);
  assert.equal(n, 5000);
  assert.equal(await validateManifest(path), 5000);
});

test('the id index stays exact when every id has the same hash', async () => {
  const lines = new Map<number, string>();
  const index = new IdIndex((_s, out) => out.fill(7), 4);
  const seen = async (id: string, line: number) => {
    lines.set(line, id);
    return index.firstLine(id, line, async (l) => lines.get(l) as string);
  };
  for (const [i, id] of ['a', 'b', 'c', 'd', 'e'].entries()) assert.equal(await seen(id, i + 1), 0);
  assert.equal(await seen('c', 6), 3);
  assert.equal(await seen('a', 7), 1);
  assert.equal(await seen('f', 8), 0);
});

test('a duplicate id far down a long manifest names both lines', async () => {
  const path = join(tmp.dir, 'dup-far.jsonl');
  const lines = Array.from({ length: 20000 }, (_, i) => `{"id":"i${i}","source":"${i}.jpg"}`);
  lines.push('{"id":"i12345","source":"x.jpg"}');
  await writeFile(path, `${lines.join('\n')}\n`);
  await assert.rejects(
    readManifest(path),
    /line 20001: field "id" duplicate id "i12345" \(first seen on line 12346\)/,
  );
});

test('resolveSource and clusterOf', () => {
  assert.equal(resolveSource('/data/set/m.jsonl', { source: 'img/a.jpg' }), '/data/set/img/a.jpg');
  assert.equal(resolveSource('/data/set/m.jsonl', { source: '/x/a.jpg' }), '/x/a.jpg');
  assert.equal(clusterOf({ id: 'a' }), 'a');
  assert.equal(clusterOf({ id: 'a', cluster: 'h' }), 'h');
});
