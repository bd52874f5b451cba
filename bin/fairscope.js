#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm ci` through the prepare script). In a checkout that was
// not built, it runs the TypeScript sources through tsx (a dev dependency) instead.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

// sharp decodes on libuv's thread pool (4 threads by default): size it to the machine before any
// module uses it, so decoding keeps up with the extractor on many-core machines.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));

const compiled = new URL('../dist/cli/main.js', import.meta.url);
let entry = compiled;
if (!existsSync(compiled)) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    entry = new URL('../src/cli/main.ts', import.meta.url);
  } catch {
    process.stderr.write('fairscope: dist/ is missing; run `npm run build` (or `npm ci`, which builds it)\n');
    process.exit(1);
  }
}
const { main } = await import(entry.href);
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`fairscope: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
