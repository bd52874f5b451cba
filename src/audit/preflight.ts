/**
 * The audit's check before any work: every model, dataset, probe and evaluator entry of a spec,
 * checked together against the resolved datasets and what the models declare (no model is loaded,
 * no image embedded), so that an audit that cannot give a meaningful result fails in seconds with
 * every problem listed at once, each naming its entry (`indicators.label-association.0.classifier`)
 * and what was expected. The stages keep their own checks: they protect the commands too.
 *
 * Checked: `classifier: logits` on a model without logits; a probe limited to other models than its
 * entry; a probe's training data (items without a class, fewer than two classes); classes that
 * cover nothing an entry scores (a taxonomy or concept map that names no class, a probe evaluation
 * or robustness set with no label among the classes, taxonomy labels missing without
 * `partialTaxonomy`); attributes of groups, balance, groupBy and retrieval that no item has.
 */
import { FairscopeError, UsageError } from '../core/errors.js';
import type { ManifestItem } from '../core/types.js';
import { readJsonFile } from '../data/files.js';
import { parseConceptMap } from '../indicators/concept-map.js';
import { withIncomeBuckets } from '../indicators/geographic.js';
import { DEFAULT_GEOGRAPHIC_GROUP_SPECS } from '../indicators/geographic-stage.js';
import { type GroupSpec, groupingsOf } from '../indicators/group-specs.js';
import { labelNamesOf } from '../indicators/label-association-stage.js';
import { loadTaxonomy } from '../indicators/node/taxonomy-file.js';
import { type Taxonomy, taxonomyLabels } from '../indicators/taxonomy.js';
import { declaredLogits } from '../models/declared-logits.js';
import { resolveModelSpec } from '../models/load.js';
import { classList, labelOf, parseLabelSource } from '../probe/dataset.js';
import { buildTargets, type ClassMap, labelSetsOf } from '../robustness/labels.js';
import { loadClassMap } from '../robustness/node/load.js';
import { attributesPresent } from '../stats/groups.js';
import type { ResolvedDataset } from './datasets.js';
import { appliesTo, taxonomyPath } from './indicators.js';
import { attributesOf } from './robustness.js';
import { type AuditSpec, usedProbes } from './spec.js';

/** A classifier's classes, with the words that name them in messages. */
interface Classes {
  names: string[];
  what: string;
}

type Entry = { models?: readonly string[] | undefined; classifier: string };

/** A few names of a list: "a, b, c, ... (12 in all)". */
function some(names: Iterable<string>, max = 8): string {
  const list = [...names];
  if (list.length === 0) return '(none)';
  return list.length > max
    ? `${list.slice(0, max).join(', ')}, ... (${list.length} in all)`
    : list.join(', ');
}

/** Ids of some items, quoted. */
function someIds(items: readonly ManifestItem[]): string {
  return some(
    items.map((it) => `"${it.id}"`),
    3,
  );
}

/** The message of an error a check reuses from a stage; any other error is a bug, rethrown. */
function messageOf(err: unknown): string {
  if (err instanceof FairscopeError || err instanceof RangeError) return err.message;
  throw err;
}

/**
 * Checks a spec against its resolved datasets and what its models declare.
 * @param more problems other checks found (`<entry path>: <what is wrong>`), listed with these
 * @throws UsageError (exit 2) listing every problem, each as `<entry path>: <what is wrong>`
 */
