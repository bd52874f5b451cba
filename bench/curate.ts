/**
 * Curation at scale: k-center selection of BUDGET from N x 256 clustered embeddings (seeded, with
 * N/100 planted near-duplicates) and near-duplicate search over the same set, each phase in its own
 * process so that its peak memory (maxRSS) is its own. Baselines measured in the same run:
 * - the textbook k-center loop in plain TypeScript, on a subset, against ours on the same subset
 *   (same picks required);
 * - a vectorised numpy k-center (one GEMV per pick), on the full set for its first picks (same picks
 *   required), extrapolated linearly to the budget;
 * - FAISS exact inner-product search (IndexFlatIP, BLAS) for the duplicate search, on up to 50,000
 *   rows (Debian's FAISS build has no fast HNSW: about 65 s for 20,000 rows on one core here).
 * Python baselines run with /usr/bin/python3 and are skipped (and said so) when it lacks numpy/faiss.
 *
 *   node --import tsx bench/curate.ts                        # default: N = 50,000, budget 500
 *   CURATE_BENCH_N=1000000 CURATE_BENCH_BUDGET=10000 node --import tsx bench/curate.ts
 *   (the duplicate search stays at 20,000 rows unless CURATE_BENCH_DEDUP_N says otherwise)
 *
 * Other knobs: CURATE_BENCH_DEDUP_N (rows searched for duplicates: the first rows of the same set,
 * default 20,000), CURATE_BENCH_SEARCH (auto | exact | hnsw, default auto: exact up to about 62,500
 * rows), CURATE_BENCH_THREADS. The full-size run recorded in bench/results/curate.md used
 * CURATE_BENCH_N=1000000 CURATE_BENCH_BUDGET=10000 CURATE_BENCH_DEDUP_N=100000 CURATE_BENCH_SEARCH=hnsw.
 *
 * Out-of-core mode (CURATE_BENCH_STORE=1): the same data written to an embedding store and every
 * phase reading it from there, each in its own process: the store written streamed (row group by
 * row group) against the previous whole-table encode; read streamed (readEmbeddings) against the
 * previous whole-file decode (kept below as wholeFileReadEmbeddings); k-center of BUDGET; and the
 * near-duplicate search over all N rows (findDuplicates, CURATE_BENCH_SEARCH, default hnsw) with, as
 * its baseline, exact GEMM search for a sample of CURATE_BENCH_SAMPLE rows (half random, half planted
 * copies) against all N: recall of the duplicate links and the exact time extrapolated to N.
 *   CURATE_BENCH_STORE=1 CURATE_BENCH_N=1000000 CURATE_BENCH_BUDGET=10000 node --import tsx bench/curate.ts
 *
 * Near-duplicate efSearch sweep (CURATE_BENCH_DEDUP_SWEEP=<ef>,<ef>,...): the same data written to a
 * store once, then the near-duplicate search over all N rows read from it, once per efSearch, each in
 * its own process (findDuplicates, CURATE_BENCH_SEARCH, default hnsw; stopped after
 * CURATE_BENCH_DEDUP_TIMEOUT s), with planted-pair precision and recall and, as the baseline, exact
 * GEMM search for the CURATE_BENCH_SAMPLE sampled rows (seed 3, half planted copies) against all N:
 *   CURATE_BENCH_DEDUP_SWEEP=256,64 CURATE_BENCH_N=1000000 node --import tsx bench/curate.ts
 * (at 1M rows about 12 minutes and 2.6 GB per efSearch; CURATE_BENCH_N=20000 takes seconds).
 *
 * Writes curate.md in the results folder (bench/results/, or BENCH_RESULTS_DIR): every run so far,
 * one section each, kept in curate.json there. `--render` only rewrites curate.md from curate.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm/node';
import { Rng } from '../src/core/rng.js';
import type { EmbeddingSet } from '../src/core/types.js';
import { findDuplicates } from '../src/curate/dedup.js';
import { kCenterGreedy } from '../src/curate/kcenter.js';
import { type PointMatrix, pointsFromRows } from '../src/curate/points.js';
import { selectItems } from '../src/curate/select.js';
import { clusteredEmbeddings, plantDuplicates } from '../src/curate/synthetic.js';
import { tableToRows } from '../src/embed/columns.js';
import { openParquet } from '../src/embed/parquet-batches.js';
import { encodeParquet } from '../src/embed/parquet-writer.js';
import {
  EMBEDDINGS_FILE,
  iterateEmbeddingChunks,
  META_FILE,
  readEmbeddings,
  readStoreMeta,
  writeEmbeddings,
} from '../src/embed/store.js';
import { HNSW_DEFAULTS, HnswIndex } from '../src/linalg/hnsw.js';
import { exactKnn } from '../src/linalg/knn.js';
import { type BenchRun, machineSummary, resultsPath, resultsText, startRun } from './machine.js';

const DIM = 256;
const PYTHON = '/usr/bin/python3';

const { values } = parseArgs({
  options: {
    phase: { type: 'string' },
    data: { type: 'string' },
    n: { type: 'string' },
    budget: { type: 'string' },
    first: { type: 'string' },
    store: { type: 'string' },
    sample: { type: 'string' },
    render: { type: 'boolean' },
  },
});

interface PhaseResult {
  seconds: number;
  maxRssMiB: number;
  [key: string]: unknown;
}

function maxRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
}

/** The first n raw rows, read straight into their array (no transient second copy). */
async function loadRows(path: string, n: number): Promise<Float32Array> {
  const out = new Float32Array(n * DIM);
  const bytes = new Uint8Array(out.buffer);
  const file = await open(path);
  try {
    for (let at = 0; at < bytes.length; ) {
      const { bytesRead } = await file.read(bytes, at, bytes.length - at, at);
      if (bytesRead === 0) throw new Error(`${path}: ${at} bytes, expected ${bytes.length}`);
      at += bytesRead;
    }
  } finally {
    await file.close();
  }
  return out;
}

