/**
 * Training-step speed on the CPU: one SwAV step and one supervised step of the same ResNet on the
 * TF.js wasm backend, before (TF.js kernels only) and after the onnxruntime kernels
 * (src/train/backend/wasm-ort-kernels.ts, batch-norm-train.ts), against PyTorch (Debian's
 * python3-torch, version read at run time) on the same architecture and batch
 * (tools/train_step_torch.py), measured in the same run. Also a per-kernel
 * profile (tf.profile) of one step with the onnxruntime kernels.
 *
 *   node --import tsx bench/train.ts [backbones=resnet-tiny] [steps=3] [batch=64] [before=resnet-tiny] [rounds=2]
 *
 * `before` lists the backbones whose slow pure-TF.js step is also timed (resnet18-cifar's takes
 * about a minute per SwAV step). Updates the speed section of bench/results/train.md.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../src/core/rng.js';
import { multiCrop, SWAV_COLOR } from '../src/image/augment/multi-crop.js';
import { useFastBatchNorm } from '../src/train/backbones/batch-norm-layer.js';
import { usePlainGradConv } from '../src/train/backbones/conv-layer.js';
import { selectBackend } from '../src/train/backend/select.js';
import {
  registerWasmSharedIdentity,
  unregisterWasmSharedIdentity,
} from '../src/train/backend/wasm-identity.js';
import {
  nchwcBlockSize,
  registerOrtWasmKernels,
  unregisterOrtWasmKernels,
} from '../src/train/backend/wasm-ort-kernels.js';
import { trainStep } from '../src/train/loop.js';
import { buildMethod, type Method } from '../src/train/methods.js';
import { TrainOptimizer } from '../src/train/optimizer.js';
import { resultsPath, SHARED_RESULTS, startRun, writeKeyedSection } from './machine.js';

const backbones = (process.argv[2] ?? 'resnet-tiny').split(',');
const steps = Number(process.argv[3] ?? 3);
const batch = Number(process.argv[4] ?? 64);
const beforeFor = new Set((process.argv[5] ?? 'resnet-tiny').split(',').filter((s) => s !== ''));
const rounds = Number(process.argv[6] ?? 2);
const SIZE = 32;
const run = startRun({
  script: import.meta.url,
  packages: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'onnxruntime-node'],
  python: ['torch'],
});
const loadAtStart = run.start.loadavg[0] as number;
const torchVersion = run.start.python?.torch ?? '(version unknown)';
const sel = await selectBackend('wasm');
if (!sel.ortKernels?.active) throw new Error(`onnxruntime kernels inactive: ${sel.ortKernels?.reason}`);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

function torchStep(backbone: string, method: Method, threads: number): number[] {
  const r = spawnSync(
    '/usr/bin/python3',
    [
      'tools/train_step_torch.py',
      ...['--backbone', backbone, '--method', method, '--batch', String(batch), '--size', String(SIZE)],
      ...['--steps', String(steps), '--threads', String(threads)],
    ],
    { encoding: 'utf8', cwd: new URL('..', import.meta.url).pathname },
  );
  if (r.status !== 0) throw new Error(`tools/train_step_torch.py failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { step_ms: number[] }).step_ms;
}

interface Setup {
  step: (i: number) => number;
  views: tf.Tensor4D[];
  augment: () => tf.Tensor4D[];
  dispose: () => void;
}

function setup(backbone: string, method: Method): Setup {
  const net = buildMethod(
    {
      method,
      backbone,
      imageSize: SIZE,
      hiddenDim: 256,
      outputDim: 64,
      prototypes: 100,
      localCrops: 2,
      freezePrototypesSteps: 0,
      numClasses: 10,
    },
    () => {},
  );
  const opt = new TrainOptimizer({ name: 'sgd', weightDecay: 1e-6 });
  const images = tf.randomUniform([batch, SIZE, SIZE, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const labels = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  );
  const rng = new Rng(1);
  const augment = () => multiCrop(images, net.crops, rng, SWAV_COLOR);
  const views = augment();
  return {
    views,
    augment,
    step: (i) => trainStep(net, opt, views, labels, i, 1000, 0.01),
    dispose: () => tf.dispose([images, labels, ...views]),
  };
}

/** Median ms of `n` steps after one warm-up step (which creates the onnxruntime sessions). */
function timeSteps(s: Setup, n: number, warmup = 1): number[] {
  for (let i = 0; i < warmup; i++) s.step(i);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    s.step(warmup + i);
    out.push(performance.now() - t0);
  }
  return out;
}

async function profile(s: Setup): Promise<{ name: string; ms: number; calls: number }[]> {
  const p = await tf.profile(() => {
    s.step(99);
  });
  const by = new Map<string, { ms: number; calls: number }>();
  for (const k of p.kernels) {
    // Wrapper entries (custom-gradient scopes, fused-op scopes) contain kernels listed separately.
    if (/__op$|^unnamed scope$/.test(k.name)) continue;
    const e = by.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += k.kernelTimeMs as number;
    e.calls++;
    by.set(k.name, e);
  }
  return [...by].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.ms - a.ms);
}

