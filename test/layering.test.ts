/**
 * Layers that hold, checked on the imports of src/ (static and literal dynamic imports):
 * - the computational core (core, stats, indicators, probe, robustness, curate, report, image)
 *   reaches no `node:` module, directly or through anything it imports: file and process I/O sit in
 *   the `node/` adapter folders of each stage, which the core never imports, so the same core can
 *   run in a browser. linalg/ is the engine layer (onnxruntime-node GEMM, usearch HNSW): the one
 *   place the core reaches native engines, the module a browser build replaces with web engines;
 *   the check does not descend into it;
 * - no stage imports from cli/ (progress is a callback, option tables stay in cli/);
 * - test helpers (testing/ folders, testing.ts files) are imported by tests only, and the build
 *   leaves them out of dist.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const CORE = ['core', 'stats', 'indicators', 'probe', 'robustness', 'curate', 'report', 'image'];
/** The engine layer: native engines behind small functions (see the module comment). */
const ENGINES = join(src, 'linalg');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const isTest = (f: string) => f.endsWith('.test.ts');
const isTestHelper = (f: string) => /\/testing\//.test(f) || f.endsWith('/testing.ts');
const isAdapter = (f: string) => /\/node\//.test(f);
const rel = (f: string) => relative(root, f);

const files = walk(src).filter((f) => !isTest(f));
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module a file imports, as written. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2]) as string);
}

/** A relative import resolved to its .ts source. */
function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  return resolve(dirname(from), spec.replace(/\.js$/, '.ts'));
}

const graph = new Map(
  files.map((f) => {
    const specs = specifiers(f);
    return [
      f,
      {
        builtins: specs.filter((s) => s.startsWith('node:')),
        local: specs.map((s) => resolveLocal(f, s)).filter((p): p is string => p !== undefined),
      },
    ];
  }),
);

/** The first chain of imports from `file` to a module that imports a node: builtin, or undefined. */
function chainToNode(file: string, seen = new Set<string>()): string[] | undefined {
  if (seen.has(file) || file.startsWith(`${ENGINES}/`)) return undefined;
  seen.add(file);
  const node = graph.get(file);
  if (node === undefined) return undefined;
  if (node.builtins.length > 0) return [`${rel(file)} (${node.builtins.join(', ')})`];
  for (const dep of node.local) {
    const chain = chainToNode(dep, seen);
    if (chain !== undefined) return [rel(file), ...chain];
  }
  return undefined;
}

test('the computational core reaches no node: module, directly or through its imports', () => {
  const core = files.filter((f) => {
    const top = relative(src, f).split('/')[0] as string;
    return CORE.includes(top) && !isAdapter(f) && !isTestHelper(f);
  });
  assert.ok(core.length > 100, `${core.length} core files found`);
  const problems = core.map((f) => chainToNode(f)).filter((c): c is string[] => c !== undefined);
  assert.deepEqual(
    problems.map((c) => c.join(' → ')),
    [],
    'core modules must leave file and process I/O to the node/ adapters',
  );
});

test('nothing outside cli/ imports from cli/', () => {
  const cli = join(src, 'cli');
  const offenders = files
    .filter((f) => !f.startsWith(`${cli}/`))
    .flatMap((f) =>
      (graph.get(f)?.local ?? []).filter((d) => d.startsWith(`${cli}/`)).map((d) => `${rel(f)} → ${rel(d)}`),
    );
  assert.deepEqual(offenders, []);
});

test('test helpers are imported by tests only and left out of dist', () => {
  const offenders = files
    .filter((f) => !isTestHelper(f))
    .flatMap((f) => (graph.get(f)?.local ?? []).filter(isTestHelper).map((d) => `${rel(f)} → ${rel(d)}`));
  assert.deepEqual(offenders, []);
  const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { exclude: string[] };
  for (const glob of ['src/**/*.test.ts', 'src/**/testing/**', 'src/**/testing.ts']) {
    assert.ok(build.exclude.includes(glob), `tsconfig.build.json excludes ${glob}`);
  }
});
