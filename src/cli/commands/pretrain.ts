import { parseCommandArgs } from '../../cli/args.js';
import { UsageError } from '../../core/errors.js';
import type { Method } from '../../train/methods.js';
import { runTraining, TRAIN_OPTIONS, TRAIN_USAGE } from '../train-options.js';

export const summary = 'self-supervised pretraining (SwAV, SimCLR, BYOL, DINO, Barlow Twins) of a backbone';

const SSL = ['swav', 'simclr', 'byol', 'dino', 'barlow'] as const;

const USAGE = `
fairscope pretrain --method swav|simclr|byol|dino|barlow --manifest M.jsonl --backbone NAME --out RUN_DIR [options]
  --method NAME           ${SSL.join(' | ')}
  --prototypes K          SwAV prototypes / DINO outputs; default 100
  --local-crops V         SwAV/DINO low-resolution crops; default 2
${TRAIN_USAGE}`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      ...TRAIN_OPTIONS,
      method: { type: 'string' },
      prototypes: { type: 'string' },
      'local-crops': { type: 'string' },
    },
    USAGE,
  );
  if (args === null) return 0;
  const method = args.values.method;
  if (method === undefined || !(SSL as readonly string[]).includes(method))
    throw new UsageError(`--method must be one of ${SSL.join(', ')}, got ${JSON.stringify(method)}`);
  const extra: Record<string, number> = {};
  if (args.values.prototypes !== undefined) extra.prototypes = Number(args.values.prototypes);
  if (args.values['local-crops'] !== undefined) extra.localCrops = Number(args.values['local-crops']);
  for (const [k, v] of Object.entries(extra))
    if (!Number.isInteger(v) || v < (k === 'localCrops' ? 0 : 2))
      throw new UsageError(`--${k} must be an integer, got ${v}`);
  await runTraining(method as Method, args.values, extra);
  return 0;
}
