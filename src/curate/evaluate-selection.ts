/**
 * Does the curated selection train a better (and fairer) classifier than a random one of the same
 * size? A probe (linear, BatchNorm + linear or kNN, as the spec's probes) is trained on the frozen
 * embeddings of the curated selection and of `randomDraws` seeded random selections drawn from the
 * same candidate pool (after near-duplicate removal when it is on), and each is scored on a test
 * set; src/curate/probe-comparison.ts turns the per-item outcomes into rows with intervals.
 *
 * A test item whose class no training image of a selection has cannot be predicted by that probe:
 * it counts as wrong, and a note says which classes were missing.
 */
import { UsageError } from '../core/errors.js';
import type { AttrValue, ManifestItem, ResultRow } from '../core/types.js';
import type { GroupSpec } from '../indicators/group-specs.js';
import { classList, labelOf, parseLabelSource } from '../probe/dataset.js';
import { topKHits } from '../probe/evaluate.js';
import { fitHead, type ProbeFitOptions, probeLogits } from '../probe/stage.js';
import { attributesPresent, type Grouping } from '../stats/groups.js';
import type { FrameOptions } from '../stats/metric-frame.js';
import { probeComparisonRows } from './probe-comparison.js';
import { randomDraws } from './random-draws.js';

/** What to evaluate a selection with: the probe, the test set, the groups and the random draws. */
export interface SelectionEvalSpec extends ProbeFitOptions {
  /** Name of the dataset the probes are scored on. */
  test: string;
  /** Where the class comes from (default 'labels'). */
  labelFrom: string;
  head: NonNullable<ProbeFitOptions['head']>;
  groups: readonly GroupSpec[];
  /** Random selections the curated one is compared with. */
  randomDraws: number;
}

/** Items with their embeddings, rows aligned. */
export interface EmbeddedItems {
  items: ManifestItem[];
  /** (items.length, dim) row-major */
  embeddings: Float32Array;
}

export interface CurationEvalInput {
  spec: SelectionEvalSpec;
  model: string;
  /** The curated dataset (the candidate pool) and its embeddings. */
  dataset: string;
  pool: EmbeddedItems;
  dim: number;
  /** Indices into pool.items of the curated selection. */
  selected: readonly number[];
  /** (pool size) 1 = not a candidate (a removed near-duplicate). */
  excluded?: Uint8Array;
  test: EmbeddedItems;
  /** Test items left out because their image could not be embedded. */
  testUnembedded?: number;
  /** Row parameters describing the curation (strategy, budget, ...). */
  params: Record<string, AttrValue>;
  seed: number;
  bootstrap: FrameOptions;
}

/** Errors when some items have no class under the label source. */
function requireLabels(
  items: readonly ManifestItem[],
  labels: (string | undefined)[],
  dataset: string,
  from: string,
) {
  const missing = items.filter((_, i) => labels[i] === undefined).map((it) => it.id);
  if (missing.length > 0) {
    throw new UsageError(
      `curation evaluate: ${missing.length} item(s) of dataset "${dataset}" have no class under labelFrom "${from}", e.g. ${missing.slice(0, 3).join(', ')}`,
    );
  }
}

/** Groupings of the spec; an attribute no test item has is an error. */
function groupingsOf(
  groups: SelectionEvalSpec['groups'],
  test: readonly ManifestItem[],
  dataset: string,
): Grouping[] {
  const present = attributesPresent(test);
  return groups.map((g) => {
    const attributes = typeof g === 'string' ? [g] : [...g];
    const unknown = attributes.filter((a) => !present.has(a));
    if (unknown.length > 0) {
      throw new UsageError(
        `curation evaluate: groups: no item of test dataset "${dataset}" has attribute(s) ${unknown.join(', ')} (attributes: ${[...present].sort().join(', ') || 'none'})`,
      );
    }
    return { name: attributes.join('*'), attributes };
  });
}

/** The selection's classes absent from it, with how many test items carry each. */
interface SelectionOutcome {
  hits: Uint8Array;
  missingClasses: string[];
}

