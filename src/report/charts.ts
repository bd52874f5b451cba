/**
 * Vega-Lite chart specs of the report. Builders take display-ready points (no ResultRow knowledge)
 * and return a spec; vega.ts renders it. Every chart shows intervals where the data has them.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CATEGORY_COLORS } from './vega.js';

/** One value with its interval, placed by category (y), series (colour) and optional facets. */
export interface IntervalPoint {
  category: string;
  series: string;
  value: number;
  lo: number;
  hi: number;
  /** True when the row carries a warning (small group, few clusters): drawn as a triangle. */
  small: boolean;
  column?: string;
  row?: string;
}

export interface IntervalChartOptions {
  /** Plain-language description; becomes the SVG's title. */
  description: string;
  valueTitle: string;
  seriesTitle?: string;
  /** Orders (first appearance is the default). */
  categoryOrder?: string[];
  seriesOrder?: string[];
  columnOrder?: string[];
  rowOrder?: string[];
  /** Give each column facet its own value axis (for metrics of very different magnitude). */
  independentValueAxis?: boolean;
  /** Draw a reference rule at 0 (gaps, effective robustness). */
  zeroRule?: boolean;
  /** Width of one panel in pixels. */
  width?: number;
  /** Longest category label in pixels before it is cut with an ellipsis (default 320). */
  categoryLabelLimit?: number;
  /** Subtitle of each column panel when rows are faceted (default: valueTitle; '' for none). */
  columnSubtitles?: Record<string, string>;
  /** Give each row facet its own value scale (rows holding different metrics). */
  independentRows?: boolean;
}

const RELIABILITY = { ok: 'adequate sample', small: 'small group or few clusters (warning)' };

/** A layer with its y encoding replaced (layers without y, such as the zero rule, are unchanged). */
function withY(layer: object, y: object): object {
  const l = layer as { encoding: Record<string, unknown> };
  return 'y' in l.encoding ? { ...l, encoding: { ...l.encoding, y } } : layer;
}

/** A layer with its x axis title replaced (layers without an x field, such as the zero rule, are unchanged). */
function withXTitle(layer: object, title: string | null): object {
  const l = layer as { encoding: Record<string, { field?: string } & Record<string, unknown>> };
  const x = l.encoding.x;
  return x?.field === undefined ? layer : { ...l, encoding: { ...l.encoding, x: { ...x, title } } };
}

function order(xs: (string | undefined)[]): string[] {
  return [...new Set(xs.filter((x): x is string => x !== undefined))];
}

/** The row facet of a chart: one row per `row` value (in `rowOrder`), titled at its top left in italics. */
function rowFacetOf(points: { row?: string }[], rowOrder: string[] | undefined): object {
  return {
    field: 'row',
    type: 'nominal',
    title: null,
    sort: rowOrder ?? order(points.map((p) => p.row)),
    header: {
      labelAngle: 0,
      labelOrient: 'top',
      labelAnchor: 'start',
      labelAlign: 'left',
      labelFontStyle: 'italic',
    },
  };
}

/**
 * Dot-and-whisker chart: one row per category, one dot per series with its interval as a whisker;
 * optional column facets (e.g. association type, K) and row facets (e.g. attribute set).
 */
