/**
 * The report's plain-language text: what each indicator and chart measures and how to read it.
 * Kept in one place so the HTML report, the Markdown summary and the model card use the same words.
 */

export interface IndicatorText {
  title: string;
  /** One paragraph: what is measured, on what data, from which model output. */
  measures: string;
}

export const INDICATOR_TEXT: Record<string, IndicatorText> = {
  'label-association': {
    title: 'Harmful label association',
    measures:
      'Fairness Indicator 1. Each face image is classified; we keep the top-5 labels whose confidence is at least τ and count an image once per association type if any of those labels belongs to it. The hit rate is the share of a group’s images with such a label. Non-Human and Crime labels are harmful on people (together: “harmful”); Human labels are the correct ones.',
  },
  geographic: {
    title: 'Geographical diversity',
    measures:
      'Fairness Indicator 2. Everyday objects photographed in homes around the world (Dollar Street). An image is a hit when its true object is among the model’s top-5 predictions mapped to the Dollar Street taxonomy. Hit rates are averaged per household first and then over the households of a group, so every household weighs the same.',
  },
  retrieval: {
    title: 'Same-attribute retrieval',
    measures:
      'Fairness Indicator 3. Each query face is compared with a database of faces using the model’s embeddings (cosine similarity). Precision@K is the share of the K nearest database faces that have the same attribute (gender) as the query. A model whose embeddings encode the attribute equally well for everyone gives equal precision across groups.',
  },
  robustness: {
    title: 'Robustness',
    measures:
      'Top-1 accuracy under natural distribution shifts (ImageNet-V2, -R, -Sketch, -A) and synthetic corruptions (ImageNet-C style) at increasing severity, for the whole population and per group. Corruption error (CE) is the error summed over severities relative to a reference model; mCE averages CE over corruptions (lower is better). Effective robustness is the accuracy under shift above what the in-distribution accuracy predicts.',
  },
  curation: {
    title: 'Curation',
    measures:
      'How a data-selection method distributes a fixed budget of images across groups. A balanced method should give each group a similar share; random selection reproduces the source’s imbalance. Where the audit evaluated a selection, a probe trained on it is compared with probes trained on random selections of the same size.',
  },
  probe: {
    title: 'Probe accuracy',
    measures:
      'Top-1 accuracy of simple heads (linear classifier, k-nearest neighbours) trained on the frozen embeddings: how much task information the features carry, overall and per group.',
  },
};

export function indicatorTitle(indicator: string): string {
  return INDICATOR_TEXT[indicator]?.title ?? indicator;
}

/** Text beside one chart: what it shows and how to read it. */
export interface ChartText {
  measures: string;
  read: string;
}

