/**
 * A pool of worker threads that decode and preprocess images in parallel, so the extractor is never
 * waiting on one core's decoding. Workers run the same code as the main thread (preprocess.ts);
 * under tsx they inherit `--import tsx` through execArgv, compiled they load the .js file.
 *
 * Results come back per task; callers keep their own order (embed/batches.ts assembles batches in
 * manifest order), so the pool's scheduling never affects outputs.
 *
 * The decode pixel limit is set here, from the decodes that can run at once (workers x PER_WORKER)
 * and the machine's memory (decode.ts): an image declaring more pixels is a failure record with the
 * reason, so a folder of small files declaring 16000 x 16000 pixels cannot take gigabytes per worker.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FairscopeError } from '../../core/errors.js';
import type { Preprocess } from '../../core/types.js';
import type { ImageFailure, ImageTask } from '../preprocess.js';
import { availableMemory, decodePixelLimit } from './decode.js';
import { FilePreprocessor } from './file-preprocessor.js';
import type { WorkerRequest, WorkerResponse } from './preprocess-worker.js';

/** Tasks queued on one worker at a time: one decoding while another is being resized. */
const PER_WORKER = 2;
/** Decodes the main thread runs at once without workers: libuv's thread pool, where sharp works. */
const INLINE_DECODES = Number(process.env.UV_THREADPOOL_SIZE) || 4;

interface Pending {
  task: ImageTask;
  resolve(r: Float32Array | ImageFailure): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  inflight: Map<number, Pending>;
}

/**
 * Starts the worker script beside this module. Compiled, that is preprocess-worker.js. From source
 * (this file is .ts), tsx's `--import` hook does not reach worker threads, so a two-line bootstrap
 * registers tsx in the worker and then imports the .ts script.
 */
function startWorker(workerData: unknown): Worker {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) {
    return new Worker(here.replace(/pool\.js$/, 'preprocess-worker.js'), { workerData });
  }
  const script = pathToFileURL(here.replace(/pool\.ts$/, 'preprocess-worker.ts')).href;
  // Resolved here, from this module, so the worker finds tsx whatever the working directory.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(script)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** Default pool size: one worker per core. */
export function defaultWorkers(): number {
  return availableParallelism();
}

export class PreprocessPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly inline: FilePreprocessor | null;
  private seq = 0;
  private broken: Error | null = null;
  private closed = false;
  /**
   * The most pixels an image may declare (decodePixelLimit of the decodes that can run at once):
   * larger ones are failures ("declares 16000x16000 = 256.0 Mpx, more than the decode limit...").
   */
  readonly maxPixels: number;

  /**
   * @param preprocess applied to every task
   * @param workers number of worker threads; 0 runs everything on the calling thread (tests, debugging)
   * @param memory bytes the decodes may share a quarter of (default: the machine's, decode.ts)
   */
  constructor(
    readonly preprocess: Preprocess,
    readonly workers: number = defaultWorkers(),
    memory: number = availableMemory(),
  ) {
    this.maxPixels = decodePixelLimit(workers === 0 ? INLINE_DECODES : workers * PER_WORKER, memory);
    // Validates the preprocess here, before any worker starts.
    const pre = new FilePreprocessor(preprocess, this.maxPixels);
    this.inline = workers === 0 ? pre : null;
    for (let i = 0; i < workers; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = startWorker({ preprocess: this.preprocess, maxPixels: this.maxPixels });
    const slot: Slot = { worker, inflight: new Map() };
    worker.on('message', (msg: WorkerResponse) => {
      const p = slot.inflight.get(msg.seq);
      if (p === undefined) return;
      slot.inflight.delete(msg.seq);
      if (slot.inflight.size === 0) slot.worker.unref();
      p.resolve('data' in msg ? msg.data : { id: p.task.id, reason: msg.reason });
      this.dispatch();
    });
    const fail = (err: Error) => {
      if (this.closed) return;
      this.broken = new FairscopeError(`image worker failed: ${err.message}`, { cause: err });
      for (const s of this.slots) {
        for (const p of s.inflight.values()) p.reject(this.broken);
        s.inflight.clear();
      }
      for (const p of this.queue.splice(0)) p.reject(this.broken);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`worker exited with code ${code}`));
    });
    // Idle workers must not keep the process alive; busy ones must (see dispatch).
    worker.unref();
    return slot;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let best: Slot | undefined;
      for (const s of this.slots) {
        if (s.inflight.size < PER_WORKER && (best === undefined || s.inflight.size < best.inflight.size))
          best = s;
      }
      if (best === undefined) return;
      const p = this.queue.shift() as Pending;
      const seq = this.seq++;
      best.inflight.set(seq, p);
      best.worker.ref();
      best.worker.postMessage({ seq, task: p.task } satisfies WorkerRequest);
    }
  }

  /**
   * Decodes and preprocesses one image.
   * @returns the tensor, or a failure record when the image is missing or undecodable; rejects
   * only when a worker itself dies
   */
  run(task: ImageTask): Promise<Float32Array | ImageFailure> {
    if (this.closed) return Promise.reject(new FairscopeError('PreprocessPool used after close()'));
    if (this.broken !== null) return Promise.reject(this.broken);
    if (this.inline !== null) return this.inline.run(task);
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops the workers; pending tasks are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new FairscopeError('PreprocessPool closed');
    for (const p of this.queue.splice(0)) p.reject(err);
    for (const s of this.slots) for (const p of s.inflight.values()) p.reject(err);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
