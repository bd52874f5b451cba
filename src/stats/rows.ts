/**
 * Tidy result rows from a frame's metrics: the one place that tags a GroupMetric with its row kind
 * (value, difference, ratio, comparison) and the evaluator's context.
 */
import type {
  AttrValue,
  ComparisonKind,
  ComparisonRow,
  DifferenceMethod,
  DifferenceRow,
  GroupMetric,
  RatioRow,
  RowParams,
  ValueRow,
} from '../core/types.js';
import type { Comparison } from './frame.js';
import { groupLabel } from './groups.js';

/** Who produced a row and on what. */
export interface RowContext {
  model: string;
  indicator: string;
  dataset?: string;
}

function common(context: RowContext) {
  return {
    model: context.model,
    indicator: context.indicator,
    ...(context.dataset === undefined ? {} : { dataset: context.dataset }),
  };
}

/** A group's (or the overall) value. */
export function valueRow(m: GroupMetric, context: RowContext, params: RowParams): ValueRow {
  return { kind: 'value', ...common(context), params: { ...params }, ...m };
}

/** A gap between groups (`<metric>.difference`). */
export function differenceRow(
  m: GroupMetric,
  context: RowContext,
  params: RowParams,
  method: DifferenceMethod,
): DifferenceRow {
  return { kind: 'difference', ...common(context), params: { ...params, method }, ...m };
}

/** A ratio between groups (`<metric>.ratio`). */
export function ratioRow(
  m: GroupMetric,
  context: RowContext,
  params: RowParams,
  method: DifferenceMethod,
): RatioRow {
  return { kind: 'ratio', ...common(context), params: { ...params, method }, ...m };
}

/** A test of one group against another or the rest (`<metric>.comparison`). */
export function comparisonRow(
  c: Comparison,
  context: RowContext,
  params: Record<string, AttrValue>,
  test: ComparisonKind,
): ComparisonRow {
  const { versus, pValue, pAdjusted, ...metric } = c;
  return {
    kind: 'comparison',
    ...common(context),
    params: {
      ...params,
      test,
      versus: versus === 'rest' ? 'rest' : groupLabel(versus),
      pValue,
      pHolm: pAdjusted,
    },
    ...metric,
  };
}
