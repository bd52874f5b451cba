import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../core/errors.js';
import { loadFixture } from '../testing.js';
import { readImagesList } from './images-list.js';

const fixtureFile = (name: string) =>
  fileURLToPath(new URL(`../../../test/fixtures/indicators/${name}`, import.meta.url));
// Both .npy files are the fixture's overlapped-images list as np.save writes it (tools/vissl_reference.py).
const expected = loadFixture<{ inputs: { overlappedImagePaths: string[] } }>('vissl-geographic.json').inputs
  .overlappedImagePaths;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fairscope-images-list-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('reads vissl’s .npy list (np.save of str: <U) and a bytes array (|S)', async () => {
  assert.deepEqual((await readImagesList(fixtureFile('vissl-overlapped-images.npy'))).ids, expected);
  assert.deepEqual((await readImagesList(fixtureFile('vissl-overlapped-images-bytes.npy'))).ids, expected);
});

test('reads a text list, one entry a line, skipping blanks and # comments', async () => {
  const file = join(dir, 'list.txt');
  await writeFile(file, `# overlapped\n${expected.slice(0, 3).join('\n')}\n\n  img-id-7  \n`);
  assert.deepEqual(await readImagesList(file), { ids: [...expected.slice(0, 3), 'img-id-7'], file });
});

test('refuses an empty list, a float array and a missing file, naming the file', async () => {
  const empty = join(dir, 'empty.txt');
  await writeFile(empty, '# nothing\n\n');
  await assert.rejects(
    readImagesList(empty),
    (e: unknown) => e instanceof InputError && /empty/.test(String(e)),
  );
  const floats = join(dir, 'floats.npy');
  const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  const padded = `${header.padEnd(118, ' ')}\n`;
  const buf = Buffer.concat([
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]),
    Buffer.from([padded.length & 0xff, padded.length >> 8]),
    Buffer.from(padded, 'latin1'),
    Buffer.alloc(8),
  ]);
  await writeFile(floats, buf);
  await assert.rejects(readImagesList(floats), /floats\.npy.*dtype <f4 is not a string dtype/);
  await assert.rejects(readImagesList(join(dir, 'absent.npy')), (e: unknown) => e instanceof InputError);
});
