/**
 * A text file's lines as bytes, streamed (memory holds one chunk and one line, whatever the file's
 * length), and their strict UTF-8 decoding: bytes that are not UTF-8 are an error, never silently
 * replaced by U+FFFD as `readFile(path, 'utf8')` or readline would.
 */
import { createReadStream } from 'node:fs';
import { InputError } from '../core/errors.js';

/** One line: its bytes without the line ending ('\n' or '\r\n') and its 1-based number. */
export interface ByteLine {
  bytes: Buffer;
  line: number;
}

/** Why a file cannot be read, in words ("no such file", "is a folder, not a file", ...). */
export function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return (err as Error).message;
}

/**
 * Streams the lines of a file. The last line needs no line ending. Errors opening or reading it are
 * InputErrors naming the file ("cannot read <what>: ...").
 * @param what the kind of file, for messages ("manifest")
 */
export async function* fileLines(path: string, what: string): AsyncGenerator<ByteLine> {
  const stream = createReadStream(path, { highWaterMark: 1 << 16 });
  let line = 0;
  let pending: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
        pending.push(chunk.subarray(start, nl));
        const bytes = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending);
        pending = [];
        start = nl + 1;
        line++;
        yield { bytes: bytes.at(-1) === 13 ? bytes.subarray(0, -1) : bytes, line };
      }
      if (start < chunk.length) pending.push(chunk.subarray(start));
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(path, `cannot read ${what}: ${readProblem(err)}`);
  } finally {
    stream.destroy();
  }
  if (pending.length > 0) {
    const bytes = Buffer.concat(pending);
    yield { bytes: bytes.at(-1) === 13 ? bytes.subarray(0, -1) : bytes, line: line + 1 };
  }
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder('utf-8', { ignoreBOM: true });

/** The UTF-8 byte order mark some editors write at the start of a file. */
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Decodes one line as UTF-8; the byte order mark is dropped from line 1.
 * @returns the text, or `invalid` with the line decoded with U+FFFD in place of the bad bytes (to
 *   find and show where they are)
 */
export function decodeLine(l: ByteLine): { text: string } | { invalid: string } {
  const bytes = l.line === 1 && l.bytes.subarray(0, 3).equals(BOM) ? l.bytes.subarray(3) : l.bytes;
  try {
    return { text: strict.decode(bytes) };
  } catch {
    return { invalid: lossy.decode(bytes) };
  }
}
