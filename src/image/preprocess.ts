/**
 * The one interpreter of `Preprocess` (src/core/types.ts): decode -> bbox crop -> ROI rule ->
 * resize -> center crop -> scale, mean/std -> channel order -> layout.
 *
 * Each geometric step reproduces PIL/torchvision exactly on 8-bit RGB (see resize.ts, crop.ts), so
 * the tensor equals torchvision's `Compose([Resize, CenterCrop, ToTensor, Normalize])` on
 * `Image.open(path).convert('RGB')` (EXIF orientation ignored unless `exifOrientation: 'apply'`, decode.ts).
 */
import { FairscopeError } from '../core/errors.js';
import { stableHash } from '../core/hash.js';
import type { BBox, Preprocess, RoiRule } from '../core/types.js';
import { applyRoi, centerCrop, cropBox, roundHalfEven } from './crop.js';
import { resizedSize, resizeImage } from './resize.js';
import type { RgbImage } from './rgb.js';
import { normalisationTable, writeTensor } from './tensor.js';

/** An item that could not be turned into a tensor: recorded and excluded, never replaced. */
export interface ImageFailure {
  id: string;
  reason: string;
}

/** What the pipeline needs of a manifest item, with its source already resolved to a path. */
export interface ImageTask {
  id: string;
  /** Absolute path of the image file. */
  path: string;
  bbox?: BBox;
  roi?: RoiRule;
}

/** Cache-key hash of a preprocessing configuration (stableHash of its canonical JSON). */
export function preprocessHash(pp: Preprocess): string {
  return stableHash(pp);
}

/**
 * Checks a Preprocess and returns the per-image tensor shape: [3, h, w] for 'nchw', [h, w, 3] for
 * 'nhwc'. Images of one batch must share a shape, so a 'shorter' resize needs a center crop.
 */
export function tensorShape(pp: Preprocess): [number, number, number] {
  const bad = (detail: string): never => {
    throw new FairscopeError(`invalid preprocess ${JSON.stringify(pp)}: ${detail}`);
  };
  if (!Number.isInteger(pp.resize) || pp.resize <= 0) bad('resize must be a positive integer');
  if (pp.crop !== null && (!Number.isInteger(pp.crop) || pp.crop <= 0)) {
    bad('crop must be a positive integer or null');
  }
  if (!['shorter', 'squash'].includes(pp.resizeMode)) bad('resizeMode must be shorter or squash');
  if (!['nearest', 'bilinear', 'bicubic'].includes(pp.interpolation)) {
    bad('interpolation must be nearest, bilinear or bicubic');
  }
  if (!['rgb', 'bgr'].includes(pp.channels)) bad('channels must be rgb or bgr');
  if (!['nchw', 'nhwc'].includes(pp.layout)) bad('layout must be nchw or nhwc');
  if (!(Number.isFinite(pp.scale) && pp.scale > 0)) bad('scale must be a positive number');
  if (pp.mean.length !== 3 || pp.std.length !== 3 || pp.std.some((s) => !(s > 0))) {
    bad('mean and std need 3 values, std > 0');
  }
  let side: number;
  if (pp.crop !== null) side = pp.crop;
  else if (pp.resizeMode === 'squash') side = pp.resize;
  else return bad("a 'shorter' resize without a crop gives images of different sizes; set crop");
  return pp.layout === 'nchw' ? [3, side, side] : [side, side, 3];
}

/** The geometric steps on decoded pixels: bbox crop, ROI rule, resize, center crop. */
export function prepareImage(img: RgbImage, pp: Preprocess, box?: { bbox?: BBox; roi?: RoiRule }): RgbImage {
  let out = img;
  if (box?.bbox !== undefined) {
    out = cropBox(out, box.bbox);
    out = applyRoi(out, box.roi ?? 'none');
  }
  const size = resizedSize(out.width, out.height, pp);
  const crop = pp.crop;
  if (crop !== null && crop <= size.width && crop <= size.height) {
    // Resize only the window the center crop keeps: same pixels, less work.
    const top = roundHalfEven((size.height - crop) / 2);
    const left = roundHalfEven((size.width - crop) / 2);
    return resizeImage(out, size.width, size.height, pp.interpolation, {
      left,
      top,
      width: crop,
      height: crop,
    });
  }
  out = resizeImage(out, size.width, size.height, pp.interpolation);
  return crop === null ? out : centerCrop(out, crop);
}

/** Applies one Preprocess to many images; caches the normalisation table. */
export class Preprocessor {
  readonly shape: [number, number, number];
  readonly size: number;
  private readonly table: Float32Array;

  constructor(readonly pp: Preprocess) {
    this.shape = tensorShape(pp);
    this.size = this.shape[0] * this.shape[1] * this.shape[2];
    this.table = normalisationTable(pp);
  }

  /**
   * Pixels -> tensor.
   * @returns (3, h, w) or (h, w, 3) float32, written into `out` at `offset` when given
   */
  fromPixels(
    img: RgbImage,
    box?: { bbox?: BBox; roi?: RoiRule },
    out = new Float32Array(this.size),
    offset = 0,
  ): Float32Array {
    const ready = prepareImage(img, this.pp, box);
    writeTensor(ready, this.pp, this.table, out, offset);
    return out;
  }
}

/** True when a pipeline result is a failure record rather than a tensor. */
export function isFailure(r: Float32Array | ImageFailure): r is ImageFailure {
  return !(r instanceof Float32Array);
}
