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
 */
import sharp from 'sharp';
import type { RgbImage } from './rgb.js';

export interface DecodeOptions {
  /** Rotate/flip by the EXIF orientation tag (default false: the stored grid, as PIL). */
  applyExifOrientation?: boolean;
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
  const { data, info } = await sharp(input, { failOn: 'error', ignoreIcc: true, autoOrient })
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
