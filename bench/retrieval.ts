/**
 * Benchmark of Indicator 3's search: exact retrieval (blocked GEMM on onnxruntime + running top-k)
 * against numpy's matmul (OpenBLAS) measured in the same run, and HNSW (usearch) against FAISS's
 * HNSW on the same data, with recall@10 against exact search.
 *
 *   node --import tsx bench/retrieval.ts                 10,000 queries x 100,000 x 512 (protocol-size)
 *   RETRIEVAL_BENCH=quick node --import tsx bench/retrieval.ts      2,000 x 20,000 x 512
 *   RETRIEVAL_BENCH=hnsw node --import tsx bench/retrieval.ts       only the HNSW efSearch sweep
 *     (same data as the full run); replaces only the HNSW section of bench/results/retrieval.md
 *   RETRIEVAL_BENCH_QUERIES / _DATABASE / _DIM / _HNSW_DATABASE / _HNSW_QUERIES / _GEMM_QUERIES /
 *   _ROUNDS / _THREADS override the sizes (threads: 1 by default, for both sides).
 *
 * Data: clustered unit vectors (1,000 Gaussian clusters), as real embeddings are; uniform random
 * vectors are the worst case for HNSW (docs/stack.md). The baselines run in Debian's Python
 * (/usr/bin/python3 with numpy and python3-faiss) in a worker process; fairscope and numpy take turns
 * (best of ROUNDS for the GEMM), since the machine is shared and its load changes by the second.
 * HNSW: one graph per library (same M, efConstruction, data), searched at each efSearch of
 * RETRIEVAL_BENCH_EF_SEARCH (comma list), usearch and FAISS alternating per setting; the first setting
 * reaching recall@10 >= 0.99 is reported for each (no interpolation) with the query-throughput ratio.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Rng } from '../src/core/rng.js';
import { Gemm } from '../src/linalg/gemm.js';
import { HNSW_DEFAULTS, HnswIndex, recallAtK } from '../src/linalg/hnsw.js';
import { exactKnn } from '../src/linalg/knn.js';
import { l2NormalizeRows } from '../src/linalg/normalize.js';
import { type BenchRun, parseGeneratedMarker, resultsPath, resultsText, startRun } from './machine.js';

const mode = process.env.RETRIEVAL_BENCH;
const quick = mode === 'quick';
const hnswOnly = mode === 'hnsw';
const size = (name: string, full: number, small: number) => {
  const v = process.env[`RETRIEVAL_BENCH_${name}`];
  return v === undefined ? (quick ? small : full) : Number(v);
};
const NQ = size('QUERIES', 10_000, 2_000);
const ND = size('DATABASE', 100_000, 20_000);
const DIM = size('DIM', 512, 512);
const HNSW_DB = Math.min(ND, size('HNSW_DATABASE', 5_000, 2_000));
const HNSW_Q = Math.min(NQ, size('HNSW_QUERIES', 1_000, 500));
const GEMM_QUERIES = Math.min(NQ, size('GEMM_QUERIES', 2048, 1024));
const ROUNDS = size('ROUNDS', 3, 2);
const K_EXACT = 50; // the protocol's largest K
const K_HNSW = 10;
const EF_SEARCH = (process.env.RETRIEVAL_BENCH_EF_SEARCH ?? '16,32,64,128,256,512').split(',').map(Number);
const RECALL_TARGET = 0.99;
const QUERY_BLOCK = 1024;
const DATABASE_BLOCK = 16384;
// One thread each by default: on a machine shared with other jobs, thread pools that wait on each
// other (onnxruntime's, OpenBLAS's, FAISS's OpenMP) measure the neighbours' load more than the code.
const THREADS = size('THREADS', 1, 1);
const PYTHON = '/usr/bin/python3';

/** Clustered unit vectors: centre + noise, L2-normalised. (n, dim) */
function clustered(
  rng: Rng,
  centres: Float32Array,
  nCentres: number,
  n: number,
  noise: number,
): Float32Array {
  const x = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) {
    const c = rng.int(nCentres);
    for (let t = 0; t < DIM; t++) x[i * DIM + t] = (centres[c * DIM + t] as number) + noise * rng.normal();
  }
  return l2NormalizeRows(x, n, DIM).data;
}

/** A float32 C-order .npy file. */
function writeNpy(path: string, data: Float32Array, rows: number, cols: number): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = `${header}${' '.repeat(pad % 64)}\n`;
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  writeFileSync(
    path,
    Buffer.concat([
      head,
      Buffer.from(header, 'latin1'),
      Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    ]),
  );
}