/** The textbook loop: for each pick, update every point's distance with a scalar dot product. */
function naiveKCenter(x: Float32Array, n: number, budget: number, first: number): number[] {
  const nearest = new Float32Array(n).fill(Number.POSITIVE_INFINITY);
  const order: number[] = [];
  let next = first;
  while (order.length < budget) {
    order.push(next);
    nearest[next] = Number.NEGATIVE_INFINITY;
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let t = 0; t < DIM; t++) dot += (x[i * DIM + t] as number) * (x[next * DIM + t] as number);
      const d = Math.fround(1 - dot);
      if (d < (nearest[i] as number)) nearest[i] = d;
      if ((nearest[i] as number) > bestValue) {
        bestValue = nearest[i] as number;
        best = i;
      }
    }
    next = best;
  }
  return order;
}

/**
 * The reader before streaming (kept as the baseline): the whole file read into memory and decoded
 * into one Arrow table at once, then copied into the set.
 */
async function wholeFileReadEmbeddings(dir: string): Promise<EmbeddingSet> {
  const meta = await readStoreMeta(dir);
  const path = join(dir, EMBEDDINGS_FILE);
  const bytes = await readFile(path);
  const rows = tableToRows(arrow.tableFromIPC(pq.readParquet(bytes).intoIPCStream()), path);
  if (rows.ids.length > 0 && rows.dim !== meta.dim)
    throw new Error(`${path}: dim ${rows.dim} != ${meta.dim}`);
  return { ids: rows.ids, dim: meta.dim, data: rows.data, modelId: meta.modelId };
}

/** Whether a set read back holds exactly the rows written (compared after the peak is taken). */
async function sameAsRaw(set: EmbeddingSet, dataPath: string, n: number): Promise<boolean> {
  const raw = await loadRows(dataPath, n);
  const a = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const b = Buffer.from(set.data.buffer, set.data.byteOffset, set.data.byteLength);
  return set.ids.length === n && set.ids[n - 1] === `item-${n - 1}` && a.equals(b);
}

/**
 * Unit rows from the store (in place), as the curation commands prepare them: all of them, or the
 * first `rows` (read chunk by chunk, stopping there, so the rest is never held).
 */
async function storePoints(
  dir: string,
  rows?: number,
): Promise<{ points: PointMatrix; readSeconds: number }> {
  const t0 = performance.now();
  let data: Float32Array;
  if (rows === undefined) data = (await readEmbeddings(dir)).data;
  else {
    data = new Float32Array(rows * DIM);
    for await (const chunk of iterateEmbeddingChunks(dir)) {
      const take = Math.min(chunk.ids.length, rows - chunk.offset);
      data.set(chunk.data.subarray(0, take * DIM), chunk.offset * DIM);
      if (chunk.offset + take >= rows) break;
    }
  }
  const readSeconds = (performance.now() - t0) / 1000;
  return { points: pointsFromRows(data, data.length / DIM, DIM, 'cosine', true), readSeconds };
}

