/**
 * `fairscope import emoji --out DIR/manifest.jsonl`: the built-in demo dataset, rendered from the
 * installed emoji packages (Google Noto, Twemoji, OpenMoji). Takes no input paths.
 */
import { UsageError } from '../../core/errors.js';
import {
  buildEmojiDataset,
  DEFAULT_EMOJI_SEED,
  DEFAULT_EMOJI_SIZE,
  type EmojiBuildOptions,
} from '../emoji/build.js';
import { EMOJI_STYLES, type EmojiStyle } from '../emoji/rules.js';
import type { Importer, ImportOptions } from './types.js';

function stringOption(options: ImportOptions['options'], name: string): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new UsageError(`emoji: --${name} needs a value`);
  return value;
}

function intOption(
  options: ImportOptions['options'],
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = stringOption(options, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`emoji: --${name} must be an integer in ${min}..${max}, got "${raw}"`);
  }
  return n;
}

/** Parses the importer's command-line options into build options (without outDir). */
export function parseEmojiOptions(options: ImportOptions['options']): Omit<EmojiBuildOptions, 'outDir'> {
  const known = new Set(Object.keys(importer.optionsHelp));
  for (const key of Object.keys(options)) {
    if (options[key] !== undefined && !known.has(key)) {
      throw new UsageError(
        `emoji: unknown option --${key}; options are ${[...known].map((k) => `--${k}`).join(', ')}`,
      );
    }
  }
  const rawStyles = stringOption(options, 'styles');
  let styles: EmojiStyle[] | undefined;
  if (rawStyles !== undefined) {
    const list = rawStyles.split(',').map((s) => s.trim());
    const bad = list.filter((s) => !(EMOJI_STYLES as readonly string[]).includes(s));
    if (bad.length > 0 || list.length === 0) {
      throw new UsageError(
        `emoji: --styles must list ${EMOJI_STYLES.join(', ')}; unknown: ${bad.join(', ')}`,
      );
    }
    if (new Set(list).size !== list.length)
      throw new UsageError(`emoji: --styles repeats a style: "${rawStyles}"`);
    styles = list as EmojiStyle[];
  }
  return {
    styles,
    size: intOption(options, 'size', 8, 1024),
    limitPerCategory: intOption(options, 'limit-per-category', 1, Number.MAX_SAFE_INTEGER),
    seed: intOption(options, 'seed', 0, 2 ** 32 - 1),
  };
}

export const importer: Importer = {
  name: 'emoji',
  summary: 'built-in demo set: emoji people (5 skin tones + default, 3 genders, 3 ages), animals, objects',
  optionsHelp: {
    styles: `comma-separated art styles (default ${EMOJI_STYLES.join(',')})`,
    size: `side of the rendered square PNGs in pixels (default ${DEFAULT_EMOJI_SIZE})`,
    'limit-per-category': 'at most N items per category and style, stratified so every tone and gender stays',
    seed: `seed of the --limit-per-category subsample (default ${DEFAULT_EMOJI_SEED})`,
  },
  async import(opts: ImportOptions) {
    if (opts.inputs.length > 0) {
      throw new UsageError(
        `emoji: takes no input paths (it reads the installed emoji packages), got ${opts.inputs.join(' ')}`,
      );
    }
    return buildEmojiDataset({ outDir: opts.outDir, ...parseEmojiOptions(opts.options) });
  },
};
