import { parseCommandArgs } from '../../cli/args.js';
import { runTraining, TRAIN_OPTIONS, TRAIN_USAGE } from '../train-options.js';

export const summary = 'supervised baseline: train a backbone + linear classifier on labelled images';

const USAGE = `
fairscope train-supervised --manifest M.jsonl --backbone NAME --out RUN_DIR [options]
  Every item needs a label (its first label is the class). Cross-entropy, same augmentation
  (RandomResizedCrop, flip, colour) and schedule as pretraining.
${TRAIN_USAGE}`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, TRAIN_OPTIONS, USAGE);
  if (args === null) return 0;
  await runTraining('supervised', args.values, {});
  return 0;
}