export function intervalChart(points: IntervalPoint[], opts: IntervalChartOptions): TopLevelSpec {
  const series = opts.seriesOrder ?? order(points.map((p) => p.series));
  const categories = opts.categoryOrder ?? order(points.map((p) => p.category));
  const hasColumn = points.some((p) => p.column !== undefined);
  const hasRow = points.some((p) => p.row !== undefined);
  const values = points.map((p) => ({ ...p, reliability: p.small ? RELIABILITY.small : RELIABILITY.ok }));
  const step = Math.max(14, 7 * series.length + 4);
  const y = {
    field: 'category',
    type: 'nominal',
    title: null,
    sort: categories,
    axis: { labelLimit: opts.categoryLabelLimit ?? 320 },
  } as const;
  const yOffset = { field: 'series', type: 'nominal', sort: series, scale: { paddingInner: 0.1 } } as const;
  const color = {
    field: 'series',
    type: 'nominal',
    title: opts.seriesTitle ?? 'model',
    sort: series,
    scale: { domain: series, range: CATEGORY_COLORS.slice(0, Math.max(series.length, 1)) },
  } as const;
  // '~r' keeps all-zero panels from printing 0.000000 (and never switches to exponents).
  const x = {
    field: 'value',
    type: 'quantitative',
    title: opts.valueTitle,
    axis: { format: '~r', tickCount: 5 },
  } as const;
  const layers: object[] = [
    {
      mark: { type: 'rule', strokeWidth: 1.5 },
      encoding: {
        y,
        yOffset,
        color,
        x: {
          field: 'lo',
          type: 'quantitative',
          title: opts.valueTitle,
          axis: { format: '~r', tickCount: 5 },
        },
        x2: { field: 'hi' },
      },
    },
    {
      mark: { type: 'point', filled: true, size: 46, opacity: 1 },
      encoding: {
        y,
        yOffset,
        color,
        x,
        shape: {
          field: 'reliability',
          type: 'nominal',
          title: null,
          scale: { domain: [RELIABILITY.ok, RELIABILITY.small], range: ['circle', 'triangle-up'] },
          // The shape legend only matters when some point is flagged.
          ...(points.some((p) => p.small) ? {} : { legend: null }),
        },
      },
    },
  ];
  if (opts.zeroRule) {
    layers.unshift({
      mark: { type: 'rule', color: '#5f6368', strokeDash: [4, 3] },
      encoding: { x: { datum: 0, type: 'quantitative' } },
    });
  }
  const inner = { width: opts.width ?? 220, height: { step }, layer: layers };
  const rowFacet = rowFacetOf(points, opts.rowOrder);
  // Attribute sets have different groups: each row facet gets its own category axis, and its own
  // value axis (same scale) so that a tall chart can be read without scrolling to its bottom.
  const byRow = (body: object) => ({
    facet: { row: rowFacet },
    spec: body,
    resolve: {
      scale: { y: 'independent', ...(opts.independentRows ? { x: 'independent' } : {}) },
      axis: { x: 'independent' },
    },
    spacing: { row: 14 },
  });
  const top = {
    description: opts.description,
    data: { values },
    config: { legend: { orient: 'top', direction: 'horizontal' } },
  };
  if (!hasColumn) return { ...top, ...(hasRow ? byRow(inner) : inner) } as TopLevelSpec;
  // Columns are concatenated panels rather than a facet grid: a grid gives every row the height
  // of the tallest attribute set, and cannot give each column its own value axis (harmful rates
  // near 0 next to Human rates near 1) while the rows of a column share it.
  const columns = opts.columnOrder ?? order(points.map((p) => p.column));
  // With row facets every panel repeats its value axis: the axis title moves to the panel's subtitle.
  const panel = (c: string, first: boolean) => {
    const yHere = first ? y : { ...y, axis: { ...y.axis, labels: false, ticks: false } };
    const body = {
      ...inner,
      layer: layers.map((l) => (hasRow ? withXTitle(withY(l, yHere), null) : withY(l, yHere))),
    };
    const subtitle = opts.columnSubtitles?.[c] ?? opts.valueTitle;
    // A long panel title ('dataset (in-distribution)') breaks before its parenthesis.
    const at = c.indexOf(' (');
    return {
      transform: [{ filter: { field: 'column', equal: c } }],
      title: {
        text: at > 0 ? [c.slice(0, at), c.slice(at + 1)] : c,
        anchor: 'middle',
        fontSize: 12,
        fontWeight: 600,
        ...(hasRow && subtitle !== '' ? { subtitle, subtitleFontSize: 11, subtitleColor: '#57606a' } : {}),
      },
      ...(hasRow ? byRow(body) : body),
    };
  };
  return {
    ...top,
    hconcat: columns.map((c, i) => panel(c, i === 0)),
    spacing: 12,
    resolve: { scale: { x: opts.independentValueAxis ? 'independent' : 'shared' } },
  } as TopLevelSpec;
}

