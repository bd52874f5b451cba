/**
 * Manifest I/O: a manifest is a JSONL file of ManifestItem, one per line. Reading validates every
 * line and names the file, line and field of the first problem; nothing after the importer needs to
 * know which dataset format the items came from.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { writeFileAtomic } from '../core/node/atomic-write.js';
import type { AttrValue, BBox, ManifestItem, RoiRule } from '../core/types.js';
import { IdIndex } from './id-index.js';
import { type ByteLine, decodeLine, fileLines } from './lines.js';

const ROI_RULES: readonly RoiRule[] = ['none', 'miap-square'];
const KNOWN_KEYS = new Set(['id', 'source', 'bbox', 'roi', 'labels', 'attrs', 'cluster']);

/** Validates one parsed JSON line; throws InputError naming the file, line and field. */
export function validateManifestItem(raw: unknown, file: string, line: number): ManifestItem {
  const fail = (field: string, detail: string): never => {
    throw new InputError(file, detail, { line, field });
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(
      file,
      `expected a JSON object, got ${Array.isArray(raw) ? 'an array' : typeof raw}`,
      {
        line,
      },
    );
  }
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!KNOWN_KEYS.has(key)) fail(key, `unknown field; fields are ${[...KNOWN_KEYS].join(', ')}`);
  }
  if (typeof obj.id !== 'string' || obj.id === '')
    fail('id', `must be a non-empty string, got ${JSON.stringify(obj.id)}`);
  if (typeof obj.source !== 'string' || obj.source === '') {
    fail('source', `must be a non-empty string, got ${JSON.stringify(obj.source)}`);
  }
  const labels = obj.labels ?? [];
  if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string')) {
    fail('labels', `must be an array of strings, got ${JSON.stringify(obj.labels)}`);
  }
  const attrs = obj.attrs ?? {};
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) {
    fail('attrs', `must be an object of strings or numbers, got ${JSON.stringify(obj.attrs)}`);
  }
  for (const [k, v] of Object.entries(attrs as Record<string, unknown>)) {
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) {
      fail(`attrs.${k}`, `must be a string or a finite number, got ${JSON.stringify(v)}`);
    }
  }
  const item: ManifestItem = {
    id: obj.id as string,
    source: obj.source as string,
    labels: labels as string[],
    attrs: attrs as Record<string, AttrValue>,
  };
  if (obj.bbox !== undefined) {
    const b = obj.bbox;
    if (!Array.isArray(b) || b.length !== 4 || b.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      fail('bbox', `must be [x1, y1, x2, y2] of finite numbers, got ${JSON.stringify(b)}`);
    }
    const [x1, y1, x2, y2] = b as BBox;
    if (!(x2 > x1 && y2 > y1)) fail('bbox', `must have x2 > x1 and y2 > y1, got ${JSON.stringify(b)}`);
    item.bbox = [x1, y1, x2, y2];
  }
  if (obj.roi !== undefined) {
    if (!ROI_RULES.includes(obj.roi as RoiRule)) {
      fail('roi', `must be one of ${ROI_RULES.join(', ')}, got ${JSON.stringify(obj.roi)}`);
    }
    item.roi = obj.roi as RoiRule;
  }
  if (obj.cluster !== undefined) {
    if (typeof obj.cluster !== 'string' || obj.cluster === '') {
      fail('cluster', `must be a non-empty string, got ${JSON.stringify(obj.cluster)}`);
    }
    item.cluster = obj.cluster as string;
  }
  return item;
}

/** The first field whose key or text holds U+FFFD, the mark of bytes that were not UTF-8. */
function fieldWithInvalidText(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const bad = (v: unknown) => typeof v === 'string' && v.includes('\uFFFD');
  for (const [key, value] of Object.entries(raw)) {
    if (bad(key) || bad(value) || (Array.isArray(value) && value.some(bad))) return key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) if (bad(k) || bad(v)) return `${key}.${k}`;
    }
  }
  return undefined;
}