async function runStorePhase(
  phase: string,
  dataPath: string,
  dir: string,
  n: number,
  budget: number,
  first: number,
  sample: number[],
): Promise<PhaseResult> {
  const threads =
    process.env.CURATE_BENCH_THREADS === undefined
      ? {}
      : { threads: Number(process.env.CURATE_BENCH_THREADS) };
  if (phase === 'store-write' || phase === 'store-write-whole') {
    const raw = await loadRows(dataPath, n);
    const ids = Array.from({ length: n }, (_, i) => `item-${i}`);
    const t0 = performance.now();
    if (phase === 'store-write') {
      await writeEmbeddings(dir, { ids, dim: DIM, data: raw, modelId: 'bench' });
    } else {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, EMBEDDINGS_FILE), encodeParquet({ ids, dim: DIM, data: raw, logitsDim: 0 }));
      await writeFile(
        join(dir, META_FILE),
        JSON.stringify({ format: 'fairscope-embeddings/1', modelId: 'bench', dim: DIM, count: n }),
      );
    }
    const seconds = (performance.now() - t0) / 1000;
    const peak = maxRssMiB();
    const file = await openParquet(join(dir, EMBEDDINGS_FILE));
    file.close();
    return {
      seconds,
      maxRssMiB: peak,
      fileMiB: (await stat(join(dir, EMBEDDINGS_FILE))).size / 2 ** 20,
      rowGroups: file.rowGroupRows.length,
    };
  }
  if (phase === 'store-read' || phase === 'store-read-whole') {
    const t0 = performance.now();
    const set = phase === 'store-read' ? await readEmbeddings(dir) : await wholeFileReadEmbeddings(dir);
    const seconds = (performance.now() - t0) / 1000;
    const peak = maxRssMiB();
    return { seconds, maxRssMiB: peak, identical: await sameAsRaw(set, dataPath, n) };
  }
  if (phase === 'kcenter-store') {
    const { points, readSeconds } = await storePoints(dir);
    const t0 = performance.now();
    const res = await kCenterGreedy(points, budget, { seed: 0, ...threads });
    const seconds = (performance.now() - t0) / 1000;
    if (res.order[0] !== first) throw new Error(`first pick ${res.order[0]} != ${first}`);
    return {
      seconds,
      readSeconds,
      maxRssMiB: maxRssMiB(),
      coverage: res.coverage,
      radius: res.radius,
      batches: res.batches,
      candidateRows: res.candidateRows,
    };
  }
  if (phase === 'hnsw-build-store') {
    const { points, readSeconds } = await storePoints(dir);
    const index = await HnswIndex.build(points.data, n, DIM, threads);
    const seconds = index.buildSeconds;
    index.dispose();
    return { seconds, readSeconds, maxRssMiB: maxRssMiB() };
  }
  if (phase === 'dedup-store') {
    const { points, readSeconds } = await storePoints(dir, n);
    const search = (process.env.CURATE_BENCH_SEARCH ?? 'hnsw') as 'exact' | 'hnsw' | 'auto';
    const t0 = performance.now();
    // CURATE_BENCH_EF_SEARCH: HNSW candidate list size (default 256, findDuplicates' default).
    const ef = process.env.CURATE_BENCH_EF_SEARCH;
    const res = await findDuplicates(points, {
      threshold: 0.95,
      search,
      ...(ef === undefined ? {} : { efSearch: Number(ef) }),
      ...threads,
    });
    const seconds = (performance.now() - t0) / 1000;
    const peak = maxRssMiB();
    // Baseline: exact search (GEMM, a full stable ranking) for the sampled rows against all n; the
    // links it finds at >= 0.95 among each row's 10 nearest are the truth for those rows.
    const queries = new Float32Array(sample.length * DIM);
    for (const [r, q] of sample.entries()) queries.set(points.data.subarray(q * DIM, (q + 1) * DIM), r * DIM);
    const tExact = performance.now();
    const exact = await exactKnn(queries, sample.length, points.data, n, DIM, 11, threads);
    const exactSeconds = (performance.now() - tExact) / 1000;
    const ours = new Set(res.embeddingLinks.map(([a, b]) => `${a}-${b}`));
    let truth = 0;
    let found = 0;
    sample.forEach((q, r) => {
      for (let t = 0; t < exact.k; t++) {
        const j = exact.indices[r * exact.k + t] as number;
        if (j === q || j < 0 || (exact.scores[r * exact.k + t] as number) < 0.95) continue;
        truth++;
        if (ours.has(`${Math.min(q, j)}-${Math.max(q, j)}`)) found++;
      }
    });
    return {
      seconds,
      readSeconds,
      maxRssMiB: peak,
      method: res.method,
      pairs: res.clusters.flatMap((c) => c.members.slice(1).map((m) => [c.members[0], m])),
      clusters: res.clusters.length,
      exactSeconds,
      exactLinks: truth,
      linksFound: found,
    };
  }
  throw new Error(`unknown phase ${phase}`);
}

