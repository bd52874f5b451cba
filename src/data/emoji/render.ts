/**
 * Renders emoji art to square RGB PNGs. Every style goes through the same last step (flatten on white,
 * resize to size x size), so transparency is handled identically for PNG and SVG sources and no model
 * can tell styles apart by how their alpha channel was treated.
 */
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { renderAsync } from '@resvg/resvg-js';
import sharp from 'sharp';
import type { EmojiArt } from './sources.js';

/** Bump when the rendering changes, so cached images are rendered again (it is part of the folder hash). */
export const RENDER_VERSION = 1;

/** Background that transparent pixels are flattened onto. */
export const BACKGROUND = '#ffffff';

/**
 * Renders one drawing.
 * @returns PNG bytes of a (size, size, 3) RGB image
 */
export async function renderEmoji(art: EmojiArt, size: number): Promise<Buffer> {
  let input: Buffer | string = art.path;
  if (art.format === 'svg') {
    const svg = await readFile(art.path);
    // Rendered at the target width with alpha kept; flattening happens below, as for PNG sources.
    const image = await renderAsync(svg, {
      fitTo: { mode: 'width', value: size },
      font: { loadSystemFonts: false },
    });
    input = image.asPng();
  }
  return sharp(input)
    .flatten({ background: BACKGROUND })
    .resize(size, size, { fit: 'contain', background: BACKGROUND, kernel: 'lanczos3' })
    .removeAlpha()
    .png()
    .toBuffer();
}

/** Width and height from a PNG's IHDR chunk, or null when the file is missing or not a PNG. */
export async function pngSize(path: string): Promise<{ width: number; height: number } | null> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const header = Buffer.alloc(24);
    const { bytesRead } = await handle.read(header, 0, 24, 0);
    // 8-byte signature, then the IHDR chunk: length (4), type (4), width (4), height (4).
    if (
      bytesRead < 24 ||
      header.readUInt32BE(0) !== 0x89504e47 ||
      header.toString('latin1', 12, 16) !== 'IHDR'
    ) {
      return null;
    }
    return { width: header.readUInt32BE(16), height: header.readUInt32BE(20) };
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}

/** Writes a file atomically (temporary name, then rename), so a crash never leaves a partial image. */
export async function writeAtomic(path: string, data: Buffer): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * Renders art to `path` unless a PNG of the right size is already there.
 * @returns whether it rendered (false: reused)
 */
export async function renderIfMissing(art: EmojiArt, size: number, path: string): Promise<boolean> {
  const existing = await pngSize(path);
  if (existing && existing.width === size && existing.height === size) return false;
  await writeAtomic(path, await renderEmoji(art, size));
  return true;
}

/** Runs tasks with at most `concurrency` in flight; results in task order. */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