/** Trains the probe on some pool rows and marks which test items it classifies correctly (top-1). */
async function scoreSelection(
  input: CurationEvalInput,
  poolLabels: string[],
  testLabels: string[],
  rows: readonly number[],
): Promise<SelectionOutcome> {
  const { dim, pool, test, spec } = input;
  const classes = classList(rows.map((r) => poolLabels[r] as string));
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const nTest = test.items.length;
  let logits: Float32Array;
  if (classes.length < 2) {
    // One class: every test item gets it (no classifier to train).
    logits = new Float32Array(nTest * classes.length);
  } else {
    const x = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => {
      x.set(pool.embeddings.subarray(r * dim, (r + 1) * dim), i * dim);
    });
    const y = Int32Array.from(rows, (r) => classIndex.get(poolLabels[r] as string) as number);
    const ids = rows.map((r) => (pool.items[r] as ManifestItem).id);
    const { test: _test, groups: _groups, randomDraws: _draws, ...probe } = spec;
    const head = await fitHead(x, rows.length, dim, y, classes, ids, { ...probe, seed: input.seed });
    logits = await probeLogits(
      head,
      test.embeddings,
      nTest,
      test.items.map((it) => it.id),
    );
  }
  const target = Int32Array.from(testLabels, (l) => classIndex.get(l) ?? -1);
  const hits = topKHits(logits, nTest, classes.length, target, 1);
  const missingClasses = classList(testLabels.filter((l) => !classIndex.has(l)));
  return { hits, missingClasses };
}

/** Rows and notes comparing the curated selection with random ones of the same size. */
export async function evaluateCuratedSelection(
  input: CurationEvalInput,
): Promise<{ rows: ResultRow[]; notes: string[] }> {
  const { spec, pool, test, dataset } = input;
  const source = parseLabelSource(spec.labelFrom);
  const excluded = input.excluded ?? new Uint8Array(pool.items.length);
  const candidates = pool.items.map((_, i) => i).filter((i) => excluded[i] !== 1);
  const poolLabels = pool.items.map((it) => labelOf(it, source));
  requireLabels(
    candidates.map((i) => pool.items[i] as ManifestItem),
    candidates.map((i) => poolLabels[i]),
    dataset,
    spec.labelFrom,
  );
  if (test.items.length === 0) {
    throw new UsageError(`curation evaluate: test dataset "${spec.test}" has no item with an embedding`);
  }
  const testLabels = test.items.map((it) => labelOf(it, source));
  requireLabels(test.items, testLabels, spec.test, spec.labelFrom);
  const groupings = groupingsOf(spec.groups, test.items, spec.test);

  const size = input.selected.length;
  const draws = randomDraws(candidates, size, spec.randomDraws, input.seed);
  const labels = poolLabels as string[];
  const tLabels = testLabels as string[];
  const curated = await scoreSelection(input, labels, tLabels, input.selected);
  const random: SelectionOutcome[] = [];
  for (const d of draws) random.push(await scoreSelection(input, labels, tLabels, d));

  const where = `curation evaluate (${input.model}, ${dataset} → ${spec.test})`;
  const countOf = (classes: string[]) => tLabels.filter((l) => classes.includes(l)).length;
  const notes: string[] = [];
  if (curated.missingClasses.length > 0) {
    notes.push(
      `${where}: the curated selection has no training image of class(es) ${curated.missingClasses.join(', ')}; their ${countOf(curated.missingClasses)} test item(s) count as wrong`,
    );
  }
  const lacking = random.filter((r) => r.missingClasses.length > 0);
  if (lacking.length > 0) {
    const classes = classList(lacking.flatMap((r) => r.missingClasses));
    notes.push(
      `${where}: ${lacking.length} of ${draws.length} random selection(s) lack class(es) among ${classes.join(', ')}; those test items count as wrong for them`,
    );
  }
  const poolIds = new Set(candidates.map((i) => (pool.items[i] as ManifestItem).id));
  const overlap = test.items.filter((it) => poolIds.has(it.id)).length;
  if (overlap > 0) {
    notes.push(
      `${where}: ${overlap} test item(s) are also candidates for selection; probes may be scored on their own training images`,
    );
  }
  if ((input.testUnembedded ?? 0) > 0) {
    notes.push(
      `${where}: ${input.testUnembedded} test item(s) have no embedding (failed images): not scored`,
    );
  }
  const accuracy = (hits: Uint8Array) => hits.reduce((t, h) => t + h, 0) / Math.max(1, hits.length);
  notes.push(
    `${where}: overall accuracy of the ${spec.head} probe on ${size} images: curated ${accuracy(curated.hits).toFixed(3)}; random draws ${random.map((r) => accuracy(r.hits).toFixed(3)).join(', ')}`,
  );

  const rows = probeComparisonRows(
    test.items,
    { curated: curated.hits, random: random.map((r) => r.hits) },
    groupings,
    {
      model: input.model,
      dataset: spec.test,
      params: {
        ...input.params,
        trainDataset: dataset,
        selected: size,
        draws: draws.length,
        labelFrom: spec.labelFrom,
        head: spec.head,
        ...(spec.head === 'knn' ? {} : { l2: spec.l2 }),
      },
    },
    input.bootstrap,
  );
  return { rows, notes };
}
