/**
 * The ids seen so far in a streamed manifest, for its duplicate-id check, in 12 bytes per slot (a
 * 64-bit hash and the line of the id) instead of the id strings themselves: about 25 MB for a
 * million lines where a Map of the ids takes about 80 MB. A hash match is only a candidate: the
 * caller reads back the id on the line it points to, so the check stays exact when two ids collide.
 */

/** Writes a 64-bit hash of `s` into out[0] (high) and out[1] (low). */
export type IdHash = (s: string, out: Uint32Array) => void;

/** murmur3's 32-bit finaliser. */
function mix(h: number): number {
  let x = h;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Two independent 32-bit FNV-1a style hashes of the UTF-16 code units, each finalised. */
export const fnv64: IdHash = (s, out) => {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  out[0] = mix(a ^ s.length);
  out[1] = mix(b);
};

export class IdIndex {
  private hi: Uint32Array;
  private lo: Uint32Array;
  /** 1-based line of the id in each slot; 0 marks an empty slot. */
  private lines: Uint32Array;
  private size = 0;
  private readonly h = new Uint32Array(2);
  /** Ids whose hash is shared with another id (confirmed by reading back), with their lines. */
  private readonly collided = new Map<string, number>();

  constructor(
    private readonly hash: IdHash = fnv64,
    capacity = 1024,
  ) {
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.lines = new Uint32Array(capacity);
  }

  /**
   * Records `id` as seen on `line`, unless it was seen before.
   * @param idAt reads back the id on an earlier line (called only on a hash match)
   * @returns the line where `id` was first seen, or 0 when it is new
   */
  async firstLine(id: string, line: number, idAt: (line: number) => Promise<string>): Promise<number> {
    const known = this.collided.get(id);
    if (known !== undefined) return known;
    this.hash(id, this.h);
    const slot = this.find(this.h[0] as number, this.h[1] as number);
    const earlier = this.lines[slot] as number;
    if (earlier === 0) {
      this.insert(slot, line);
      return 0;
    }
    const other = await idAt(earlier);
    if (other === id) return earlier;
    this.collided.set(other, earlier);
    this.collided.set(id, line);
    return 0;
  }

  /** The slot holding this hash, or the empty slot where it would go. */
  private find(hi: number, lo: number): number {
    const mask = this.lines.length - 1;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    while (this.lines[slot] !== 0 && (this.hi[slot] !== hi || this.lo[slot] !== lo)) slot = (slot + 1) & mask;
    return slot;
  }

  private insert(slot: number, line: number): void {
    this.hi[slot] = this.h[0] as number;
    this.lo[slot] = this.h[1] as number;
    this.lines[slot] = line;
    this.size++;
    if (this.size * 2 > this.lines.length) this.grow();
  }

  private grow(): void {
    const { hi, lo, lines } = this;
    const capacity = lines.length * 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.lines = new Uint32Array(capacity);
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === 0) continue;
      const slot = this.find(hi[i] as number, lo[i] as number);
      this.hi[slot] = hi[i] as number;
      this.lo[slot] = lo[i] as number;
      this.lines[slot] = lines[i] as number;
    }
  }
}
