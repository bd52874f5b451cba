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
  // Per-mark aria labels repeat every datum with full float precision (most of an SVG's bytes); the
  // chart's <title> describes it and the tables beside it hold the numbers.
  mark: { aria: false },
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
    const svg = compactSvg(scopeIds(await view.toSVG(), `v${stableHash(spec, 10)}`));
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

/** Geometry attributes whose numbers are rounded to 0.1 px (finer digits add bytes, not precision). */
const GEOMETRY = /\s(transform|d|x|y|x1|x2|y1|y2|width|height|points)="([^"]*)"/g;

function roundNumber(text: string): string {
  const v = Number(text);
  if (!Number.isFinite(v)) return text;
  const r = Math.round(v * 10) / 10;
  return String(Object.is(r, -0) ? 0 : r);
}

/**
 * Makes vega's SVG smaller without changing how it looks: coordinates rounded to 0.1 px, the font
 * family set once on the root (inherited) instead of on every text element, default opacity dropped,
 * invisible group backgrounds/foregrounds removed, and the ARIA attributes of inner elements dropped
 * (the root is role="img" with a <title>, which makes its children presentational anyway).
 */
export function compactSvg(svg: string): string {
  let fontFamily: string | undefined;
  const body = svg
    .replace(/<path class="(?:background|foreground)"(?![^>]*\s(?:fill|stroke)=)[^>]*\/>/g, '')
    .replace(/\s(?:aria-[a-z]+|role)="[^"]*"/g, '')
    .replace(/ font-family="([^"]*)"/g, (_all, f: string) => {
      fontFamily ??= f;
      return f === fontFamily ? '' : _all;
    })
    .replace(/ opacity="1"/g, '')
    .replace(GEOMETRY, (_all, attr: string, value: string) => {
      const rounded = value.replace(/-?\d*\.\d+(?:e-?\d+)?/g, roundNumber);
      return ` ${attr}="${rounded}"`;
    });
  return fontFamily === undefined ? body : body.replace(/^<svg/, `<svg font-family="${fontFamily}"`);
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
