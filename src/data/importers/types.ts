import type { ManifestItem } from '../../core/types.js';

/** Options every importer accepts from `fairscope import <format> <input...> --out MANIFEST.jsonl`. */
export interface ImportOptions {
  /** Input files or folders, as given on the command line. */
  inputs: string[];
  /** Folder that image sources are written relative to (the output manifest's folder). */
  outDir: string;
  /** Format-specific options from the command line (`--key value`). */
  options: Record<string, string | boolean | undefined>;
}

/** A problem with one input record that was reported and skipped, never guessed. */
export interface ImportIssue {
  file: string;
  line?: number;
  field?: string;
  reason: string;
}

export interface ImportResult {
  items: ManifestItem[];
  /** Records that were skipped, with the reason (malformed file names, unknown values...). */
  skipped: ImportIssue[];
  /** Facts about the records that were imported (unexpected values kept as they are...). */
  notes?: string[];
}

/** One dataset format. Each lives in its own file in src/data/importers/ and is registered by name. */
export interface Importer {
  /** Format name used on the command line, e.g. 'casual-conversations'. */
  name: string;
  /** One line for `fairscope import --help`. */
  summary: string;
  /** Extra `--key` options this importer reads (name → help text). */
  optionsHelp: Record<string, string>;
  /**
   * The options of optionsHelp that are boolean flags (`--drop-unknown`, no value); every other
   * option takes a value (`--images DIR`). The CLI parses them accordingly.
   */
  flags?: readonly string[];
  import(opts: ImportOptions): Promise<ImportResult>;
}
