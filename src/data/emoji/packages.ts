/**
 * Reads the installed emoji packages: emoji-datasource-{google,twitter} (emoji.json + 64 px PNGs) and
 * openmoji (data/openmoji.json + colour SVGs). Only the fields the demo set uses are typed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InputError } from '../../core/errors.js';
import type { EmojiStyle } from './rules.js';

const require = createRequire(import.meta.url);

/** One skin-tone variation of an emoji-datasource entry. */
export interface DatasourceVariation {
  unified: string;
  image: string;
  has_img_google?: boolean;
  has_img_twitter?: boolean;
}

/** One emoji-datasource emoji.json entry. */
export interface DatasourceEntry {
  name: string | null;
  unified: string;
  image: string;
  short_name: string;
  short_names: string[];
  category: string;
  subcategory: string;
  sort_order: number;
  has_img_google?: boolean;
  has_img_twitter?: boolean;
  /** Keyed by modifier ("1F3FB") or, for multi-person emoji, by two modifiers ("1F3FB-1F3FC"). */
  skin_variations?: Record<string, DatasourceVariation>;
}

/** One openmoji.json entry. */
export interface OpenmojiEntry {
  hexcode: string;
  annotation: string;
  group: string;
  subgroups: string;
  /** 1..5 for single-tone variants, '' for none, '1,2' for multi-person. */
  skintone: number | string;
}

/** npm package that holds each style's art. */
export const STYLE_PACKAGES: Record<EmojiStyle, string> = {
  google: 'emoji-datasource-google',
  twitter: 'emoji-datasource-twitter',
  openmoji: 'openmoji',
};

/** The installed package's folder. Throws InputError when the package is missing. */
export function packageRoot(name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    throw new InputError(name, `npm package "${name}" is not installed (it is a fairscope dependency)`);
  }
}

/** The installed package's version. */
export function packageVersion(name: string): string {
  const file = join(packageRoot(name), 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

function readJsonArray<T>(file: string): T[] {
  if (!existsSync(file)) throw new InputError(file, 'file not found');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(raw)) throw new InputError(file, 'expected a JSON array of emoji');
  return raw as T[];
}

/** emoji.json of emoji-datasource-google or -twitter, and its path. */
export function readDatasource(style: 'google' | 'twitter'): { file: string; entries: DatasourceEntry[] } {
  const file = join(packageRoot(STYLE_PACKAGES[style]), 'emoji.json');
  return { file, entries: readJsonArray<DatasourceEntry>(file) };
}

/** openmoji's data/openmoji.json, and its path. */
export function readOpenmoji(): { file: string; entries: OpenmojiEntry[] } {
  const file = join(packageRoot('openmoji'), 'data', 'openmoji.json');
  return { file, entries: readJsonArray<OpenmojiEntry>(file) };
}

/**
 * Codepoints in one spelling for matching across packages: lower case, '-' separated, without the
 * variation selector U+FE0F (packages differ in where they write it).
 */
export function normalizeCodepoints(codepoints: string): string {
  return codepoints
    .toLowerCase()
    .split('-')
    .filter((cp) => cp !== 'fe0f')
    .join('-');
}
