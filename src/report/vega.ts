/**
 * Charts from a standard grammar: Vega-Lite specs compiled with vega-lite and rendered to static SVG
 * by vega's headless View (renderer 'none', View.toSVG): no canvas, no browser, no script in the page.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { stableHash } from '../core/hash.js';
import { escapeHtml } from './format.js';
import { installTextMetrics } from './text-width.js';

/** Okabe–Ito colours, distinguishable with the common colour-vision deficiencies; yellow last. */
export const CATEGORY_COLORS = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#D55E00',
  '#CC79A7',
  '#56B4E9',
  '#000000',
  '#F0E442',
];

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** Shared look of every chart (merged into each spec's config). */
export const CHART_CONFIG = {
  font: FONT,
  background: '#ffffff',
  padding: 6,
  view: { stroke: '#dde1e6', strokeWidth: 1 },
  axis: {
    labelColor: '#3c4043',
    titleColor: '#202124',
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 600,
    gridColor: '#edf0f2',
    domainColor: '#9aa0a6',
    tickColor: '#9aa0a6',
    labelLimit: 320,
  },
  header: { labelFontSize: 12, labelFontWeight: 600, labelColor: '#202124', titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 600, labelLimit: 400, orient: 'top' },
  range: { category: CATEGORY_COLORS },
  point: { size: 42, filled: true },
  line: { strokeWidth: 1.75 },
} as const;

/**
 * Compiles a Vega-Lite spec and renders it to an SVG string. The spec's `description` becomes the
 * SVG's <title> (read by screen readers).
 * @throws Error when the spec does not compile (a bug in a chart builder, never user input).
 */
export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  installTextMetrics();
  const withConfig = { ...spec, config: mergeConfig(CHART_CONFIG, spec.config ?? {}) } as TopLevelSpec;
  // Compiler notes (e.g. about unioned facet domains) are not the reader's business: keep them quiet.
  const { spec: vgSpec } = compile(withConfig, { logger: silentLogger() });
  const view = new View(parse(vgSpec), { renderer: 'none', logLevel: 0 });
  try {
    const svg = scopeIds(await view.toSVG(), `v${stableHash(spec, 10)}`);
    const title = spec.description ? `<title>${escapeHtml(spec.description)}</title>` : '';
    return svg.replace(/^<svg([^>]*)>/, `<svg$1 role="img">${title}`);
  } finally {
    view.finalize();
  }
}

/** Two-level merge: a spec's `legend: {...}` refines the shared legend config instead of replacing it. */
function mergeConfig(base: object, over: object): object {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      typeof b === 'object' &&
      b !== null &&
      !Array.isArray(b)
        ? { ...b, ...v }
        : v;
  }
  return out;
}

/** A vega logger that drops everything (level 0 = None); errors still throw. */
function silentLogger() {
  const quiet = {
    level(_level?: number) {
      return _level === undefined ? 0 : quiet;
    },
    error: () => quiet,
    warn: () => quiet,
    info: () => quiet,
    debug: () => quiet,
  };
  return quiet as unknown as NonNullable<Parameters<typeof compile>[1]>['logger'];
}

/**
 * Renames the SVG's element ids (vega numbers gradients and clip paths with a process-wide counter)
 * to `<prefix>-<i>`, prefix a hash of the spec, so ids are unique among the charts of a page and the
 * same on every run.
 */
export function scopeIds(svg: string, prefix: string): string {
  // Renumbered in order of appearance: the counter's value depends on what was rendered before.
  const ids = new Map([...svg.matchAll(/\sid="([^"]+)"/g)].map((m, i) => [m[1], `${prefix}-${i}`]));
  if (ids.size === 0) return svg;
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (whole, lead: string, id: string) => {
    const scoped = ids.get(id);
    return scoped === undefined ? whole : `${lead}${scoped}`;
  });
}
