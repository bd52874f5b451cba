/**
 * Writing files and folders so that a reader (or a run resumed after a crash, even `kill -9` or a
 * power cut) sees the old content or the new, never a part: the new content goes to a temporary
 * name beside the target, is flushed to disk (fsync), and is renamed over the target; the folder is
 * flushed too, so the rename itself survives. A failure removes the temporary file; a target that
 * is a folder where a file is expected is an error saying so, with nothing left behind.
 */
import { randomBytes } from 'node:crypto';
import { type Dirent, existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';

export interface AtomicWriteOptions {
  /** fsync the file and its folder (default true); false for throwaway files written in bulk. */
  durable?: boolean;
}

/** A temporary name beside `path`, unique to this process and call. */
function tempName(path: string, tag: string): string {
  return `${path}.${tag}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** fsync of a folder, so that a rename or a new entry in it survives a crash (not on Windows). */
export async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** An InputError when `path` exists and is a folder (a file is to be written there). */
async function refuseFolder(path: string): Promise<void> {
  const st = await stat(path).catch(() => null);
  if (st?.isDirectory()) throw new InputError(path, 'is a folder, but a file is to be written here');
}

/** Writes `data` to `path` atomically (and durably unless told otherwise), creating its folder. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const durable = opts.durable ?? true;
  await refuseFolder(path);
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempName(path, 'tmp');
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') await refuseFolder(path);
    throw err;
  }
  if (durable) await syncFolder(dirname(path));
}

/** fsync of every file in a folder (not recursive: the folders written here are flat). */
async function syncFiles(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const handle = await open(join(dir, entry.name), 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/**
 * Writes a folder atomically: `fill` writes the files into an empty temporary folder beside `dir`,
 * which is flushed and then swapped in for `dir` (the old one renamed aside, the new one renamed
 * in, the old one removed). A crash between the two renames leaves the complete new folder under
 * its temporary name and the old one aside: recoverFolder(dir) puts the new one in place.
 */
export async function writeFolderAtomic(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const tmp = tempName(dir, 'new');
  const old = tempName(dir, 'old');
  try {
    await mkdir(tmp);
    await fill(tmp);
    await syncFiles(tmp);
    await syncFolder(tmp);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  // The new folder is complete on disk: renamed from ".new-" to ".ready-" to say so (recoverFolder).
  const ready = tempName(dir, 'ready');
  await rename(tmp, ready);
  if (existsSync(dir)) await rename(dir, old);
  await rename(ready, dir);
  await syncFolder(dirname(dir));
  await rm(old, { recursive: true, force: true });
}

/**
 * Completes a writeFolderAtomic that a crash interrupted, and removes what it left behind: when
 * `dir` is missing and a complete new copy (".ready-") is there, it becomes `dir`; unfinished
 * copies (".new-") and old ones (".old-") are removed. Call it before reading `dir`.
 */
export async function recoverFolder(dir: string): Promise<void> {
  const parent = dirname(dir);
  const name = basename(dir);
  let entries: Dirent[];
  try {
    entries = await readdir(parent, { withFileTypes: true });
  } catch {
    return;
  }
  const mine = entries.filter(
    (e) =>
      e.isDirectory() &&
      /^\.(new|old|ready)-\d+-[0-9a-f]+$/.test(e.name.slice(name.length)) &&
      e.name.startsWith(name),
  );
  const ready = mine.filter((e) => e.name.startsWith(`${name}.ready-`));
  if (!existsSync(dir) && ready.length > 0) {
    await rename(join(parent, (ready[0] as Dirent).name), dir);
    await syncFolder(parent);
  }
  for (const e of mine) {
    const path = join(parent, e.name);
    if (existsSync(path)) await rm(path, { recursive: true, force: true });
  }
}
