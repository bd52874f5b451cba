/** ImageNet-C corruptions on raw RGB pixels (see registry.ts for the catalogue, image.ts for scaling). */
export { SEVERITIES, type Severity } from './errors.js';
export {
  checkImage,
  type FloatRgbImage,
  MIN_SIDE,
  type PixelImage,
  REFERENCE_SIDE,
  resolutionScale,
  toFloatImage,
  toRgbImage,
} from './image.js';
export {
  CORRUPTION_NAMES,
  type CorruptionFamily,
  type CorruptionInfo,
  type CorruptionName,
  type CorruptOptions,
  corruptImage,
  corruptionCatalogue,
  corruptionInfo,
  IMAGENET_C_CORRUPTIONS,
  isCorruptionName,
} from './registry.js';
export { itemSeed } from './seed.js';
