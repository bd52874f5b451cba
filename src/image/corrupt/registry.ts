/**
 * The corruption catalogue: the 15 ImageNet-C corruptions and the 4 held out ones (Hendrycks &
 * Dietterich, "Benchmarking Neural Network Robustness to Common Corruptions and Perturbations",
 * ICLR 2019, arXiv:1903.12261), 5 severities each, with the reference's parameters. Every
 * corruption is seeded and deterministic: the same image, severity and seed give the same pixels.
 */
import { Rng } from '../../core/rng.js';
import { gaussianBlur } from './blur.js';
import { brightness, contrast, saturate } from './color.js';
import { defocusBlur } from './defocus.js';
import { elasticTransform } from './elastic.js';
import { checkSeverity, type Severity, unknownCorruptionError } from './errors.js';
import { fog } from './fog.js';
import { frost } from './frost.js';
import { glassBlur } from './glass.js';
import { checkImage, type FloatRgbImage, type PixelImage, resolutionScale, toFloatImage } from './image.js';
import { jpegCompression } from './jpeg.js';
import { motionBlur } from './motion.js';
import { gaussianNoise, impulseNoise, shotNoise, speckleNoise } from './noise.js';
import { pixelate } from './pixelate.js';
import { snow } from './snow.js';
import { spatter } from './spatter.js';
import { zoomBlur } from './zoom.js';

export type CorruptionFamily = 'noise' | 'blur' | 'weather' | 'digital';

/** What `fairscope corruptions` lists about a corruption. */
export interface CorruptionInfo {
  name: string;
  family: CorruptionFamily;
  /** One of the four corruptions held out of ImageNet-C's mCE (for validation). */
  heldOut: boolean;
  /** Whether the result depends on the seed. */
  random: boolean;
  /** Where fairscope departs from the reference, in plain words ('' when it does not). */
  deviation: string;
}

type Apply = (
  img: FloatRgbImage,
  severity: Severity,
  rng: Rng,
  scale: number,
) => FloatRgbImage | Promise<FloatRgbImage>;

interface CorruptionEntry extends CorruptionInfo {
  apply: Apply;
}

const entry = (
  name: string,
  family: CorruptionFamily,
  heldOut: boolean,
  random: boolean,
  apply: Apply,
  deviation = '',
): CorruptionEntry => Object.freeze({ name, family, heldOut, random, apply, deviation });

/** In the reference's order: the 15 of ImageNet-C, then the 4 held out. */
const ENTRIES = [
  entry('gaussian_noise', 'noise', false, true, (x, s, rng) => gaussianNoise(x, s, rng)),
  entry('shot_noise', 'noise', false, true, (x, s, rng) => shotNoise(x, s, rng)),
  entry('impulse_noise', 'noise', false, true, (x, s, rng) => impulseNoise(x, s, rng)),
  entry('defocus_blur', 'blur', false, false, (x, s, _rng, k) => defocusBlur(x, s, k)),
  entry(
    'glass_blur',
    'blur',
    false,
    true,
    (x, s, rng, k) => glassBlur(x, s, rng, k),
    'below 224 px the image is enlarged to the reference scale, corrupted, and reduced back',
  ),
  entry('motion_blur', 'blur', false, true, (x, s, rng, k) => motionBlur(x, s, rng, k)),
  entry('zoom_blur', 'blur', false, false, (x, s) => zoomBlur(x, s)),
  entry('snow', 'weather', false, true, (x, s, rng, k) => snow(x, s, rng, k)),
  entry(
    'frost',
    'weather',
    false,
    true,
    (x, s, rng, k) => frost(x, s, rng, k),
    'procedural frost texture instead of the reference photographs',
  ),
  entry('fog', 'weather', false, true, (x, s, rng) => fog(x, s, rng)),
  entry('brightness', 'digital', false, false, (x, s) => brightness(x, s)),
  entry('contrast', 'digital', false, false, (x, s) => contrast(x, s)),
  entry('elastic_transform', 'digital', false, true, (x, s, rng, k) => elasticTransform(x, s, rng, k)),
  entry('pixelate', 'digital', false, false, (x, s) => pixelate(x, s)),
  entry(
    'jpeg_compression',
    'digital',
    false,
    false,
    (x, s) => jpegCompression(x, s),
    'encoded by libvips (sharp), not PIL',
  ),
  entry('speckle_noise', 'noise', true, true, (x, s, rng) => speckleNoise(x, s, rng)),
  entry('gaussian_blur', 'blur', true, false, (x, s, _rng, k) => gaussianBlur(x, s, k)),
  entry(
    'spatter',
    'weather',
    true,
    true,
    (x, s, rng, k) => spatter(x, s, rng, k),
    'exact distance transform instead of OpenCV 5x5 chamfer',
  ),
  entry('saturate', 'digital', true, false, (x, s) => saturate(x, s)),
] as const;

export type CorruptionName = (typeof ENTRIES)[number]['name'];

const BY_NAME: ReadonlyMap<string, CorruptionEntry> = new Map(ENTRIES.map((e) => [e.name, e]));

/** All 19 corruption names in the reference's order. */
export const CORRUPTION_NAMES: readonly CorruptionName[] = Object.freeze(ENTRIES.map((e) => e.name));

/** The 15 corruptions of ImageNet-C's mCE. */
export const IMAGENET_C_CORRUPTIONS: readonly CorruptionName[] = Object.freeze(
  ENTRIES.filter((e) => !e.heldOut).map((e) => e.name),
);

/** Description of every corruption. */
export function corruptionCatalogue(): CorruptionInfo[] {
  return ENTRIES.map(({ name, family, heldOut, random, deviation }) => ({
    name,
    family,
    heldOut,
    random,
    deviation,
  }));
}

/** Whether `name` is a corruption. */
export function isCorruptionName(name: string): name is CorruptionName {
  return BY_NAME.has(name);
}

/** The catalogue entry of a name, or a RangeError listing the names. */
export function corruptionInfo(name: string): CorruptionInfo {
  const e = BY_NAME.get(name);
  if (e === undefined) throw unknownCorruptionError(name, CORRUPTION_NAMES);
  const { family, heldOut, random, deviation } = e;
  return { name, family, heldOut, random, deviation };
}

export interface CorruptOptions {
  /** Seed of every random choice of the corruption. */
  seed: number;
  /**
   * Factor applied to parameters in pixels; default min(width, height) / 224. Pass 1 to use the
   * reference's pixel values whatever the image size.
   */
  scale?: number;
}

/**
 * Corrupts one image.
 * @param image (height, width, 3) RGB, 8-bit or float, values 0..255; at least 8 x 8 px
 * @param severity 1..5
 * @returns a new (height, width, 3) float image with values in [0, 255]
 */
export async function corruptImage(
  image: PixelImage,
  name: string,
  severity: number,
  options: CorruptOptions,
): Promise<FloatRgbImage> {
  const e = BY_NAME.get(name);
  if (e === undefined) throw unknownCorruptionError(name, CORRUPTION_NAMES);
  const s = checkSeverity(name, severity);
  checkImage(image, name);
  const scale = options.scale ?? resolutionScale(image.width, image.height);
  if (!(scale > 0 && Number.isFinite(scale)))
    throw new RangeError(`${name}: scale must be a positive number, got ${scale}`);
  if (!Number.isInteger(options.seed))
    throw new RangeError(`${name}: seed must be an integer, got ${options.seed}`);
  return await e.apply(toFloatImage(image), s, new Rng(options.seed), scale);
}
