/**
 * The emoji demo set's choices, read from data/emoji/*.json: which emoji belong to each category,
 * how attributes are derived, and the licence of each art style. Nothing here is hard-coded in logic.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InputError } from '../../core/errors.js';

/** Art styles the demo set can render, in output order. */
export const EMOJI_STYLES = ['google', 'twitter', 'openmoji'] as const;
export type EmojiStyle = (typeof EMOJI_STYLES)[number];

/** Categories of the demo set, in output order. */
export const EMOJI_CATEGORIES = ['person', 'animal', 'object'] as const;
export type EmojiCategory = (typeof EMOJI_CATEGORIES)[number];

const wordList = z.array(z.string().min(1));

const categoriesSchema = z.object({
  categories: z.record(
    z.enum(EMOJI_CATEGORIES),
    z.object({
      match: z.array(z.object({ category: z.string().min(1), subcategories: wordList.optional() })).min(1),
      requireSkinTones: z.boolean(),
    }),
  ),
  priority: z.record(z.enum(EMOJI_CATEGORIES), wordList),
});

const attributesSchema = z.object({
  skintone: z.object({
    modifiers: z.record(z.string().regex(/^1f3f[b-f]$/), z.string().min(1)),
    default: z.string().min(1),
  }),
  gender: z.object({
    values: wordList.min(1),
    words: z.record(z.string(), wordList),
    default: z.string().min(1),
    overrides: z.record(z.string(), z.object({ value: z.string().min(1), why: z.string() })),
  }),
  age: z.object({
    values: wordList.min(1),
    firstWords: z.record(z.string(), wordList),
    default: z.string().min(1),
  }),
  role: z.object({
    genderSigns: z.array(z.string().regex(/^[0-9a-f]+$/)),
    genderedBases: z.record(z.string().regex(/^[0-9a-f]+$/), z.string().regex(/^[0-9a-f]+$/)),
  }),
});

const creditsSchema = z.object({
  styles: z.record(
    z.enum(EMOJI_STYLES),
    z.object({
      title: z.string(),
      author: z.string(),
      package: z.string(),
      license: z.string(),
      licenseUrl: z.string(),
      url: z.string(),
      attribution: z.string(),
    }),
  ),
  changes: z.string(),
});

export type CategoryRules = z.infer<typeof categoriesSchema>;
export type AttributeRules = z.infer<typeof attributesSchema>;
export type CreditRules = z.infer<typeof creditsSchema>;

/** Absolute path of a file in the project's data/emoji folder. */
export function emojiDataPath(name: string): string {
  // src/data/emoji/ and the built dist/data/emoji/ are both three levels below the package root.
  return fileURLToPath(new URL(`../../../data/emoji/${name}`, import.meta.url));
}

function loadJson<T>(file: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(file, `cannot read JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(file, issue?.message ?? 'invalid', { field: issue?.path.join('.') });
  }
  return parsed.data;
}

function checkAttributeRules(file: string, rules: AttributeRules): void {
  const { gender, age } = rules;
  for (const value of Object.keys(gender.words)) {
    if (!gender.values.includes(value))
      throw new InputError(file, `"${value}" is not one of ${gender.values.join(', ')}`, {
        field: `gender.words.${value}`,
      });
  }
  for (const [key, o] of Object.entries(gender.overrides)) {
    if (!gender.values.includes(o.value))
      throw new InputError(file, `"${o.value}" is not one of ${gender.values.join(', ')}`, {
        field: `gender.overrides.${key}.value`,
      });
  }
  for (const value of Object.keys(age.firstWords)) {
    if (!age.values.includes(value))
      throw new InputError(file, `"${value}" is not one of ${age.values.join(', ')}`, {
        field: `age.firstWords.${value}`,
      });
  }
}

let cache: { categories: CategoryRules; attributes: AttributeRules; credits: CreditRules } | undefined;

/** The three rule files, validated once per process. Throws InputError naming the file and field. */
export function loadEmojiRules(): {
  categories: CategoryRules;
  attributes: AttributeRules;
  credits: CreditRules;
} {
  if (cache) return cache;
  const attributesFile = emojiDataPath('attributes.json');
  const attributes = loadJson(attributesFile, attributesSchema);
  checkAttributeRules(attributesFile, attributes);
  cache = {
    categories: loadJson(emojiDataPath('categories.json'), categoriesSchema),
    attributes,
    credits: loadJson(emojiDataPath('credits.json'), creditsSchema),
  };
  return cache;
}
