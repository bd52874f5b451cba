/**
 * The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a magic number
 * `0x00 0x00 <type> <ndims>`, ndims big-endian uint32 dimensions, then the values row-major.
 * Only unsigned bytes (type 0x08) are used by these datasets. Files may be gzipped.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../../core/errors.js';

export interface IdxArray {
  /** Dimensions, e.g. [n, 28, 28] for images or [n] for labels. */
  shape: number[];
  /** Values row-major, length = product of shape. */
  data: Uint8Array;
}

/** Parses an IDX unsigned-byte array from a buffer (gunzipped already). */
export function parseIdx(buf: Uint8Array, file: string): IdxArray {
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) {
    throw new InputError(file, 'not an IDX file (the magic number must start with two zero bytes)');
  }
  if (buf[2] !== 0x08) {
    throw new InputError(file, `IDX value type 0x${buf[2].toString(16)} is not unsigned byte (0x08)`);
  }
  const ndims = buf[3];
  const headerBytes = 4 + 4 * ndims;
  if (ndims === 0 || buf.length < headerBytes)
    throw new InputError(file, `truncated IDX header (${ndims} dimensions)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const shape = Array.from({ length: ndims }, (_, k) => view.getUint32(4 + 4 * k, false));
  const count = shape.reduce((a, b) => a * b, 1);
  if (buf.length !== headerBytes + count) {
    throw new InputError(
      file,
      `IDX shape [${shape.join(', ')}] needs ${count} values but the file has ${buf.length - headerBytes}`,
    );
  }
  return { shape, data: buf.subarray(headerBytes) };
}

/** Reads an IDX file, gunzipping it when it starts with the gzip magic bytes. */
export async function readIdx(file: string): Promise<IdxArray> {
  let buf: Uint8Array;
  try {
    buf = await readFile(file);
  } catch (err) {
    throw new InputError(
      file,
      `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (err) {
      throw new InputError(file, `corrupt gzip data: ${(err as Error).message}`);
    }
  }
  return parseIdx(buf, file);
}
