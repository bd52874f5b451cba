/**
 * `fairscope demo`: the built-in main job. Builds the emoji demo set from the installed packages,
 * audits the two built-in models on the three Fairness Indicators, a style shift and a corruption
 * sweep, and writes the report. With `--paradigms`, SEER's comparison at small scale instead: the
 * audit trains one tiny network with SwAV and supervised (and keeps it at its random initialisation
 * as a floor) on the same images, then audits the three (data/demo/paradigms-audit.yaml).
 * Everything is cached: a second run takes seconds.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { buildDemoData, DEMO_SIZE_NAMES, demoSize } from '../../audit/demo-data.js';
import { runAudit } from '../../audit/run.js';
import { parseAuditSpec } from '../../audit/spec.js';
import { EXIT } from '../../core/errors.js';
import { emojiCredits } from '../../data/emoji/credits.js';
import { nonNegativeInt, noPositionals, parseCommandArgs } from '../args.js';
import { GUARD_OPTIONS, guardOutput } from '../out-guard.js';
import { startProgress } from '../progress.js';

export const summary =
  'run the built-in demo audit (emoji set, built-in models) and write its report; --paradigms: SwAV vs supervised vs random init';

const USAGE = `
usage: fairscope demo [--paradigms] [--out DIR] [--size ${DEMO_SIZE_NAMES.join('|')}] [--seed N] [--force] [--wait] [--json]

  --paradigms   SEER's comparison at small scale: train resnet-tiny with SwAV and supervised on the
                same emoji images (minutes on a CPU), keep it untrained as a floor, and audit all
                three side by side (data/demo/paradigms-audit.yaml)
  --out DIR     output folder (default ./fairscope-demo, or ./fairscope-paradigms with --paradigms):
                report.html, summary.md, results.json, results.parquet, and the spec it ran
                (demo-audit.yaml or paradigms-audit.yaml; re-run it with \`fairscope audit\`)
  --size S      how much of the emoji set to use (default "default": fits 15 minutes on 2 cores;
                "small" for CI, "full" for all 7,200 images); see data/demo/demo-sizes.json
  --seed N      seed of every random choice (default 0)
  --force       recompute the results (cached embeddings and probes are kept); also writes into a
                non-empty --out folder that fairscope did not write
  --wait        wait for another fairscope process writing --out, instead of refusing
  --json        print the output file paths and counts as JSON

The demo images are emoji drawings (Google Noto, Twemoji, OpenMoji), not photographs: the report
shows how fairscope works, not evidence about the models on real people.
`;

const demoDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data', 'demo');

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      out: { type: 'string' },
      paradigms: { type: 'boolean' },
      size: { type: 'string' },
      seed: { type: 'string' },
      force: { type: 'boolean' },
      wait: GUARD_OPTIONS.wait,
      json: { type: 'boolean' },
    },
    USAGE,
  );
  if (args === null) return EXIT.ok;
  noPositionals(args.positionals);
  const paradigms = args.values.paradigms ?? false;
  const specName = paradigms ? 'paradigms-audit.yaml' : 'demo-audit.yaml';
  const outDir = resolve(args.values.out ?? (paradigms ? 'fairscope-paradigms' : 'fairscope-demo'));
  const sizeName = args.values.size ?? 'default';
  const size = demoSize(sizeName);
  const seed = nonNegativeInt(args.values.seed, 'seed', 0);
  const started = Date.now();

  const release = await guardOutput({
    command: 'demo',
    out: outDir,
    kind: 'folder',
    force: args.values.force,
    wait: args.values.wait,
  });
  try {
    process.stderr.write(`demo: building the emoji dataset (size "${sizeName}") in ${outDir}/data\n`);
    let progress: ReturnType<typeof startProgress> | undefined;
    const data = await buildDemoData(outDir, size, seed, (done, total) => {
      progress ??= startProgress('render emoji', total);
      progress.tick();
      if (done === total) progress.stop();
    });

    const raw = parseYaml(await readFile(join(demoDir, specName), 'utf8')) as Record<string, unknown>;
    raw.seed = seed;
    (raw.bootstrap as Record<string, unknown>).resamples = size.bootstrapResamples;
    const sweep = (raw.robustness as { corruptions: Record<string, unknown>[] }).corruptions[0] as Record<
      string,
      unknown
    >;
    sweep.corruptions = size.corruptions;
    sweep.severities = size.severities;
    if (paradigms) {
      // The size's epoch count keeps the step budget near the YAML's (about 1,000 steps at "default").
      for (const m of Object.values(raw.models as Record<string, { train?: Record<string, unknown> }>))
        if (m.train !== undefined && m.train.method !== 'none') m.train.epochs = size.paradigmEpochs;
    }
    const specPath = join(outDir, specName);
    const header = `# Written by \`fairscope demo${paradigms ? ' --paradigms' : ''} --size ${sizeName}\`; re-run with: fairscope audit ${specPath} --out ${outDir}\n`;
    await writeFile(specPath, header + toYaml(raw));
    const spec = parseAuditSpec(raw, join(dirname(data.manifest), specName));

    const credits = emojiCredits();
    const credit = credits.map((c) => `${c.title} (${c.license})`).join('; ');
    const run = await runAudit(spec, {
      outDir,
      specDir: dirname(data.manifest),
      force: args.values.force ?? false,
      progress: startProgress,
      datasetInfo: {
        emoji: {
          note: 'Emoji drawings, not photographs: a demo that exercises every code path with real third-party images, not evidence about real-world bias.',
          license: credits.map((c) => `${c.style}: ${c.license}`).join(', '),
          source: credit,
          credits,
        },
      },
    });
    const seconds = (Date.now() - started) / 1000;
    const out = {
      size: sizeName,
      seconds,
      images: data.items.length,
      reused: run.reused,
      rows: run.results.rows.length,
      failures: run.results.failures.length,
      files: { ...run.files, spec: specPath },
    };
    if (args.values.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    else {
      const lines = [
        `demo ${run.reused ? 'up to date' : 'done'} in ${seconds.toFixed(1)} s: ${out.images} images, ${out.rows} result rows, ${out.failures} failed image(s)`,
        `  report:  ${run.files.html}`,
        `  summary: ${run.files.summary}`,
        `  results: ${run.files.results}`,
        `  spec:    ${specPath}`,
      ];
      if (out.failures > 0)
        lines.push(
          `${out.failures} image(s) could not be used and were excluded: listed under "failures" in ${run.files.results}`,
        );
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    // As `embed` and `audit` do: excluded images make the exit status 1.
    return out.failures > 0 ? EXIT.failure : EXIT.ok;
  } finally {
    await release();
  }
}
