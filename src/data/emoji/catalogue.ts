/**
 * The emoji catalogue: which concepts the demo set holds, their attributes and tone variants. Built
 * from emoji-datasource metadata (categories, skin variations) and openmoji.json (CLDR names), under
 * the rules in data/emoji/{categories,attributes}.json. Pure: the caller passes the parsed packages.
 */
import type { ImportIssue } from '../importers/types.js';
import type { DatasourceEntry, OpenmojiEntry } from './packages.js';
import { normalizeCodepoints } from './packages.js';
import {
  type AttributeRules,
  type CategoryRules,
  EMOJI_CATEGORIES,
  type EmojiCategory,
  loadEmojiRules,
} from './rules.js';

/** One image-able emoji: a concept in one skin tone. */
export interface EmojiVariant {
  /** Codepoints as emoji-datasource writes them, lower case (e.g. '1f469-1f3fd'); used in item ids. */
  unified: string;
  /** '1-2'..'6' from the Fitzpatrick modifier, 'none' for the default yellow; undefined for non-people. */
  skintone?: string;
}

/** One emoji concept (tone-free), e.g. 'woman police officer'. */
export interface EmojiConcept {
  /** Codepoints of the default (tone-free) emoji, lower case. */
  key: string;
  /** CLDR name in lower case, e.g. 'woman police officer', 'gorilla'. */
  name: string;
  category: EmojiCategory;
  subcategory: string;
  /** emoji-datasource sort_order (Unicode's emoji order). */
  sortOrder: number;
  /** People only. */
  gender?: string;
  /** People only. */
  age?: string;
  /** People only: the gender-free concept's codepoints, shared by its man/woman/person variants. */
  role?: string;
  /** Default first, then the skin tones in modifier order (people); one variant otherwise. */
  variants: EmojiVariant[];
}

export interface EmojiCatalogue {
  concepts: EmojiConcept[];
  /** Emoji that matched a category but were left out, with the reason. */
  issues: ImportIssue[];
}

/** Lower-case words of a name, split on anything that is not a letter. */
export function nameWords(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((w) => w !== '');
}

/** Skin tone of an emoji from its codepoints: the Fitzpatrick modifier it carries, or the default. */
export function skinToneOf(unified: string, rules: AttributeRules): string {
  const tones = normalizeCodepoints(unified)
    .split('-')
    .map((cp) => rules.skintone.modifiers[cp])
    .filter((t): t is string => t !== undefined);
  if (tones.length > 1) throw new Error(`skinToneOf: ${unified} has ${tones.length} skin-tone modifiers`);
  return tones[0] ?? rules.skintone.default;
}

/**
 * Gender of a person emoji: an override for its codepoints, else the value whose words occur in its
 * name, else the default. A name with words of two values is ambiguous and throws.
 */
export function genderOf(key: string, name: string, rules: AttributeRules): string {
  const override = rules.gender.overrides[normalizeCodepoints(key)];
  if (override) return override.value;
  const words = new Set(nameWords(name));
  const hits = Object.entries(rules.gender.words)
    .filter(([, ws]) => ws.some((w) => words.has(w)))
    .map(([value]) => value);
  if (hits.length > 1) throw new Error(`genderOf: "${name}" (${key}) matches ${hits.join(' and ')}`);
  return hits[0] ?? rules.gender.default;
}

/** Age bucket of a person emoji from the first word of its name (the person it depicts). */
export function ageOf(name: string, rules: AttributeRules): string {
  const first = nameWords(name)[0] ?? '';
  for (const [value, words] of Object.entries(rules.age.firstWords)) {
    if (words.includes(first)) return value;
  }
  return rules.age.default;
}

/** Gender-free concept of a person emoji: gender signs removed, MAN/WOMAN bases mapped to PERSON. */
export function roleOf(key: string, rules: AttributeRules): string {
  const signs = new Set(rules.role.genderSigns);
  const cps = normalizeCodepoints(key).split('-');
  const out: string[] = [];
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i] as string;
    // A gender sign is always joined by a ZWJ (200d) before it; drop both.
    if (cp === '200d' && signs.has(cps[i + 1] ?? '')) {
      i++;
      continue;
    }
    out.push(i === 0 ? (rules.role.genderedBases[cp] ?? cp) : cp);
  }
  return out.join('-');
}

