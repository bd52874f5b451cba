/**
 * The demo dataset: the emoji set (src/data/emoji) turned into one manifest that every part of the
 * demo audit filters from. Each item keeps its emoji attributes and gets:
 *  - `labels`: one class for the probes: 'person' for every person emoji, the concept name otherwise
 *    (a label space with Human, Non-Human and Crime classes for the label-association indicator);
 *  - `attrs.concept`: the emoji concept name;
 *  - `attrs.split`: 'train' or 'test', by concept, for the style-shift probe (held-out concepts);
 *  - `attrs.region` and `attrs.subset = 'food'` on foods (data/demo/food-cuisine-regions.json);
 *  - `attrs.corrupt = 'yes'` on the held-out ('test') people concepts that the corruption sweep uses.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { ManifestItem } from '../core/types.js';
import { buildEmojiDataset } from '../data/emoji/build.js';
import { writeManifest } from '../data/manifest.js';

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'demo');

type Count = number | 'all';

export interface DemoSize {
  peopleConcepts: Count;
  animalConcepts: Count;
  otherObjectConcepts: Count;
  foods: Count;
  corruptionPeopleConcepts: number;
  corruptions: string[];
  severities: number[];
  bootstrapResamples: number;
  /** Training epochs of the models `demo --paradigms` trains. */
  paradigmEpochs: number;
}

export const DEMO_SIZE_NAMES = ['small', 'default', 'full'] as const;
export type DemoSizeName = (typeof DEMO_SIZE_NAMES)[number];

function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(dataDir, name), 'utf8')) as T;
}

/** The demo's size presets (data/demo/demo-sizes.json). */
export function demoSize(name: string): DemoSize {
  const sizes = readJson<{ sizes: Record<string, DemoSize> }>('demo-sizes.json').sizes;
  const size = sizes[name];
  if (size === undefined) {
    throw new UsageError(`--size must be one of ${Object.keys(sizes).join(', ')}, got "${name}"`);
  }
  return size;
}

/** Food concept → cuisine region (data/demo/food-cuisine-regions.json). */
export function foodRegions(): Map<string, string> {
  const file = readJson<{ regions: Record<string, string[]> }>('food-cuisine-regions.json');
  const out = new Map<string, string>();
  for (const [region, foods] of Object.entries(file.regions)) for (const f of foods) out.set(f, region);
  return out;
}

/** Labels of the demo taxonomy, kept first when animals and objects are subsampled. */
function taxonomyLabels(): Set<string> {
  const tax = readJson<{ associations: Record<string, string[]> }>('emoji-taxonomy.json');
  return new Set(Object.values(tax.associations).flat());
}

/** A deterministic concept order: priority concepts first, then the rest shuffled, per stratum in turn. */
function orderConcepts(
  concepts: string[],
  strata: Map<string, string>,
  priority: Set<string>,
  rng: Rng,
): string[] {
  const first = concepts.filter((c) => priority.has(c)).sort();
  const byStratum = new Map<string, string[]>();
  for (const c of [...concepts].sort()) {
    if (priority.has(c)) continue;
    const s = strata.get(c) ?? '';
    byStratum.set(s, [...(byStratum.get(s) ?? []), c]);
  }
  const lists = [...byStratum.keys()].sort().map((k) => rng.shuffle(byStratum.get(k) as string[]));
  const rest: string[] = [];
  for (let i = 0; lists.some((l) => i < l.length); i++)
    for (const l of lists) if (i < l.length) rest.push(l[i] as string);
  return [...first, ...rest];
}

function take<T>(xs: T[], count: Count): T[] {
  return count === 'all' ? xs : xs.slice(0, count);
}

export interface DemoData {
  /** Path of the demo manifest. */
  manifest: string;
  items: ManifestItem[];
  /** Emoji items that could not be rendered (reported, never replaced). */
  skipped: number;
}

/**
 * Builds (or reuses) the emoji images under `outDir/data` and writes `outDir/data/demo.jsonl`.
 * Deterministic for a seed.
 */
export async function buildDemoData(
  outDir: string,
  size: DemoSize,
  seed: number,
  onProgress?: (done: number, total: number) => void,
): Promise<DemoData> {
  const dataOut = join(outDir, 'data');
  const built = await buildEmojiDataset({ outDir: dataOut, seed, onProgress });
  const regions = foodRegions();
  const priority = taxonomyLabels();
  const conceptOf = (it: ManifestItem) => it.labels[1] ?? it.labels[0] ?? it.id;

  // Concepts per kind, with a stratum for balanced subsampling.
  const kinds = {
    person: new Map<string, string>(),
    animal: new Map<string, string>(),
    food: new Map<string, string>(),
    other: new Map<string, string>(),
  };
  for (const it of built.items) {
    const concept = conceptOf(it);
    const category = String(it.attrs.category);
    if (category === 'person') kinds.person.set(concept, String(it.attrs.gender));
    else if (category === 'animal') kinds.animal.set(concept, '');
    else if (regions.has(concept)) kinds.food.set(concept, regions.get(concept) as string);
    else kinds.other.set(concept, '');
  }
  const rng = new Rng(seed);
  const pick = (m: Map<string, string>, count: Count) =>
    take(orderConcepts([...m.keys()], m, priority, rng.fork()), count);
  const people = pick(kinds.person, size.peopleConcepts);
  const chosen = new Set([
    ...people,
    ...pick(kinds.animal, size.animalConcepts),
    ...pick(kinds.food, size.foods),
    ...pick(kinds.other, size.otherObjectConcepts),
  ]);

  // Held-out concepts for the style-shift probe: 30% of concepts of each kind are 'test'.
  const splitRng = new Rng(seed + 1);
  const split = new Map<string, string>();
  for (const c of [...chosen].sort()) split.set(c, splitRng.next() < 0.3 ? 'test' : 'train');
  // The corruption sweep uses held-out people concepts, so its clean images are in-distribution test
  // images of the classifier trained on the 'train' split.
  const corrupt = new Set(
    people.filter((c) => split.get(c) === 'test').slice(0, size.corruptionPeopleConcepts),
  );

  const items: ManifestItem[] = [];
  for (const it of built.items) {
    const concept = conceptOf(it);
    if (!chosen.has(concept)) continue;
    const category = String(it.attrs.category);
    const attrs: ManifestItem['attrs'] = { ...it.attrs, concept, split: split.get(concept) as string };
    if (category === 'object' && regions.has(concept)) {
      attrs.subset = 'food';
      attrs.region = regions.get(concept) as string;
    }
    if (corrupt.has(concept)) attrs.corrupt = 'yes';
    items.push({ ...it, labels: [category === 'person' ? 'person' : concept], attrs });
  }
  const manifest = join(dataOut, 'demo.jsonl');
  await writeManifest(manifest, items);
  return { manifest, items, skipped: built.skipped.length };
}
