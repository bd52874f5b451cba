import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import {
  drawClusterCounts,
  type ResampledStatistic,
  replicateColumn,
  runClusteredBootstrap,
  strataMembers,
} from './bootstrap.js';
import { type ClusterSums, ClusterSumsBuilder, ratioValue } from './cluster-sums.js';

/** The mean of item values as a one-value resampled statistic. */
function meanStatistic(sums: ClusterSums): ResampledStatistic {
  return {
    size: 1,
    evaluate(weights, out, offset) {
      out[offset] = ratioValue(sums, weights);
    },
  };
}

/** Items with values, each in the cluster given. */
function itemSums(values: number[], clusters: number[]): ClusterSums {
  const b = new ClusterSumsBuilder();
  values.forEach((v, i) => {
    b.add(clusters[i] as number, v);
  });
  return b.build();
}

function sd(xs: Float64Array): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
}

test('drawClusterCounts draws exactly nClusters clusters', () => {
  const w = new Float64Array(7);
  const rng = new Rng(3);
  for (let r = 0; r < 20; r++) {
    drawClusterCounts(rng, 7, w);
    assert.equal(
      w.reduce((a, b) => a + b, 0),
      7,
    );
    assert.ok(w.every((x) => Number.isInteger(x) && x >= 0));
  }
});

test('constant data gives a zero-width interval', () => {
  const sums = itemSums(
    Array(40).fill(0.7),
    Array.from({ length: 40 }, (_, i) => i % 12),
  );
  const [r] = runClusteredBootstrap(12, [meanStatistic(sums)], { seed: 1, resamples: 200 });
  assert.ok(r);
  const col = replicateColumn(r, 0);
  assert.ok(col.every((x) => Math.abs(x - 0.7) < 1e-15));
});

test('cluster resampling matches the closed-form variance; item resampling is narrower', () => {
  // 20 clusters of 5 identical items: 10 clusters of 1s, 10 of 0s. Mean 0.5.
  // Cluster bootstrap: the mean of 20 draws of cluster means (0 or 1 with p = 1/2):
  //   variance 0.25 / 20 = 0.0125, sd 0.1118.
  // Item bootstrap (each of the 100 items its own cluster): variance 0.25 / 100, sd 0.05.
  const values = Array.from({ length: 100 }, (_, i) => (Math.floor(i / 5) < 10 ? 1 : 0));
  const byCluster = itemSums(
    values,
    values.map((_, i) => Math.floor(i / 5)),
  );
  const byItem = itemSums(
    values,
    values.map((_, i) => i),
  );
  const B = 4000;
  const [c] = runClusteredBootstrap(20, [meanStatistic(byCluster)], { seed: 7, resamples: B });
  const [it] = runClusteredBootstrap(100, [meanStatistic(byItem)], { seed: 7, resamples: B });
  assert.ok(c && it);
  assert.equal(c.point[0], 0.5);
  // sd of an sd estimate from B draws is about sd / sqrt(2B) (~1.1%); allow 6%.
  const sdCluster = sd(replicateColumn(c, 0));
  const sdItem = sd(replicateColumn(it, 0));
  assert.ok(Math.abs(sdCluster / Math.sqrt(0.25 / 20) - 1) < 0.06, `cluster sd ${sdCluster}`);
  assert.ok(Math.abs(sdItem / Math.sqrt(0.25 / 100) - 1) < 0.06, `item sd ${sdItem}`);
});

test('two clusters: resample means follow the exact bootstrap distribution 1/4, 1/2, 1/4', () => {
  // Cluster 0 holds a 0, cluster 1 a 1: draws (0,0), (0,1)/(1,0), (1,1) give means 0, 0.5, 1.
  const sums = itemSums([0, 1], [0, 1]);
  const B = 4000;
  const [r] = runClusteredBootstrap(2, [meanStatistic(sums)], { seed: 11, resamples: B });
  assert.ok(r);
  const col = replicateColumn(r, 0);
  const count = (v: number) => col.filter((x) => x === v).length;
  // binomial sd: sqrt(4000 * 0.25 * 0.75) = 27.4, sqrt(4000 * 0.5 * 0.5) = 31.6; allow 4.5 sd
  assert.ok(Math.abs(count(0) - 1000) < 125, `zeros ${count(0)}`);
  assert.ok(Math.abs(count(0.5) - 2000) < 145, `halves ${count(0.5)}`);
  assert.ok(Math.abs(count(1) - 1000) < 125, `ones ${count(1)}`);
});

