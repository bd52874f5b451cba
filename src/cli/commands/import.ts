/**
 * `fairscope import <format> <input...> --out MANIFEST.jsonl [--json] [format options]`: runs one
 * dataset importer, writes the manifest, writes the records it skipped (with the reason) to
 * `<out>.skipped.jsonl`, and prints a summary (items, skipped, counts per attribute value).
 */
import { dirname, resolve } from 'node:path';
import { InputError, UsageError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/node/atomic-write.js';
import { IMPORTER_NAMES, loadImporter } from '../../data/importers/registry.js';
import { formatImportSummary, summarizeImport } from '../../data/importers/summary.js';
import type { Importer, ImportIssue } from '../../data/importers/types.js';
import { validateManifestItem, writeManifest } from '../../data/manifest.js';
import { parseCommandArgs, required } from '../args.js';
import { checkOutputPaths, GUARD_OPTIONS, guardOutput } from '../out-guard.js';

export const summary = 'convert a published dataset (CC, UTKFace, MIAP, Dollar Street, ...) into a manifest';

const USAGE_HEAD =
  'usage: fairscope import <format> <input...> --out MANIFEST.jsonl [--json] [format options]';

const COMMON_OPTIONS = {
  out: { type: 'string' },
  json: { type: 'boolean' },
  wait: GUARD_OPTIONS.wait,
} as const;

function optionLines(importer: Importer): string[] {
  return Object.entries(importer.optionsHelp).map(([name, help]) => {
    const flag = importer.flags?.includes(name) ? `--${name}` : `--${name} VALUE`;
    return `      ${flag.padEnd(26)} ${help}`;
  });
}

/** Usage text listing every format with its options (formats that fail to load say why). */
async function generalUsage(): Promise<string> {
  const lines = [
    USAGE_HEAD,
    '',
    'Writes MANIFEST.jsonl (one item per line) and MANIFEST.jsonl.skipped.jsonl (records not imported,',
    'with file, line, field and reason). --json prints the summary as JSON on stdout. MANIFEST.jsonl',
    'must not be one of the inputs; --wait waits for another process writing it instead of refusing.',
    '',
    'formats:',
  ];
  for (const name of IMPORTER_NAMES) {
    try {
      const importer = await loadImporter(name);
      lines.push(`  ${name.padEnd(22)} ${importer.summary}`, ...optionLines(importer));
    } catch (err) {
      lines.push(`  ${name.padEnd(22)} (not available: ${(err as Error).message})`);
    }
  }
  return lines.join('\n');
}

function formatUsage(importer: Importer): string {
  const lines = [USAGE_HEAD.replace('<format>', importer.name), '', importer.summary];
  const opts = optionLines(importer);
  if (opts.length > 0) lines.push('', 'options:', ...opts);
  return lines.join('\n');
}

/** Checks what an importer returned before anything is written: unique ids, valid items. */
function checkItems(importer: Importer, items: readonly { id: string }[]): void {
  const seen = new Set<string>();
  items.forEach((item, k) => {
    validateManifestItem(item, `importer ${importer.name}`, k + 1);
    if (seen.has(item.id)) throw new Error(`importer ${importer.name} returned the id "${item.id}" twice`);
    seen.add(item.id);
  });
}

function describeIssue(issue: ImportIssue): string {
  const where = [issue.file, issue.line === undefined ? undefined : `line ${issue.line}`]
    .filter(Boolean)
    .join(':');
  return `${where}${issue.field === undefined ? '' : ` field "${issue.field}"`}: ${issue.reason}`;
}

export async function run(argv: string[]): Promise<number> {
  const [format, ...rest] = argv;
  if (format === undefined || format.startsWith('-')) {
    if (format === '--help' || format === '-h') {
      process.stdout.write(`${await generalUsage()}\n`);
      return 0;
    }
    throw new UsageError(`missing the format; formats are: ${IMPORTER_NAMES.join(', ')}\n\n${USAGE_HEAD}`);
  }
  const importer = await loadImporter(format);
  const options: Record<string, { type: 'string' | 'boolean' }> = { ...COMMON_OPTIONS };
  for (const name of Object.keys(importer.optionsHelp)) {
    if (!(name in COMMON_OPTIONS))
      options[name] = { type: importer.flags?.includes(name) ? 'boolean' : 'string' };
  }
  const parsed = parseCommandArgs(rest, options, formatUsage(importer));
  if (parsed === null) return 0;
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const out = resolve(required(values.out as string | undefined, 'out'));
  const formatOptions: Record<string, string | boolean | undefined> = {};
  for (const name of Object.keys(importer.optionsHelp)) formatOptions[name] = values[name];

  const skippedFile = `${out}.skipped.jsonl`;
  const inputs = parsed.positionals;
  await checkOutputPaths({ out: skippedFile, kind: 'file', inputs });
  const release = await guardOutput({
    command: 'import',
    out,
    kind: 'file',
    inputs,
    wait: values.wait === true,
  });
  let result: Awaited<ReturnType<Importer['import']>>;
  try {
    result = await importer.import({ inputs, outDir: dirname(out), options: formatOptions });
    checkItems(importer, result.items);
    await writeFileAtomic(skippedFile, result.skipped.map((s) => `${JSON.stringify(s)}\n`).join(''));
    if (result.items.length === 0) {
      const examples = result.skipped.slice(0, 3).map((s) => `\n  ${describeIssue(s)}`);
      throw new InputError(
        inputs.join(', ') || importer.name,
        `no items imported (${result.skipped.length} records skipped, listed in ${skippedFile})${examples.join('')}`,
      );
    }
    await writeManifest(out, result.items);
  } finally {
    await release();
  }

  const s = summarizeImport(result.items, result.skipped.length);
  if (values.json === true) {
    process.stdout.write(
      `${JSON.stringify({ format: importer.name, manifest: out, skippedFile, ...s, notes: result.notes ?? [] }, null, 2)}\n`,
    );
    return 0;
  }
  const lines = [`${importer.name}: wrote ${out}`, ...formatImportSummary(s).map((l) => `  ${l}`)];
  for (const note of result.notes ?? []) lines.push(`note: ${note}`);
  if (result.skipped.length > 0) {
    lines.push(`skipped records are in ${skippedFile}; the first:`);
    for (const issue of result.skipped.slice(0, 5)) lines.push(`  ${describeIssue(issue)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
