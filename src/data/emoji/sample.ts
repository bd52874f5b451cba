/**
 * Deterministic, stratified subsampling of the emoji catalogue for CI-size demo runs
 * (`--limit-per-category N`). The same selection is used for every style, so a style comparison is
 * always between drawings of the same concepts.
 */
import { Rng } from '../../core/rng.js';
import type { EmojiConcept, EmojiVariant } from './catalogue.js';
import type { EmojiCategory } from './rules.js';

/** A concept with the tone variants chosen for it. */
export interface EmojiSelection {
  concept: EmojiConcept;
  variants: EmojiVariant[];
}

export interface SampleOptions {
  /** Items (concept x tone) per category; undefined keeps everything. */
  limit?: number;
  seed: number;
  /** Concept names kept first, in order, per category (data/emoji/categories.json "priority"). */
  priority: Partial<Record<EmojiCategory, string[]>>;
  /** Order of the gender and age strata (data/emoji/attributes.json "values"). */
  genders: readonly string[];
  ages: readonly string[];
}

/** Interleaves lists: the first of each, then the second of each, ... */
export function roundRobin<T>(lists: readonly T[][]): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) {
    for (const list of lists) if (i < list.length) out.push(list[i] as T);
  }
  return out;
}

/**
 * Orders one category's concepts for selection: priority names first, then a round-robin over strata
 * (people: age x gender, in the order of the rule files; others: subcategory), each stratum shuffled
 * with the seed. Taking any prefix keeps the strata as balanced as the prefix allows.
 */
export function stratifiedOrder(
  concepts: readonly EmojiConcept[],
  rng: Rng,
  opts: SampleOptions,
): EmojiConcept[] {
  const first = concepts[0];
  if (first === undefined) return [];
  const priorityNames = opts.priority[first.category] ?? [];
  const pinned = priorityNames
    .map((name) => concepts.find((c) => c.name === name))
    .filter((c): c is EmojiConcept => c !== undefined);
  const rest = concepts.filter((c) => !pinned.includes(c));
  const isPerson = first.gender !== undefined;
  const strata = new Map<string, EmojiConcept[]>();
  if (isPerson) {
    for (const age of opts.ages) for (const gender of opts.genders) strata.set(`${age}|${gender}`, []);
  }
  for (const c of rest) {
    const key = isPerson ? `${c.age}|${c.gender}` : c.subcategory;
    const list = strata.get(key);
    if (list) list.push(c);
    else strata.set(key, [c]);
  }
  // Concepts come sorted by Unicode order, so the shuffles depend only on the seed and the catalogue.
  const shuffled = [...strata.values()].map((list) => rng.shuffle([...list]));
  return [...pinned, ...roundRobin(shuffled)];
}

/**
 * Picks `limit` (concept, tone) items from ordered concepts that all have the same T tone variants.
 * It takes K = max(#genders, ceil(limit / T)) concepts, then assigns item k the tone k mod T and gives
 * it to the concept with the fewest items that lacks that tone (ties: earlier concept). So the first T
 * items cover every tone, the first K cover K different concepts, and limit = K * T takes whole concepts.
 */
export function assignTones(
  ordered: readonly EmojiConcept[],
  limit: number,
  minConcepts: number,
): EmojiSelection[] {
  const tones = ordered[0]?.variants.length ?? 0;
  if (tones === 0) return [];
  const k = Math.min(ordered.length, Math.max(minConcepts, Math.ceil(limit / tones)));
  const chosen = ordered.slice(0, k);
  const taken = chosen.map(() => new Set<number>());
  const n = Math.min(limit, k * tones);
  for (let item = 0; item < n; item++) {
    const tone = item % tones;
    let best = -1;
    for (let c = 0; c < chosen.length; c++) {
      const t = taken[c] as Set<number>;
      if (t.has(tone) || tone >= (chosen[c] as EmojiConcept).variants.length) continue;
      if (best < 0 || t.size < (taken[best] as Set<number>).size) best = c;
    }
    // Each tone has been given out floor(item / tones) < k times, so some concept still lacks it.
    if (best >= 0) (taken[best] as Set<number>).add(tone);
  }
  return chosen
    .map((concept, c) => ({
      concept,
      variants: concept.variants.filter((_, v) => (taken[c] as Set<number>).has(v)),
    }))
    .filter((s) => s.variants.length > 0);
}

/**
 * Selects items per category. Without a limit, every concept with every variant. With one, at most
 * `limit` items per category, stratified as described above; the result is in catalogue order.
 */
export function selectPerCategory(concepts: readonly EmojiConcept[], opts: SampleOptions): EmojiSelection[] {
  if (opts.limit === undefined) return concepts.map((concept) => ({ concept, variants: concept.variants }));
  const rng = new Rng(opts.seed);
  const byCategory = new Map<EmojiCategory, EmojiConcept[]>();
  for (const c of concepts) {
    const list = byCategory.get(c.category) ?? [];
    list.push(c);
    byCategory.set(c.category, list);
  }
  const picked = new Map<EmojiConcept, EmojiVariant[]>();
  for (const list of byCategory.values()) {
    const ordered = stratifiedOrder(list, rng, opts);
    const isPerson = list[0]?.gender !== undefined;
    const genders = new Set(list.map((c) => c.gender)).size;
    const selection = isPerson
      ? assignTones(ordered, opts.limit, genders)
      : ordered.slice(0, opts.limit).map((concept) => ({ concept, variants: concept.variants.slice(0, 1) }));
    for (const s of selection) picked.set(s.concept, s.variants);
  }
  return concepts
    .filter((c) => picked.has(c))
    .map((concept) => ({ concept, variants: picked.get(concept) ?? [] }));
}
