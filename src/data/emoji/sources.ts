/**
 * Where each style's art for an emoji lives in the installed packages: emoji-datasource PNGs
 * (img/<style>/64/<image>) and OpenMoji colour SVGs (color/svg/<HEXCODE>.svg).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasourceEntry, OpenmojiEntry } from './packages.js';
import {
  normalizeCodepoints,
  packageRoot,
  readDatasource,
  readOpenmoji,
  STYLE_PACKAGES,
} from './packages.js';
import type { EmojiStyle } from './rules.js';

/** One style's drawing of one emoji. */
export interface EmojiArt {
  format: 'png' | 'svg';
  /** Absolute path inside the installed package. */
  path: string;
}

/** A style's art, keyed by normalised codepoints (see normalizeCodepoints). */
export interface StyleArtIndex {
  style: EmojiStyle;
  /** The package metadata file, named in issues. */
  file: string;
  art: Map<string, EmojiArt>;
}

/** Art of an emoji-datasource package: every entry and skin variation the package has an image for. */
export function datasourceArt(
  style: 'google' | 'twitter',
  entries: readonly DatasourceEntry[],
  root: string,
): Map<string, EmojiArt> {
  const art = new Map<string, EmojiArt>();
  const flag = style === 'google' ? 'has_img_google' : 'has_img_twitter';
  for (const entry of entries) {
    for (const v of [entry, ...Object.values(entry.skin_variations ?? {})]) {
      // Without the flag the package ships another vendor's fallback image; never use it.
      if (v[flag] !== true) continue;
      const path = join(root, 'img', style, '64', v.image);
      if (existsSync(path)) art.set(normalizeCodepoints(v.unified), { format: 'png', path });
    }
  }
  return art;
}

/** Art of openmoji: the colour SVG of every openmoji.json entry that exists on disk. */
export function openmojiArt(entries: readonly OpenmojiEntry[], root: string): Map<string, EmojiArt> {
  const art = new Map<string, EmojiArt>();
  for (const o of entries) {
    const path = join(root, 'color', 'svg', `${o.hexcode}.svg`);
    if (existsSync(path)) art.set(normalizeCodepoints(o.hexcode), { format: 'svg', path });
  }
  return art;
}

/** The installed art of one style. */
export function styleArtIndex(style: EmojiStyle): StyleArtIndex {
  const root = packageRoot(STYLE_PACKAGES[style]);
  if (style === 'openmoji') {
    const { file, entries } = readOpenmoji();
    return { style, file, art: openmojiArt(entries, root) };
  }
  const { file, entries } = readDatasource(style);
  return { style, file, art: datasourceArt(style, entries, root) };
}
