/**
 * Manifest I/O: a manifest is a JSONL file of ManifestItem, one per line. Reading validates every
 * line and names the file, line and field of the first problem; nothing after the importer needs to
 * know which dataset format the items came from.
 */
import { createReadStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { InputError } from '../core/errors.js';
import type { AttrValue, BBox, ManifestItem, RoiRule } from '../core/types.js';

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

/**
 * Reads and validates a manifest. Blank lines are allowed; duplicate ids and an empty manifest are
 * errors. Sources stay as written: use resolveSource to get a path.
 */
export async function readManifest(path: string): Promise<ManifestItem[]> {
  const items: ManifestItem[] = [];
  const seen = new Map<string, number>();
  let lineNo = 0;
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((res, rej) => {
    stream.once('open', () => res());
    stream.once('error', rej);
  });
  try {
    await opened;
  } catch (err) {
    throw new InputError(path, `cannot read manifest: ${(err as Error).message}`);
  }
  for await (const text of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNo++;
    if (text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new InputError(path, `invalid JSON: ${(err as Error).message}`, { line: lineNo });
    }
    const item = validateManifestItem(raw, path, lineNo);
    const first = seen.get(item.id);
    if (first !== undefined) {
      throw new InputError(path, `duplicate id "${item.id}" (first seen on line ${first})`, {
        line: lineNo,
        field: 'id',
      });
    }
    seen.set(item.id, lineNo);
    items.push(item);
  }
  if (items.length === 0) throw new InputError(path, 'the manifest is empty (no items)');
  return items;
}

/** Writes a manifest atomically (temporary file, then rename), creating the folder. */
export async function writeManifest(path: string, items: readonly ManifestItem[]): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, items.map((it) => `${JSON.stringify(it)}\n`).join(''));
  await rename(tmp, path);
}

/** The absolute path of an item's image: relative sources are relative to the manifest's folder. */
export function resolveSource(manifestPath: string, item: Pick<ManifestItem, 'source'>): string {
  return isAbsolute(item.source) ? item.source : resolve(dirname(resolve(manifestPath)), item.source);
}

/** An item's cluster (unit of resampling), defaulting to its id. */
export function clusterOf(item: Pick<ManifestItem, 'id' | 'cluster'>): string {
  return item.cluster ?? item.id;
}
