/**
 * Agreement between a model's declared input and the preprocess that feeds it, checked once at load
 * (so a wrong layout or size fails before any image is decoded) and per batch.
 */
import { FairscopeError, InputError } from '../core/errors.js';
import type { ImageBatch, Preprocess } from '../core/types.js';

/** A model input's dims: a number when fixed, null when symbolic or unknown. */
export type Dims = (number | null)[];

/** The [height, width] of the images the preprocess produces, or null when it varies per image. */
export function preprocessSize(p: Preprocess): [number, number] | null {
  if (p.crop !== null) return [p.crop, p.crop];
  if (p.resizeMode === 'squash') return [p.resize, p.resize];
  return null;
}

function fmtDims(dims: Dims): string {
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function fmtPreprocess(p: Preprocess): string {
  const size = preprocessSize(p);
  const hw = size === null ? 'HxW varying' : `${size[0]}x${size[1]}`;
  return `${p.layout.toUpperCase()}, 3 channels, ${hw}`;
}

/**
 * Checks a 4-D image input against the preprocess. Throws an InputError naming the model file, the
 * input, its shape and what the preprocess gives.
 * @returns the batch size fixed in the graph, or null when the batch dimension is free.
 */
export function checkInputShape(dims: Dims, p: Preprocess, file: string, inputName: string): number | null {
  const fail = (why: string): never => {
    throw new InputError(
      file,
      `model input "${inputName}" has shape ${fmtDims(dims)} but the preprocess gives ${fmtPreprocess(p)}: ${why}`,
      { field: 'preprocess' },
    );
  };
  if (dims.length !== 4) fail(`fairscope feeds 4-D image batches, the input has rank ${dims.length}`);
  const [c, h, w] = p.layout === 'nchw' ? [dims[1], dims[2], dims[3]] : [dims[3], dims[1], dims[2]];
  if (c !== null && c !== 3) {
    const other = p.layout === 'nchw' ? dims[3] : dims[1];
    const hint =
      other === 3 ? `; it looks ${p.layout === 'nchw' ? 'NHWC' : 'NCHW'}: set preprocess.layout` : '';
    fail(`the model expects ${c} channels in the ${p.layout.toUpperCase()} channel position${hint}`);
  }
  const size = preprocessSize(p);
  if (size === null) {
    if (h !== null || w !== null) {
      fail(`the model needs ${h ?? '?'}x${w ?? '?'} images; set preprocess.crop (or resizeMode: squash)`);
    }
  } else if ((h !== null && h !== size[0]) || (w !== null && w !== size[1])) {
    fail(`the model needs ${h ?? '?'}x${w ?? '?'} images; set preprocess.crop (or resize) to match`);
  }
  const batch = dims[0];
  return batch === null || batch <= 0 ? null : batch;
}

/** Checks that a batch is laid out as the preprocess says; returns n. */
export function checkBatch(batch: ImageBatch, p: Preprocess, modelId: string): number {
  const [n, a, b, c] = batch.shape;
  const channels = p.layout === 'nchw' ? a : c;
  const [h, w] = p.layout === 'nchw' ? [b, c] : [a, b];
  const size = preprocessSize(p);
  const bad =
    channels !== 3 ||
    n !== batch.ids.length ||
    batch.data.length !== n * a * b * c ||
    (size !== null && (h !== size[0] || w !== size[1]));
  if (bad) {
    throw new FairscopeError(
      `${modelId}: batch of ${batch.ids.length} ids with shape [${batch.shape.join(', ')}] and ${batch.data.length} values does not match the model's preprocess (${fmtPreprocess(p)})`,
    );
  }
  return n;
}
