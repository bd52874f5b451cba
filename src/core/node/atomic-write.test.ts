/**
 * Atomic writes of files and folders: nothing half-written is ever visible, a folder where a file
 * goes is a clear error with nothing left behind, and a folder swap cut short by a crash is
 * completed by recoverFolder.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../errors.js';
import { recoverFolder, writeFileAtomic, writeFolderAtomic } from './atomic-write.js';

const root = await mkdtemp(join(tmpdir(), 'fairscope-atomic-'));
after(() => rm(root, { recursive: true, force: true }));
let n = 0;
const fresh = async () => {
  const dir = join(root, `t${n++}`);
  await mkdir(dir);
  return dir;
};

test('writeFileAtomic writes and replaces a file, creating its folder, leaving no temporary file', async () => {
  const dir = await fresh();
  const path = join(dir, 'sub', 'a.json');
  await writeFileAtomic(path, 'one');
  await writeFileAtomic(path, new TextEncoder().encode('two'));
  assert.equal(await readFile(path, 'utf8'), 'two');
  assert.deepEqual(await readdir(join(dir, 'sub')), ['a.json']);
});

test('a folder where the file goes is an InputError naming it; nothing is left behind', async () => {
  const dir = await fresh();
  const target = join(dir, 'out');
  await mkdir(target);
  await writeFile(join(target, 'keep.txt'), 'k');
  await assert.rejects(writeFileAtomic(target, 'x'), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.equal(err.file, target);
    assert.match(err.message, /is a folder, but a file is to be written here/);
    return true;
  });
  assert.deepEqual(await readdir(dir), ['out']);
  assert.deepEqual(await readdir(target), ['keep.txt']);
});

test('writeFolderAtomic swaps a complete folder in; a failing fill keeps the old one', async () => {
  const dir = await fresh();
  const target = join(dir, 'model');
  await writeFolderAtomic(target, (tmp) => writeFile(join(tmp, 'w.bin'), 'v1'));
  await writeFolderAtomic(target, (tmp) => writeFile(join(tmp, 'w.bin'), 'v2'));
  assert.equal(await readFile(join(target, 'w.bin'), 'utf8'), 'v2');
  await assert.rejects(
    writeFolderAtomic(target, async (tmp) => {
      await writeFile(join(tmp, 'w.bin'), 'half');
      throw new Error('disk full');
    }),
    /disk full/,
  );
  assert.equal(await readFile(join(target, 'w.bin'), 'utf8'), 'v2');
  assert.deepEqual(await readdir(dir), ['model']);
});

test('recoverFolder completes a swap cut short between its renames and removes leftovers', async () => {
  const dir = await fresh();
  const target = join(dir, 'checkpoint');
  // Crash after the old folder was renamed aside, before the new one was renamed in.
  await mkdir(join(dir, 'checkpoint.ready-123-abcdef'));
  await writeFile(join(dir, 'checkpoint.ready-123-abcdef', 'meta.json'), 'new');
  await mkdir(join(dir, 'checkpoint.old-123-abcdef'));
  await writeFile(join(dir, 'checkpoint.old-123-abcdef', 'meta.json'), 'old');
  await mkdir(join(dir, 'checkpoint-other'));
  await recoverFolder(target);
  assert.equal(await readFile(join(target, 'meta.json'), 'utf8'), 'new');
  assert.deepEqual((await readdir(dir)).sort(), ['checkpoint', 'checkpoint-other']);
  // Crash while a new copy was being written: the current folder stays, the copy goes.
  await mkdir(join(dir, 'checkpoint.new-9-0a0a0a'));
  await recoverFolder(target);
  assert.equal(await readFile(join(target, 'meta.json'), 'utf8'), 'new');
  assert.deepEqual((await readdir(dir)).sort(), ['checkpoint', 'checkpoint-other']);
});
