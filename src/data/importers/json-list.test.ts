import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../core/errors.js';
import { jsonSyntaxErrorOffset, readJsonList, stringField, topLevelElementLines } from './json-list.js';
import { tempDir, writeText } from './testing.js';

const tmp = await tempDir();
after(tmp.cleanup);

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(tmp.dir, name);
  await writeText(path, text);
  return path;
}

function inputError(file: string, message: RegExp, where: { line?: number; field?: string } = {}) {
  return (err: unknown) => {
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.file, file);
    assert.match(err.message, message);
    if ('line' in where) assert.equal(err.line, where.line);
    if ('field' in where) assert.equal(err.field, where.field);
    return true;
  };
}

test('topLevelElementLines finds where each element starts, ignoring brackets in strings and nesting', () => {
  const text = '[\n  {"a": "x]\\"{,"},\n  {"b": [1,\n 2]}, 3,\n\n  "s"\n]';
  // element 0 on line 2, element 1 on line 3, 3 on line 4, "s" on line 6
  assert.deepEqual(topLevelElementLines(text), [2, 3, 4, 6]);
  assert.deepEqual(topLevelElementLines('[{"a":1},{"a":2}]'), [1, 1]);
  assert.deepEqual(topLevelElementLines('[ ]'), []);
});

test('jsonSyntaxErrorOffset points at the first invalid character', () => {
  assert.equal(jsonSyntaxErrorOffset('[{"a": 1}, {"b": [true, null, -1.5e3, "x\\u00e9"]}]'), -1);
  assert.equal(jsonSyntaxErrorOffset('[{"a": }]'), 7);
  assert.equal(jsonSyntaxErrorOffset('[1, 2,]'), 6);
  assert.equal(jsonSyntaxErrorOffset('{"a" 1}'), 5);
  assert.equal(jsonSyntaxErrorOffset('[01]'), 2);
  assert.equal(jsonSyntaxErrorOffset('["a\\q"]'), 3);
  assert.equal(jsonSyntaxErrorOffset('[1] x'), 4);
  assert.equal(jsonSyntaxErrorOffset('[1'), 2);
});

test('readJsonList returns records with their lines', async () => {
  const f = await fileWith('ok.json', '[\n{"a": 1},\n\n{"a": "2"}\n]\n');
  const recs = await readJsonList(f);
  assert.deepEqual(
    recs.map((r) => [r.index, r.line, r.value]),
    [
      [0, 2, { a: 1 }],
      [1, 4, { a: '2' }],
    ],
  );
  assert.equal(stringField(recs[0], 'a'), '1');
  assert.equal(stringField(recs[1], 'a'), '2');
  assert.throws(() => stringField(recs[1], 'b'), inputError(f, /has no "b"/, { line: 4, field: 'b' }));
});

test('readJsonList: clear errors for missing, empty, invalid, non-list, empty-list and non-object inputs', async () => {
  const missing = join(tmp.dir, 'none.json');
  await assert.rejects(readJsonList(missing), inputError(missing, /no such file/));
  const empty = await fileWith('empty.json', '  \n');
  await assert.rejects(readJsonList(empty), inputError(empty, /empty/));
  const bad = await fileWith('bad.json', '[\n{"a": 1},\n{"a": }\n]');
  await assert.rejects(readJsonList(bad), inputError(bad, /invalid JSON/, { line: 3 }));
  const obj = await fileWith('obj.json', '{"records": []}');
  await assert.rejects(readJsonList(obj), inputError(obj, /expected a JSON list of records, got an object/));
  const none = await fileWith('none-list.json', '[]');
  await assert.rejects(readJsonList(none), inputError(none, /list is empty/));
  const nonObj = await fileWith('nonobj.json', '[\n{"a": 1},\n"x"\n]');
  await assert.rejects(
    readJsonList(nonObj),
    inputError(nonObj, /record 1 must be a JSON object, got a string/, { line: 3 }),
  );
  await assert.rejects(readJsonList(tmp.dir), inputError(tmp.dir, /folder/));
});

test('stringField rejects wrong types naming the field', async () => {
  const f = await fileWith('types.json', '[{"a": true, "b": "", "c": null}]');
  const [rec] = await readJsonList(f);
  assert.throws(
    () => stringField(rec, 'a'),
    inputError(f, /non-empty string, got true/, { line: 1, field: 'a' }),
  );
  assert.throws(() => stringField(rec, 'b'), inputError(f, /got ""/, { field: 'b' }));
  assert.throws(() => stringField(rec, 'c'), inputError(f, /got null/, { field: 'c' }));
});
