/**
 * Disjoint sets over 0..n-1 whose root is always the lowest index of its set, so that components
 * (and their representatives) do not depend on the order in which edges are added.
 */
export class UnionFind {
  private readonly parent: Int32Array;

  constructor(readonly n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }

  /** The lowest index of i's set. */
  find(i: number): number {
    const parent = this.parent;
    let x = i;
    while (parent[x] !== x) {
      const up = parent[x] as number;
      parent[x] = parent[up] as number; // path halving
      x = up;
    }
    return x;
  }

  /** Joins the sets of a and b; returns false when they were already one. */
  union(a: number, b: number): boolean {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return false;
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
    return true;
  }

  /**
   * The sets with at least `minSize` members, each sorted ascending, ordered by their lowest member.
   */
  components(minSize = 2): number[][] {
    const root = Int32Array.from({ length: this.n }, (_, i) => this.find(i));
    const size = new Int32Array(this.n);
    for (const r of root) size[r] = (size[r] as number) + 1;
    const byRoot = new Map<number, number[]>();
    for (let i = 0; i < this.n; i++) {
      const r = root[i] as number;
      if ((size[r] as number) < minSize) continue;
      let members = byRoot.get(r);
      if (members === undefined) {
        members = [];
        byRoot.set(r, members);
      }
      members.push(i);
    }
    // Map iteration follows insertion, and a set is inserted at its root, its lowest member.
    return [...byRoot.values()];
  }
}