async function runPhase(
  phase: string,
  dataPath: string,
  n: number,
  budget: number,
  first: number,
): Promise<PhaseResult> {
  const threads =
    process.env.CURATE_BENCH_THREADS === undefined
      ? {}
      : { threads: Number(process.env.CURATE_BENCH_THREADS) };
  const raw = await loadRows(dataPath, n);
  const points: PointMatrix = pointsFromRows(raw, n, DIM, 'cosine', true);
  const t0 = performance.now();
  if (phase === 'kcenter') {
    const res = await kCenterGreedy(points, budget, { seed: 0, ...threads });
    const seconds = (performance.now() - t0) / 1000;
    if (res.order[0] !== first) throw new Error(`first pick ${res.order[0]} != ${first}`);
    return {
      seconds,
      maxRssMiB: maxRssMiB(),
      coverage: res.coverage,
      radius: res.radius,
      batches: res.batches,
      candidateRows: res.candidateRows,
      order: res.order.slice(0, 1000),
    };
  }
  if (phase === 'random') {
    const items = Array.from({ length: n }, (_, i) => ({ id: String(i), source: '', labels: [], attrs: {} }));
    const res = await selectItems(points, items, { strategy: 'random', budget, seed: 0, ...threads });
    return {
      seconds: (performance.now() - t0) / 1000,
      maxRssMiB: maxRssMiB(),
      coverage: res.coverage,
      radius: res.radius,
    };
  }
  if (phase === 'naive') {
    // subset: first n rows (n given is the subset size); compare with ours on the same rows
    const subFirst = new Rng(0).int(n);
    const tNaive = performance.now();
    const naive = naiveKCenter(points.data, n, budget, subFirst);
    const naiveSeconds = (performance.now() - tNaive) / 1000;
    const tOurs = performance.now();
    const ours = await kCenterGreedy(points, budget, { seed: 0, ...threads });
    const oursSeconds = (performance.now() - tOurs) / 1000;
    const same = naive.every((v, i) => v === ours.order[i]);
    return { seconds: naiveSeconds, maxRssMiB: maxRssMiB(), oursSeconds, samePicks: same };
  }
  if (phase === 'dedup') {
    const search = (process.env.CURATE_BENCH_SEARCH ?? 'auto') as 'exact' | 'hnsw' | 'auto';
    // CURATE_BENCH_EF_SEARCH: HNSW candidate list size (default 256, findDuplicates' default).
    const ef = process.env.CURATE_BENCH_EF_SEARCH;
    const res = await findDuplicates(points, {
      threshold: 0.95,
      search,
      ...(ef === undefined ? {} : { efSearch: Number(ef) }),
      ...threads,
    });
    const seconds = (performance.now() - t0) / 1000;
    return {
      seconds,
      maxRssMiB: maxRssMiB(),
      method: res.method,
      pairs: res.clusters.flatMap((c) => c.members.slice(1).map((m) => [c.members[0], m])),
      clusters: res.clusters.length,
    };
  }
  if (phase === 'store') {
    const dir = await mkdtemp(join(tmpdir(), 'fairscope-bench-store-'));
    try {
      const ids = Array.from({ length: n }, (_, i) => `item-${i}`);
      await writeEmbeddings(dir, { ids, dim: DIM, data: raw, modelId: 'bench' });
      const tRead = performance.now();
      const set = await readEmbeddings(dir);
      const seconds = (performance.now() - tRead) / 1000;
      if (set.ids.length !== n) throw new Error('store round trip lost rows');
      return { seconds, maxRssMiB: maxRssMiB(), writeSeconds: (tRead - t0) / 1000 };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  throw new Error(`unknown phase ${phase}`);
}

if (values.phase !== undefined && values.store !== undefined) {
  const sample =
    values.sample === undefined ? [] : (JSON.parse(readFileSync(values.sample, 'utf8')) as number[]);
  const res = await runStorePhase(
    values.phase,
    values.data as string,
    values.store,
    Number(values.n),
    Number(values.budget),
    Number(values.first ?? 0),
    sample,
  );
  process.stdout.write(`${JSON.stringify(res)}\n`);
  process.exit(0);
}

if (values.phase !== undefined) {
  const res = await runPhase(
    values.phase,
    values.data as string,
    Number(values.n),
    Number(values.budget),
    Number(values.first ?? 0),
  );
  process.stdout.write(`${JSON.stringify(res)}\n`);
  process.exit(0);
}

// ---- parent: make the data once, run each phase in its own process ----

const PY_KCENTER = `
import sys, time, resource, json
import numpy as np
path, n, picks, first = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
x = np.fromfile(path, dtype=np.float32, count=n * ${DIM}).reshape(n, ${DIM})
x /= np.linalg.norm(x, axis=1, keepdims=True)
t = time.perf_counter()
nearest = np.full(n, np.inf, dtype=np.float32)
order = []
nxt = first
for _ in range(picks):
    order.append(int(nxt))
    d = 1 - x @ x[nxt]
    np.minimum(nearest, d, out=nearest)
    nearest[nxt] = -np.inf
    nxt = int(np.argmax(nearest))
print(json.dumps({"seconds": time.perf_counter() - t, "maxRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "order": order}))
`;

const PY_FAISS = `
import sys, time, resource, json
import numpy as np, faiss
path, n, threshold = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
x = np.fromfile(path, dtype=np.float32, count=n * ${DIM}).reshape(n, ${DIM})
x /= np.linalg.norm(x, axis=1, keepdims=True)
t = time.perf_counter()
index = faiss.IndexFlatIP(${DIM})
index.add(x)
s, i = index.search(x, 11)
pairs = set()
for q in range(n):
    for j, v in zip(i[q], s[q]):
        if j >= 0 and j != q and v >= threshold:
            pairs.add((min(q, int(j)), max(q, int(j))))
print(json.dumps({"seconds": time.perf_counter() - t, "maxRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "pairs": sorted(pairs)}))
`;

function child(
  args: string[],
  python = false,
  timeoutSeconds?: number,
  env: Record<string, string> = {},
): PhaseResult | { skipped: string } {
  const timeout = timeoutSeconds === undefined ? {} : { timeout: timeoutSeconds * 1000 };
  const res = python
    ? spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
        encoding: 'utf8',
        maxBuffer: 1 << 30,
        env: { ...process.env, ...env },
        ...timeout,
      });
  if (timeoutSeconds !== undefined && res.signal !== null) {
    return { skipped: `stopped after ${timeoutSeconds} s (${res.signal})` };
  }
  if (res.status !== 0) {
    const why = (res.stderr || res.error?.message || `exit ${res.status}`)
      .trim()
      .split('\n')
      .slice(-3)
      .join(' ');
    if (python) return { skipped: why };
    throw new Error(`bench phase ${args.join(' ')} failed: ${why}`);
  }
  return JSON.parse(res.stdout.trim().split('\n').pop() as string) as PhaseResult;
}

const N = Number(process.env.CURATE_BENCH_N ?? 50_000);
const BUDGET = Number(process.env.CURATE_BENCH_BUDGET ?? Math.max(1, Math.round(N / 100)));
const DEDUP_N = Math.min(N, Number(process.env.CURATE_BENCH_DEDUP_N ?? 20_000));
const SUBSET = Math.min(N, 50_000);
const SUB_BUDGET = Math.min(BUDGET, 200);
const NUMPY_PICKS = Math.min(BUDGET, 300);
const FAISS_N = Math.min(DEDUP_N, 50_000);

const STORE_MODE = process.env.CURATE_BENCH_STORE === '1';
const SAMPLE = Math.min(N, Number(process.env.CURATE_BENCH_SAMPLE ?? 2000));
/** The duplicate search over all N is stopped after this long, then run over FALLBACK_N rows. */
const DEDUP_TIMEOUT_S = Number(process.env.CURATE_BENCH_DEDUP_TIMEOUT ?? 2400);
const FALLBACK_N = Math.min(N, Number(process.env.CURATE_BENCH_FALLBACK_N ?? 300_000));

/** Every section recorded so far, by key (curate.json in the results folder). */
function recordedRuns(): Record<string, string> {
  const jsonPath = resultsPath('curate.json');
  return existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, string>) : {};
}

