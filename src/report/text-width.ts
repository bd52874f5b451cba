/**
 * Text width for vega's headless layout. Without a canvas vega guesses 0.8 em per character, about
 * 40% too wide for sans-serif text, which truncates axis labels early and pads charts. This table
 * holds DejaVu Sans advance widths (em; the widest common sans-serif, so labels never overlap in
 * narrower fonts); unknown characters count 0.62 em.
 */
import * as vega from 'vega';

const WIDTHS: Record<string, number> = {
  ' ': 0.318,
  '.': 0.318,
  ',': 0.318,
  ':': 0.337,
  ';': 0.337,
  '-': 0.361,
  _: 0.5,
  '(': 0.39,
  ')': 0.39,
  '[': 0.39,
  ']': 0.39,
  '/': 0.337,
  '=': 0.838,
  '+': 0.838,
  '×': 0.838,
  '·': 0.318,
  '…': 1,
  '%': 0.95,
  "'": 0.275,
  '"': 0.46,
  '@': 1,
  '&': 0.78,
  '|': 0.337,
  '!': 0.4,
  '?': 0.531,
  '−': 0.838,
  '±': 0.838,
  a: 0.613,
  b: 0.635,
  c: 0.55,
  d: 0.635,
  e: 0.615,
  f: 0.352,
  g: 0.635,
  h: 0.634,
  i: 0.278,
  j: 0.278,
  k: 0.579,
  l: 0.278,
  m: 0.974,
  n: 0.634,
  o: 0.612,
  p: 0.635,
  q: 0.635,
  r: 0.411,
  s: 0.521,
  t: 0.392,
  u: 0.634,
  v: 0.592,
  w: 0.818,
  x: 0.592,
  y: 0.592,
  z: 0.525,
  A: 0.684,
  B: 0.686,
  C: 0.698,
  D: 0.77,
  E: 0.632,
  F: 0.575,
  G: 0.775,
  H: 0.752,
  I: 0.295,
  J: 0.295,
  K: 0.656,
  L: 0.557,
  M: 0.863,
  N: 0.748,
  O: 0.787,
  P: 0.603,
  Q: 0.787,
  R: 0.695,
  S: 0.635,
  T: 0.611,
  U: 0.732,
  V: 0.684,
  W: 0.989,
  X: 0.685,
  Y: 0.611,
  Z: 0.685,
};
const DIGIT = 0.636;
const DEFAULT = 0.62;

interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
  limit?: number;
}

/** Width in pixels of `text` at the item's font size (11 px default); bold text is 7% wider. */
export function textWidth(item: TextItem, text: string): number {
  const size = item.fontSize != null ? +item.fontSize || 0 : 11;
  let em = 0;
  for (const ch of text) em += ch >= '0' && ch <= '9' ? DIGIT : (WIDTHS[ch] ?? DEFAULT);
  const w = item.fontWeight;
  const bold =
    w === 'bold' || (typeof w === 'number' && w >= 600) || (typeof w === 'string' && Number(w) >= 600);
  return em * size * (bold ? 1.07 : 1);
}

let installed = false;

/**
 * Makes vega use textWidth for layout and label truncation (process-wide, idempotent). A truncated
 * label is at most `limit` wide, so widths are capped there.
 */
export function installTextMetrics(): void {
  if (installed) return;
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } })
    .textMetrics;
  metrics.width = (item, text) => {
    const s = text == null ? '' : String(text).trim();
    const w = textWidth(item, s);
    return item.limit !== undefined && item.limit > 0 ? Math.min(w, item.limit) : w;
  };
  installed = true;
}