test('the same seed gives the same replicates; another seed does not', () => {
  const sums = itemSums([1, 0, 1, 1, 0, 0, 1], [0, 1, 2, 3, 4, 5, 6]);
  const run = (seed: number) => runClusteredBootstrap(7, [meanStatistic(sums)], { seed, resamples: 50 })[0];
  assert.deepEqual(run(5)?.replicates, run(5)?.replicates);
  assert.notDeepEqual(run(5)?.replicates, run(6)?.replicates);
});

test('no clusters or zero resamples: point values only', () => {
  const [r] = runClusteredBootstrap(0, [meanStatistic(itemSums([], []))], { seed: 1 });
  assert.ok(r);
  assert.equal(r.resamples, 0);
  assert.ok(Number.isNaN(r.point[0]));
});

/** Records the weights of every resample (and nothing for the point estimate). */
function weightRecorder(): ResampledStatistic & { seen: number[][] } {
  const seen: number[][] = [];
  return {
    size: 1,
    seen,
    evaluate(weights, out, offset) {
      if (weights !== undefined) seen.push(Array.from(weights));
      out[offset] = 0;
    },
  };
}

test('without strata the stream is drawClusterCounts on Rng(seed), resample after resample', () => {
  const rec = weightRecorder();
  runClusteredBootstrap(5, [rec], { seed: 21, resamples: 30 });
  const rng = new Rng(21);
  const w = new Float64Array(5);
  const expected = Array.from({ length: 30 }, () => {
    drawClusterCounts(rng, 5, w);
    return Array.from(w);
  });
  assert.deepEqual(rec.seen, expected);
});

test('strata: each stratum in ascending order draws as many of its members as it has (slow reference loop)', () => {
  // Clusters 0..6 in strata [2, 0, 2, 1, 0, 2, 2]: stratum 0 = {1, 4}, 1 = {3}, 2 = {0, 2, 5, 6}.
  const stratumOf = Int32Array.from([2, 0, 2, 1, 0, 2, 2]);
  assert.deepEqual(
    strataMembers(stratumOf).map((m) => Array.from(m)),
    [[1, 4], [3], [0, 2, 5, 6]],
  );
  const rec = weightRecorder();
  runClusteredBootstrap(7, [rec], { seed: 5, resamples: 40, stratumOf });
  const rng = new Rng(5);
  const expected: number[][] = [];
  for (let b = 0; b < 40; b++) {
    const w = [0, 0, 0, 0, 0, 0, 0];
    for (const members of [[1, 4], [3], [0, 2, 5, 6]]) {
      for (let j = 0; j < members.length; j++) w[members[rng.int(members.length)] as number] += 1;
    }
    expected.push(w);
  }
  assert.deepEqual(rec.seen, expected);
  for (const w of rec.seen) {
    // every stratum keeps its size: 2, 1 (cluster 3 always drawn once) and 4
    assert.equal((w[1] as number) + (w[4] as number), 2);
    assert.equal(w[3], 1);
    assert.equal((w[0] as number) + (w[2] as number) + (w[5] as number) + (w[6] as number), 4);
  }
});

test('strata of one cluster each: every resample is the sample, a zero-width interval', () => {
  // Items 1, 0, 1 in clusters 0, 1, 2, each its own stratum: each resample draws each cluster once.
  const sums = itemSums([1, 0, 1], [0, 1, 2]);
  const [r] = runClusteredBootstrap(3, [meanStatistic(sums)], {
    seed: 1,
    resamples: 25,
    stratumOf: Int32Array.from([0, 1, 2]),
  });
  assert.ok(r);
  assert.ok(replicateColumn(r, 0).every((x) => x === 2 / 3));
  assert.throws(
    () => runClusteredBootstrap(3, [meanStatistic(sums)], { seed: 1, stratumOf: Int32Array.from([0, 1]) }),
    /stratumOf has 2 entries for 3 clusters/,
  );
});
