/**
 * A head on disk: HEAD_DIR/head.json (classes, standardisation, weights, bias, options, metrics,
 * adaptation) and, for a kNN head, HEAD_DIR/bank.f32 (the L2-normalised bank, float32 little-endian,
 * row-major). Floats are written with 9 significant digits, which round-trip float32 exactly.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import type { Head, HeadSource, KnnHead, LinearHead, ProbeMetrics, ResolvedProbeOptions } from '../head.js';

export const HEAD_FORMAT = 'fairscope-head/1';
export const HEAD_FILE = 'head.json';
export const BANK_FILE = 'bank.f32';

/** float32 values as the shortest decimals that round-trip (9 significant digits suffice). */
function floats(a: Float32Array): number[] {
  return Array.from(a, (v) => Number(v.toPrecision(9)));
}

function rows(a: Float32Array, c: number, d: number): number[][] {
  return Array.from({ length: c }, (_, k) => floats(a.subarray(k * d, (k + 1) * d)));
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** Writes HEAD_DIR/head.json (and bank.f32 for kNN), creating the folder. */
export async function saveHead(dir: string, head: Head): Promise<void> {
  await mkdir(dir, { recursive: true });
  let json: Record<string, unknown>;
  if (head.adaptation === 'linear-probe') {
    const c = head.classes.length;
    json = {
      format: HEAD_FORMAT,
      adaptation: head.adaptation,
      head: head.head,
      classes: head.classes,
      dim: head.dim,
      standardize: { mean: floats(head.mean), std: floats(head.std) },
      bn: head.gamma && head.beta ? { gamma: floats(head.gamma), beta: floats(head.beta) } : null,
      weights: rows(head.weights, c, head.dim),
      bias: floats(head.bias),
      seed: head.options.seed,
      options: head.options,
      metrics: head.metrics,
      source: head.source ?? null,
    };
  } else {
    const bytes = new Uint8Array(head.bank.byteLength);
    const view = new DataView(bytes.buffer);
    head.bank.forEach((v, i) => {
      view.setFloat32(i * 4, v, true);
    });
    await writeAtomic(join(dir, BANK_FILE), bytes);
    json = {
      format: HEAD_FORMAT,
      adaptation: head.adaptation,
      head: head.head,
      classes: head.classes,
      dim: head.dim,
      k: head.k,
      temperature: head.temperature,
      bankIds: head.bankIds,
      bankLabels: Array.from(head.bankLabels),
      metrics: head.metrics,
      source: head.source ?? null,
    };
  }
  await writeAtomic(join(dir, HEAD_FILE), `${JSON.stringify(json, null, 1)}\n`);
}

/** Reads a head written by saveHead; errors name the file and the field. */
export async function loadHead(dir: string): Promise<Head> {
  const file = join(dir, HEAD_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new InputError(file, `cannot read head: ${(err as Error).message}`);
  }
  const fail = (field: string, detail: string): never => {
    throw new InputError(file, detail, { field });
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return fail('(root)', 'expected a JSON object');
  const obj = raw as Record<string, unknown>;
  if (obj.format !== HEAD_FORMAT)
    fail('format', `expected "${HEAD_FORMAT}", got ${JSON.stringify(obj.format)}`);
  const classes = obj.classes;
  if (!Array.isArray(classes) || classes.length === 0 || classes.some((s) => typeof s !== 'string')) {
    fail('classes', 'must be a non-empty array of strings');
  }
  const c = (classes as string[]).length;
  const dim = obj.dim;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) fail('dim', `must be a positive integer`);
  const d = dim as number;
  const source = readSource(obj.source, fail);
  const numbers = (value: unknown, field: string, length: number): Float32Array => {
    if (!Array.isArray(value) || value.length !== length || value.some((v) => typeof v !== 'number')) {
      return fail(field, `must be an array of ${length} numbers`);
    }
    return Float32Array.from(value as number[]);
  };

  if (obj.adaptation === 'linear-probe') {
    if (obj.head !== 'linear' && obj.head !== 'bn-linear') {
      fail('head', `must be "linear" or "bn-linear", got ${JSON.stringify(obj.head)}`);
    }
    const std = obj.standardize as Record<string, unknown> | undefined;
    if (std === null || typeof std !== 'object') fail('standardize', 'must be an object {mean, std}');
    const weightRows = obj.weights;
    if (!Array.isArray(weightRows) || weightRows.length !== c)
      fail('weights', `must be ${c} rows of ${d} numbers`);
    const weights = new Float32Array(c * d);
    (weightRows as unknown[]).forEach((row, k) => {
      weights.set(numbers(row, `weights[${k}]`, d), k * d);
    });
    const bn = obj.bn as Record<string, unknown> | null | undefined;
    const head: LinearHead = {
      adaptation: 'linear-probe',
      head: obj.head as 'linear' | 'bn-linear',
      classes: classes as string[],
      dim: d,
      mean: numbers(std?.mean, 'standardize.mean', d),
      std: numbers(std?.std, 'standardize.std', d),
      weights,
      bias: numbers(obj.bias, 'bias', c),
      options: obj.options as ResolvedProbeOptions,
      metrics: obj.metrics as ProbeMetrics,
      ...(source === undefined ? {} : { source }),
    };
    if (head.head === 'bn-linear') {
      if (bn === null || typeof bn !== 'object')
        fail('bn', 'must be an object {gamma, beta} for head "bn-linear"');
      head.gamma = numbers(bn?.gamma, 'bn.gamma', d);
      head.beta = numbers(bn?.beta, 'bn.beta', d);
    }
    if (head.std.some((s) => !(s > 0))) fail('standardize.std', 'must be positive');
    return head;
  }
  if (obj.adaptation === 'knn') {
    const bankIds = obj.bankIds;
    if (!Array.isArray(bankIds) || bankIds.some((s) => typeof s !== 'string')) {
      fail('bankIds', 'must be an array of strings');
    }
    const n = (bankIds as string[]).length;
    const labels = numbers(obj.bankLabels, 'bankLabels', n);
    if (labels.some((y) => !Number.isInteger(y) || y < 0 || y >= c)) {
      fail('bankLabels', `must be class indices in [0, ${c})`);
    }
    const k = obj.k;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) fail('k', 'must be a positive integer');
    const temperature = obj.temperature;
    if (typeof temperature !== 'number' || !(temperature > 0))
      fail('temperature', 'must be a positive number');
    const bankFile = join(dir, BANK_FILE);
    let bytes: Buffer;
    try {
      bytes = await readFile(bankFile);
    } catch (err) {
      throw new InputError(bankFile, `cannot read the kNN bank: ${(err as Error).message}`);
    }
    if (bytes.byteLength !== n * d * 4) {
      throw new InputError(bankFile, `has ${bytes.byteLength} bytes, expected ${n}·${d}·4 = ${n * d * 4}`);
    }
    const bank = new Float32Array(n * d);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n * d; i++) bank[i] = view.getFloat32(i * 4, true);
    const head: KnnHead = {
      adaptation: 'knn',
      head: 'knn',
      classes: classes as string[],
      dim: d,
      k: k as number,
      temperature: temperature as number,
      bank,
      bankIds: bankIds as string[],
      bankLabels: Int32Array.from(labels),
      metrics: obj.metrics as KnnHead['metrics'],
      ...(source === undefined ? {} : { source }),
    };
    return head;
  }
  return fail('adaptation', `must be "linear-probe" or "knn", got ${JSON.stringify(obj.adaptation)}`);
}

function readSource(value: unknown, fail: (field: string, detail: string) => never): HeadSource | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) return fail('source', 'must be an object or null');
  const out: HeadSource = {};
  for (const key of ['modelId', 'preprocessHash', 'labelFrom'] as const) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') fail(`source.${key}`, 'must be a string');
    out[key] = v as string;
  }
  return out;
}
