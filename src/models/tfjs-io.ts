/**
 * TF.js model I/O from the local file system (tfjs's own `file://` handler lives in tfjs-node, which
 * does not install here):
 * - `fileModelHandler`: a `model.json` and its weight shards beside it;
 * - `bundledModelHandler`: nsfwjs's browserify bundles (`model.min.js` returns the model.json object,
 *   each `<shard>.min.js` its weights as base64);
 * - `fileSaveHandler`: writes `model.json` + `weights.bin` (for models trained or built by fairscope).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';

/** The parts of a model.json fairscope reads. */
export interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology: Record<string, unknown>;
  weightsManifest?: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
  signature?: unknown;
  userDefinedMetadata?: io.ModelArtifacts['userDefinedMetadata'];
  modelInitializer?: unknown;
  trainingConfig?: io.TrainingConfig;
}

/** 'graph' or 'layers', read from the model.json (its `format`, else the topology's shape). */
export function modelJsonKind(json: ModelJson): 'graph' | 'layers' {
  if (json.format === 'graph-model') return 'graph';
  if (json.format === 'layers-model') return 'layers';
  return Array.isArray(json.modelTopology.node) ? 'graph' : 'layers';
}

function checkModelJson(raw: unknown, file: string): ModelJson {
  const json = raw as Partial<ModelJson> | null;
  if (
    json === null ||
    typeof json !== 'object' ||
    typeof json.modelTopology !== 'object' ||
    json.modelTopology === null
  ) {
    throw new InputError(file, 'is not a TF.js model.json: it has no modelTopology', {
      field: 'modelTopology',
    });
  }
  return json as ModelJson;
}

/** Reads and checks a model.json file. */
export function readModelJson(file: string): ModelJson {
  if (!existsSync(file)) throw new InputError(file, 'TF.js model.json does not exist');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(file, `is not a TF.js model.json: ${(err as Error).message}`);
  }
  return checkModelJson(raw, file);
}

/** Reads the model.json object out of an nsfwjs-style `model.min.js` bundle. */
export function readBundledModelJson(file: string): ModelJson {
  if (!existsSync(file)) throw new InputError(file, 'TF.js model bundle does not exist');
  const required = createRequire(import.meta.url)(resolve(file)) as { default?: unknown } | unknown;
  const raw = (required as { default?: unknown }).default ?? required;
  return checkModelJson(raw, file);
}

function concat(parts: Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out.buffer;
}

function artifacts(json: ModelJson, weightData: ArrayBuffer): io.ModelArtifacts {
  const weightSpecs = (json.weightsManifest ?? []).flatMap((g) => g.weights);
  return {
    modelTopology: json.modelTopology as io.ModelArtifacts['modelTopology'],
    weightSpecs,
    weightData,
    ...(json.format === undefined ? {} : { format: json.format }),
    ...(json.generatedBy === undefined ? {} : { generatedBy: json.generatedBy }),
    ...(json.convertedBy === undefined ? {} : { convertedBy: json.convertedBy }),
    ...(json.signature === undefined ? {} : { signature: json.signature as object }),
    ...(json.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: json.userDefinedMetadata }),
    ...(json.modelInitializer === undefined ? {} : { modelInitializer: json.modelInitializer as object }),
    ...(json.trainingConfig === undefined ? {} : { trainingConfig: json.trainingConfig }),
  };
}

/** Checks that the weight bytes cover every tensor the manifest lists; names the model file otherwise. */
function checkWeightBytes(json: ModelJson, bytes: number, file: string): void {
  const sizes: Record<string, number> = {
    float32: 4,
    int32: 4,
    bool: 1,
    uint8: 1,
    uint16: 2,
    float16: 2,
    string: 0,
  };
  let needed = 0;
  for (const w of (json.weightsManifest ?? []).flatMap((g) => g.weights)) {
    const q = w.quantization?.dtype;
    const per = q === undefined ? (sizes[w.dtype] ?? 4) : (sizes[q] ?? 1);
    needed += w.shape.reduce((a, b) => a * b, 1) * per;
  }
  if (needed > bytes) {
    throw new InputError(file, `weight files hold ${bytes} bytes but the manifest lists ${needed}`, {
      field: 'weightsManifest',
    });
  }
}

/** An IOHandler that loads `model.json` and the weight shards its manifest names, from disk. */
export function fileModelHandler(modelJsonPath: string): io.IOHandler {
  return {
    load: async () => {
      const json = readModelJson(modelJsonPath);
      const dir = dirname(modelJsonPath);
      const parts: Uint8Array[] = [];
      for (const group of json.weightsManifest ?? []) {
        for (const p of group.paths) {
          const shard = join(dir, p);
          if (!existsSync(shard)) {
            throw new InputError(modelJsonPath, `weight shard ${shard} does not exist`, {
              field: 'weightsManifest',
            });
          }
          parts.push(readFileSync(shard));
        }
      }
      const weightData = concat(parts);
      checkWeightBytes(json, weightData.byteLength, modelJsonPath);
      return artifacts(json, weightData);
    },
  };
}

/** An IOHandler for nsfwjs's bundles: `model.min.js` and `<shard path>.min.js` beside it. */
export function bundledModelHandler(modelMinJs: string): io.IOHandler {
  return {
    load: async () => {
      const json = readBundledModelJson(modelMinJs);
      const dir = dirname(modelMinJs);
      const require = createRequire(import.meta.url);
      const parts: Uint8Array[] = [];
      for (const group of json.weightsManifest ?? []) {
        for (const p of group.paths) {
          const shard = join(dir, `${p}.min.js`);
          if (!existsSync(shard)) {
            throw new InputError(modelMinJs, `weight bundle ${shard} does not exist`, {
              field: 'weightsManifest',
            });
          }
          const base64 = require(resolve(shard)) as unknown;
          if (typeof base64 !== 'string') {
            throw new InputError(shard, `expected a base64 string of weights, got ${typeof base64}`);
          }
          parts.push(Buffer.from(base64, 'base64'));
        }
      }
      const weightData = concat(parts);
      checkWeightBytes(json, weightData.byteLength, modelMinJs);
      return artifacts(json, weightData);
    },
  };
}

/** An IOHandler that saves a model as `<dir>/model.json` + `<dir>/weights.bin`. */
export function fileSaveHandler(dir: string): io.IOHandler {
  return {
    save: async (a: io.ModelArtifacts) => {
      await mkdir(dir, { recursive: true });
      const weightData = a.weightData === undefined ? new ArrayBuffer(0) : concatWeightData(a.weightData);
      const json: ModelJson = {
        modelTopology: a.modelTopology as Record<string, unknown>,
        format:
          a.format ??
          (a.modelTopology && 'node' in (a.modelTopology as object) ? 'graph-model' : 'layers-model'),
        generatedBy: a.generatedBy ?? 'fairscope',
        convertedBy: a.convertedBy ?? undefined,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
      };
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(weightData));
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(a.modelTopology).length,
          weightSpecsBytes: JSON.stringify(a.weightSpecs ?? []).length,
          weightDataBytes: weightData.byteLength,
        },
      };
    },
  };
}

function concatWeightData(data: io.WeightData): ArrayBuffer {
  if (Array.isArray(data)) return concat(data.map((b) => new Uint8Array(b)));
  return data as ArrayBuffer;
}