export const CHART_TEXT = {
  groupIntervals: {
    read: 'Each dot is a group’s value for one model; the whisker is its confidence interval. Groups whose whiskers do not overlap differ beyond sampling noise.',
  },
  smallMarker: {
    read: 'Triangles mark groups flagged as small (few images or clusters): read their values with care.',
  },
  labelAssociation: {
    measures: (tau: string) =>
      `Share of each group’s images given at least one label of the association type at confidence τ = ${tau}.`,
    read: 'For Non-Human, Crime and harmful, lower is better and the ideal is zero for every group. For Human, higher is better. Look for groups that stand apart from the others, especially with non-overlapping intervals.',
  },
  thresholdCurves: {
    measures:
      'Hit rate as the confidence threshold τ rises: only labels predicted with at least τ confidence count.',
    read: 'A harmful curve that stays high at large τ means the model makes those associations confidently. Curves that drop to zero quickly mean the harmful labels only appear with low confidence. Where a figure has a shaded band around each line, it is the 95% interval.',
  },
  retrieval: {
    measures:
      'Precision@K of same-gender retrieval for the queries of each group, for each K (number of neighbours).',
    read: 'Higher is better; an unbiased embedding gives similar precision for every group. A group well below the others (paper: female-darker) is poorly represented by the embedding.',
  },
  geographicGroups: {
    measures: 'Household-averaged hit rate per region and per income bucket.',
    read: 'Higher is better. The gap between the lowest- and the highest-income bucket, and between regions, shows whether the model recognises everyday objects equally well across the world.',
  },
  geographicGrid: {
    measures: 'Hit rate for every region × income bucket, per model.',
    read: 'Darker cells are higher hit rates. Cells marked with a triangle rest on few households. Compare rows (regions) within an income column to separate the effect of region from that of income.',
  },
  naturalShift: {
    measures: 'Top-1 accuracy on the in-distribution test set and on each natural distribution shift.',
    read: 'Higher is better. The drop from the in-distribution set to each shift measures how far the model’s accuracy depends on the training distribution.',
  },
  corruptions: {
    measures: 'Top-1 accuracy for each corruption at severities 1 (mild) to 5 (strong).',
    read: 'Flatter lines are more robust. Compare models at the same severity; the whiskers are confidence intervals.',
  },
  robustnessGroups: {
    measures: 'Top-1 accuracy per group as corruption severity grows (severity 0 is the clean image).',
    read: 'Lines that spread apart as severity grows mean that the corruption hurts some groups more than others: a robustness gap that overall accuracy hides.',
  },
  gaps: {
    measures:
      'How far apart the groups are: the largest minus the smallest group value for each model (and, in the table, the smallest ÷ largest ratio and the largest distance to the overall value), with 95% bootstrap intervals.',
    read: 'Zero means parity. Largest − smallest is never negative and noise alone pushes it up when groups are small, so an interval above zero is not proof of a difference: the Holm-adjusted tests below say which pairs of groups differ.',
  },
  predictionDisparity: {
    measures:
      'Per-class disparity (protocols.md 3.2): how much more often (in percentage points) a class is among a group’s thresholded top-5 predictions than among the other groups’, for the classes with the largest disparities.',
    read: 'Orange: predicted more often for that group than for the others; blue: less often; white: no difference. A harmful class (an animal, a crime label) that is orange for one group is a disparate association to check in the table and in results.json.',
  },
  secondaryRates: {
    measures:
      'Secondary statistics of the same predictions: the rate of the disparate label (present in the top-5 with at least the disparate threshold’s confidence), the share of images whose top-1 confidence reaches that threshold, and the mean top-1 confidence.',
    read: 'Differences between groups in confidence can explain differences in hit rates at high τ. Each panel has its own scale and unit.',
  },
  curation: {
    measures: 'Share of the selected images that falls in each group, for each selection method and budget.',
    read: 'A balanced method gives every group about the same share (1 / number of groups). Random selection mirrors the source data, so small groups stay small.',
  },
  curationProbe: {
    measures:
      'Top-1 accuracy on a test set of a probe trained on the frozen embeddings of the curated selection, and of probes trained on random selections of the same size from the same candidates (after duplicate removal), overall and per group. For random selections the value is the mean over the draws, and the interval pools the bootstrap resamples of every draw, so it covers both test-set sampling and the luck of the draw.',
    read: 'Higher is better. Curated whiskers to the right of random ones mean the selection trains a better classifier than chance selection of the same size; a group where the dots are far apart is one the selection helps (or hurts) most. Test classes that a selection has no training image of count as wrong.',
    table:
      'curated − random is paired on the same test resamples and pooled over the random draws (the difference to one random selection of this size). The last rows give the largest − smallest group accuracy (the disparity) for each selection; a negative curated − random there means the curated selection narrows the gap. ⚠ marks values with warnings (hover for n, clusters and the warning).',
  },
  probe: {
    measures: 'Top-1 accuracy of each head on frozen embeddings, overall and per group.',
    read: 'Higher is better. A group well below the overall value is a group for which the features carry less task information.',
  },
  genericGroups: {
    measures: 'The metric for each group and model.',
    read: 'Compare groups within a model; whiskers are confidence intervals.',
  },
} as const;

/** Axis title of a metric: 'hit_rate' -> 'hit rate', 'top1' -> 'top-1 accuracy'. */
export function metricTitle(metric: string): string {
  const titles: Record<string, string> = {
    hit_rate: 'hit rate',
    precision_at_k: 'precision@K',
    top1: 'top-1 accuracy',
    top5: 'top-5 accuracy',
    mce: 'mCE',
    relative_mce: 'relative mCE',
    accuracy_drop: 'accuracy drop from in-distribution',
    corruption_error: 'corruption error',
    effective_robustness: 'effective robustness',
    prediction_rate: 'prediction rate',
    prediction_rate_disparity: 'prediction-rate disparity',
    disparate_label_rate: 'disparate-label rate',
    top1_above_disparate_threshold_rate: 'top-1 confidence ≥ disparate threshold',
    mean_top1_confidence: 'mean top-1 confidence',
    associated_label_confidence: 'confidence of associated labels',
    accuracy: 'accuracy (per image)',
    'probe.accuracy': 'probe accuracy',
    'probe.accuracy_gain': 'probe accuracy, curated − random',
    'probe.accuracy_gap_change': 'largest group gap, curated − random',
    cover: 'cover',
  };
  return titles[metric] ?? metric.replace(/_/g, ' ');
}

/** The dot-and-whisker reading guide, plus the small-group note when some row carries a warning. */
export function intervalsRead(rows: readonly { warnings: string[] }[], lead = ''): string {
  const small = rows.some((r) => r.warnings.length > 0) ? ` ${CHART_TEXT.smallMarker.read}` : '';
  return `${lead ? `${lead} ` : ''}${CHART_TEXT.groupIntervals.read}${small}`;
}