/** A point of a curve: value against a numeric x, with interval, per series and facets. */
export interface CurvePoint {
  x: number;
  series: string;
  value: number;
  lo: number;
  hi: number;
  column?: string;
  row?: string;
}

export interface CurveChartOptions {
  description: string;
  xTitle: string;
  valueTitle: string;
  seriesTitle: string;
  seriesOrder?: string[];
  columnOrder?: string[];
  rowOrder?: string[];
  /** 'band': shaded interval (few series); 'whiskers': interval rules, dodged per series; 'none'. */
  interval: 'band' | 'whiskers' | 'none';
  /** Tick values of the x axis (e.g. the severities). */
  xTicks?: number[];
  independentValueAxis?: boolean;
  width?: number;
  height?: number;
  /** Wrap a column facet after this many panels. */
  columns?: number;
  /** Include 0 in the value axis (default true). */
  zero?: boolean;
}

/** Lines with points (threshold curves, accuracy against severity), with their intervals. */
export function curveChart(points: CurvePoint[], opts: CurveChartOptions): TopLevelSpec {
  const series = opts.seriesOrder ?? order(points.map((p) => p.series));
  const hasColumn = points.some((p) => p.column !== undefined);
  const hasRow = points.some((p) => p.row !== undefined);
  // Whiskers of different series at the same x are dodged so they do not hide each other.
  const span = opts.xTicks && opts.xTicks.length > 1 ? Math.min(...diffs(opts.xTicks)) : 1;
  const dodge = (s: string) =>
    (series.indexOf(s) - (series.length - 1) / 2) * span * (0.5 / Math.max(series.length, 1));
  const values = points.map((p) => ({
    ...p,
    xd: opts.interval === 'whiskers' ? p.x + dodge(p.series) : p.x,
  }));
  const color = {
    field: 'series',
    type: 'nominal',
    title: opts.seriesTitle,
    sort: series,
    scale: { domain: series, range: CATEGORY_COLORS.slice(0, Math.max(series.length, 1)) },
  } as const;
  const xAxis = { title: opts.xTitle, ...(opts.xTicks ? { values: opts.xTicks, format: '~g' } : {}) };
  const xScale = opts.xTicks
    ? { domain: [Math.min(...opts.xTicks) - span * 0.4, Math.max(...opts.xTicks) + span * 0.4], nice: false }
    : {};
  const x = { field: 'xd', type: 'quantitative', axis: xAxis, scale: xScale } as const;
  // The line layer comes first so that the merged legend shows a line, not a faint band.
  const noLegend = color;
  const intervalLayer =
    opts.interval === 'band'
      ? {
          mark: { type: 'area', opacity: 0.14 },
          encoding: {
            x,
            y: { field: 'lo', type: 'quantitative', title: opts.valueTitle },
            y2: { field: 'hi' },
            color: noLegend,
          },
        }
      : {
          mark: { type: 'rule', strokeWidth: 1.25, opacity: 0.75 },
          encoding: {
            x,
            y: { field: 'lo', type: 'quantitative', title: opts.valueTitle },
            y2: { field: 'hi' },
            color: noLegend,
          },
        };
  const inner = {
    width: opts.width ?? 180,
    height: opts.height ?? 130,
    layer: [
      {
        mark: { type: 'line', point: { filled: true, size: 30 } },
        encoding: {
          x,
          y: {
            field: 'value',
            type: 'quantitative',
            title: opts.valueTitle,
            scale: { zero: opts.zero ?? true },
            axis: { format: '~r' },
          },
          color: {
            ...color,
            legend: { orient: 'right', direction: 'vertical', symbolType: 'stroke', symbolStrokeWidth: 2.5 },
          },
        },
      },
      ...(opts.interval === 'none' ? [] : [intervalLayer]),
    ],
  };
  const header = { labelFontWeight: 600 };
  const legend = { legend: { orient: 'top', direction: 'horizontal' } };
  if (!hasColumn && !hasRow) {
    return { description: opts.description, data: { values }, ...inner, config: legend } as TopLevelSpec;
  }
  const facet: Record<string, object> = {};
  if (hasColumn) {
    facet.column = {
      field: 'column',
      type: 'nominal',
      title: null,
      sort: opts.columnOrder ?? order(points.map((p) => p.column)),
      header,
    };
  }
  if (hasRow) {
    facet.row = rowFacetOf(points, opts.rowOrder);
  }
  // A single column facet wraps (facet + columns); rows and columns together form a grid.
  const facetSpec =
    hasColumn && !hasRow && opts.columns
      ? { facet: { ...facet.column, header }, columns: opts.columns }
      : { facet };
  return {
    description: opts.description,
    data: { values },
    ...facetSpec,
    spec: inner,
    spacing: { row: 12, column: 16 },
    resolve: { scale: { y: opts.independentValueAxis ? 'independent' : 'shared' } },
    config: legend,
  } as TopLevelSpec;
}

