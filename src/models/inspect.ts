/**
 * What a model file offers as embedding outputs, without choosing one: ONNX inputs and outputs, TF.js
 * layers (layers models) or operation nodes (graph models). `fairscope models inspect` prints it so
 * that a user can write the descriptor's `output:`.
 */
import type { ModelDescriptor } from './descriptor.js';

export interface TensorInfo {
  name: string;
  /** Numbers for fixed dims, strings for symbolic ones, null where unknown. */
  shape: (number | string | null)[] | null;
  /** Element type (ONNX) or layer class / op (TF.js). */
  type: string;
}

export interface ModelInfo {
  format: ModelDescriptor['format'];
  path: string;
  inputs: TensorInfo[];
  /** The model's declared outputs. */
  outputs: TensorInfo[];
  /** Everything that can be named as `output` / `logitsOutput`, in graph order. */
  candidates: TensorInfo[];
}

/** Lists the inputs, outputs and candidate embedding outputs of the model a descriptor names. */
export async function inspectModel(d: ModelDescriptor): Promise<ModelInfo> {
  if (d.format === 'onnx') {
    const ort = await import('onnxruntime-node');
    const { InputError } = await import('../core/errors.js');
    let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
    try {
      session = await ort.InferenceSession.create(d.path, {
        executionProviders: ['cpu'],
        logSeverityLevel: 3,
      });
    } catch (err) {
      throw new InputError(d.path, `is not a loadable ONNX model: ${(err as Error).message}`);
    }
    const info = (m: (typeof session.inputMetadata)[number]): TensorInfo =>
      m.isTensor
        ? { name: m.name, shape: [...m.shape], type: m.type }
        : { name: m.name, shape: null, type: 'non-tensor' };
    const outputs = session.outputMetadata.map(info);
    const result = {
      format: d.format,
      path: d.path,
      inputs: session.inputMetadata.map(info),
      outputs,
      candidates: outputs,
    };
    await session.release();
    return result;
  }
  if (d.format === 'tfjs-graph' || d.format === 'tfjs-layers') {
    const { readTfjsModelJson } = await import('./tfjs.js');
    const { json } = readTfjsModelJson(d.path);
    if (Array.isArray(json.modelTopology.node)) {
      const nodes = json.modelTopology.node as { name: string; op: string }[];
      const sig = json.signature as
        | { inputs?: Record<string, { name: string }>; outputs?: Record<string, { name: string }> }
        | undefined;
      const named = (names: string[]) =>
        names.map((name) => ({
          name,
          shape: null,
          type: nodes.find((n) => n.name === name.replace(/:\d+$/, ''))?.op ?? '?',
        }));
      return {
        format: d.format,
        path: d.path,
        inputs: named(nodes.filter((n) => n.op === 'Placeholder').map((n) => n.name)),
        outputs: named(Object.values(sig?.outputs ?? {}).map((o) => o.name)),
        candidates: nodes
          .filter((n) => n.op !== 'Const' && n.op !== 'Placeholder')
          .map((n) => ({ name: n.name, shape: null, type: n.op })),
      };
    }
    const config = (
      (json.modelTopology.model_config ?? json.modelTopology) as { config?: Record<string, unknown> }
    ).config as {
      layers?: { name: string; class_name: string; config?: { batch_input_shape?: (number | null)[] } }[];
      input_layers?: [string, number, number][];
      output_layers?: [string, number, number][];
    };
    const layers = config?.layers ?? [];
    const byName = (names: [string, number, number][] | undefined) =>
      (names ?? []).map(([name]) => {
        const layer = layers.find((l) => l.name === name);
        return { name, shape: layer?.config?.batch_input_shape ?? null, type: layer?.class_name ?? '?' };
      });
    return {
      format: d.format,
      path: d.path,
      inputs: byName(config?.input_layers),
      outputs: byName(config?.output_layers),
      candidates: layers.map((l) => ({ name: l.name, shape: null, type: l.class_name })),
    };
  }
  return { format: d.format, path: d.path, inputs: [], outputs: [], candidates: [] };
}
