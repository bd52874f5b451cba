/**
 * Precomputed embeddings as a model: a .npy matrix with its ids file, or an Arrow IPC / Parquet table
 * with an `id` column and an `embedding` list column (an optional `logits` list column too). Every row
 * must be finite; bad rows are errors that name their ids.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { type Table, tableFromIPC } from 'apache-arrow';
import { InputError } from '../core/errors.js';
import type { EmbeddingSet } from '../core/types.js';
import type { ModelDescriptor } from './descriptor.js';
import { readNpyMatrix } from './npy.js';

export const EMBEDDING_EXTENSIONS = ['.npy', '.parquet', '.arrow', '.arrows', '.feather', '.ipc'] as const;

function nameSome(ids: string[], max = 5): string {
  const shown = ids.slice(0, max).map((s) => JSON.stringify(s));
  return ids.length > max ? `${shown.join(', ')} and ${ids.length - max} more` : shown.join(', ');
}

/** Ids of .npy rows: the descriptor's `ids` file, else `<name>.ids.txt` or `<name>.ids.json` beside it. */
function readIds(d: ModelDescriptor): { ids: string[]; file: string } {
  const stem = d.path.slice(0, -extname(d.path).length);
  const candidates = d.ids !== undefined ? [d.ids] : [`${stem}.ids.txt`, `${stem}.ids.json`];
  const file = candidates.find((f) => existsSync(f));
  if (file === undefined) {
    throw new InputError(
      d.ids !== undefined ? d.origin : d.path,
      `needs the ids of its rows: ${d.ids !== undefined ? `${d.ids} does not exist` : `write ${candidates.join(' or ')}, or set \`ids\` in a descriptor`}`,
      { field: 'ids' },
    );
  }
  const text = readFileSync(file, 'utf8');
  if (extname(file) === '.json') {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new InputError(file, `is not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(raw) || raw.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
      throw new InputError(file, 'must be a JSON array of id strings');
    }
    return { ids: raw.map(String), file };
  }
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return { ids: lines, file };
}

/** Converts a list column to (rows, width) row-major float32; errors name the rows' ids. */
function listColumn(
  table: Table,
  name: string,
  ids: string[],
  file: string,
): { data: Float32Array; width: number } {
  const col = table.getChild(name);
  if (col === null) {
    const names = table.schema.fields.map((f) => f.name).join(', ');
    throw new InputError(file, `has no "${name}" column; its columns are ${names}`, { field: name });
  }
  const nulls: string[] = [];
  const ragged: string[] = [];
  let width = -1;
  const rows: ArrayLike<number>[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const v = col.get(i) as { toArray(): ArrayLike<number> } | null;
    if (v === null || v === undefined) {
      nulls.push(ids[i]);
      rows.push([]);
      continue;
    }
    const arr = typeof v.toArray === 'function' ? v.toArray() : (v as unknown as ArrayLike<number>);
    if (typeof arr.length !== 'number' || (arr.length > 0 && typeof arr[0] !== 'number')) {
      throw new InputError(file, `column "${name}" must be a list of floats, got ${String(col.type)}`, {
        field: name,
      });
    }
    if (width === -1) width = arr.length;
    else if (arr.length !== width) ragged.push(`${ids[i]} (${arr.length})`);
    rows.push(arr);
  }
  if (nulls.length > 0)
    throw new InputError(file, `column "${name}" is null for ids ${nameSome(nulls)}`, { field: name });
  if (ragged.length > 0) {
    throw new InputError(
      file,
      `column "${name}" has rows of ${width} values but ids ${nameSome(ragged)} differ`,
      {
        field: name,
      },
    );
  }
  const data = new Float32Array(rows.length * Math.max(width, 0));
  rows.forEach((r, i) => {
    data.set(r, i * width);
  });
  return { data, width: Math.max(width, 0) };
}