export async function checkAudit(
  spec: AuditSpec,
  datasets: ReadonlyMap<string, ResolvedDataset>,
  more: readonly string[] = [],
): Promise<void> {
  const problems = new Set<string>(more);
  const add = (path: string, message: string) => problems.add(`${path}: ${message}`);
  const itemsOf = (name: string): readonly ManifestItem[] => datasets.get(name)?.items ?? [];
  const modelNames = Object.keys(spec.models);
  const modelsOf = (entry: { models?: readonly string[] | undefined }) =>
    modelNames.filter((m) => appliesTo(entry, m));

  /** Attributes that no item of the datasets has. */
  const needAttributes = (path: string, attributes: readonly string[], names: readonly string[]) => {
    const present = attributesPresent(names.flatMap((n) => itemsOf(n)));
    const missing = attributes.filter((a) => !present.has(a));
    if (missing.length > 0) {
      add(
        path,
        `no item of dataset${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')} has attribute(s) ${missing.join(', ')} (its attributes: ${some([...present].sort(), 20)})`,
      );
    }
  };
  /** Group specs as the indicator stages read them (`a_b` can name an intersection). */
  const needGroups = (
    path: string,
    groups: readonly GroupSpec[] | undefined,
    items: readonly ManifestItem[],
    name: string,
  ) => {
    try {
      groupingsOf(groups, items);
    } catch (err) {
      add(path, `${messageOf(err).replace(/^--groups: /, '')} (dataset "${name}")`);
    }
  };
  /** Items without a class under a label source. */
  const unlabeled = (items: readonly ManifestItem[], labelFrom: string) => {
    const source = parseLabelSource(labelFrom);
    return items.filter((it) => {
      const l = labelOf(it, source);
      return l === undefined || l === '';
    });
  };
  const classesUnder = (items: readonly ManifestItem[], labelFrom: string) => {
    const source = parseLabelSource(labelFrom);
    return classList(
      items.map((it) => labelOf(it, source)).filter((l): l is string => l !== undefined && l !== ''),
    );
  };

  // Probes: their training data, and their classes for the entries that use them.
  const probeClasses = new Map<string, Classes>();
  for (const name of [...usedProbes(spec)].sort()) {
    const p = spec.probes[name];
    if (p === undefined) continue;
    const items = itemsOf(p.train);
    const without = unlabeled(items, p.labelFrom);
    if (without.length > 0 && !p.skipUnlabeled) {
      add(
        `probes.${name}.train`,
        `${without.length} of ${items.length} item(s) of dataset "${p.train}" have no class under labelFrom "${p.labelFrom}", e.g. ${someIds(without)} (skipUnlabeled: true leaves them out)`,
      );
    }
    const classes = classesUnder(items, p.labelFrom);
    if (classes.length < 2) {
      add(
        `probes.${name}.train`,
        `dataset "${p.train}" has ${classes.length} class(es) under labelFrom "${p.labelFrom}"${classes.length > 0 ? ` (${classes.join(', ')})` : ''}; a probe needs two`,
      );
    }
    probeClasses.set(name, {
      names: classes,
      what: `probe "${name}" (classes from ${p.labelFrom} of dataset "${p.train}": ${some(classes)})`,
    });
  }

  // What each model declares about its logits, read once when some entry asks for them.
  const logits = new Map<string, Promise<Classes | { none: string } | undefined>>();
  const logitsOf = (model: string) => {
    let found = logits.get(model);
    if (found === undefined) {
      found = (async () => {
        const m = spec.models[model];
        if (m?.train !== undefined)
          return { none: `it is trained by the audit (method ${m.train.method}): features only` };
        try {
          const declared = await declaredLogits(await resolveModelSpec(m?.model as string));
          if ('none' in declared) return declared;
          return {
            names: declared.classes,
            what: `the logits of model "${model}" (${declared.classes.length} classes: ${some(declared.classes)})`,
          };
        } catch (err) {
          add(`models.${model}.model`, messageOf(err));
          return undefined;
        }
      })();
      logits.set(model, found);
    }
    return found;
  };

  /** The classes an entry's classifier predicts for one model; undefined (and a problem) when none. */
  const classifierClasses = async (path: string, entry: Entry, model: string) => {
    if (entry.classifier === 'logits') {
      const declared = await logitsOf(model);
      if (declared === undefined) return undefined;
      if ('none' in declared) {
        add(
          `${path}.classifier`,
          `classifier "logits": model "${model}" has no logits (${declared.none}); use a probe on its features (classifier: probe:<name>) or limit the entry to other models (models: [...])`,
        );
        return undefined;
      }
      return declared;
    }
    const name = entry.classifier.slice('probe:'.length);
    const p = spec.probes[name];
    if (p !== undefined && !appliesTo(p, model)) {
      add(
        `${path}.classifier`,
        `probe "${name}" is trained for model(s) ${p.models?.join(', ')} only, but this entry runs on model "${model}" too (limit it with models: [...])`,
      );
      return undefined;
    }
    return probeClasses.get(name);
  };

  /** Reads a file an entry names; undefined (and a problem) when it cannot be read. */
  const read = async <T>(path: string, load: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await load();
    } catch (err) {
      add(path, messageOf(err));
      return undefined;
    }
  };

  for (const [i, la] of spec.indicators['label-association'].entries()) {
    const path = `indicators.label-association.${i}`;
    const items = itemsOf(la.dataset);
    if (la.groups !== undefined) needGroups(`${path}.groups`, la.groups, items, la.dataset);
    const taxonomy = await read(`${path}.taxonomy`, () => loadTaxonomy(taxonomyPath(la.taxonomy)));
    const labelNames = la.labelNames;
    const nameMap =
      labelNames === undefined
        ? undefined
        : await read(`${path}.labelNames`, async () => ({
            map: (await readJsonFile(labelNames, 'label-name map')) as Record<string, unknown>,
            file: labelNames,
          }));
    for (const model of modelsOf(la)) {
      const classes = await classifierClasses(path, la, model);
      if (classes === undefined || taxonomy === undefined) continue;
      let names = classes.names;
      if (nameMap !== undefined) {
        try {
          names = labelNamesOf(nameMap, classes.names);
        } catch (err) {
          add(`${path}.labelNames`, messageOf(err));
          continue;
        }
      }
      checkTaxonomy(`${path}.taxonomy`, taxonomy, names, classes.what, la.partialTaxonomy, add);
    }
  }

  for (const [i, geo] of spec.indicators.geographic.entries()) {
    const path = `indicators.geographic.${i}`;
    const items = itemsOf(geo.dataset);
    needGroups(
      `${path}.groups`,
      geo.groups ?? DEFAULT_GEOGRAPHIC_GROUP_SPECS,
      withIncomeBuckets(items).items,
      geo.dataset,
    );
    const file = geo.conceptMap;
    const raw =
      file === undefined
        ? undefined
        : await read(`${path}.conceptMap`, () => readJsonFile(file, 'concept map'));
    if (file !== undefined && raw === undefined) continue;
    for (const model of modelsOf(geo)) {
      const classes = await classifierClasses(path, geo, model);
      if (classes === undefined) continue;
      let concepts: string[][];
      try {
        concepts =
          file === undefined
            ? classes.names.map((c) => [c])
            : parseConceptMap(raw, file, classes.names).conceptsOfClass;
      } catch (err) {
        add(`${path}.conceptMap`, messageOf(err));
        continue;
      }
      const known = new Set(concepts.flat());
      if (known.size === 0) {
        add(`${path}.conceptMap`, `maps no class of ${classes.what} to a concept`);
      } else if (!items.some((it) => it.labels.some((l) => known.has(l)))) {
        add(
          `${path}.classifier`,
          `no label of dataset "${geo.dataset}" (${some(classList(items.flatMap((it) => it.labels)))}) is a concept of ${classes.what} (${some([...known].sort())}): nothing could be a hit`,
        );
      }
    }
  }

  for (const [i, r] of spec.indicators.retrieval.entries()) {
    const path = `indicators.retrieval.${i}`;
    needAttributes(`${path}.attribute`, [r.attribute], [r.queries]);
    needAttributes(`${path}.attribute`, [r.attribute], [r.database]);
    needGroups(`${path}.groups`, r.groups, itemsOf(r.queries), r.queries);
  }

  for (const [name, p] of Object.entries(spec.probes)) {
    const probe = probeClasses.get(name);
    if (p.evaluate === undefined || probe === undefined) continue;
    const path = `probes.${name}.evaluate`;
    for (const [j, dataset] of p.evaluate.datasets.entries()) {
      const items = itemsOf(dataset);
      const without = unlabeled(items, p.labelFrom);
      if (without.length > 0 && !p.skipUnlabeled) {
        add(
          `${path}.datasets.${j}`,
          `${without.length} of ${items.length} item(s) of dataset "${dataset}" have no class under labelFrom "${p.labelFrom}", e.g. ${someIds(without)} (skipUnlabeled: true leaves them out)`,
        );
      }
      const classes = classesUnder(items, p.labelFrom);
      const known = new Set(probe.names);
      if (!classes.some((c) => known.has(c))) {
        add(
          `${path}.datasets.${j}`,
          `no item of dataset "${dataset}" has a class of ${probe.what}: its classes under labelFrom "${p.labelFrom}" are ${some(classes)}`,
        );
      }
      needAttributes(`${path}.groupBy`, p.evaluate.groupBy, [dataset]);
    }
  }

  const robustnessEntries = [
    ...spec.robustness.styleShift.map((s, i) => ({
      path: `robustness.styleShift.${i}`,
      entry: s,
      sets: [s.inDistribution, ...s.shifted],
      labelMap: (set: string) => s.sets[set]?.labelMap,
      baselines:
        s.effectiveRobustness !== undefined && 'baselines' in s.effectiveRobustness
          ? s.effectiveRobustness.baselines.map((m) => ['effectiveRobustness.baselines', m] as const)
          : [],
    })),
    ...spec.robustness.corruptions.map((s, i) => ({
      path: `robustness.corruptions.${i}`,
      entry: s,
      sets: [s.dataset],
      labelMap: undefined,
      baselines: typeof s.baseline === 'string' ? [['baseline', s.baseline] as const] : [],
    })),
  ];
  for (const { path, entry, sets, labelMap, baselines } of robustnessEntries) {
    needAttributes(`${path}.groups`, attributesOf(entry.groups), sets);
    for (const [key, m] of baselines) {
      if (!appliesTo(entry, m))
        add(`${path}.${key}`, `model "${m}" is not one of this entry's models (${entry.models?.join(', ')})`);
    }
    const probe = entry.classifier.startsWith('probe:')
      ? spec.probes[entry.classifier.slice('probe:'.length)]
      : undefined;
    const labelFrom = entry.labelFrom ?? probe?.labelFrom ?? 'labels';
    const source = parseLabelSource(labelFrom);
    const maps = new Map<string, ClassMap | undefined>();
    for (const set of sets) {
      const given = labelMap?.(set);
      maps.set(set, await read(`${path}.sets.${set}.labelMap`, () => loadClassMap(given)));
    }
    for (const model of modelsOf(entry)) {
      const classes = await classifierClasses(path, entry, model);
      if (classes === undefined) continue;
      for (const set of sets) {
        const labelSets = labelSetsOf(itemsOf(set), source);
        let scorable: boolean;
        try {
          scorable = buildTargets(labelSets, classes.names, maps.get(set)).scorable.includes(1);
        } catch (err) {
          add(`${path}.classifier`, messageOf(err));
          continue;
        }
        if (!scorable) {
          add(
            `${path}.classifier`,
            `no label of dataset "${set}" under labelFrom "${labelFrom}" (${some(classList(labelSets.flat()))}) is a class of ${classes.what}: no item could be scored; set labelFrom (labels or attr:<name>)${labelMap === undefined ? '' : ` or a label map (sets.${set}.labelMap)`}`,
          );
        }
      }
    }
  }

  for (const [i, c] of spec.curation.entries()) {
    const path = `curation.${i}`;
    if (c.balance !== undefined) needAttributes(`${path}.balance`, c.balance, [c.dataset]);
    if (c.groups !== undefined) needAttributes(`${path}.groups`, c.groups, [c.dataset]);
    const ev = c.evaluate;
    if (ev === undefined) continue;
    needAttributes(`${path}.evaluate.groups`, attributesOf(ev.groups), [ev.test]);
    // Near-duplicate removal may drop pool items before selection: the pool is checked without it.
    const pools = c.dedupThreshold === undefined ? [c.dataset, ev.test] : [ev.test];
    for (const dataset of pools) {
      const without = unlabeled(itemsOf(dataset), ev.labelFrom);
      if (without.length > 0) {
        add(
          `${path}.evaluate.labelFrom`,
          `${without.length} item(s) of dataset "${dataset}" have no class under labelFrom "${ev.labelFrom}", e.g. ${someIds(without)}`,
        );
      }
    }
  }

  if (problems.size > 0) {
    throw new UsageError(
      `audit spec: ${problems.size} problem(s), found before any image was embedded:\n  ${[...problems].join('\n  ')}`,
    );
  }
}

/**
 * A taxonomy against a classifier's class label names: naming none of them is an error; missing
 * some is one unless the entry allows a partial taxonomy (the stage then notes the absent labels).
 */
function checkTaxonomy(
  path: string,
  taxonomy: Taxonomy,
  names: readonly string[],
  what: string,
  partial: boolean,
  add: (path: string, message: string) => void,
): void {
  const present = new Set(names);
  const labels = taxonomyLabels(taxonomy);
  const missing = labels.filter((l) => !present.has(l));
  if (missing.length === labels.length) {
    add(
      path,
      `taxonomy "${taxonomy.name}" names no class of ${what}: its labels are ${some(labels)}; a taxonomy must name at least one class`,
    );
  } else if (missing.length > 0 && !partial) {
    add(
      path,
      `${missing.length} label(s) of taxonomy "${taxonomy.name}" are not classes of ${what}: ${some(missing)} (partialTaxonomy: true goes on with the ${labels.length - missing.length} present)`,
    );
  }
}
