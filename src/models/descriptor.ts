/**
 * Model descriptors: a small YAML or JSON file that says where a model is, which of its outputs is the
 * embedding, and how its input images are preprocessed.
 *
 * ```yaml
 * id: my-resnet            # optional; defaults to the descriptor's file name
 * format: onnx             # onnx | tfjs-graph | tfjs-layers | embeddings
 * path: resnet50.onnx      # relative paths resolve against the descriptor's folder
 * output: embedding        # ONNX output / TF.js layer or node used as the embedding
 * logitsOutput: logits     # optional classifier output
 * classes: classes.txt     # an array, or a text file with one class per line (head order)
 * preprocess: { resize: 256, crop: 224 }   # merged over the defaults below
 * ```
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { IMAGENET_MEAN, IMAGENET_STD, type Preprocess } from '../core/types.js';

export const MODEL_FORMATS = ['onnx', 'tfjs-graph', 'tfjs-layers', 'embeddings'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

/** Engines' device choices; `auto` picks a GPU when one works, else the CPU. */
export const PROVIDERS = ['auto', 'cpu', 'cuda', 'webgpu', 'wasm', 'tensorflow'] as const;
export type ProviderChoice = (typeof PROVIDERS)[number];

/**
 * torchvision's ImageNet evaluation transform (protocols.md 5.1, 9.1): Resize(256) on the shorter
 * side, CenterCrop(224), bilinear, ToTensor (x/255), ImageNet mean/std, RGB. The layout follows the
 * engine's convention: NCHW for ONNX (PyTorch exports), NHWC for TF.js.
 */
export const DEFAULT_PREPROCESS: Readonly<Preprocess> = Object.freeze({
  resize: 256,
  resizeMode: 'shorter',
  crop: 224,
  interpolation: 'bilinear',
  scale: 1 / 255,
  mean: IMAGENET_MEAN,
  std: IMAGENET_STD,
  channels: 'rgb',
  layout: 'nchw',
});

/** The defaults for a format: DEFAULT_PREPROCESS with the engine's layout. */
export function defaultPreprocess(format: ModelFormat): Preprocess {
  const layout = format === 'tfjs-graph' || format === 'tfjs-layers' ? 'nhwc' : 'nchw';
  return { ...DEFAULT_PREPROCESS, mean: [...IMAGENET_MEAN], std: [...IMAGENET_STD], layout };
}

const triple = z.tuple([z.number(), z.number(), z.number()]);

export const preprocessSchema = z
  .object({
    resize: z.number().int().positive(),
    resizeMode: z.enum(['shorter', 'squash']),
    crop: z.number().int().positive().nullable(),
    interpolation: z.enum(['nearest', 'bilinear', 'bicubic']),
    scale: z.number().positive(),
    mean: triple,
    std: triple.refine((s) => s.every((v) => v > 0), 'every std must be > 0'),
    channels: z.enum(['rgb', 'bgr']),
    layout: z.enum(['nchw', 'nhwc']),
    exifOrientation: z.enum(['ignore', 'apply']).optional(),
  })
  .strict();

const nonEmpty = z.string().min(1);

/** The descriptor as written in the file. */
export const descriptorFileSchema = z
  .object({
    id: nonEmpty.optional(),
    format: z.enum(MODEL_FORMATS),
    path: nonEmpty,
    /** ONNX: the input name when the model has several inputs. */
    input: nonEmpty.optional(),
    output: nonEmpty.optional(),
    logitsOutput: nonEmpty.optional(),
    classes: z.union([z.array(nonEmpty).min(1), nonEmpty]).optional(),
    /** Precomputed .npy embeddings: the ids file (.txt one per line, or .json array). */
    ids: nonEmpty.optional(),
    provider: z.enum(PROVIDERS).optional(),
    preprocess: preprocessSchema.partial().optional(),
  })
  .strict();