/** Rewrites curate.md from the sections recorded in curate.json. */
function renderMarkdown(runs: Record<string, string>): void {
  // by N; for each N in-memory runs, then out-of-core ones, then efSearch sweeps
  const kinds = ['', 'store-', 'sweep-'];
  const order = (k: string) => {
    const kind = kinds.findLastIndex((p) => k.startsWith(p));
    return Number(k.slice(kinds[kind]?.length).split('x')[0]) * kinds.length + kind;
  };
  const sections = Object.entries(runs)
    .sort(([a], [b]) => order(a) - order(b))
    .map(([, text]) => text.trim());
  const md = [
    '## curation: k-center selection and near-duplicate search',
    '',
    'Default run: `node --import tsx bench/curate.ts` (N = 50,000, duplicates over the first 20,000); full size:',
    '`CURATE_BENCH_N=1000000 CURATE_BENCH_BUDGET=10000 CURATE_BENCH_DEDUP_N=100000 CURATE_BENCH_SEARCH=hnsw node --import tsx bench/curate.ts`;',
    'out of core (every phase reads the embedding store): `CURATE_BENCH_STORE=1 CURATE_BENCH_N=1000000 CURATE_BENCH_BUDGET=10000 node --import tsx bench/curate.ts`;',
    'near-duplicates over all rows at several efSearch: `CURATE_BENCH_DEDUP_SWEEP=256,64 CURATE_BENCH_N=1000000 node --import tsx bench/curate.ts`.',
    "Each section is one run, with its run block: compare rows within one run. The peak of the in-memory tables' store row includes writing the store in the same process.",
    '',
    sections.join('\n\n'),
  ].join('\n');
  writeFileSync(resultsPath('curate.md'), resultsText(import.meta.url, md));
}

/** Records a section in curate.json and rewrites curate.md from every section recorded. */
function record(key: string, section: string): void {
  process.stdout.write(`${section}\n`);
  const runs = recordedRuns();
  runs[key] = section;
  writeFileSync(resultsPath('curate.json'), `${JSON.stringify(runs, null, 2)}\n`);
  renderMarkdown(runs);
}

/** The data, generated once and written as raw float32 rows; returns the planted pairs. */
async function makeData(dataPath: string): Promise<[number, number][]> {
  const tGen = performance.now();
  const { data } = clusteredEmbeddings({ n: N, dim: DIM, clusters: 1000, spread: 0.5, seed: 1 });
  const planted = plantDuplicates(data, N, DIM, Math.round(N / 100), 0.05, 2);
  await writeFile(dataPath, new Uint8Array(data.buffer));
  process.stderr.write(
    `data: ${N} x ${DIM} in ${((performance.now() - tGen) / 1000).toFixed(1)} s; budget ${BUDGET}\n`,
  );
  return planted;
}

/** Arguments of a store phase run in its own process. */
function storeArgs(
  dataPath: string,
  first: number,
  phase: string,
  dir: string,
  extra: string[] = [],
  n = N,
): string[] {
  return [
    '--phase',
    phase,
    '--data',
    dataPath,
    '--store',
    dir,
    '--n',
    String(n),
    '--budget',
    String(BUDGET),
    '--first',
    String(first),
    ...extra,
  ];
}

/** A store phase in its own process, logged. */
function runStore(dataPath: string, first: number, phase: string, dir: string): PhaseResult {
  const res = child(storeArgs(dataPath, first, phase, dir)) as PhaseResult;
  process.stderr.write(`${phase}: ${res.seconds.toFixed(1)} s, ${res.maxRssMiB.toFixed(0)} MiB\n`);
  return res;
}

type DedupRun = PhaseResult & { rows: number; sampleSize: number };

/**
 * Duplicate search over the first `rows` rows of the store, in its own process, with its
 * exact-search sample: half planted copies (rows that have a duplicate), half random rows (seed 3).
 * `efSearch` sets CURATE_BENCH_EF_SEARCH for that process.
 */
async function dedupOverStore(
  work: string,
  dataPath: string,
  storeDir: string,
  planted: [number, number][],
  first: number,
  rows: number,
  timeoutSeconds?: number,
  efSearch?: number,
): Promise<DedupRun | { skipped: string }> {
  const rng = new Rng(3);
  const sample = new Set<number>();
  const copies = rng.shuffle(planted.filter(([a, b]) => a < rows && b < rows).map(([, copy]) => copy));
  for (const c of copies.slice(0, Math.floor(SAMPLE / 2))) sample.add(c);
  while (sample.size < Math.min(SAMPLE, rows)) sample.add(rng.int(rows));
  const samplePath = join(work, `sample-${rows}.json`);
  await writeFile(samplePath, JSON.stringify([...sample].sort((a, b) => a - b)));
  const a = storeArgs(dataPath, first, 'dedup-store', storeDir, ['--sample', samplePath], rows);
  const env: Record<string, string> =
    efSearch === undefined ? {} : { CURATE_BENCH_EF_SEARCH: String(efSearch) };
  const what = `dedup-store over ${rows}${efSearch === undefined ? '' : `, efSearch ${efSearch}`}`;
  const res = child(a, false, timeoutSeconds, env);
  if ('skipped' in res) {
    process.stderr.write(`${what}: ${res.skipped}\n`);
    return { skipped: String(res.skipped) };
  }
  process.stderr.write(`${what}: ${res.seconds.toFixed(1)} s, ${res.maxRssMiB.toFixed(0)} MiB\n`);
  return { ...(res as PhaseResult), rows, sampleSize: sample.size } as DedupRun;
}

/** Planted pairs among the first `rows` found by a duplicate search: precision, recall and counts. */
function plantedScore(planted: [number, number][], rows: number, pairs: [number, number][]) {
  const truth = new Set(
    planted.filter(([a, b]) => a < rows && b < rows).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
  );
  const found = new Set(pairs.map(([a, b]) => `${a}-${b}`));
  let hit = 0;
  for (const p of found) if (truth.has(p)) hit++;
  return {
    hit,
    truth: truth.size,
    precision: found.size === 0 ? 1 : hit / found.size,
    recall: truth.size === 0 ? 1 : hit / truth.size,
  };
}

