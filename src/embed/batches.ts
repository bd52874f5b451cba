/**
 * Preprocessed batches in manifest order, with the next batches already being decoded in the worker
 * pool while the extractor runs the current one. At most `1 + prefetch` batches of tensors exist at
 * a time, so memory stays flat however long the manifest is.
 */
import type { ImageBatch } from '../core/types.js';
import type { PreprocessPool } from '../image/node/pool.js';
import { type ImageFailure, type ImageTask, isFailure, tensorShape } from '../image/preprocess.js';

/** One batch of successes (in task order) plus the tasks of that slice that failed. */
export interface PreparedBatch<T extends ImageTask = ImageTask> {
  batch: ImageBatch;
  /** The task of each row of `batch`. */
  tasks: T[];
  failures: ImageFailure[];
  /** Tasks covered (successes + failures). */
  size: number;
}

async function assemble<T extends ImageTask>(
  pool: PreprocessPool,
  tasks: readonly T[],
): Promise<PreparedBatch<T>> {
  const results = await Promise.all(tasks.map((t) => pool.run(t)));
  const shape = tensorShape(pool.preprocess);
  const per = shape[0] * shape[1] * shape[2];
  const ok = results.filter((r) => !isFailure(r)).length;
  const data = new Float32Array(ok * per);
  const ids: string[] = [];
  const rows: T[] = [];
  const failures: ImageFailure[] = [];
  results.forEach((r, i) => {
    if (isFailure(r)) {
      failures.push(r);
      return;
    }
    data.set(r, ids.length * per);
    ids.push(tasks[i].id);
    rows.push(tasks[i]);
  });
  return { batch: { ids, data, shape: [ids.length, ...shape] }, tasks: rows, failures, size: tasks.length };
}

/**
 * Yields the tasks' tensors in batches of `batchSize` tasks (fewer rows when some fail), in order.
 * Tasks are taken from `tasks` only as batches are submitted, so they can be streamed (an async
 * iterable read from a manifest): at most `1 + prefetch` batches of tasks exist at a time. The
 * task iterator is closed when the consumer stops early.
 * @param prefetch batches prepared ahead of the one being consumed
 */
export async function* preparedBatches<T extends ImageTask>(
  pool: PreprocessPool,
  tasks: Iterable<T> | AsyncIterable<T>,
  batchSize: number,
  prefetch = 2,
): AsyncGenerator<PreparedBatch<T>> {
  const it =
    Symbol.asyncIterator in tasks
      ? (tasks as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (tasks as Iterable<T>)[Symbol.iterator]();
  const pending: Promise<PreparedBatch<T>>[] = [];
  let ended = false;
  const submit = async () => {
    const slice: T[] = [];
    while (slice.length < batchSize) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        break;
      }
      slice.push(r.value);
    }
    if (slice.length === 0) return;
    const p = assemble(pool, slice);
    // Rejections are rethrown when awaited below; do not let an abandoned one crash the process.
    p.catch(() => {});
    pending.push(p);
  };
  try {
    while (pending.length <= prefetch && !ended) await submit();
    while (pending.length > 0) {
      const ready = await (pending.shift() as Promise<PreparedBatch<T>>);
      if (!ended) await submit();
      yield ready;
    }
  } finally {
    if (!ended) await it.return?.();
  }
}
