/**
 * NumPy .npy reader (format versions 1.0-3.0, little or big endian, C or Fortran order), as written
 * by `np.save`: 2-D float arrays (embeddings) and 1-D string arrays (vissl's image-path lists).
 * Spec: numpy.lib.format.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../core/errors.js';

export interface NpyMatrix {
  rows: number;
  cols: number;
  /** (rows, cols) row-major, converted to float32. */
  data: Float32Array;
  /** The file's dtype, e.g. '<f4'. */
  dtype: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parses the header dict, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } */
function parseHeader(text: string, file: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) {
    throw new InputError(file, `has an unreadable .npy header: ${text.trim()}`);
  }
  const dims = shape
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  return { descr, fortran: fortran === 'True', shape: dims };
}

/** A parsed .npy file: its header and the bytes of its data. */
interface NpyFile {
  descr: string;
  fortran: boolean;
  shape: number[];
  data: Buffer;
}

/** Reads a .npy file's header; errors name the file. */
async function readNpy(file: string): Promise<NpyFile> {
  const buf = await readFile(file);
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b))
    throw new InputError(file, 'is not a .npy file (bad magic)');
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  if (major < 1 || major > 3 || start > buf.length)
    throw new InputError(file, `has an unsupported .npy version ${major}`);
  const header = buf.subarray(major === 1 ? 10 : 12, start).toString(major === 3 ? 'utf8' : 'latin1');
  return { ...parseHeader(header, file), data: buf.subarray(start) };
}

/**
 * Reads a 2-D float32 or float64 .npy file.
 * @returns (rows, cols) row-major float32
 */
export async function readNpyMatrix(file: string): Promise<NpyMatrix> {
  const { descr, fortran, shape, data: bytes } = await readNpy(file);
  if (shape.length !== 2) {
    throw new InputError(
      file,
      `embeddings must be a 2-D (items, dim) array, got shape (${shape.join(', ')})`,
      {
        field: 'shape',
      },
    );
  }
  const [rows, cols] = shape;
  const m = /^([<>|=])f([48])$/.exec(descr);
  if (m === null) throw new InputError(file, `dtype ${descr} is not float32 or float64`, { field: 'descr' });
  const width = Number(m[2]);
  const little = m[1] !== '>';
  const count = rows * cols;
  if (bytes.length < count * width) {
    throw new InputError(
      file,
      `holds ${bytes.length} data bytes but shape (${rows}, ${cols}) needs ${count * width}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * width);
  const data = new Float32Array(count);
  for (let k = 0; k < count; k++) {
    // Fortran order stores column after column: element k is (k % rows, k / rows).
    const dst = fortran ? (k % rows) * cols + Math.floor(k / rows) : k;
    data[dst] = width === 4 ? view.getFloat32(k * 4, little) : view.getFloat64(k * 8, little);
  }
  return { rows, cols, data, dtype: descr };
}

/**
 * Reads a 1-D .npy array of strings: unicode (`<U<n>`, what `np.save` writes for a list of str) or
 * bytes (`|S<n>`, read as UTF-8), trailing NULs removed. Object arrays (pickles) are refused.
 */
export async function readNpyStrings(file: string): Promise<string[]> {
  const { descr, shape, data } = await readNpy(file);
  if (shape.length !== 1) {
    throw new InputError(file, `must be a 1-D array of strings, got shape (${shape.join(', ')})`, {
      field: 'shape',
    });
  }
  const m = /^([<>|=])([US])(\d+)$/.exec(descr);
  if (m === null) {
    throw new InputError(
      file,
      descr.endsWith('O')
        ? 'is an object array (a pickle); save it as a string array: np.save(f, np.array(paths, dtype=str))'
        : `dtype ${descr} is not a string dtype (<U or |S)`,
      { field: 'descr' },
    );
  }
  const [n] = shape as [number];
  const chars = Number(m[3]);
  const width = m[2] === 'U' ? 4 * chars : chars;
  if (data.length < n * width) {
    throw new InputError(file, `holds ${data.length} data bytes but shape (${n}) needs ${n * width}`);
  }
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const cell = data.subarray(k * width, (k + 1) * width);
    let text: string;
    if (m[2] === 'S') text = cell.toString('utf8');
    else {
      const view = new DataView(cell.buffer, cell.byteOffset, width);
      const points: number[] = [];
      for (let c = 0; c < chars; c++) points.push(view.getUint32(c * 4, m[1] !== '>'));
      while (points.length > 0 && points.at(-1) === 0) points.pop();
      text = String.fromCodePoint(...points);
    }
    out.push(text.replace(/\0+$/, ''));
  }
  return out;
}
