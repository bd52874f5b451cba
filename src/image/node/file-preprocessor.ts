/** Preprocessing of image files: decode (node/decode.ts), then the pure Preprocessor steps. */

import type { Preprocess } from '../../core/types.js';
import { type ImageFailure, type ImageTask, Preprocessor } from '../preprocess.js';
import type { RgbImage } from '../rgb.js';
import { decodeImage } from './decode.js';

/** A Preprocessor that reads its images from files. */
export class FilePreprocessor extends Preprocessor {
  /**
   * @param maxPixels the decode pixel limit (decode.ts: decodePixelLimit); default: one decode per core
   */
  constructor(
    pp: Preprocess,
    readonly maxPixels?: number,
  ) {
    super(pp);
  }

  /**
   * Decodes and preprocesses one item.
   * @returns the tensor, or an ImageFailure naming why (missing file, undecodable, bad box)
   */
  async run(task: ImageTask): Promise<Float32Array | ImageFailure> {
    let img: RgbImage;
    try {
      img = await decodeImage(task.path, {
        applyExifOrientation: this.pp.exifOrientation === 'apply',
        ...(this.maxPixels === undefined ? {} : { maxPixels: this.maxPixels }),
      });
    } catch (err) {
      return { id: task.id, reason: describeError(err, task.path) };
    }
    try {
      return this.fromPixels(img, task);
    } catch (err) {
      return { id: task.id, reason: (err as Error).message };
    }
  }
}

function describeError(err: unknown, path: string): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT' || /missing|no such file|does not exist/i.test(e.message ?? '')) {
    return `file not found: ${path}`;
  }
  return `cannot decode ${path}: ${e.message ?? String(err)}`;
}
