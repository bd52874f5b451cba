/** Parameters of a RegNet design (Radosavovic et al. 2020, "Designing Network Design Spaces", arXiv:2003.13678). */
export interface RegnetParams {
  /** Initial width w0. */
  w0: number;
  /** Width slope wa. */
  wa: number;
  /** Width multiplier wm (quantisation base). */
  wm: number;
  /** Group width of the 3×3 convolutions. */
  groupWidth: number;
  /** Total number of blocks. */
  depth: number;
}

export interface RegnetStages {
  /** Output width of each stage. */
  widths: number[];
  /** Number of blocks in each stage. */
  depths: number[];
  /** Group width of each stage (min(groupWidth, stage width)). */
  groupWidths: number[];
}

/** numpy's `np.round` / Python's `round`: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Stage widths and depths of a RegNet, by ClassyVision's `get_expanded_params` and
 * `_adjust_widths_groups_compatibilty` (protocols.md 7.2), bottleneck multiplier 1:
 *
 *   u_j = w0 + wa·j (j < depth);  s_j = round(log(u_j/w0) / log(wm));  w_j = round(w0·wm^s_j / 8)·8
 *   consecutive equal w_j form a stage;  w = round(w/g)·g with g = min(groupWidth, w)
 *
 * Rounding is numpy's (half to even). Example: SEER RG-128GF {456, 160.83, 2.52, 264, 27} gives
 * widths [528, 1056, 2904, 7392] and depths [2, 7, 17, 1].
 */
export function regnetWidths(p: RegnetParams): RegnetStages {
  const { w0, wa, wm, groupWidth, depth } = p;
  if (!(w0 > 0 && wa >= 0 && wm > 1 && groupWidth > 0 && Number.isInteger(depth) && depth > 0))
    throw new Error(
      `regnetWidths: need w0 > 0, wa >= 0, wm > 1, groupWidth > 0 and an integer depth > 0, got ${JSON.stringify(p)}`,
    );
  const quant = 8;
  const blockWidths: number[] = [];
  for (let j = 0; j < depth; j++) {
    const u = w0 + wa * j;
    const s = roundHalfEven(Math.log(u / w0) / Math.log(wm));
    blockWidths.push(roundHalfEven((w0 * wm ** s) / quant) * quant);
  }
  const widths: number[] = [];
  const depths: number[] = [];
  for (const w of blockWidths) {
    if (widths.length > 0 && widths[widths.length - 1] === w)
      depths[depths.length - 1] = (depths[depths.length - 1] as number) + 1;
    else {
      widths.push(w);
      depths.push(1);
    }
  }
  const groupWidths = widths.map((w) => Math.min(groupWidth, w));
  const adjusted = widths.map((w, i) => {
    const g = groupWidths[i] as number;
    return roundHalfEven(w / g) * g;
  });
  return { widths: adjusted, depths, groupWidths };
}
