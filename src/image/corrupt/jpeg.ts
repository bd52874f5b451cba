/**
 * JPEG compression: encode at a low quality with sharp (libjpeg-turbo/mozjpeg in libvips, standard
 * quantisation tables, 4:2:0 chroma subsampling as PIL's default) and decode back. 8x8 blocks belong
 * to the pixel grid: nothing is scaled with resolution.
 */
import sharp from 'sharp';
import type { Severity } from './errors.js';
import { type FloatRgbImage, toRgbImage } from './image.js';

/** JPEG quality (reference: [25, 18, 15, 10, 7]). */
export const JPEG_QUALITY = [25, 18, 15, 10, 7] as const;

export async function jpegCompression(img: FloatRgbImage, severity: Severity): Promise<FloatRgbImage> {
  const quality = JPEG_QUALITY[severity - 1] as number;
  const rgb = toRgbImage(img);
  const raw = { width: img.width, height: img.height, channels: 3 as const };
  const encoded = await sharp(rgb.data, { raw })
    .jpeg({ quality, chromaSubsampling: '4:2:0', mozjpeg: false, quantisationTable: 0 })
    .toBuffer();
  const { data, info } = await sharp(encoded).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== img.width || info.height !== img.height || info.channels !== 3) {
    throw new Error(
      `jpeg_compression: decoded ${info.width}x${info.height}x${info.channels}, expected ${img.width}x${img.height}x3`,
    );
  }
  return { data: new Float32Array(data), width: img.width, height: img.height };
}
