/**
 * Preprocessed batches in manifest order, with the next batches already being decoded in the worker
 * pool while the extractor runs the current one. At most `1 + prefetch` batches of tensors exist at
 * a time, so memory stays flat however long the manifest is.
 */
import type { ImageBatch } from '../core/types.js';
import type { PreprocessPool } from '../image/node/pool.js';
import { type ImageFailure, type ImageTask, isFailure, tensorShape } from '../image/preprocess.js';

/** One batch of successes (in task order) plus the tasks of that slice that failed. */
export interface PreparedBatch {
  batch: ImageBatch;
  /** Index into the task list of each row of `batch`. */
  positions: number[];
  failures: ImageFailure[];
  /** Tasks covered (successes + failures). */
  size: number;
}

async function assemble(
  pool: PreprocessPool,
  tasks: readonly ImageTask[],
  start: number,
): Promise<PreparedBatch> {
  const results = await Promise.all(tasks.map((t) => pool.run(t)));
  const shape = tensorShape(pool.preprocess);
  const per = shape[0] * shape[1] * shape[2];
  const ok = results.filter((r) => !isFailure(r)).length;
  const data = new Float32Array(ok * per);
  const ids: string[] = [];
  const positions: number[] = [];
  const failures: ImageFailure[] = [];
  results.forEach((r, i) => {
    if (isFailure(r)) {
      failures.push(r);
      return;
    }
    data.set(r, ids.length * per);
    ids.push(tasks[i].id);
    positions.push(start + i);
  });
  return { batch: { ids, data, shape: [ids.length, ...shape] }, positions, failures, size: tasks.length };
}

/**
 * Yields the tasks' tensors in batches of `batchSize` tasks (fewer rows when some fail), in order.
 * @param prefetch batches prepared ahead of the one being consumed
 */
export async function* preparedBatches(
  pool: PreprocessPool,
  tasks: readonly ImageTask[],
  batchSize: number,
  prefetch = 2,
): AsyncGenerator<PreparedBatch> {
  const pending: Promise<PreparedBatch>[] = [];
  let next = 0;
  const submit = () => {
    const p = assemble(pool, tasks.slice(next, next + batchSize), next);
    // Rejections are rethrown when awaited below; do not let an abandoned one crash the process.
    p.catch(() => {});
    pending.push(p);
    next += batchSize;
  };
  while (pending.length <= prefetch && next < tasks.length) submit();
  while (pending.length > 0) {
    const ready = await (pending.shift() as Promise<PreparedBatch>);
    if (next < tasks.length) submit();
    yield ready;
  }
}
