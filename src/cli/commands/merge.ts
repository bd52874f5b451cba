/**
 * `fairscope merge DIR1 DIR2 ... --out DIR`: joins the stores of `fairscope embed --shard i/n` runs
 * into the store a single run would have written.
 */
import { EXIT } from '../../core/errors.js';
import { mergeStores } from '../../embed/merge.js';
import { parseCommandArgs, required } from '../args.js';
import { GUARD_OPTIONS, GUARD_USAGE, withOutputGuard } from '../out-guard.js';

export const summary = 'join the embedding stores of sharded `embed` runs into one store';

const USAGE = `
usage: fairscope merge DIR1 DIR2 ... --out DIR [--json]

Joins embedding stores written by \`fairscope embed --shard i/n\` (all n shards, same model, same
preprocessing, same manifest) into DIR: rows in manifest order, failures.jsonl concatenated. Shards
that are missing or given twice, duplicate ids and mismatched stores are errors.

  --out DIR   the merged store (a new folder, not one of the inputs)
  --json      print the summary as JSON on stdout
${GUARD_USAGE}
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    { out: { type: 'string' }, json: { type: 'boolean' }, ...GUARD_OPTIONS },
    USAGE,
  );
  if (args === null) return EXIT.ok;
  const out = required(args.values.out, 'out');
  const { force, wait } = args.values;
  const result = await withOutputGuard(
    { command: 'merge', out, kind: 'folder', inputs: args.positionals, force, wait },
    () => mergeStores(args.positionals, out),
  );
  if (args.values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else
    process.stdout.write(
      `${out}: merged ${result.stores} stores, ${result.count} embeddings, ${result.failed} failures\n`,
    );
  return EXIT.ok;
}
