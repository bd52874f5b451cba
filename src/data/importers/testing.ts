/**
 * Helpers for the importer tests: temporary folders, tiny real images made with sharp, and running
 * an importer the way the CLI does. Not used by the importers themselves.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { Importer, ImportResult } from './types.js';

/** A fresh temporary folder; `cleanup` removes it. */
export async function tempDir(
  prefix = 'fairscope-import-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a text file, creating its folder. */
export async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** Writes a (height, width) mid-grey image; the format follows the extension (jpg, png, webp). */
export async function writeImage(path: string, width: number, height: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } }).toFile(
    path,
  );
}

/** Runs an importer with the manifest's folder as outDir. */
export function runImporter(
  importer: Importer,
  inputs: string[],
  outDir: string,
  options: Record<string, string | boolean | undefined> = {},
): Promise<ImportResult> {
  return importer.import({ inputs, outDir, options });
}