const rows: string[] = [];
const profiles: string[] = [];
const fmt = (ms: number) => (ms / 1000).toFixed(2);
for (const backbone of backbones) {
  for (const method of ['swav', 'supervised'] as Method[]) {
    const s = setup(backbone, method);
    const crops = method === 'swav' ? `2×${SIZE} + 2×14` : `1×${SIZE}`;
    const aug: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const v = s.augment();
      await Promise.all(v.map((t) => t.data()));
      aug.push(performance.now() - t0);
      tf.dispose(v);
    }
    // Interleaved rounds (PyTorch 2 threads, 1 thread, ours), so that load from other processes
    // hits all alike; the minimum over rounds estimates the uncontended step.
    const torch2: number[] = [];
    const torch1: number[] = [];
    const after: number[] = [];
    for (let r = 0; r < rounds; r++) {
      torch2.push(...torchStep(backbone, method, 2));
      torch1.push(...torchStep(backbone, method, 1));
      after.push(...timeSteps(s, steps, r === 0 ? 1 : 0));
    }
    const prof = await profile(s);
    let before: number[] = [];
    if (beforeFor.has(backbone)) {
      unregisterOrtWasmKernels();
      unregisterWasmSharedIdentity();
      useFastBatchNorm(false);
      usePlainGradConv(false);
      before = timeSteps(s, Math.max(1, Math.min(2, steps)), 0);
      useFastBatchNorm(true);
      usePlainGradConv(true);
      registerWasmSharedIdentity();
      registerOrtWasmKernels();
    }
    s.dispose();
    const best = (xs: number[]) => Math.min(...xs);
    const torchBest = Math.min(best(torch2), best(torch1));
    const torchMedian = Math.min(median(torch2), median(torch1));
    const cell = (xs: number[]) => `${fmt(best(xs))} / ${fmt(median(xs))}`;
    rows.push(
      `| ${backbone} | ${method} | ${batch} | ${crops} | ${before.length ? fmt(median(before)) : '-'} | ${cell(after)} | ${((batch * 1000) / best(after)).toFixed(0)} | ${cell(torch2)} | ${cell(torch1)} | ${(best(after) / torchBest).toFixed(2)} / ${(median(after) / torchMedian).toFixed(2)} | ${median(aug).toFixed(0)} |`,
    );
    const total = prof.reduce((x, k) => x + k.ms, 0);
    profiles.push(
      `**${backbone}, ${method}** (profiled step: ${fmt(total)} s of kernel time, ${prof.reduce((x, k) => x + k.calls, 0)} kernel calls; the profiler slows a step)\n\n| kernel | ms | calls | share |\n|---|---|---|---|\n${prof
        .slice(0, 10)
        .map((k) => `| ${k.name} | ${k.ms.toFixed(0)} | ${k.calls} | ${((100 * k.ms) / total).toFixed(0)}% |`)
        .join('\n')}\n`,
    );
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
}

const section = [
  `## Step speed: \`node --import tsx bench/train.ts ${process.argv.slice(2).join(' ')}\``.replace(
    / `$/,
    '`',
  ),
  '',
  run.block(),
  '',
  `${new Date().toISOString().slice(0, 10)}, wasm backend (XNNPACK, 1 thread) with onnxruntime-node ${run.start.packages['onnxruntime-node']} kernels (2 intra-op threads, no spinning; NCHWc block ${nchwcBlockSize() ?? 'none'}) vs PyTorch ${torchVersion} on the CPU, same architecture, batch and crop sizes. Step = forward + backward + SGD update on already augmented crops (PyTorch's inputs are random tensors of the crop shapes); augmentation (multi-crop with colour jitter, grayscale, blur) is timed separately. ${rounds} interleaved rounds of ${steps} steps each of PyTorch (2 threads), PyTorch (1 thread) and ours, after a warm-up step; the minimum estimates the uncontended step. Under contention PyTorch's 2 OpenMP threads often lose to 1, so the ratio uses the faster PyTorch configuration. ${cpus().length} cores, 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${(loadavg()[0] as number).toFixed(1)} at the end: read ratios, not absolute times.`,
  '',
  '| backbone | method | batch | crops per image | wasm before (s/step, median) | wasm + onnxruntime (s/step, min / median) | img/s (min) | PyTorch 2 threads (min / median) | PyTorch 1 thread (min / median) | ratio to the faster PyTorch (min / median) | augmentation (ms) |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  '### Where a step goes now (tf.profile, one step, wasm + onnxruntime)',
  '',
  ...profiles,
].join('\n');

writeKeyedSection(resultsPath(SHARED_RESULTS.train.file), {
  ...SHARED_RESULTS.train,
  key: 'bench/train.ts',
  section,
});
console.log(section);
