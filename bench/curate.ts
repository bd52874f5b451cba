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
 * Writes bench/results/curate.md (every size run so far, kept in bench/results/curate.json).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/rng.js';
import { findDuplicates } from '../src/curate/dedup.js';
import { kCenterGreedy } from '../src/curate/kcenter.js';
import { type PointMatrix, pointsFromRows } from '../src/curate/points.js';
import { selectItems } from '../src/curate/select.js';
import { clusteredEmbeddings, plantDuplicates } from '../src/curate/synthetic.js';
import { readEmbeddings, writeEmbeddings } from '../src/embed/store.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const DIM = 256;
const PYTHON = '/usr/bin/python3';

const { values } = parseArgs({
  options: {
    phase: { type: 'string' },
    data: { type: 'string' },
    n: { type: 'string' },
    budget: { type: 'string' },
    first: { type: 'string' },
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

async function loadRows(path: string, n: number): Promise<Float32Array> {
  const buf = await readFile(path);
  return new Float32Array(buf.buffer, buf.byteOffset, n * DIM).slice();
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
    const res = await findDuplicates(points, { threshold: 0.95, search, ...threads });
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

function child(args: string[], python = false): PhaseResult | { skipped: string } {
  const res = python
    ? spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
        encoding: 'utf8',
        maxBuffer: 1 << 30,
        env: process.env,
      });
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

const work = await mkdtemp(join(tmpdir(), 'fairscope-bench-curate-'));
try {
  const tGen = performance.now();
  const { data } = clusteredEmbeddings({ n: N, dim: DIM, clusters: 1000, spread: 0.5, seed: 1 });
  const planted = plantDuplicates(data, N, DIM, Math.round(N / 100), 0.05, 2);
  const dataPath = join(work, 'data.f32');
  await writeFile(dataPath, new Uint8Array(data.buffer));
  const genSeconds = (performance.now() - tGen) / 1000;
  const first = new Rng(0).int(N);
  process.stderr.write(`data: ${N} x ${DIM} in ${genSeconds.toFixed(1)} s; budget ${BUDGET}\n`);
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
  const dedup = child(['--phase', 'dedup', ...base, '--n', String(DEDUP_N), '--budget', '1']) as PhaseResult;
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
  const machine = `${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, Node ${process.version}`;
  const section = [
    `### N = ${N.toLocaleString('en')} x ${DIM}, budget ${BUDGET.toLocaleString('en')} (dedup over ${DEDUP_N.toLocaleString('en')})`,
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
  process.stdout.write(`${section}\n`);
  const jsonPath = join(BENCH_DIR, 'results', 'curate.json');
  const runs: Record<string, string> = existsSync(jsonPath)
    ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, string>)
    : {};
  runs[`${N}x${BUDGET}x${DEDUP_N}`] = section;
  writeFileSync(jsonPath, `${JSON.stringify(runs, null, 2)}\n`);
  const sections = Object.entries(runs)
    .sort(([a], [b]) => Number(a.split('x')[0]) - Number(b.split('x')[0]))
    .map(([, s]) => s);
  const md = [
    '## curation: k-center selection and near-duplicate search',
    '',
    'Default run: `node --import tsx bench/curate.ts` (N = 50,000, duplicates over the first 20,000); full size:',
    '`CURATE_BENCH_N=1000000 CURATE_BENCH_BUDGET=10000 CURATE_BENCH_DEDUP_N=100000 CURATE_BENCH_SEARCH=hnsw node --import tsx bench/curate.ts`.',
    'Timings were taken on a 2-core machine shared with other jobs (load average 4 to 8 during these runs): compare rows within one run. The peak of the store row includes writing the store in the same process.',
    '',
    ...sections,
  ].join('\n');
  writeFileSync(join(BENCH_DIR, 'results', 'curate.md'), md);
} finally {
  await rm(work, { recursive: true, force: true });
}
