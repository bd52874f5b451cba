/**
 * Checks that onnxruntime (through fairscope's ONNX extractor) reproduces PyTorch's own embeddings of
 * the models tools/export_onnx.py exported, and records the result in
 * test/fixtures/models/onnx-agreement.json (committed; src/models/onnx.test.ts re-checks the same
 * numbers on every run).
 *
 *   /usr/bin/python3 tools/export_onnx.py          # once: models + PyTorch outputs
 *   node --import tsx tools/check_onnx_agreement.ts
 *
 * Acceptance: cosine >= 0.9999 between the ONNX and PyTorch embedding of every input.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPreprocess } from '../src/models/descriptor.js';
import { loadOnnxExtractor } from '../src/models/onnx.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/models');
const THRESHOLD = 0.9999;

function formulaInput(shape: readonly number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  for (let j = 0; j < n; j++) x[j] = 1.7 * Math.sin(0.0137 * j + 0.5) + 0.3 * Math.cos(0.00091 * j);
  return x;
}

interface Case {
  name: string;
  path: string;
  sha256: string;
  inputShape: [number, number, number, number];
  embedding: number[][];
}

function cases(): Case[] {
  const small = JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8')) as {
    models: Record<string, Omit<Case, 'name' | 'path'> & { file: string }>;
  };
  const out: Case[] = Object.entries(small.models).map(([name, m]) => ({
    ...m,
    name,
    path: join(FIXTURES, m.file),
  }));
  const big = JSON.parse(readFileSync(join(FIXTURES, 'resnet18-reference.json'), 'utf8')) as Omit<
    Case,
    'name' | 'path'
  > & {
    onnxPath: string;
  };
  out.push({ ...big, name: 'torchvision-resnet18-seed0', path: join(ROOT, big.onnxPath) });
  return out;
}

async function main(): Promise<number> {
  const results: Record<string, unknown>[] = [];
  let ok = true;
  for (const c of cases()) {
    if (!existsSync(c.path)) {
      process.stderr.write(`${c.name}: ${c.path} is absent; run /usr/bin/python3 tools/export_onnx.py\n`);
      ok = false;
      continue;
    }
    const sha = createHash('sha256').update(readFileSync(c.path)).digest('hex');
    if (sha !== c.sha256) throw new Error(`${c.path}: SHA-256 ${sha} is not the fixture's ${c.sha256}`);
    const size = c.inputShape[2];
    const e = await loadOnnxExtractor(
      {
        id: c.name,
        format: 'onnx',
        path: c.path,
        output: 'embedding',
        preprocess: { ...defaultPreprocess('onnx'), resize: size, crop: size },
        origin: c.path,
      },
      { provider: 'cpu' },
    );
    const [n] = c.inputShape;
    const out = await e.embed({
      ids: c.embedding.map((_, i) => String(i)),
      data: formulaInput(c.inputShape),
      shape: c.inputShape,
    });
    await e.dispose();
    const d = e.embeddingDim;
    const cosines: number[] = [];
    let maxAbs = 0;
    for (let i = 0; i < n; i++) {
      let ab = 0;
      let aa = 0;
      let bb = 0;
      for (let k = 0; k < d; k++) {
        const a = out.embedding[i * d + k];
        const b = c.embedding[i][k];
        ab += a * b;
        aa += a * a;
        bb += b * b;
        maxAbs = Math.max(maxAbs, Math.abs(a - b));
      }
      cosines.push(ab / Math.sqrt(aa * bb));
    }
    const minCosine = Math.min(...cosines);
    ok &&= minCosine >= THRESHOLD;
    results.push({
      model: c.name,
      sha256: sha,
      provider: e.provider,
      items: n,
      dim: d,
      minCosine,
      maxAbsDiff: maxAbs,
      pass: minCosine >= THRESHOLD,
    });
    process.stdout.write(
      `${c.name}: min cosine ${minCosine}, max |diff| ${maxAbs.toExponential(2)} ${minCosine >= THRESHOLD ? 'ok' : 'FAIL'}\n`,
    );
  }
  const ort = JSON.parse(readFileSync(join(ROOT, 'node_modules/onnxruntime-node/package.json'), 'utf8')) as {
    version: string;
  };
  writeFileSync(
    join(FIXTURES, 'onnx-agreement.json'),
    `${JSON.stringify({ generatedBy: 'tools/check_onnx_agreement.ts', onnxruntimeNode: ort.version, threshold: THRESHOLD, results }, null, 1)}\n`,
  );
  return ok ? 0 : 1;
}

process.exitCode = await main();
