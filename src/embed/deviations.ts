/**
 * How the images were prepared, where that departs from the reference configs: a fact about the
 * run's stores (their recorded preprocessing), stated by every stage that scores them.
 */
import { deviation, deviationsThatHold } from '../core/deviations.js';
import type { Preprocess } from '../core/types.js';

interface Context {
  model: string;
  preprocess?: Preprocess;
}

export const PREPROCESS_DEVIATIONS = {
  centerCrop: deviation<Context>(
    'preprocess.center-crop',
    (c) => c.preprocess !== undefined && c.preprocess.crop !== null,
    (c) =>
      `${c.model}: test images are resized (${c.preprocess?.resizeMode === 'squash' ? 'squashed to' : 'shorter side'} ${c.preprocess?.resize}) and center-cropped to ${c.preprocess?.crop}×${c.preprocess?.crop} (deterministic); the reference configs use RandomCrop 224 at test time for CC, Dollar Street and the UTK/CC queries (protocols.md 9.3).`,
  ),
};

/** The preprocessing deviations of one model's store, if it records its preprocessing. */
export function preprocessDeviations(model: string, preprocess: Preprocess | undefined): string[] {
  return deviationsThatHold(PREPROCESS_DEVIATIONS, {
    model,
    ...(preprocess === undefined ? {} : { preprocess }),
  });
}
