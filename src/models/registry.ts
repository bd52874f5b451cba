/**
 * Built-in models: pretrained TF.js models that ship inside npm packages (docs: data-sources.md), so
 * they install offline. Each entry states its preprocessing, where its files are, and the licences
 * the report credits. Loading resolves the package from node_modules; nothing is downloaded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError, UsageError } from '../core/errors.js';
import type { Preprocess } from '../core/types.js';
import type { ModelDescriptor, ModelFormat } from './descriptor.js';

export interface BuiltinSource {
  /** npm package that ships the model, and the version fairscope was checked against. */
  package: string;
  version: string;
  /** Model file inside the package. */
  file: string;
  /** Licence of the npm package. */
  licence: string;
  /** Where the weights come from, for the report's credits. */
  upstream: string;
}

export interface BuiltinModel {
  summary: string;
  format: ModelFormat;
  source: BuiltinSource;
  /** Layer (layers model) or node (graph model) read as the embedding. */
  output: string;
  embeddingDim: number;
  logitsOutput?: string;
  /** Module in the package that exports the class names (read at load time: the package is the truth). */
  classesFrom?: { file: string; exportName: string };
  preprocess: Preprocess;
  /** What differs from the upstream library's own preprocessing, for the report. */
  notes: string[];
}

export const BUILTIN_MODELS = Object.freeze({
  'nsfwjs-mobilenetv2': {
    summary: 'NSFWJS MobileNetV2 (ImageNet-initialised, fine-tuned on 5 classes); embedding = flatten_1',
    format: 'tfjs-layers',
    source: {
      package: 'nsfwjs',
      version: '4.3.0',
      file: 'dist/models/mobilenet_v2/model.min.js',
      licence: 'MIT',
      upstream: 'GantMan/nsfw_model (MIT), bundled by infinitered/nsfwjs',
    },
    output: 'flatten_1',
    embeddingDim: 1280,
    // dense_3 is Dense(5, softmax): its pre-activation is returned as the logits.
    logitsOutput: 'dense_3',
    classesFrom: { file: 'dist/esm/nsfw_classes.js', exportName: 'NSFW_CLASSES' },
    preprocess: {
      resize: 224,
      resizeMode: 'squash',
      crop: null,
      interpolation: 'bilinear',
      scale: 1 / 255,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      channels: 'rgb',
      layout: 'nhwc',
    },
    notes: [
      'nsfwjs resizes with tf.image.resizeBilinear(alignCorners=true); fairscope resizes with its own pipeline',
    ],
  },
  'human-faceres': {
    summary: 'Human (vladmandic) HSE FaceRes face descriptor; embedding = global_pooling/Mean',
    format: 'tfjs-graph',
    source: {
      package: '@vladmandic/human',
      version: '3.3.6',
      file: 'models/faceres.json',
      licence: 'MIT',
      upstream: 'HSE-asavchenko/HSE_FaceRec_tf, converted to TF.js by vladmandic/human',
    },
    output: 'global_pooling/Mean',
    embeddingDim: 1024,
    preprocess: {
      resize: 224,
      resizeMode: 'squash',
      crop: null,
      interpolation: 'bilinear',
      // Human 3.3.6 src/face/faceres.ts enhance(): the 0..1 face crop is multiplied by 255 before
      // execute, so the model sees 0..255 values.
      scale: 1,
      mean: [0, 0, 0],
      std: [1, 1, 1],
      channels: 'rgb',
      layout: 'nhwc',
    },
    notes: [
      'expects an aligned face crop (Human feeds the crop from its face detector)',
      'gender and age heads of the graph are not exposed',
    ],
  },
} satisfies Record<string, BuiltinModel>);

export type BuiltinModelId = keyof typeof BUILTIN_MODELS;

export const BUILTIN_MODEL_IDS = Object.keys(BUILTIN_MODELS) as BuiltinModelId[];

export function isBuiltinModelId(name: string): name is BuiltinModelId {
  return Object.hasOwn(BUILTIN_MODELS, name);
}

/** The entry for an id, or a usage error listing the built-in ids. */
export function builtinModel(id: string): BuiltinModel {
  if (!isBuiltinModelId(id)) {
    throw new UsageError(
      `unknown built-in model "${id}"; built-in models are ${BUILTIN_MODEL_IDS.join(', ')}`,
    );
  }
  return BUILTIN_MODELS[id];
}

/**
 * The installed folder of a package, found by walking the node_modules folders Node would search
 * (package `exports` maps block `require.resolve('<pkg>/package.json')`).
 */
export function packageRoot(name: string): string | null {
  const paths = createRequire(import.meta.url).resolve.paths(name) ?? [];
  for (const base of paths) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return null;
}

/** The installed version of a package, or null. */
export function installedVersion(name: string): string | null {
  const root = packageRoot(name);
  if (root === null) return null;
  return (
    (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? null
  );
}

/** Builds the descriptor of a built-in model from the installed package. */
export async function builtinDescriptor(id: string): Promise<ModelDescriptor> {
  const entry = builtinModel(id);
  const root = packageRoot(entry.source.package);
  if (root === null) {
    throw new InputError(
      `builtin:${id}`,
      `needs the npm package ${entry.source.package}@${entry.source.version}, which is not installed`,
    );
  }
  const path = join(root, entry.source.file);
  if (!existsSync(path))
    throw new InputError(path, `model file of built-in "${id}" is missing from ${entry.source.package}`);
  let classes: string[] | undefined;
  if (entry.classesFrom !== undefined) {
    const mod = (await import(pathToFileURL(join(root, entry.classesFrom.file)).href)) as Record<
      string,
      unknown
    >;
    const table = mod[entry.classesFrom.exportName] as Record<string, string> | string[] | undefined;
    if (table === undefined)
      throw new InputError(
        join(root, entry.classesFrom.file),
        `has no export ${entry.classesFrom.exportName}`,
      );
    // nsfwjs keeps {index: name}; order by index.
    classes = Array.isArray(table)
      ? [...table]
      : Object.keys(table)
          .map(Number)
          .sort((a, b) => a - b)
          .map((k) => table[k]);
  }
  const version = installedVersion(entry.source.package);
  return {
    id,
    format: entry.format,
    path,
    output: entry.output,
    ...(entry.logitsOutput === undefined ? {} : { logitsOutput: entry.logitsOutput }),
    ...(classes === undefined ? {} : { classes }),
    preprocess: { ...entry.preprocess, mean: [...entry.preprocess.mean], std: [...entry.preprocess.std] },
    origin: `builtin:${id} (${entry.source.package}@${version ?? '?'})`,
  };
}