/** Out-of-core run: every phase reads the store (see the header). */
async function storeSection(
  run: BenchRun,
  work: string,
  dataPath: string,
  planted: [number, number][],
  first: number,
): Promise<string> {
  const storeDir = join(work, 'store');
  const wholeDir = join(work, 'store-whole');
  const runPhase = (phase: string, dir: string) => runStore(dataPath, first, phase, dir);
  const writeWhole = runPhase('store-write-whole', wholeDir);
  const write = runPhase('store-write', storeDir);
  const sameBytes =
    spawnSync('cmp', ['-s', join(wholeDir, EMBEDDINGS_FILE), join(storeDir, EMBEDDINGS_FILE)]).status === 0;
  await rm(wholeDir, { recursive: true, force: true });
  const readWhole = runPhase('store-read-whole', storeDir);
  const read = runPhase('store-read', storeDir);
  const kcenter = runPhase('kcenter-store', storeDir);
  const dedupOver = (rows: number, timeoutSeconds?: number) =>
    dedupOverStore(work, dataPath, storeDir, planted, first, rows, timeoutSeconds);
  const full = await dedupOver(N, DEDUP_TIMEOUT_S);
  const dedup = 'skipped' in full ? await dedupOver(FALLBACK_N) : full;
  if ('skipped' in dedup) throw new Error(`dedup-store: ${dedup.skipped}`);
  const build = 'skipped' in full ? runPhase('hnsw-build-store', storeDir) : null;
  const rows = dedup.rows;
  const { precision, recall } = plantedScore(planted, rows, dedup.pairs as [number, number][]);
  const mib = (r: PhaseResult) => r.maxRssMiB.toFixed(0);
  const exactSeconds = dedup.exactSeconds as number;
  const nSample = dedup.sampleSize;
  return [
    `### Out of core: N = ${N.toLocaleString('en')} x ${DIM} read from the embedding store, budget ${BUDGET.toLocaleString('en')}, near-duplicates over ${rows.toLocaleString('en')}`,
    '',
    run.block(),
    '',
    `Same synthetic data as above (1000 clusters, seed 1, ${planted.length.toLocaleString('en')} planted near-duplicates, cosine ~0.999), written to a store (${write.fileMiB === undefined ? '' : `${(write.fileMiB as number).toFixed(0)} MiB, `}${write.rowGroups} row groups) that every later phase reads; ${machineSummary()}; run ${new Date().toISOString().slice(0, 10)}. Peak memory is each phase's own process maxRSS (the float32 rows alone are ${((N * DIM * 4) / 2 ** 20).toFixed(0)} MiB).`,
    '',
    '| phase | seconds | peak MiB | result | note |',
    '|---|---:|---:|---|---|',
    `| store write, streamed (one row group at a time) | ${write.seconds.toFixed(1)} | ${mib(write)} | ${write.rowGroups} row groups | peak includes the ${N}-row input, loaded before the write |`,
    `| baseline: store write, whole table encoded at once (previous writer) | ${writeWhole.seconds.toFixed(1)} | ${mib(writeWhole)} | same bytes as the streamed file: ${sameBytes} | |`,
    `| store read, streamed (readEmbeddings) | ${read.seconds.toFixed(1)} | ${mib(read)} | rows identical to the data written: ${read.identical} | |`,
    `| baseline: store read, whole file decoded at once (previous readEmbeddings) | ${readWhole.seconds.toFixed(1)} | ${mib(readWhole)} | rows identical: ${readWhole.identical} | |`,
    `| k-center greedy, ${BUDGET} of ${N}, read from the store | ${kcenter.seconds.toFixed(1)} | ${mib(kcenter)} | coverage ${(kcenter.coverage as number).toFixed(4)}, radius ${(kcenter.radius as number).toFixed(4)} | + read ${(kcenter.readSeconds as number).toFixed(1)} s; ${kcenter.batches} GEMM batches |`,
    ...('skipped' in full
      ? [
          `| near-duplicates over all ${N} (findDuplicates, hnsw), read from the store | ${full.skipped} | | not finished | fell back to the first ${rows} rows and the ${N}-row build alone (below) |`,
        ]
      : []),
    `| near-duplicates over ${rows === N ? 'all ' : 'the first '}${rows} (findDuplicates, ${dedup.method}, k 10, cosine >= 0.95), read from the store | ${dedup.seconds.toFixed(1)} | ${mib(dedup)} | planted pairs: precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)} | + read ${(dedup.readSeconds as number).toFixed(1)} s; ${dedup.clusters} clusters |`,
    `| baseline: exact GEMM search (exactKnn, k 10) for ${nSample} sampled rows (half planted copies) against all ${rows} | ${exactSeconds.toFixed(1)} (x${(rows / nSample).toFixed(0)} = ${((exactSeconds * rows) / nSample).toFixed(0)} for all ${rows}) | (same process) | links at >= 0.95 found by exact: ${dedup.exactLinks}; found by ours: ${dedup.linksFound} (recall ${((dedup.linksFound as number) / Math.max(1, dedup.exactLinks as number)).toFixed(4)}) | |`,
    ...(build === null
      ? []
      : [
          `| HNSW build alone over all ${N} (HnswIndex.build, M 16, efConstruction 128), read from the store | ${build.seconds.toFixed(1)} | ${mib(build)} | | + read ${(build.readSeconds as number).toFixed(1)} s |`,
        ]),
    '',
  ].join('\n');
}