/**
 * The baseline worker: loads the data once, then answers one command per stdin line with one JSON
 * line, so that fairscope and numpy measurements can alternate under the same load.
 */
const PYTHON_WORKER = `
import json, sys, time
import numpy as np
d = sys.argv[1]
qb, dbb, k_exact, k_hnsw, hnsw_db, hnsw_q, gemm_q = map(int, sys.argv[2:9])
M, ef_add = map(int, sys.argv[9:11])
Q = np.load(d + '/q.npy'); D = np.load(d + '/db.npy')
nq, dim = Q.shape; nd = D.shape[0]
buf = np.empty((qb, dbb), dtype=np.float32)

def gemm():
    t = time.perf_counter()
    for q0 in range(0, gemm_q, qb):
        for d0 in range(0, nd, dbb):
            a = Q[q0:min(q0 + qb, gemm_q)]; b = D[d0:d0 + dbb]
            np.matmul(a, b.T, out=buf[:a.shape[0], :b.shape[0]])
    return {'seconds': time.perf_counter() - t}

def exact():
    # matmul + argpartition per block, merged with a stable sort; on the first gemm_q queries
    t = time.perf_counter()
    top = np.empty((gemm_q, k_exact), dtype=np.int64)
    for q0 in range(0, gemm_q, qb):
        a = Q[q0:min(q0 + qb, gemm_q)]
        best_s = np.full((a.shape[0], 0), -np.inf, dtype=np.float32); best_i = np.zeros((a.shape[0], 0), dtype=np.int64)
        for d0 in range(0, nd, dbb):
            s = a @ D[d0:d0 + dbb].T
            kk = min(k_exact, s.shape[1])
            part = np.argpartition(-s, kk - 1, axis=1)[:, :kk]
            best_s = np.concatenate([best_s, np.take_along_axis(s, part, 1)], 1)
            best_i = np.concatenate([best_i, part + d0], 1)
            keep = np.argsort(-best_s, axis=1, kind='stable')[:, :k_exact]
            best_s = np.take_along_axis(best_s, keep, 1); best_i = np.take_along_axis(best_i, keep, 1)
        top[q0:q0 + a.shape[0]] = best_i
    seconds = time.perf_counter() - t
    return {'seconds': seconds, 'top10': top[:200, :10].reshape(-1).tolist()}

hnsw_state = {}

def hnsw_build():
    import faiss
    Dh = np.ascontiguousarray(D[:hnsw_db]); Qh = np.ascontiguousarray(Q[:hnsw_q])
    index = faiss.IndexHNSWFlat(dim, M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_add
    t = time.perf_counter(); index.add(Dh); build = time.perf_counter() - t
    truth = np.argsort(-(Qh @ Dh.T), axis=1, kind='stable')[:, :k_hnsw]
    hnsw_state.update(index=index, Qh=Qh, truth=truth)
    return {'build': build, 'faiss': faiss.__version__}

def hnsw_search(ef):
    index = hnsw_state['index']; Qh = hnsw_state['Qh']; truth = hnsw_state['truth']
    index.hnsw.efSearch = max(int(ef), k_hnsw)
    t = time.perf_counter(); _, I = index.search(Qh, k_hnsw); search = time.perf_counter() - t
    recall = float(np.mean([len(set(I[i]) & set(truth[i])) / k_hnsw for i in range(hnsw_q)]))
    return {'search': search, 'recall': recall}

commands = {'gemm': gemm, 'exact': exact, 'hnsw_build': hnsw_build, 'hnsw_search': hnsw_search,
            'version': lambda: {'numpy': np.__version__}}
print(json.dumps({'ready': True}), flush=True)
for line in sys.stdin:
    cmd, *args = line.split()
    if cmd == 'quit':
        break
    print(json.dumps(commands[cmd](*args)), flush=True)
`;

/** A Python process answering commands line by line. */
class PythonWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;

  constructor(args: string[]) {
    this.child = spawn(PYTHON, ['-c', PYTHON_WORKER, ...args], {
      // Passive OpenMP waiting: FAISS's spinning threads collapse on a shared, loaded machine.
      env: {
        ...process.env,
        OMP_WAIT_POLICY: 'PASSIVE',
        OPENBLAS_NUM_THREADS: String(THREADS),
        OMP_NUM_THREADS: String(THREADS),
      },
    });
    this.child.stderr.on('data', (d) => process.stderr.write(d));
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  async next(): Promise<Record<string, unknown>> {
    const r = await this.lines.next();
    if (r.done) throw new Error('python baseline worker exited');
    return JSON.parse(r.value) as Record<string, unknown>;
  }

  async ask(command: string): Promise<Record<string, unknown>> {
    this.child.stdin.write(`${command}\n`);
    return this.next();
  }

  quit(): void {
    this.child.stdin.write('quit\n');
    this.child.stdin.end();
  }
}

