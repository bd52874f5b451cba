import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { testDir } from '../cli/testing/run-cli.js';
import { classListOfJson, readClassList } from './files.js';

test("a class list: text lines, a JSON list, or vissl's label-to-index map ordered by index", async () => {
  const dir = await testDir('fairscope-files-');
  await writeFile(join(dir, 'c.txt'), '# classes\nperson\n\ndog\n');
  assert.deepEqual(await readClassList(join(dir, 'c.txt')), ['person', 'dog']);
  await writeFile(join(dir, 'map.json'), JSON.stringify({ n04404412: 2, n02084071: 0, n00007846: 1 }));
  assert.deepEqual(await readClassList(join(dir, 'map.json')), ['n02084071', 'n00007846', 'n04404412']);
  assert.deepEqual(classListOfJson(['a', 'b'], 'x.json'), ['a', 'b']);
});

test('a label-to-index map must give each index 0..C-1 once', () => {
  assert.throws(
    () => classListOfJson({ a: 0, b: 0 }, 'm.json'),
    /m\.json: field "b" index 0 is given to "a" and "b"/,
  );
  assert.throws(() => classListOfJson({ a: 0, b: 2 }, 'm.json'), /field "b" index 2 is not in 0\.\.1/);
  assert.throws(() => classListOfJson('dog', 'm.json'), /a list of names or a \{name: index\} map/);
});
