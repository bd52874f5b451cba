/**
 * Feature-extractor throughput: ms per image of fairscope's extractors against baselines measured in
 * the same run:
 * - nsfwjs-mobilenetv2 (TF.js wasm) at batch 16 and 1, against nsfwjs's own `infer` one image at a
 *   time (how an nsfwjs user runs it);
 * - human-faceres (TF.js wasm) at batch 16;
 * - torchvision resnet18 through onnxruntime (CPU), thread spinning off (fairscope's default) and on,
 *   against PyTorch (Debian python3-torch; its version read at run time) on the same batch, when
 *   .fairscope/models/ has it.
 * Inputs are seeded uniform noise: only time is measured. Writes bench/results/models.md.
 *
 *   node --import tsx bench/models.ts [--batches 3]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/rng.js';
import type { FeatureExtractor, ImageBatch } from '../src/core/types.js';
import { defaultPreprocess } from '../src/models/descriptor.js';
import { loadModel } from '../src/models/load.js';
import { loadOnnxExtractor } from '../src/models/onnx.js';
import { tf } from '../src/models/tfjs-backend.js';
import { resultsPath, resultsText, startRun } from './machine.js';

const { values } = parseArgs({ options: { batches: { type: 'string' } } });
const batches = Number(values.batches ?? 3);
const run = startRun({
  script: import.meta.url,
  packages: [
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-backend-wasm',
    'onnxruntime-node',
    'nsfwjs',
    '@vladmandic/human',
  ],
  python: ['torch', 'torchvision'],
});
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const rng = new Rng(7);

function noiseBatch(n: number, shape: [number, number, number], scale: number): ImageBatch {
  const data = new Float32Array(n * shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < data.length; i++) data[i] = rng.next() * scale;
  return { ids: Array.from({ length: n }, (_, i) => `x${i}`), data, shape: [n, ...shape] };
}

/** ms per image over `batches` timed calls after one warm-up call; also process CPU ms per image. */
async function time(run: () => Promise<unknown>, perCall: number): Promise<{ ms: number; cpu: number }> {
  await run();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let b = 0; b < batches; b++) await run();
  const c = process.cpuUsage(c0);
  return {
    ms: (performance.now() - t0) / (batches * perCall),
    cpu: (c.user + c.system) / 1000 / (batches * perCall),
  };
}

interface Row {
  model: string;
  engine: string;
  batch: number;
  ms: number;
  cpu?: number;
  note: string;
}
const rows: Row[] = [];

async function extractorRows(spec: string): Promise<FeatureExtractor> {
  const m = await loadModel(spec);
  if (m.kind !== 'extractor') throw new Error(`${spec} is not an extractor`);
  return m.extractor;
}

// nsfwjs-mobilenetv2
{
  const e = await extractorRows('nsfwjs-mobilenetv2');
  for (const n of [16, 1]) {
    const b = noiseBatch(n, [224, 224, 3], 1);
    const t = await time(() => e.embed(b), n);
    rows.push({
      model: 'nsfwjs-mobilenetv2',
      engine: e.provider,
      batch: n,
      ...t,
      note: 'fairscope extractor (flatten_1 + logits)',
    });
  }
  await e.dispose();
  const nsfwjs = await import('nsfwjs');
  const info = console.info;
  console.info = () => {};
  const ref = await nsfwjs.load('MobileNetV2');
  console.info = info;
  const img = tf.tensor3d(noiseBatch(1, [224, 224, 3], 255).data, [224, 224, 3], 'int32');
  const t = await time(async () => {
    const out = ref.infer(img, 'flatten_1') as tf.Tensor;
    await out.data();
    out.dispose();
  }, 1);
  rows.push({
    model: 'nsfwjs-mobilenetv2',
    engine: `tfjs/${tf.getBackend()}`,
    batch: 1,
    ...t,
    note: "baseline: nsfwjs's own infer(img, 'flatten_1')",
  });
  img.dispose();
}

// human-faceres
{
  const e = await extractorRows('human-faceres');
  const b = noiseBatch(16, [224, 224, 3], 255);
  const t = await time(() => e.embed(b), 16);
  rows.push({
    model: 'human-faceres',
    engine: e.provider,
    batch: 16,
    ...t,
    note: 'fairscope extractor (global_pooling/Mean)',
  });
  await e.dispose();
}

// resnet18 ONNX vs PyTorch
const r18 = join(ROOT, '.fairscope/models/resnet18-seed0.onnx');
if (existsSync(r18)) {
  const b = noiseBatch(16, [3, 224, 224], 1);
  for (const spinning of [false, true]) {
    const e = await loadOnnxExtractor(
      {
        id: 'resnet18',
        format: 'onnx',
        path: r18,
        output: 'embedding',
        preprocess: defaultPreprocess('onnx'),
        origin: r18,
      },
      { provider: 'cpu', spinning },
    );
    const t = await time(() => e.embed(b), 16);
    rows.push({
      model: 'torchvision resnet18 (random init)',
      engine: e.provider,
      batch: 16,
      ...t,
      note: `fairscope extractor, thread spinning ${spinning ? 'on' : 'off (default)'}`,
    });
    await e.dispose();
  }
  const py = `
import time, torch, torchvision
torch.set_num_threads(${availableParallelism()})
torch.manual_seed(0)
m = torchvision.models.resnet18().eval()
x = torch.rand(16, 3, 224, 224)
with torch.no_grad():
    m(x)
    t0 = time.perf_counter(); c0 = time.process_time()
    for _ in range(${batches}):
        m(x)
    print((time.perf_counter() - t0) * 1000 / (${batches} * 16), (time.process_time() - c0) * 1000 / (${batches} * 16), torch.__version__)
`;
  try {
    const [msText, cpuText, version] = execFileSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8' })
      .trim()
      .split(' ');
    const ms = Number(msText);
    const cpu = Number(cpuText);
    rows.push({
      model: 'torchvision resnet18 (random init)',
      engine: `pytorch ${version} cpu`,
      batch: 16,
      ms,
      cpu,
      note: 'baseline: PyTorch forward, same batch size',
    });
  } catch (err) {
    process.stderr.write(`PyTorch baseline skipped: ${(err as Error).message.split('\n')[0]}\n`);
  }
} else {
  process.stderr.write(
    `resnet18 rows skipped: ${r18} is absent (run /usr/bin/python3 tools/export_onnx.py)\n`,
  );
}

const lines = [
  '## Feature extractors (bench/models.ts)',
  '',
  run.block(),
  '',
  `${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores; ${batches} timed batches after one warm-up. ms/image is wall time; CPU ms/image is this process's user+system time (the PyTorch row: its process time).`,
  '',
  '| model | engine | batch | ms/image | CPU ms/image | what |',
  '|---|---|---:|---:|---:|---|',
  ...rows.map(
    (r) =>
      `| ${r.model} | ${r.engine} | ${r.batch} | ${r.ms.toFixed(1)} | ${r.cpu === undefined ? '' : r.cpu.toFixed(1)} | ${r.note} |`,
  ),
  '',
];
const out = resultsPath('models.md');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, resultsText(import.meta.url, lines.join('\n')));
process.stdout.write(lines.join('\n'));
