/**
 * The training views' augmentation as a configuration choice. Every field defaults to the papers'
 * recipe (SwAV/SimCLR: colour jitter of strength 1 with probability 0.8, grayscale 0.2, blur 0.5,
 * the method's RandomResizedCrop scales), so a config without `augment` trains as before. Small
 * drawings may need less: on 822 emoji at 32 px the full recipe leaves two views of one image too
 * unlike for SwAV to predict one from the other, and it settles at uniform predictions
 * (bench/notes/paradigms.md).
 */
import { type ColorAugment, type CropGroup, SWAV_COLOR } from '../image/augment/multi-crop.js';

export interface AugmentConfig {
  /**
   * Colour jitter strength s (SimCLR's): brightness, contrast and saturation 0.8·s, hue 0.2·s,
   * applied with probability 0.8. Default 1 (SwAV); 0 turns jitter off.
   */
  colorStrength?: number;
  /** Probability of Gaussian blur. Default 0.5 (SwAV). */
  blur?: number;
  /** Probability of grayscale. Default 0.2 (SwAV). */
  grayscale?: number;
  /**
   * Smallest area fraction of the high-resolution crops (RandomResizedCrop scale [minScale, 1]).
   * Default: the method's (SwAV/DINO 0.14, the others 0.08). Low-resolution crops keep theirs.
   */
  minScale?: number;
}

/** The photometric augmentation of a config (SWAV_COLOR's values where a field is absent). */
export function colorAugmentOf(augment: AugmentConfig | undefined): ColorAugment {
  const s = augment?.colorStrength ?? 1;
  const [b, c, sat, h] = SWAV_COLOR.jitter;
  return {
    ...SWAV_COLOR,
    jitter: [b * s, c * s, sat * s, h * s],
    grayscaleProbability: augment?.grayscale ?? SWAV_COLOR.grayscaleProbability,
    blurProbability: augment?.blur ?? SWAV_COLOR.blurProbability,
    blurSigma: [...SWAV_COLOR.blurSigma],
  };
}

/**
 * The method's crop groups with `minScale` as the lower scale of the first group (the
 * high-resolution crops: SwAV/DINO's global crops, the two views, or the supervised crop).
 */
export function cropsOf(crops: readonly CropGroup[], augment: AugmentConfig | undefined): CropGroup[] {
  return crops.map((g, i) =>
    i === 0 && augment?.minScale !== undefined
      ? { ...g, scale: [augment.minScale, g.scale[1]] }
      : { ...g, scale: [g.scale[0], g.scale[1]] },
  );
}

/**
 * Problems with an augment config (empty when valid): probabilities in [0, 1], a strength >= 0, a
 * min scale in (0, 1].
 */
export function augmentProblems(augment: AugmentConfig): { field: keyof AugmentConfig; rule: string }[] {
  const out: { field: keyof AugmentConfig; rule: string }[] = [];
  const check = (field: keyof AugmentConfig, ok: (x: number) => boolean, rule: string) => {
    const x = augment[field];
    if (x !== undefined && !(Number.isFinite(x) && ok(x))) out.push({ field, rule });
  };
  check('colorStrength', (x) => x >= 0, 'must be a number >= 0');
  check('blur', (x) => x >= 0 && x <= 1, 'must be a probability in [0, 1]');
  check('grayscale', (x) => x >= 0 && x <= 1, 'must be a probability in [0, 1]');
  check('minScale', (x) => x > 0 && x <= 1, 'must be in (0, 1]');
  return out;
}