/** Decodes and parses one non-blank line; null for a blank one. */
function parseLine(l: ByteLine, path: string): unknown {
  const decoded = decodeLine(l);
  if ('invalid' in decoded) {
    let raw: unknown;
    try {
      raw = JSON.parse(decoded.invalid);
    } catch {
      raw = undefined;
    }
    const field = fieldWithInvalidText(raw);
    const shown = field === undefined ? '' : `; the field reads ${JSON.stringify(fieldText(raw, field))}`;
    throw new InputError(
      path,
      `holds bytes that are not UTF-8 (shown as \uFFFD${shown}); a manifest must be UTF-8 text`,
      { line: l.line, ...(field === undefined ? {} : { field }) },
    );
  }
  if (decoded.text.trim() === '') return null;
  try {
    return JSON.parse(decoded.text);
  } catch (err) {
    throw new InputError(path, `invalid JSON: ${(err as Error).message}`, { line: l.line });
  }
}

/** The text of a field found by fieldWithInvalidText ('attrs.k' reaches into attrs). */
function fieldText(raw: unknown, field: string): unknown {
  const obj = raw as Record<string, unknown>;
  const dot = field.indexOf('.');
  if (dot < 0 || field in obj) return obj[field] ?? field;
  const inner = obj[field.slice(0, dot)] as Record<string, unknown>;
  return inner[field.slice(dot + 1)] ?? field.slice(dot + 1);
}

/** The id written on one line of a manifest (to confirm a duplicate that the id index suspects). */
async function idOnLine(path: string, line: number): Promise<string> {
  for await (const l of fileLines(path, 'manifest')) {
    if (l.line === line) return (parseLine(l, path) as { id: string }).id;
  }
  throw new InputError(path, `changed while it was read (line ${line} is gone)`);
}

/**
 * Streams and validates a manifest, one item at a time, in file order: memory holds one line and a
 * compact index of the ids seen (id-index.ts), never the whole file, so a manifest of millions of
 * lines can be checked or processed as it is read. A UTF-8 byte order mark is allowed; blank lines
 * are skipped; bytes that are not UTF-8, duplicate ids and an empty manifest are errors naming the
 * file, the line and the field. Sources stay as written: use resolveSource to get a path.
 */
export async function* manifestItems(path: string): AsyncGenerator<ManifestItem> {
  const ids = new IdIndex();
  let count = 0;
  for await (const l of fileLines(path, 'manifest')) {
    const raw = parseLine(l, path);
    if (raw === null) continue;
    const item = validateManifestItem(raw, path, l.line);
    const first = await ids.firstLine(item.id, l.line, (line) => idOnLine(path, line));
    if (first !== 0) {
      throw new InputError(path, `duplicate id "${item.id}" (first seen on line ${first})`, {
        line: l.line,
        field: 'id',
      });
    }
    count++;
    yield item;
  }
  if (count === 0) throw new InputError(path, 'the manifest is empty (no items)');
}

/**
 * A manifest file as an AsyncIterable that reads and validates it (manifestItems) from its first
 * line each time it is iterated: for a consumer that reads a long manifest more than once instead of
 * holding its items (`fairscope embed`).
 */
export function manifestFile(path: string): AsyncIterable<ManifestItem> {
  return { [Symbol.asyncIterator]: () => manifestItems(path) };
}

/**
 * Reads and validates a manifest (manifestItems), returning all its items.
 */
export async function readManifest(path: string): Promise<ManifestItem[]> {
  const items: ManifestItem[] = [];
  for await (const item of manifestItems(path)) items.push(item);
  return items;
}

/** Validates a manifest without keeping its items. @returns the number of items */
export async function validateManifest(path: string): Promise<number> {
  let count = 0;
  for await (const _ of manifestItems(path)) count++;
  return count;
}

/** Writes a manifest atomically and durably (writeFileAtomic), creating the folder. */
export async function writeManifest(path: string, items: readonly ManifestItem[]): Promise<void> {
  await writeFileAtomic(path, items.map((it) => `${JSON.stringify(it)}\n`).join(''));
}

/** The absolute path of an item's image: relative sources are relative to the manifest's folder. */
export function resolveSource(manifestPath: string, item: Pick<ManifestItem, 'source'>): string {
  return isAbsolute(item.source) ? item.source : resolve(dirname(resolve(manifestPath)), item.source);
}
