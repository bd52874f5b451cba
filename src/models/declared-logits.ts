/**
 * What a model declares about its logits, read without loading it or embedding an image: an ONNX or
 * TF.js model has logits when its descriptor names a `logitsOutput` with its `classes`; precomputed
 * embeddings when their table has a `logits` column (read from the schema alone) and the descriptor
 * names the classes; a .npy matrix never has any. The audit checks `classifier: logits` entries
 * with this before any work; loading the model checks the same facts against the model itself.
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { InputError } from '../core/errors.js';
import type { ModelDescriptor } from './descriptor.js';
import { tableColumns } from './table-columns.js';

/** The classes of a model's logits, in head order, or why it has none. */
export type DeclaredLogits = { classes: string[] } | { none: string };

/**
 * @throws InputError when the embeddings file of an `embeddings` descriptor is missing or unreadable
 */
export async function declaredLogits(d: ModelDescriptor): Promise<DeclaredLogits> {
  if (d.format === 'embeddings') {
    if (extname(d.path).toLowerCase() === '.npy')
      return { none: `${d.path} is a .npy matrix, without logits` };
    if (!existsSync(d.path)) throw new InputError(d.path, `embeddings file does not exist (${d.origin})`);
    if (!(await tableColumns(d.path)).includes('logits')) return { none: `${d.path} has no "logits" column` };
    if (d.classes === undefined)
      return { none: `${d.path} has a "logits" column but no descriptor names its classes` };
    return { classes: d.classes };
  }
  if (d.logitsOutput === undefined) return { none: `${d.origin} names no logitsOutput` };
  if (d.classes === undefined)
    return { none: `${d.origin} names logitsOutput "${d.logitsOutput}" but not its classes` };
  return { classes: d.classes };
}
