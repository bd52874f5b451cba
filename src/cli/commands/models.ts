/**
 * `fairscope models`: the built-in models with their preprocessing and sources, and
 * `fairscope models inspect <model>`: what a model file offers as embedding outputs, and (when its
 * descriptor is complete) the embedding width and the engine/device that runs it.
 */

import { UsageError } from '../../core/errors.js';
import type { Preprocess } from '../../core/types.js';
import { PROVIDERS, type ProviderChoice } from '../../models/descriptor.js';
import { BUILTIN_MODEL_IDS, BUILTIN_MODELS, installedVersion } from '../../models/registry.js';
import { parseCommandArgs } from '../args.js';

export const summary =
  'list the built-in models with their preprocessing; `models inspect <model>` shows a model';

const USAGE = `
usage: fairscope models [--json]
       fairscope models inspect <model> [--provider <p>] [--json]

  Lists the built-in models (pretrained TF.js models shipped in npm packages), with the preprocessing
  each expects, its embedding width, classes and source package with licence.

  inspect: <model> is a built-in name, a descriptor (.yaml/.json) or a model file (.onnx, model.json,
  .npy/.parquet/.arrow). Prints its inputs, outputs and the layers/nodes that can be named as
  \`output:\` in a descriptor; then loads it and prints the embedding width and provider.

options:
  --json            machine-readable output on stdout
  --provider <p>    ${PROVIDERS.join(' | ')} (default auto: a GPU when one works, else the CPU)
`;

/** One line for a preprocess, e.g. "squash 224, x*0.00392, mean 0,0,0 std 1,1,1, rgb nhwc". */
export function describePreprocess(p: Preprocess): string {
  const size = p.resizeMode === 'squash' ? `squash to ${p.resize}x${p.resize}` : `shorter side ${p.resize}`;
  const crop = p.crop === null ? '' : `, center crop ${p.crop}`;
  const scale = Math.abs(p.scale - 1 / 255) < 1e-12 ? 'x/255' : p.scale === 1 ? 'x (0..255)' : `x*${p.scale}`;
  const norm =
    p.mean.every((m) => m === 0) && p.std.every((s) => s === 1)
      ? ''
      : `, mean ${p.mean.join(',')} std ${p.std.join(',')}`;
  return `${size}${crop} (${p.interpolation}), ${scale}${norm}, ${p.channels.toUpperCase()} ${p.layout.toUpperCase()}`;
}

/** The built-in models listing, as text or JSON. */
export function builtinListing(json: boolean): string {
  const rows = BUILTIN_MODEL_IDS.map((id) => {
    const m = BUILTIN_MODELS[id];
    return {
      id,
      summary: m.summary,
      format: m.format,
      output: m.output,
      embeddingDim: m.embeddingDim,
      logitsOutput: 'logitsOutput' in m ? m.logitsOutput : undefined,
      preprocess: m.preprocess,
      source: { ...m.source, installed: installedVersion(m.source.package) },
      notes: m.notes,
    };
  });
  if (json) return `${JSON.stringify(rows, null, 2)}\n`;
  const lines: string[] = [];
  for (const r of rows) {
    const installed = r.source.installed === null ? 'NOT INSTALLED' : `installed ${r.source.installed}`;
    lines.push(
      `${r.id}`,
      `  ${r.summary}`,
      `  ${r.format}, embedding ${r.output} (${r.embeddingDim}-d)${r.logitsOutput ? `, logits ${r.logitsOutput}` : ''}`,
      `  preprocess: ${describePreprocess(r.preprocess)}`,
      `  source: ${r.source.package}@${r.source.version} (${installed}) ${r.source.file}; licence ${r.source.licence}; weights from ${r.source.upstream}`,
      ...r.notes.map((n) => `  note: ${n}`),
      '',
    );
  }
  return lines.join('\n');
}

/** The `models inspect` report; code 1 when the model cannot be loaded as configured. */
export async function inspectReport(
  spec: string,
  provider: ProviderChoice | undefined,
  json: boolean,
): Promise<{ code: number; text: string }> {
  const { resolveModelSpec, loadDescriptor } = await import('../../models/load.js');
  const { inspectModel } = await import('../../models/inspect.js');
  const descriptor = await resolveModelSpec(spec);
  const info = await inspectModel(descriptor);
  let loaded: Record<string, unknown>;
  try {
    const model = await loadDescriptor(descriptor, provider === undefined ? {} : { provider });
    if (model.kind === 'extractor') {
      const e = model.extractor;
      loaded = { embeddingDim: e.embeddingDim, provider: e.provider, classes: e.classes ?? null };
      await e.dispose();
    } else {
      loaded = {
        rows: model.set.ids.length,
        embeddingDim: model.set.dim,
        classes: model.set.classes ?? null,
      };
    }
  } catch (err) {
    // An incomplete descriptor (no `output:` yet) is why one inspects: report and keep the listing.
    loaded = { error: (err as Error).message };
  }
  const result = {
    id: descriptor.id,
    origin: descriptor.origin,
    preprocess: descriptor.preprocess,
    ...info,
    loaded,
  };
  const code = 'error' in loaded ? 1 : 0;
  if (json) return { code, text: `${JSON.stringify(result, null, 2)}\n` };
  const fmt = (t: { name: string; shape: unknown; type: string }) =>
    `  ${t.name}  ${t.type}${t.shape === null ? '' : ` [${(t.shape as unknown[]).map((s) => s ?? '?').join(', ')}]`}`;
  const lines = [
    `${descriptor.id}  (${descriptor.format}, ${descriptor.path})`,
    `preprocess: ${describePreprocess(descriptor.preprocess)}`,
    'inputs:',
    ...info.inputs.map(fmt),
    'outputs:',
    ...info.outputs.map(fmt),
  ];
  if (info.candidates !== info.outputs && info.candidates.length > 0) {
    lines.push(
      `layers/nodes that can be named as output (${info.candidates.length}):`,
      ...info.candidates.map(fmt),
    );
  }
  if ('error' in loaded) lines.push(`cannot load as configured: ${loaded.error}`);
  else lines.push(`loaded: ${JSON.stringify(loaded)}`);
  return { code, text: `${lines.join('\n')}\n` };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { json: { type: 'boolean' }, provider: { type: 'string' } }, USAGE);
  if (args === null) return 0;
  const [sub, spec, ...extra] = args.positionals;
  const provider = args.values.provider;
  if (provider !== undefined && !(PROVIDERS as readonly string[]).includes(provider)) {
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}, got "${provider}"`);
  }
  if (sub === undefined) {
    process.stdout.write(builtinListing(args.values.json === true));
    return 0;
  }
  if (sub !== 'inspect')
    throw new UsageError(`unknown subcommand "${sub}"; use \`models\` or \`models inspect <model>\``);
  if (spec === undefined)
    throw new UsageError('models inspect needs a model: a built-in name, descriptor or model file');
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const { code, text } = await inspectReport(
    spec,
    provider as ProviderChoice | undefined,
    args.values.json === true,
  );
  process.stdout.write(text);
  return code;
}
