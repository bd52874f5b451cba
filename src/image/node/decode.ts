/**
 * Decoding with sharp (libvips): any format sharp reads (JPEG, PNG, WebP, GIF, TIFF, AVIF, SVG...).
 *
 * What matches torchvision's loader (`Image.open(f).convert('RGB')`) and what does not:
 * - Alpha is dropped, not composited: PIL's convert('RGB') discards the alpha band of RGBA/LA
 *   images, keeping the stored colour values; we do the same (`removeAlpha`).
 * - Grey images are replicated to three channels; palette images are expanded (as PIL).
 * - Embedded ICC profiles are ignored (PIL ignores them too); sharp would otherwise convert to sRGB.
 * - EXIF orientation is ignored by default: the stored pixel grid, as PIL/torchvision read it and as
 *   bounding boxes (MIAP) are defined on. `applyExifOrientation` rotates as a viewer shows it.
 * - CMYK JPEGs are converted by libvips with a generic CMYK profile; PIL uses a naive formula, so
 *   such (rare) images differ.
 * - Truncated or corrupt pixel data is an error (`failOn: 'error'`), as PIL raises on truncated
 *   files; libjpeg warnings PIL ignores are ignored here too.
 *
 * What could hang or exhaust memory is refused with the reason, as any undecodable image is (the
 * caller records it as a failure, never a replacement):
 * - a source that is not a regular file (a FIFO would block the read until something writes to
 *   it, a device such as /dev/zero never ends): it is opened without blocking and checked first;
 * - an image that declares more pixels than the decode pixel limit (read from its header before
 *   any pixel is decoded): a small file can declare 16000 x 16000 pixels, which decode to 0.8-1 GB
 *   each. The limit (decodePixelLimit) shares a quarter of the machine's memory between the
 *   decodes that can run at once (the pool passes its workers x tasks per worker).
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import sharp from 'sharp';
import type { RgbImage } from '../rgb.js';

export interface DecodeOptions {
  /** Rotate/flip by the EXIF orientation tag (default false: the stored grid, as PIL). */
  applyExifOrientation?: boolean;
  /** Largest width x height decoded (default: decodePixelLimit(availableParallelism())). */
  maxPixels?: number;
}

/** Peak bytes per pixel of one decode: the decoded raster (up to RGBA) and the RGB copy returned. */
const BYTES_PER_PIXEL = 8;
/** The share of the machine's memory that all concurrent decodes may take together. */
const MEMORY_SHARE = 0.25;
/** The limit never exceeds 2^27 pixels (134 Mpx, e.g. 11585 x 11585; larger than any photo dataset's). */
const MAX_PIXELS = 2 ** 27;

/** The memory this process may use: the machine's, or its cgroup limit when lower. */
export function availableMemory(): number {
  const total = totalmem();
  const constrained = process.constrainedMemory?.() ?? 0;
  return constrained > 0 && constrained < total ? constrained : total;
}

/**
 * The most pixels one image may declare when `concurrent` images are decoded at once in `memory`
 * bytes: MEMORY_SHARE of the memory split between them at BYTES_PER_PIXEL, at most MAX_PIXELS.
 * (24 GiB and 4 decodes: 134 Mpx; 8 GiB and 4: 67 Mpx; 128 GiB and 32: 134 Mpx.)
 */
export function decodePixelLimit(concurrent: number, memory: number = availableMemory()): number {
  const share = (memory * MEMORY_SHARE) / (Math.max(1, concurrent) * BYTES_PER_PIXEL);
  return Math.max(1, Math.min(MAX_PIXELS, Math.floor(share)));
}

/** Megapixels in words: '256.0 Mpx'. */
function megapixels(n: number): string {
  return `${(n / 1e6).toFixed(1)} Mpx`;
}

/** What a non-regular file is, for the reason. */
function fileKind(st: {
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
  isDirectory(): boolean;
}): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  return 'not a file';
}

/**
 * The bytes of an image file, refusing anything but a regular file without blocking on it (a FIFO
 * is opened non-blocking, then refused).
 */
async function readImageFile(path: string): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new Error(`not a regular file (${fileKind(st)}): an image source must be a file`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Decodes an image file (path) or encoded bytes to 8-bit RGB.
 * Throws on a missing, unreadable or undecodable input; the caller records the failure.
 */
export async function decodeImage(
  input: string | Uint8Array,
  options: DecodeOptions = {},
): Promise<RgbImage> {
  const autoOrient = options.applyExifOrientation === true;
  const bytes = typeof input === 'string' ? await readImageFile(input) : input;
  const maxPixels = options.maxPixels ?? decodePixelLimit(availableParallelism());
  const header = await sharp(bytes, { failOn: 'error', limitInputPixels: false }).metadata();
  const declared = (header.width ?? 0) * (header.height ?? 0);
  if (declared > maxPixels) {
    throw new Error(
      `declares ${header.width}x${header.height} = ${megapixels(declared)}, more than the decode limit of ${megapixels(maxPixels)} (a quarter of ${(availableMemory() / 2 ** 30).toFixed(0)} GiB of memory shared by the images decoded at once; not decoded)`,
    );
  }
  const { data, info } = await sharp(bytes, {
    failOn: 'error',
    ignoreIcc: true,
    autoOrient,
    limitInputPixels: maxPixels,
  })
    .removeAlpha()
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) {
    throw new Error(`decoded to ${info.channels} channels, expected 3 (RGB)`);
  }
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}