function categoryOf(entry: DatasourceEntry, rules: CategoryRules): EmojiCategory | undefined {
  for (const category of EMOJI_CATEGORIES) {
    const spec = rules.categories[category];
    if (!spec) continue;
    const hit = spec.match.some(
      (m) =>
        m.category === entry.category &&
        (m.subcategories === undefined || m.subcategories.includes(entry.subcategory)),
    );
    if (hit) return category;
  }
  return undefined;
}

/**
 * Builds the catalogue.
 * @param datasource emoji-datasource emoji.json entries (google's; twitter's has the same metadata)
 * @param openmoji openmoji.json entries, the source of CLDR names
 * @param file path of emoji.json, named in issues
 */
export function buildCatalogue(
  datasource: readonly DatasourceEntry[],
  openmoji: readonly OpenmojiEntry[],
  rules: { categories: CategoryRules; attributes: AttributeRules },
  file = 'emoji.json',
): EmojiCatalogue {
  const cldrNames = new Map(openmoji.map((o) => [normalizeCodepoints(o.hexcode), o.annotation]));
  const modifiers = Object.keys(rules.attributes.skintone.modifiers);
  const concepts: EmojiConcept[] = [];
  const issues: ImportIssue[] = [];
  for (const entry of datasource) {
    const category = categoryOf(entry, rules.categories);
    if (category === undefined) continue;
    const key = entry.unified.toLowerCase();
    const name = (cldrNames.get(normalizeCodepoints(key)) ?? entry.name ?? entry.short_name).toLowerCase();
    const concept: EmojiConcept = {
      key,
      name,
      category,
      subcategory: entry.subcategory,
      sortOrder: entry.sort_order,
      variants: [],
    };
    if (rules.categories.categories[category]?.requireSkinTones) {
      const variations = entry.skin_variations ?? {};
      // Single-person emoji have one variation per modifier; keys like '1F3FB-1F3FC' are two people.
      // Emoji without any (zombie, person fencing) have no tone variants and are not tone concepts.
      const present = modifiers.filter((m) => variations[m.toUpperCase()] !== undefined);
      if (present.length === 0) continue;
      if (present.length < modifiers.length) {
        issues.push({
          file,
          field: entry.unified,
          reason: `"${name}" has skin variations for ${present.join(', ')} only; left out`,
        });
        continue;
      }
      concept.gender = genderOf(key, name, rules.attributes);
      concept.age = ageOf(name, rules.attributes);
      concept.role = roleOf(key, rules.attributes);
      concept.variants.push({ unified: key, skintone: skinToneOf(key, rules.attributes) });
      for (const m of modifiers) {
        const v = variations[m.toUpperCase()] as { unified: string };
        const unified = v.unified.toLowerCase();
        const tone = skinToneOf(unified, rules.attributes);
        if (tone !== rules.attributes.skintone.modifiers[m]) {
          issues.push({
            file,
            field: entry.unified,
            reason: `skin variation ${m} has codepoints ${v.unified}`,
          });
          continue;
        }
        concept.variants.push({ unified, skintone: tone });
      }
    } else {
      concept.variants.push({ unified: key });
    }
    concepts.push(concept);
  }
  concepts.sort((a, b) => a.sortOrder - b.sortOrder || (a.key < b.key ? -1 : 1));
  return { concepts, issues };
}

/** The catalogue of the installed packages under the data/emoji rules. */
export function catalogueFromPackages(
  datasource: { file: string; entries: readonly DatasourceEntry[] },
  openmoji: { entries: readonly OpenmojiEntry[] },
): EmojiCatalogue {
  const { categories, attributes } = loadEmojiRules();
  return buildCatalogue(datasource.entries, openmoji.entries, { categories, attributes }, datasource.file);
}
