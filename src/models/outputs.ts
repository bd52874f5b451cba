/**
 * What every engine does with its outputs: runs a fixed-batch graph in padded chunks, checks output
 * widths, and checks the class list against the logits.
 */
import { FairscopeError, InputError } from '../core/errors.js';
import type { ModelDescriptor } from './descriptor.js';

/** Output of one engine call: embedding (n, d) and optional logits (n, k) row-major. */
export interface RawOutput {
  embedding: Float32Array;
  logits?: Float32Array;
}

/**
 * Runs a model whose graph fixes the batch size: splits the batch into chunks of `fixedBatch`,
 * zero-pads the last one and drops the padded rows from the outputs.
 * @param data (n, ...item) row-major, `itemSize` values per item
 */
export async function runFixedBatch(
  data: Float32Array,
  n: number,
  itemSize: number,
  fixedBatch: number,
  dims: { embedding: number; logits?: number },
  run: (chunk: Float32Array) => Promise<RawOutput>,
): Promise<RawOutput> {
  const embedding = new Float32Array(n * dims.embedding);
  const logits = dims.logits === undefined ? undefined : new Float32Array(n * dims.logits);
  for (let start = 0; start < n; start += fixedBatch) {
    const k = Math.min(fixedBatch, n - start);
    const chunk = new Float32Array(fixedBatch * itemSize); // zero padding after row k
    chunk.set(data.subarray(start * itemSize, (start + k) * itemSize));
    const out = await run(chunk);
    embedding.set(out.embedding.subarray(0, k * dims.embedding), start * dims.embedding);
    if (logits !== undefined && out.logits !== undefined && dims.logits !== undefined) {
      logits.set(out.logits.subarray(0, k * dims.logits), start * dims.logits);
    }
  }
  return logits === undefined ? { embedding } : { embedding, logits };
}

/** Values per item of an output of shape [rows, ...]; an error naming the model and output otherwise. */
export function perItemWidth(dims: readonly number[], rows: number, name: string, path: string): number {
  if (dims.length < 2 || dims[0] !== rows) {
    throw new FairscopeError(
      `${path}: output "${name}" has shape [${dims.join(', ')}] for a batch of ${rows}; expected the batch first, then the features`,
    );
  }
  return dims.slice(1).reduce((a, b) => a * b, 1);
}

/**
 * The class list must name every logit, in head order (protocols.md 9.7): logits without classes,
 * classes without logits, or a count mismatch are errors naming the descriptor.
 */
export function checkClasses(
  d: ModelDescriptor,
  logitsName: string | undefined,
  logitsDim: number | undefined,
): void {
  if (logitsDim !== undefined && d.classes === undefined) {
    throw new InputError(
      d.origin,
      `logitsOutput "${logitsName}" has ${logitsDim} classes; give their names in \`classes\` (head order)`,
      { field: 'classes' },
    );
  }
  if (d.classes === undefined) return;
  if (logitsDim === undefined) {
    throw new InputError(d.origin, 'classes are given but no logitsOutput names the classifier output', {
      field: 'logitsOutput',
    });
  }
  if (d.classes.length !== logitsDim) {
    throw new InputError(
      d.origin,
      `${d.classes.length} classes given but logitsOutput "${logitsName}" has ${logitsDim}`,
      {
        field: 'classes',
      },
    );
  }
}