export type ModelDescriptorFile = z.input<typeof descriptorFileSchema>;

/** A descriptor after validation: paths absolute, classes read, preprocess complete. */
export interface ModelDescriptor {
  id: string;
  format: ModelFormat;
  /** Absolute path of the model file (or embeddings file). */
  path: string;
  input?: string;
  output?: string;
  logitsOutput?: string;
  /** Class names of the logits, in head order. */
  classes?: string[];
  /** Absolute path of the ids file of .npy embeddings. */
  ids?: string;
  provider?: ProviderChoice;
  preprocess: Preprocess;
  /** Where the descriptor came from: its file, or `builtin:<name>`, or the model file itself. */
  origin: string;
}

function describeIssue(issue: z.ZodIssue): string {
  if (issue.code === 'invalid_enum_value') {
    return `expected one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}, got ${JSON.stringify(issue.received)}`;
  }
  if (issue.code === 'unrecognized_keys') return `unknown key(s) ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type') return `expected ${issue.expected}, got ${issue.received}`;
  return issue.message;
}

/** Reads a class list file: one class per line, blank lines and surrounding spaces ignored. */
export function readClassesFile(file: string, from: string): string[] {
  if (!existsSync(file))
    throw new InputError(from, `classes file ${file} does not exist`, { field: 'classes' });
  const classes = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (classes.length === 0) throw new InputError(file, 'classes file is empty', { field: 'classes' });
  return classes;
}

/**
 * Validates a descriptor object and resolves it: relative paths against `baseDir`, the classes file
 * read, the preprocess merged over the format's defaults.
 * @param origin the descriptor file named in errors.
 */
export function resolveDescriptor(raw: unknown, origin: string, baseDir: string): ModelDescriptor {
  const parsed = descriptorFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const first = issues[0];
    const detail = issues
      .map((i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${describeIssue(i)}`)
      .join('; ');
    throw new InputError(origin, detail, { field: first.path.join('.') || undefined });
  }
  const d = parsed.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const classes = typeof d.classes === 'string' ? readClassesFile(abs(d.classes), origin) : d.classes;
  const preprocess = { ...defaultPreprocess(d.format), ...d.preprocess } as Preprocess;
  const id = d.id ?? basename(origin, extname(origin));
  return {
    id,
    format: d.format,
    path: abs(d.path),
    ...(d.input === undefined ? {} : { input: d.input }),
    ...(d.output === undefined ? {} : { output: d.output }),
    ...(d.logitsOutput === undefined ? {} : { logitsOutput: d.logitsOutput }),
    ...(classes === undefined ? {} : { classes }),
    ...(d.ids === undefined ? {} : { ids: abs(d.ids) }),
    ...(d.provider === undefined ? {} : { provider: d.provider }),
    preprocess,
    origin,
  };
}

/** Reads and validates a descriptor file (.yaml, .yml or .json). */
export function readDescriptor(file: string): ModelDescriptor {
  if (!existsSync(file)) throw new InputError(file, 'model descriptor does not exist');
  const text = readFileSync(file, 'utf8');
  let raw: unknown;
  if (extname(file).toLowerCase() === '.json') {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new InputError(file, `is not valid JSON: ${(err as Error).message}`);
    }
  } else {
    const doc = parseDocument(text);
    const error = doc.errors[0];
    if (error !== undefined) {
      throw new InputError(
        file,
        `is not valid YAML: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
        {
          line: error.linePos?.[0].line,
        },
      );
    }
    raw = doc.toJS();
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(
      file,
      `expected a mapping of descriptor keys, got ${Array.isArray(raw) ? 'a list' : typeof raw}`,
    );
  }
  return resolveDescriptor(raw, file, dirname(file));
}

/** How errors raised against a descriptor refer to its model: the file, unless the descriptor is the file. */
export function modelRef(d: ModelDescriptor): string {
  return d.origin === d.path ? 'the model' : d.path;
}
