/** `fairscope corruptions`: the ImageNet-C corruptions fairscope implements. */
import { corruptionCatalogue } from '../../image/corrupt/index.js';
import { parseCommandArgs } from '../args.js';

export const summary = 'list the ImageNet-C corruptions (15 + 4 held out) that `fairscope corrupt` applies';

const USAGE = `
usage: fairscope corruptions [--json]

  Lists the 19 corruptions of Hendrycks & Dietterich (ICLR 2019): the 15 of ImageNet-C and the 4
  held out for validation (speckle_noise, gaussian_blur, spatter, saturate), 5 severities each,
  with their family, whether they are random (seeded), and where fairscope departs from the
  reference code.

options:
  --json   machine-readable output on stdout
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { json: { type: 'boolean' } }, USAGE);
  if (args === null) return 0;
  const catalogue = corruptionCatalogue();
  if (args.values.json) {
    process.stdout.write(
      `${JSON.stringify({ severities: [1, 2, 3, 4, 5], corruptions: catalogue }, null, 2)}\n`,
    );
    return 0;
  }
  const lines = ['name               family   held out  random  note'];
  for (const c of catalogue) {
    lines.push(
      `${c.name.padEnd(18)} ${c.family.padEnd(8)} ${(c.heldOut ? 'yes' : 'no').padEnd(9)} ${(c.random ? 'yes' : 'no').padEnd(7)} ${c.deviation}`.trimEnd(),
    );
  }
  lines.push('', 'severities 1-5; parameters in pixels are scaled by min(width, height) / 224.');
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
