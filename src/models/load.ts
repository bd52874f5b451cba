/**
 * One entry point from a model spec to something that yields embeddings. A spec is
 * - a built-in model name (`fairscope models` lists them),
 * - a descriptor file (.yaml, .yml, .json) naming the model and its preprocessing, or
 * - a model file itself (.onnx, a TF.js model.json, .npy/.parquet/.arrow embeddings), run with the
 *   default preprocessing of its format.
 * Engines are imported on first use, so the CLI starts without loading TF.js or onnxruntime.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { InputError, UsageError } from '../core/errors.js';
import type { EmbeddingSet, FeatureExtractor } from '../core/types.js';
import { defaultPreprocess, type ModelDescriptor, type ModelFormat, readDescriptor } from './descriptor.js';
import { EMBEDDING_EXTENSIONS } from './embeddings.js';
import type { LoadOptions } from './options.js';
import { BUILTIN_MODEL_IDS, builtinDescriptor, isBuiltinModelId } from './registry.js';

export type { ModelDescriptor } from './descriptor.js';
export type { LoadOptions } from './options.js';

export type LoadedModel =
  | { kind: 'extractor'; extractor: FeatureExtractor; descriptor: ModelDescriptor }
  | { kind: 'embeddings'; set: EmbeddingSet; descriptor: ModelDescriptor };

/** The format of a bare model file, from its extension (and a model.json's own `format`). */
async function formatOfFile(file: string): Promise<ModelFormat> {
  const ext = extname(file).toLowerCase();
  if (ext === '.onnx') return 'onnx';
  if ((EMBEDDING_EXTENSIONS as readonly string[]).includes(ext)) return 'embeddings';
  if (ext === '.json') {
    const { readModelJson, modelJsonKind } = await import('./tfjs-io.js');
    return modelJsonKind(readModelJson(file)) === 'graph' ? 'tfjs-graph' : 'tfjs-layers';
  }
  throw new InputError(
    file,
    `is not a model file fairscope knows (.onnx, TF.js model.json, ${EMBEDDING_EXTENSIONS.join(', ')}); write a descriptor (.yaml) that names its format`,
  );
}

/** Resolves a spec to a validated descriptor without loading the model. */
export async function resolveModelSpec(spec: string): Promise<ModelDescriptor> {
  if (isBuiltinModelId(spec)) return builtinDescriptor(spec);
  const file = resolve(spec);
  if (!existsSync(file)) {
    throw new UsageError(
      `model "${spec}" is neither a built-in model (${BUILTIN_MODEL_IDS.join(', ')}) nor an existing file`,
    );
  }
  const ext = extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return readDescriptor(file);
  if (ext === '.json') {
    // A descriptor or a TF.js model.json: a model.json has a modelTopology.
    const { readFileSync } = await import('node:fs');
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new InputError(file, `is not valid JSON: ${(err as Error).message}`);
    }
    if (raw === null || typeof raw !== 'object' || !('modelTopology' in raw)) return readDescriptor(file);
  }
  const format = await formatOfFile(file);
  const id =
    basename(file, extname(file)) === 'model' ? basename(dirname(file)) : basename(file, extname(file));
  return { id, format, path: file, preprocess: defaultPreprocess(format), origin: file };
}

/** Loads the model a descriptor names. */
export async function loadDescriptor(
  descriptor: ModelDescriptor,
  options: LoadOptions = {},
): Promise<LoadedModel> {
  switch (descriptor.format) {
    case 'onnx': {
      const { loadOnnxExtractor } = await import('./onnx.js');
      return { kind: 'extractor', extractor: await loadOnnxExtractor(descriptor, options), descriptor };
    }
    case 'tfjs-graph':
    case 'tfjs-layers': {
      const { loadTfjsExtractor } = await import('./tfjs.js');
      return { kind: 'extractor', extractor: await loadTfjsExtractor(descriptor, options), descriptor };
    }
    case 'embeddings': {
      const { loadEmbeddings } = await import('./embeddings.js');
      return { kind: 'embeddings', set: await loadEmbeddings(descriptor), descriptor };
    }
  }
}

/**
 * Loads a model from a built-in name, a descriptor file or a model file.
 * The extractor's `provider` says which engine and device ran it ('onnxruntime/cpu', 'tfjs/wasm'...).
 */
export async function loadModel(spec: string, options: LoadOptions = {}): Promise<LoadedModel> {
  return loadDescriptor(await resolveModelSpec(spec), options);
}