async function readTable(file: string): Promise<Table> {
  const bytes = await readFile(file);
  try {
    if (extname(file).toLowerCase() === '.parquet') {
      const { readParquet } = await import('parquet-wasm/node');
      return tableFromIPC(readParquet(new Uint8Array(bytes)).intoIPCStream());
    }
    return tableFromIPC(new Uint8Array(bytes));
  } catch (err) {
    throw new InputError(
      file,
      `is not a readable ${extname(file).slice(1)} table: ${(err as Error).message}`,
    );
  }
}

/** Throws naming the ids whose rows hold NaN or an infinity. @param data (ids.length, width) */
export function checkFinite(
  data: Float32Array,
  width: number,
  ids: string[],
  file: string,
  what: string,
): void {
  const bad: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    for (let j = i * width; j < (i + 1) * width; j++) {
      if (!Number.isFinite(data[j])) {
        bad.push(ids[i]);
        break;
      }
    }
  }
  if (bad.length > 0) {
    throw new InputError(file, `${what} of ${bad.length} row(s) hold NaN or Infinity: ids ${nameSome(bad)}`, {
      field: what,
    });
  }
}

function checkIds(ids: string[], file: string): void {
  const seen = new Set<string>();
  const dup: string[] = [];
  const empty: number[] = [];
  ids.forEach((id, i) => {
    if (id === '') empty.push(i);
    else if (seen.has(id)) dup.push(id);
    seen.add(id);
  });
  if (empty.length > 0) {
    throw new InputError(file, `ids of rows ${empty.slice(0, 5).join(', ')} are empty`, {
      line: empty[0] + 1,
      field: 'id',
    });
  }
  if (dup.length > 0)
    throw new InputError(file, `ids ${nameSome(dup)} appear more than once`, { field: 'id' });
}

/** Loads precomputed embeddings named by a descriptor of format `embeddings`. */
export async function loadEmbeddings(d: ModelDescriptor): Promise<EmbeddingSet> {
  if (!existsSync(d.path)) throw new InputError(d.path, `embeddings file does not exist (${d.origin})`);
  const ext = extname(d.path).toLowerCase();
  if (!(EMBEDDING_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new InputError(
      d.path,
      `unknown embeddings file type "${ext}"; use ${EMBEDDING_EXTENSIONS.join(', ')}`,
    );
  }
  let set: EmbeddingSet;
  if (ext === '.npy') {
    const m = await readNpyMatrix(d.path);
    const { ids, file } = readIds(d);
    if (ids.length !== m.rows) {
      throw new InputError(file, `lists ${ids.length} ids but ${d.path} has ${m.rows} rows`, {
        field: 'ids',
      });
    }
    checkIds(ids, file);
    set = { ids, dim: m.cols, data: m.data, modelId: d.id };
  } else {
    const table = await readTable(d.path);
    const idCol = table.getChild('id');
    if (idCol === null) {
      const names = table.schema.fields.map((f) => f.name).join(', ');
      throw new InputError(d.path, `has no "id" column; its columns are ${names}`, { field: 'id' });
    }
    const ids = Array.from({ length: table.numRows }, (_, i) => {
      const v = idCol.get(i) as unknown;
      return v === null || v === undefined ? '' : String(v);
    });
    checkIds(ids, d.path);
    const { data, width } = listColumn(table, 'embedding', ids, d.path);
    set = { ids, dim: width, data, modelId: d.id };
    if (table.getChild('logits') !== null) {
      const logits = listColumn(table, 'logits', ids, d.path);
      checkFinite(logits.data, logits.width, ids, d.path, 'logits');
      if (d.classes === undefined) {
        throw new InputError(
          d.path,
          `has ${logits.width} logits per row; give their class names in \`classes\` of a descriptor (head order)`,
          {
            field: 'classes',
          },
        );
      }
      if (d.classes.length !== logits.width) {
        throw new InputError(
          d.origin,
          `${d.classes.length} classes given but the logits have ${logits.width}`,
          {
            field: 'classes',
          },
        );
      }
      set.logits = logits.data;
      set.classes = d.classes;
    }
  }
  if (set.dim === 0 && set.ids.length > 0)
    throw new InputError(d.path, 'embeddings have 0 columns', { field: 'embedding' });
  checkFinite(set.data, set.dim, set.ids, d.path, 'embedding');
  return set;
}
