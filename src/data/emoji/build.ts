/**
 * Builds fairscope's built-in demo dataset from the installed emoji packages: renders every selected
 * (concept, tone, style) to a PNG under OUT/emoji/ and returns manifest items.
 *
 * These are drawings, not photographs: a set that exercises every code path with real third-party
 * images (people in five skin tones and three genders, animals including primates, objects), not
 * evidence about bias on real people.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { stableHash } from '../../core/hash.js';
import type { AttrValue, ManifestItem } from '../../core/types.js';
import type { ImportIssue, ImportResult } from '../importers/types.js';
import { catalogueFromPackages, type EmojiConcept, type EmojiVariant } from './catalogue.js';
import { creditsMarkdown } from './credits.js';
import {
  normalizeCodepoints,
  packageVersion,
  readDatasource,
  readOpenmoji,
  STYLE_PACKAGES,
} from './packages.js';
import { mapPool, RENDER_VERSION, renderIfMissing } from './render.js';
import { EMOJI_STYLES, type EmojiStyle, loadEmojiRules } from './rules.js';
import { selectPerCategory } from './sample.js';
import { styleArtIndex } from './sources.js';

export const DEFAULT_EMOJI_SIZE = 64;
export const DEFAULT_EMOJI_SEED = 0;

export interface EmojiBuildOptions {
  /** Folder the manifest is written to; images go to OUT/emoji/ and sources are relative to OUT. */
  outDir: string;
  /** Art styles, default all three. */
  styles?: readonly EmojiStyle[];
  /** Side of the square PNGs, default 64. */
  size?: number;
  /** At most this many items per category (stratified; same concepts for every style). */
  limitPerCategory?: number;
  /** Seed of the stratified subsample. */
  seed?: number;
  /** Renders in flight, default 2 x available cores. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface EmojiBuildResult extends ImportResult {
  /** Images rendered by this call. */
  rendered: number;
  /** Images already on disk with the right size, not rendered again. */
  reused: number;
  /** Image folder of each style, relative to outDir. */
  imageDirs: Partial<Record<EmojiStyle, string>>;
}

/**
 * Image folder of a style, relative to outDir. Its name hashes everything the pixels depend on
 * (package version, size, renderer), so a changed input never reuses a stale image.
 */
export function styleImageDir(style: EmojiStyle, size: number): string {
  const key = { style, package: STYLE_PACKAGES[style], version: packageVersion(STYLE_PACKAGES[style]), size };
  return `emoji/${style}-${size}px-${stableHash({ ...key, render: RENDER_VERSION }, 8)}`;
}

/** The manifest item of one (concept, tone, style). */
export function emojiItem(
  concept: EmojiConcept,
  variant: EmojiVariant,
  style: EmojiStyle,
  dir: string,
): ManifestItem {
  const attrs: Record<string, AttrValue> = { category: concept.category, style };
  // People attributes only on people: an animal has no skin tone, and 'none' means the default yellow.
  if (variant.skintone !== undefined) attrs.skintone = variant.skintone;
  if (concept.gender !== undefined) attrs.gender = concept.gender;
  if (concept.age !== undefined) attrs.age = concept.age;
  return {
    id: `${style}/${variant.unified}`,
    source: `${dir}/${variant.unified}.png`,
    labels: [...new Set([concept.category, concept.name])],
    attrs,
    // Tone variants recolour one drawing and styles draw the same concept, so items of a concept are
    // not independent samples: the bootstrap must resample the concept as a unit.
    cluster: `emoji/${concept.key}`,
  };
}

function checkOptions(opts: EmojiBuildOptions): { styles: EmojiStyle[]; size: number } {
  const styles = [...(opts.styles ?? EMOJI_STYLES)];
  for (const s of styles) {
    if (!EMOJI_STYLES.includes(s)) {
      throw new RangeError(`buildEmojiDataset: style must be one of ${EMOJI_STYLES.join(', ')}, got "${s}"`);
    }
  }
  if (styles.length === 0 || new Set(styles).size !== styles.length) {
    throw new RangeError(
      `buildEmojiDataset: styles must be distinct and non-empty, got [${styles.join(', ')}]`,
    );
  }
  const size = opts.size ?? DEFAULT_EMOJI_SIZE;
  if (!Number.isInteger(size) || size < 8 || size > 1024) {
    throw new RangeError(`buildEmojiDataset: size must be an integer in 8..1024, got ${size}`);
  }
  const limit = opts.limitPerCategory;
  if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0)) {
    throw new RangeError(`buildEmojiDataset: limitPerCategory must be a positive integer, got ${limit}`);
  }
  return { styles: EMOJI_STYLES.filter((s) => styles.includes(s)), size };
}

/**
 * Builds the emoji demo set. Idempotent: an image already on disk at the right size is not rendered
 * again. Items come in style order, then Unicode order, then tone order.
 */
export async function buildEmojiDataset(opts: EmojiBuildOptions): Promise<EmojiBuildResult> {
  const { styles, size } = checkOptions(opts);
  const rules = loadEmojiRules();
  const catalogue = catalogueFromPackages(readDatasource('google'), readOpenmoji());
  const selection = selectPerCategory(catalogue.concepts, {
    limit: opts.limitPerCategory,
    seed: opts.seed ?? DEFAULT_EMOJI_SEED,
    priority: rules.categories.priority,
    genders: rules.attributes.gender.values,
    ages: rules.attributes.age.values,
  });

  const skipped: ImportIssue[] = [...catalogue.issues];
  const jobs: { item: ManifestItem; art: { format: 'png' | 'svg'; path: string }; out: string }[] = [];
  const imageDirs: Partial<Record<EmojiStyle, string>> = {};
  for (const style of styles) {
    const index = styleArtIndex(style);
    const dir = styleImageDir(style, size);
    imageDirs[style] = dir;
    await mkdir(join(opts.outDir, dir), { recursive: true });
    for (const { concept, variants } of selection) {
      for (const variant of variants) {
        const art = index.art.get(normalizeCodepoints(variant.unified));
        if (!art) {
          skipped.push({
            file: index.file,
            field: variant.unified,
            reason: `no ${style} art for "${concept.name}"`,
          });
          continue;
        }
        const item = emojiItem(concept, variant, style, dir);
        jobs.push({ item, art, out: join(opts.outDir, item.source) });
      }
    }
  }

  let done = 0;
  const concurrency = opts.concurrency ?? 2 * availableParallelism();
  const outcomes = await mapPool(jobs, concurrency, async (job) => {
    try {
      return (await renderIfMissing(job.art, size, job.out)) ? 'rendered' : 'reused';
    } catch (err) {
      // Recorded and excluded, never replaced by a placeholder.
      return err as Error;
    } finally {
      opts.onProgress?.(++done, jobs.length);
    }
  });

  const items: ManifestItem[] = [];
  let rendered = 0;
  let reused = 0;
  outcomes.forEach((outcome, i) => {
    const job = jobs[i] as (typeof jobs)[number];
    if (outcome instanceof Error) {
      skipped.push({ file: job.art.path, reason: `cannot render ${job.item.id}: ${outcome.message}` });
      return;
    }
    if (outcome === 'rendered') rendered++;
    else reused++;
    items.push(job.item);
  });
  await writeFile(join(opts.outDir, 'emoji', 'CREDITS.md'), creditsMarkdown(styles, size));
  return { items, skipped, rendered, reused, imageDirs };
}
