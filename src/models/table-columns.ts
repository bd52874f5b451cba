/**
 * The column names of a precomputed-embeddings table (Arrow IPC file or stream, Parquet), read from
 * its schema alone: the first message of an Arrow stream, the footer of a Parquet file. No row is
 * read, so asking whether a table has a `logits` column costs the same for any table size.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { RecordBatchReader, tableFromIPC } from 'apache-arrow';
import { InputError } from '../core/errors.js';

const PARQUET_MAGIC = 'PAR1';

/** A Parquet file's schema from its footer: `PAR1` + footer + length + `PAR1` is a file readSchema takes. */
async function parquetColumns(file: string): Promise<string[]> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const tail = Buffer.alloc(8);
    await handle.read(tail, 0, 8, size - 8);
    if (size < 12 || tail.toString('latin1', 4) !== PARQUET_MAGIC)
      throw new InputError(file, 'is not a Parquet file (no PAR1 footer)');
    const length = tail.readUInt32LE(0);
    if (length > size - 12)
      throw new InputError(file, `has a footer of ${length} bytes, longer than the file`);
    const footer = Buffer.alloc(length);
    await handle.read(footer, 0, length, size - 8 - length);
    const { readSchema } = await import('parquet-wasm/node');
    const schema = readSchema(new Uint8Array(Buffer.concat([Buffer.from(PARQUET_MAGIC), footer, tail])));
    return tableFromIPC(schema.intoIPCStream()).schema.fields.map((f) => f.name);
  } finally {
    await handle.close();
  }
}

/** An Arrow IPC file's or stream's schema: its first message. */
async function arrowColumns(file: string): Promise<string[]> {
  const stream = createReadStream(file);
  try {
    const reader = await RecordBatchReader.from(stream);
    await reader.open();
    const names = reader.schema.fields.map((f) => f.name);
    await reader.cancel();
    return names;
  } finally {
    stream.destroy();
  }
}

/**
 * Column names of an embeddings table.
 * @throws InputError naming the file when it cannot be read as a table
 */
export async function tableColumns(file: string): Promise<string[]> {
  try {
    return extname(file).toLowerCase() === '.parquet' ? await parquetColumns(file) : await arrowColumns(file);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(
      file,
      `is not a readable ${extname(file).slice(1)} table: ${(err as Error).message}`,
    );
  }
}