/**
 * efSearch sweep: the store written once, then the duplicate search over all N rows read from it,
 * once per efSearch, each in its own process (see the header).
 */
async function sweepSection(
  run: BenchRun,
  work: string,
  dataPath: string,
  planted: [number, number][],
  first: number,
  efs: number[],
): Promise<string> {
  const storeDir = join(work, 'store');
  const write = runStore(dataPath, first, 'store-write', storeDir);
  const runs = [];
  for (const ef of efs) {
    runs.push({
      ef,
      res: await dedupOverStore(work, dataPath, storeDir, planted, first, N, DEDUP_TIMEOUT_S, ef),
    });
  }
  const n = (x: number) => x.toLocaleString('en');
  const done = runs.flatMap((r) => ('skipped' in r.res ? [] : [r.res]));
  const rows = runs.map(({ ef, res }) => {
    const label = `efSearch ${ef}${ef === HNSW_DEFAULTS.expansionSearch ? " (findDuplicates' default)" : ''}`;
    if ('skipped' in res) return `| ${label} | ${res.skipped} | | not finished | | |`;
    const p = plantedScore(planted, N, res.pairs as [number, number][]);
    const links = res.exactLinks as number;
    const found = res.linksFound as number;
    return `| ${label} | ${res.seconds.toFixed(1)} | ${res.maxRssMiB.toFixed(0)} | ${p.precision.toFixed(4)} / ${p.recall.toFixed(4)} (${n(p.hit)} of ${n(p.truth)}) | ${found} of ${links} (${(found / Math.max(1, links)).toFixed(4)}) | ${res.method}; + read ${(res.readSeconds as number).toFixed(1)} s; ${res.clusters} clusters |`;
  });
  const exact = done.map((r) => r.exactSeconds as number);
  const nSample = done[0]?.sampleSize ?? SAMPLE;
  const exactRow =
    exact.length === 0
      ? []
      : [
          `| baseline: exact GEMM search (exactKnn, k 11) of ${n(nSample)} sampled rows against all ${n(N)} | ${Math.min(...exact).toFixed(1)} (x${(N / nSample).toFixed(0)} = ${((Math.min(...exact) * N) / nSample).toFixed(0)} for all rows) | (same process) | | the truth for the sample | fastest of the ${exact.length} runs |`,
        ];
  return [
    `### Near-duplicates over all ${n(N)} x ${DIM} read from the embedding store, efSearch ${efs.join(', ')}`,
    '',
    run.block(),
    '',
    `Clustered synthetic embeddings (clusteredEmbeddings: 1000 clusters, spread 0.5, seed 1) with ${n(planted.length)} planted near-duplicates (plantDuplicates: noise 0.05, seed 2), written to a store once (${(write.fileMiB as number).toFixed(0)} MiB, ${write.rowGroups} row groups, ${write.seconds.toFixed(1)} s); exact-search sample of ${n(nSample)} rows (seed 3, half planted copies). Each search runs in its own process: findDuplicates over all ${n(N)} rows read from the store (HNSW M ${HNSW_DEFAULTS.connectivity}, efConstruction ${HNSW_DEFAULTS.expansionAdd}, k 10, cosine >= 0.95), stopped after ${DEDUP_TIMEOUT_S} s; its peak memory is that process's maxRSS (the float32 rows alone are ${((N * DIM * 4) / 2 ** 20).toFixed(0)} MiB). ${machineSummary()}.`,
    '',
    `| near-duplicates over all ${n(N)} x ${DIM} | seconds (build + search) | peak MiB | planted pairs: precision / recall | exact-search sample: links at >= 0.95 found | note |`,
    '|---|---:|---:|---|---|---|',
    ...rows,
    ...exactRow,
    '',
  ].join('\n');
}

if (values.render) {
  renderMarkdown(recordedRuns());
  process.exit(0);
}

