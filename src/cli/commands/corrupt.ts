/** `fairscope corrupt`: write a corrupted copy of a manifest's images (one corruption, one severity). */
import { UsageError } from '../../core/errors.js';
import { readManifest } from '../../data/manifest.js';
import { CORRUPTION_NAMES, isCorruptionName } from '../../image/corrupt/index.js';
import { corruptDataset } from '../../image/node/corrupt-dataset.js';
import { parseCommandArgs, positiveInt, required } from '../args.js';
import { GUARD_OPTIONS, GUARD_USAGE, guardOutput } from '../out-guard.js';
import { startProgress } from '../progress.js';

export const summary = 'write a corrupted copy (ImageNet-C corruption and severity) of a manifest';

const USAGE = `
usage: fairscope corrupt --manifest M.jsonl --corruption NAME --severity 1..5 --out DIR [options]

  Decodes every image of the manifest, applies one corruption at one severity, and writes
  DIR/images/*.png and DIR/manifest.jsonl (same ids, labels and clusters; attrs.corruption and
  attrs.severity added). Each item's randomness comes from (seed, item id), so the output does not
  depend on the order of items. Images that cannot be decoded are listed in DIR/failures.jsonl and
  left out, never replaced. Parameters in pixels are scaled by min(width, height) / 224.
  Corruptions: fairscope corruptions.

options:
  --seed N          seed of the random corruptions (default 0)
  --resize N        resize the shorter side to N first (after any bbox crop; bilinear)
  --crop N          then centre-crop N x N (ImageNet-C: --resize 256 --crop 224); bbox/roi
                    are dropped from the output items when --resize is given
  --concurrency N   images in flight (default 4)
  --json            print a JSON summary on stdout
${GUARD_USAGE}

DIR must not be the manifest's folder (nor contain the manifest).
`;

function severityOf(text: string): number {
  const s = Number(text);
  if (!Number.isInteger(s) || s < 1 || s > 5)
    throw new UsageError(`--severity must be an integer from 1 to 5, got "${text}"`);
  return s;
}

function seedOf(text: string | undefined): number {
  if (text === undefined) return 0;
  const s = Number(text);
  if (!Number.isInteger(s) || s < 0 || s > 0xffffffff) {
    throw new UsageError(`--seed must be an integer from 0 to 4294967295, got "${text}"`);
  }
  return s;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      manifest: { type: 'string' },
      corruption: { type: 'string' },
      severity: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      resize: { type: 'string' },
      crop: { type: 'string' },
      concurrency: { type: 'string' },
      json: { type: 'boolean' },
      ...GUARD_OPTIONS,
    },
    USAGE,
  );
  if (args === null) return 0;
  const v = args.values;
  const manifest = required(v.manifest, 'manifest');
  const corruption = required(v.corruption, 'corruption');
  if (!isCorruptionName(corruption)) {
    throw new UsageError(
      `--corruption: unknown corruption "${corruption}"; corruptions are: ${CORRUPTION_NAMES.join(', ')}`,
    );
  }
  const severity = severityOf(required(v.severity, 'severity'));
  const out = required(v.out, 'out');
  const seed = seedOf(v.seed);
  const resize = v.resize === undefined ? undefined : positiveInt(v.resize, 'resize', 0);
  const crop = v.crop === undefined ? undefined : positiveInt(v.crop, 'crop', 0);
  if (crop !== undefined && resize === undefined)
    throw new UsageError('--crop needs --resize (ImageNet-C: --resize 256 --crop 224)');
  const concurrency = positiveInt(v.concurrency, 'concurrency', 4);

  const release = await guardOutput({
    command: 'corrupt',
    out,
    kind: 'folder',
    inputs: [manifest],
    force: v.force,
    wait: v.wait,
  });
  let items: Awaited<ReturnType<typeof readManifest>>;
  let result: Awaited<ReturnType<typeof corruptDataset>>;
  try {
    items = await readManifest(manifest);
    const progress = startProgress(`${corruption} s${severity}`, items.length);
    try {
      result = await corruptDataset(items, {
        manifest,
        corruption,
        severity,
        seed,
        out,
        resize,
        crop,
        concurrency,
        onItem: () => progress.tick(),
      });
    } finally {
      progress.stop();
    }
  } finally {
    await release();
  }
  const summaryData = {
    corruption,
    severity,
    seed,
    items: items.length,
    written: result.written,
    failed: result.failures.length,
    manifest: result.manifestPath,
  };
  if (v.json)
    process.stdout.write(`${JSON.stringify({ ...summaryData, failures: result.failures }, null, 2)}\n`);
  else {
    process.stdout.write(
      `wrote ${result.written} of ${items.length} images (${corruption}, severity ${severity}, seed ${seed}) to ${result.manifestPath}\n`,
    );
    for (const f of result.failures.slice(0, 10)) process.stdout.write(`  failed ${f.id}: ${f.reason}\n`);
    if (result.failures.length > 10)
      process.stdout.write(`  ... ${result.failures.length - 10} more in failures.jsonl\n`);
  }
  return 0;
}
