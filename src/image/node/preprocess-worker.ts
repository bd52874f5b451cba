/**
 * Worker thread of PreprocessPool: decodes and preprocesses the tasks it is sent, returning each
 * tensor's buffer by transfer (no copy) or a failure record.
 */
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import type { Preprocess } from '../../core/types.js';
import { type ImageTask, isFailure } from '../preprocess.js';
import { FilePreprocessor } from './file-preprocessor.js';

/** Message from the pool to a worker. */
export interface WorkerRequest {
  seq: number;
  task: ImageTask;
}

/** Message from a worker to the pool. */
export type WorkerResponse = { seq: number; data: Float32Array } | { seq: number; reason: string };

if (parentPort === null) throw new Error('preprocess-worker must run in a worker thread');
const port = parentPort;
// One libvips thread per worker: the pool itself provides the parallelism.
sharp.concurrency(1);
sharp.cache(false);
const data = workerData as { preprocess: Preprocess; maxPixels: number };
const preprocessor = new FilePreprocessor(data.preprocess, data.maxPixels);

port.on('message', (msg: WorkerRequest) => {
  preprocessor.run(msg.task).then(
    (result) => {
      if (isFailure(result)) {
        port.postMessage({ seq: msg.seq, reason: result.reason } satisfies WorkerResponse);
      } else {
        port.postMessage({ seq: msg.seq, data: result } satisfies WorkerResponse, [
          result.buffer as ArrayBuffer,
        ]);
      }
    },
    (err: unknown) => {
      port.postMessage({ seq: msg.seq, reason: `internal error: ${String(err)}` } satisfies WorkerResponse);
    },
  );
});