const SWEEP = process.env.CURATE_BENCH_DEDUP_SWEEP?.split(',').map(Number);
if (SWEEP?.some((ef) => !Number.isInteger(ef) || ef < 1)) {
  throw new Error(
    `CURATE_BENCH_DEDUP_SWEEP: efSearch values, e.g. 256,64 (got ${process.env.CURATE_BENCH_DEDUP_SWEEP})`,
  );
}
const run = startRun({
  script: import.meta.url,
  packages: ['onnxruntime-node', 'usearch', 'parquet-wasm', 'apache-arrow'],
  python: SWEEP !== undefined || STORE_MODE ? [] : ['numpy', 'faiss'],
  env: ['CURATE_BENCH_'],
});
const work = await mkdtemp(join(tmpdir(), 'fairscope-bench-curate-'));
try {
  const dataPath = join(work, 'data.f32');
  const planted = await makeData(dataPath);
  const first = new Rng(0).int(N);
  if (SWEEP !== undefined) {
    record(`sweep-${N}x${SWEEP.join(',')}`, await sweepSection(run, work, dataPath, planted, first, SWEEP));
  } else if (STORE_MODE) {
    record(`store-${N}x${BUDGET}`, await storeSection(run, work, dataPath, planted, first));
  } else {
    const base = ['--data', dataPath];

    const kcenter = child([
      '--phase',
      'kcenter',
      ...base,
      '--n',
      String(N),
      '--budget',
      String(BUDGET),
      '--first',
      String(first),
    ]) as PhaseResult;
    process.stderr.write(`kcenter: ${kcenter.seconds.toFixed(1)} s\n`);
    const random = child([
      '--phase',
      'random',
      ...base,
      '--n',
      String(N),
      '--budget',
      String(BUDGET),
    ]) as PhaseResult;
    const naive = child([
      '--phase',
      'naive',
      ...base,
      '--n',
      String(SUBSET),
      '--budget',
      String(SUB_BUDGET),
    ]) as PhaseResult;
    process.stderr.write(`naive subset: ${naive.seconds.toFixed(1)} s\n`);
    const numpy = child(['-c', PY_KCENTER, dataPath, String(N), String(NUMPY_PICKS), String(first)], true);
    const dedupPlanted = planted.filter(([a, b]) => a < DEDUP_N && b < DEDUP_N);
    const dedup = child([
      '--phase',
      'dedup',
      ...base,
      '--n',
      String(DEDUP_N),
      '--budget',
      '1',
    ]) as PhaseResult;
    process.stderr.write(`dedup: ${dedup.seconds.toFixed(1)} s\n`);
    const faiss = child(['-c', PY_FAISS, dataPath, String(FAISS_N), '0.95'], true);
    const store = child(['--phase', 'store', ...base, '--n', String(N), '--budget', '1']) as PhaseResult;

    const pr = (pairs: [number, number][], rows = DEDUP_N) => {
      const truth = new Set(
        dedupPlanted
          .filter(([a, b]) => a < rows && b < rows)
          .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
      );
      const found = new Set(pairs.map(([a, b]) => `${a}-${b}`));
      let hit = 0;
      for (const p of found) if (truth.has(p)) hit++;
      return {
        precision: found.size === 0 ? 1 : hit / found.size,
        recall: truth.size === 0 ? 1 : hit / truth.size,
      };
    };
    const ours = pr(dedup.pairs as [number, number][]);
    const kcOrder = kcenter.order as number[];
    const numpyRow =
      'skipped' in numpy
        ? `| baseline: numpy k-center (GEMV per pick) | skipped: ${numpy.skipped} | | | |`
        : (() => {
            const same = (numpy.order as number[]).filter((v, i) => v === kcOrder[i]).length;
            const perPick = numpy.seconds / NUMPY_PICKS;
            return `| baseline: numpy k-center (GEMV per pick), first ${NUMPY_PICKS} picks | ${numpy.seconds.toFixed(1)} (x${(BUDGET / NUMPY_PICKS).toFixed(0)} = ${(perPick * BUDGET).toFixed(0)} for ${BUDGET}) | ${numpy.maxRssMiB.toFixed(0)} | same picks as ours: ${same}/${NUMPY_PICKS} | |`;
          })();
    const faissRow =
      'skipped' in faiss
        ? `| baseline: FAISS HNSW | skipped: ${faiss.skipped} | | | |`
        : (() => {
            const f = pr(faiss.pairs as [number, number][], FAISS_N);
            return `| baseline: FAISS exact search (IndexFlatIP), k 10, first ${FAISS_N} rows | ${faiss.seconds.toFixed(1)} | ${faiss.maxRssMiB.toFixed(0)} | precision ${f.precision.toFixed(4)}, recall ${f.recall.toFixed(4)} | |`;
          })();
    const machine = machineSummary();
    const section = [
      `### N = ${N.toLocaleString('en')} x ${DIM}, budget ${BUDGET.toLocaleString('en')} (dedup over ${DEDUP_N.toLocaleString('en')})`,
      '',
      run.block(),
      '',
      `Clustered synthetic embeddings (1000 clusters, seed 1) with ${planted.length.toLocaleString('en')} planted near-duplicates (cosine ~0.999); ${machine}; run ${new Date().toISOString().slice(0, 10)}. Peak memory is each phase's own process maxRSS.`,
      '',
      '| phase | seconds | peak MiB | result | note |',
      '|---|---:|---:|---|---|',
      `| k-center greedy, ${BUDGET} of ${N} (batched GEMM, exact) | ${kcenter.seconds.toFixed(1)} | ${kcenter.maxRssMiB.toFixed(0)} | coverage ${(kcenter.coverage as number).toFixed(4)}, radius ${(kcenter.radius as number).toFixed(4)} | ${kcenter.batches} GEMM batches, ${kcenter.candidateRows} candidate rows (${((100 * BUDGET) / (kcenter.candidateRows as number)).toFixed(0)}% used) |`,
      `| random ${BUDGET} + coverage (baseline for quality) | ${random.seconds.toFixed(1)} | ${random.maxRssMiB.toFixed(0)} | coverage ${(random.coverage as number).toFixed(4)}, radius ${(random.radius as number).toFixed(4)} | |`,
      numpyRow,
      `| baseline: textbook TS loop, ${SUB_BUDGET} of ${SUBSET} | ${naive.seconds.toFixed(1)} | ${naive.maxRssMiB.toFixed(0)} | ours on the same: ${(naive.oursSeconds as number).toFixed(2)} s, same picks: ${naive.samePicks} | ${(naive.seconds / (naive.oursSeconds as number)).toFixed(0)}x |`,
      `| near-duplicates (${dedup.method}, k 10, cosine >= 0.95) | ${dedup.seconds.toFixed(1)} | ${dedup.maxRssMiB.toFixed(0)} | precision ${ours.precision.toFixed(4)}, recall ${ours.recall.toFixed(4)} | ${dedup.clusters} clusters |`,
      faissRow,
      `| embedding store read (readEmbeddings, Parquet) | ${store.seconds.toFixed(1)} | ${store.maxRssMiB.toFixed(0)} | write ${(store.writeSeconds as number).toFixed(1)} s | |`,
      '',
    ].join('\n');
    record(`${N}x${BUDGET}x${DEDUP_N}`, section);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