function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

interface SweepRow {
  ef: number;
  usearch: { recall: number; msPerQuery: number };
  faiss: { recall: number; msPerQuery: number };
}

/**
 * HNSW on a database prefix: one usearch and one FAISS graph with the same M and efConstruction,
 * searched at each efSearch (alternating), recall@K_HNSW against exact search on the same prefix.
 * @returns the Markdown section
 */
async function hnswSweep(
  run: BenchRun,
  py: PythonWorker,
  q: Float32Array,
  db: Float32Array,
): Promise<string[]> {
  const dbH = db.subarray(0, HNSW_DB * DIM);
  const qH = q.subarray(0, HNSW_Q * DIM);
  const exactH = await exactKnn(qH, HNSW_Q, dbH, HNSW_DB, DIM, K_HNSW, { threads: THREADS });
  const index = await HnswIndex.build(dbH, HNSW_DB, DIM, { threads: THREADS });
  const faiss = await py.ask('hnsw_build');
  const faissBuild = faiss.build as number;
  process.stderr.write(
    `HNSW build: usearch ${index.buildSeconds.toFixed(1)} s, FAISS ${faissBuild.toFixed(1)} s\n`,
  );
  const rows: SweepRow[] = [];
  try {
    for (const ef of EF_SEARCH) {
      const ours = await index.search(qH, HNSW_Q, K_HNSW, ef);
      const theirs = await py.ask(`hnsw_search ${ef}`);
      const row: SweepRow = {
        ef,
        usearch: {
          recall: recallAtK(ours, exactH, K_HNSW),
          msPerQuery: (1000 * ours.searchSeconds) / HNSW_Q,
        },
        faiss: { recall: theirs.recall as number, msPerQuery: (1000 * (theirs.search as number)) / HNSW_Q },
      };
      rows.push(row);
      process.stderr.write(
        `efSearch ${ef}: usearch ${row.usearch.recall.toFixed(4)} ${row.usearch.msPerQuery.toFixed(3)} ms/q, FAISS ${row.faiss.recall.toFixed(4)} ${row.faiss.msPerQuery.toFixed(3)} ms/q\n`,
      );
    }
  } finally {
    index.dispose();
  }
  const first = (side: 'usearch' | 'faiss') => rows.find((r) => r[side].recall >= RECALL_TARGET);
  const u = first('usearch');
  const f = first('faiss');
  const at = (r: SweepRow | undefined, side: 'usearch' | 'faiss') =>
    r === undefined
      ? `never reaches ${RECALL_TARGET} (largest efSearch ${EF_SEARCH.at(-1)})`
      : `efSearch=${r.ef}: recall@${K_HNSW} ${fmt(r[side].recall, 4)}, ${fmt(r[side].msPerQuery, 3)} ms/query`;
  const verdict =
    u === undefined || f === undefined
      ? 'Target not decidable: one side never reaches the recall.'
      : `Query throughput ratio at that recall (usearch / FAISS) = ${fmt(f.faiss.msPerQuery / u.usearch.msPerQuery, 2)}x: target ${f.faiss.msPerQuery >= u.usearch.msPerQuery ? 'met' : 'NOT met'} (target: recall@${K_HNSW} >= ${RECALL_TARGET} at no less query throughput than FAISS at that recall).`;
  return [
    '### HNSW: usearch against FAISS, efSearch sweep',
    '',
    run.block(),
    '',
    `${HNSW_DB.toLocaleString('en')} database rows, ${HNSW_Q.toLocaleString('en')} queries (prefixes of the data above), ${DIM} dims, inner product, M=${HNSW_DEFAULTS.connectivity}, efConstruction=${HNSW_DEFAULTS.expansionAdd} for both; one graph per library searched at each efSearch, usearch and FAISS alternating per setting, ${THREADS} thread(s); recall@${K_HNSW} against exact search. FAISS ${String(faiss.faiss)} (Debian python3-faiss, IndexHNSWFlat). fairscope's default efSearch (HNSW_DEFAULTS.expansionSearch) is ${HNSW_DEFAULTS.expansionSearch}. Load average at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${cpus().length} cores: read the ratios.`,
    '',
    '| build | usearch, s | FAISS, s | ratio (FAISS / usearch) |',
    '|---|---|---|---|',
    `| graph over ${HNSW_DB.toLocaleString('en')} rows | ${fmt(index.buildSeconds, 2)} | ${fmt(faissBuild, 2)} | ${fmt(faissBuild / index.buildSeconds, 2)}x |`,
    '',
    `| efSearch | usearch recall@${K_HNSW} | usearch ms/query | FAISS recall@${K_HNSW} | FAISS ms/query | throughput ratio (usearch / FAISS) |`,
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.ef} | ${fmt(r.usearch.recall, 4)} | ${fmt(r.usearch.msPerQuery, 3)} | ${fmt(r.faiss.recall, 4)} | ${fmt(r.faiss.msPerQuery, 3)} | ${fmt(r.faiss.msPerQuery / r.usearch.msPerQuery, 2)}x |`,
    ),
    '',
    `First efSearch reaching recall@${K_HNSW} >= ${RECALL_TARGET} (settings as measured, no interpolation): usearch ${at(u, 'usearch')}; FAISS ${at(f, 'faiss')}. ${verdict}`,
    '',
  ];
}

/** Replaces the HNSW section of an existing results file (keeps the exact-search part as it is). */
function mergeHnswSection(existing: string, hnsw: string[]): string {
  const body =
    parseGeneratedMarker(existing) === null ? existing : existing.slice(existing.indexOf('\n') + 1);
  const kept = body.split('\n').filter((line) => !line.startsWith('| HNSW ') && !line.startsWith('HNSW: '));
  const cut = kept.indexOf(hnsw[0] as string);
  const head = (cut >= 0 ? kept.slice(0, cut) : kept).join('\n').trimEnd();
  return resultsText(import.meta.url, `${head}\n\n${hnsw.join('\n')}`);
}

async function main(): Promise<void> {
  const run = startRun({
    script: import.meta.url,
    packages: ['onnxruntime-node', 'usearch'],
    python: ['numpy', 'faiss'],
    env: ['RETRIEVAL_BENCH'],
  });
  const dir = mkdtempSync(join(tmpdir(), 'fairscope-bench-retrieval-'));
  const out = resultsPath('retrieval.md');
  try {
    const rng = new Rng(2022);
    const nCentres = 1000;
    const centres = Float32Array.from({ length: nCentres * DIM }, () => rng.normal());
    const t0 = performance.now();
    const db = clustered(rng, centres, nCentres, ND, 0.6);
    const q = clustered(rng, centres, nCentres, NQ, 0.6);
    // the HNSW-only run draws the same data but hands the worker only the prefixes it searches
    writeNpy(join(dir, 'q.npy'), hnswOnly ? q.subarray(0, HNSW_Q * DIM) : q, hnswOnly ? HNSW_Q : NQ, DIM);
    writeNpy(
      join(dir, 'db.npy'),
      hnswOnly ? db.subarray(0, HNSW_DB * DIM) : db,
      hnswOnly ? HNSW_DB : ND,
      DIM,
    );
    process.stderr.write(
      `data ${NQ} x ${ND} x ${DIM} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    const py = new PythonWorker([
      dir,
      ...[QUERY_BLOCK, DATABASE_BLOCK, K_EXACT, K_HNSW, HNSW_DB, HNSW_Q, GEMM_QUERIES].map(String),
      ...[HNSW_DEFAULTS.connectivity, HNSW_DEFAULTS.expansionAdd].map(String),
    ]);
    await py.next(); // ready: data loaded

    if (hnswOnly) {
      const hnsw = await hnswSweep(run, py, q, db);
      py.quit();
      const merged = mergeHnswSection(existsSync(out) ? readFileSync(out, 'utf8') : '', hnsw);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, merged);
      process.stdout.write(`${hnsw.join('\n')}\n`);
      return;
    }
    // GEMM only, same blocks as the search, alternating with numpy; best of ROUNDS each
    const gemm = await Gemm.create({ threads: THREADS });
    const buffer = new Float32Array(QUERY_BLOCK * DATABASE_BLOCK);
    let tsGemm = Number.POSITIVE_INFINITY;
    let npGemm = Number.POSITIVE_INFINITY;
    for (let r = 0; r < ROUNDS; r++) {
      const t = performance.now();
      for (let q0 = 0; q0 < GEMM_QUERIES; q0 += QUERY_BLOCK) {
        const m = Math.min(QUERY_BLOCK, GEMM_QUERIES - q0);
        for (let d0 = 0; d0 < ND; d0 += DATABASE_BLOCK) {
          const n = Math.min(DATABASE_BLOCK, ND - d0);
          await gemm.abT(
            q.subarray(q0 * DIM, (q0 + m) * DIM),
            m,
            DIM,
            db.subarray(d0 * DIM, (d0 + n) * DIM),
            n,
            buffer.subarray(0, m * n),
          );
        }
      }
      tsGemm = Math.min(tsGemm, (performance.now() - t) / 1000);
      npGemm = Math.min(npGemm, (await py.ask('gemm')).seconds as number);
      process.stderr.write(
        `GEMM round ${r + 1}: fairscope ${tsGemm.toFixed(2)} s, numpy ${npGemm.toFixed(2)} s (best so far)\n`,
      );
    }
    await gemm.dispose();

    // Exact retrieval over all queries, once each
    const t = performance.now();
    const exact = await exactKnn(q, NQ, db, ND, DIM, K_EXACT, {
      threads: THREADS,
      queryBlock: QUERY_BLOCK,
      databaseBlock: DATABASE_BLOCK,
    });
    const tsExact = (performance.now() - t) / 1000;
    const npExactReply = await py.ask('exact');
    const npExact = npExactReply.seconds as number;
    process.stderr.write(
      `exact top-${K_EXACT}: fairscope ${tsExact.toFixed(1)} s, numpy ${npExact.toFixed(1)} s\n`,
    );
    const numpyTop = npExactReply.top10 as number[];
    let agree = 0;
    const rows = Math.min(200, GEMM_QUERIES);
    for (let i = 0; i < rows; i++) {
      const ours = new Set(exact.indices.subarray(i * K_EXACT, i * K_EXACT + 10));
      for (let r = 0; r < 10; r++) if (ours.has(numpyTop[i * 10 + r] as number)) agree++;
    }

    const hnsw = await hnswSweep(run, py, q, db);
    const numpyVersion = (await py.ask('version')).numpy as string;
    py.quit();

    const gf = (flops: number, seconds: number) => flops / seconds / 1e9;
    const gemmFlops = 2 * GEMM_QUERIES * ND * DIM;
    const exactFlops = 2 * NQ * ND * DIM;
    const lines = [
      '## Retrieval (Indicator 3 search)',
      '',
      run.block(),
      '',
      `Exact search: ${NQ.toLocaleString('en')} queries x ${ND.toLocaleString('en')} database x ${DIM} dims, clustered unit vectors, top-${K_EXACT}, blocks ${QUERY_BLOCK} x ${DATABASE_BLOCK}, ${THREADS} threads on both sides. GEMM-only rows: the first ${GEMM_QUERIES.toLocaleString('en')} queries, best of ${ROUNDS} alternating rounds.`,
      `Baselines: numpy ${numpyVersion} (OpenBLAS) and FAISS from Debian's Python, in a worker process that alternates with the TypeScript side. Load average at the end: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(
          ' ',
        )} on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}): read the ratios, not the absolute speeds.`,
      '',
      '| measure | fairscope | baseline | ratio (fairscope / baseline) |',
      '|---|---|---|---|',
      `| GEMM only (same blocks), GFLOP/s | ${fmt(gf(gemmFlops, tsGemm))} (onnxruntime MLAS) | ${fmt(gf(gemmFlops, npGemm))} (numpy matmul) | ${fmt(npGemm / tsGemm, 2)}x |`,
      `| exact retrieval, GEMM + top-${K_EXACT}, GFLOP/s | ${fmt(gf(exactFlops, tsExact))} | ${fmt(gf(gemmFlops, npExact))} (numpy matmul + argpartition, first ${GEMM_QUERIES.toLocaleString('en')} queries) | ${fmt(gf(exactFlops, tsExact) / gf(gemmFlops, npExact), 2)}x |`,
      `| exact retrieval vs numpy matmul alone, GFLOP/s | ${fmt(gf(exactFlops, tsExact))} | ${fmt(gf(gemmFlops, npGemm))} | ${fmt(gf(exactFlops, tsExact) / gf(gemmFlops, npGemm), 2)}x (target >= 0.8x) |`,
      `| exact top-10 agreement with numpy (first 200 queries) | ${fmt((100 * agree) / (rows * 10), 2)}% | | |`,
      '',
      ...hnsw,
    ];
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, resultsText(import.meta.url, lines.join('\n')));
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
