import assert from 'node:assert/strict';

type Nested = number | Nested[];

function flatten(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap(flatten) : [x];
}

/**
 * Asserts that `actual` matches `expected` element-wise within `rel` relative to the largest
 * magnitude in `expected` (so near-zero entries of a gradient are judged on the tensor's scale).
 */
export function assertClose(
  actual: ArrayLike<number> | Nested,
  expected: Nested,
  rel: number,
  what: string,
): void {
  const a = Array.isArray(actual)
    ? flatten(actual as Nested)
    : typeof actual === 'number'
      ? [actual]
      : Array.from(actual as ArrayLike<number>);
  const e = flatten(expected);
  assert.equal(a.length, e.length, `${what}: length ${a.length} != ${e.length}`);
  const scale = Math.max(1e-12, ...e.map(Math.abs));
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs((a[i] as number) - (e[i] as number));
    assert.ok(
      err <= rel * scale,
      `${what}[${i}]: ${a[i]} vs ${e[i]} (|diff| ${err.toExponential(2)} > ${rel} × ${scale.toExponential(2)})`,
    );
  }
}