function diffs(xs: number[]): number[] {
  const s = [...xs].sort((a, b) => a - b);
  return s.slice(1).map((v, i) => v - s[i]);
}

/** One cell of a heatmap. */
export interface HeatCell {
  x: string;
  y: string;
  value: number;
  label: string;
  column: string;
}

/**
 * Heatmap with the value printed in each cell, a panel per column (model). Sequential viridis colours
 * by default (region × income); `diverging` centres a blue–orange scale on 0 (signed disparities).
 */
export function heatmapChart(
  cells: HeatCell[],
  opts: {
    description: string;
    xTitle: string;
    yTitle: string;
    valueTitle: string;
    xOrder: string[];
    yOrder: string[];
    columnOrder: string[];
    diverging?: boolean;
    /** Cell size in pixels (default 62 × 30). */
    cellWidth?: number;
    cellHeight?: number;
    /** Angle of the x labels (default 0; -40 for long group names). */
    xLabelAngle?: number;
  },
): TopLevelSpec {
  const finite = cells.map((c) => c.value).filter(Number.isFinite);
  const lo = finite.length > 0 ? Math.min(...finite) : 0;
  const hi = finite.length > 0 ? Math.max(...finite) : 1;
  const reach = Math.max(Math.abs(lo), Math.abs(hi), 1e-9);
  const scale = opts.diverging
    ? { scheme: 'blueorange', domain: [-reach, reach] }
    : { scheme: 'viridis', domain: [lo, hi] };
  // White text on the dark end of the scale (both ends for the diverging one).
  const darkTest = opts.diverging ? `abs(datum.value) > ${reach * 0.62}` : `datum.value < ${(lo + hi) / 2}`;
  return {
    description: opts.description,
    data: { values: cells },
    facet: {
      column: {
        field: 'column',
        type: 'nominal',
        title: null,
        sort: opts.columnOrder,
        header: { labelFontWeight: 600 },
      },
    },
    spec: {
      width: { step: opts.cellWidth ?? 62 },
      height: { step: opts.cellHeight ?? 30 },
      encoding: {
        x: {
          field: 'x',
          type: 'nominal',
          sort: opts.xOrder,
          title: opts.xTitle,
          axis: { labelAngle: opts.xLabelAngle ?? 0, ...(opts.xLabelAngle ? { labelAlign: 'right' } : {}) },
        },
        y: { field: 'y', type: 'nominal', sort: opts.yOrder, title: opts.yTitle },
      },
      layer: [
        {
          mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1.5 },
          encoding: {
            color: {
              field: 'value',
              type: 'quantitative',
              title: opts.valueTitle,
              scale,
              legend: { orient: 'right', gradientLength: 120, direction: 'vertical' },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 10.5, fontWeight: 600 },
          encoding: {
            text: { field: 'label', type: 'nominal' },
            color: { condition: { test: darkTest, value: '#ffffff' }, value: '#111111' },
          },
        },
      ],
    },
    spacing: 18,
  } as TopLevelSpec;
}
