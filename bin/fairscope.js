#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm ci` through the prepare script).
import { availableParallelism } from 'node:os';

// sharp decodes on libuv's thread pool (4 threads by default): size it to the machine before any
// module uses it, so decoding keeps up with the extractor on many-core machines.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));

const { main } = await import('../dist/cli/main.js');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`fairscope: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
