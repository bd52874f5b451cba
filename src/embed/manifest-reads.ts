/**
 * The manifest of an embed run, read several times (to plan, to embed, to consolidate) instead of
 * held in memory. Every read after the first checks that it saw the same items (their count and the
 * manifest hash), so a manifest edited while it is embedded is an error, never a store that mixes
 * two versions of it.
 */
import { InputError } from '../core/errors.js';
import type { ManifestItem } from '../core/types.js';
import { ManifestHasher } from './keys.js';

/**
 * The items of a run: an array, or an AsyncIterable that starts again from the first item each time
 * it is iterated (data/manifest.ts manifestFile); a one-shot generator cannot be read twice and is
 * refused.
 */
export type ManifestSource = readonly ManifestItem[] | AsyncIterable<ManifestItem>;

/** One item of a read with its 0-based position in the manifest. */
export interface PositionedItem {
  item: ManifestItem;
  index: number;
}

export class ManifestReads {
  private first: { count: number; hash: string } | null = null;

  /** @param path the manifest file, named in errors */
  constructor(
    private readonly source: ManifestSource,
    private readonly path: string,
  ) {}

  /** Items in the manifest (after the first read). */
  get count(): number {
    return this.completed().count;
  }

  /** The manifest hash (keys.ts manifestHash) of every item in order (after the first read). */
  get hash(): string {
    return this.completed().hash;
  }

  /**
   * Reads the items in order. The first complete read records their count and hash; a later one
   * that ends with another count or hash throws an InputError naming the manifest.
   */
  async *read(): AsyncGenerator<PositionedItem> {
    const hasher = new ManifestHasher();
    let index = 0;
    for await (const item of this.items()) {
      if (this.first !== null && index === this.first.count) throw this.changed(`more than ${index} items`);
      hasher.update(item);
      yield { item, index };
      index++;
    }
    const hash = hasher.digest();
    if (this.first === null) this.first = { count: index, hash };
    else if (index !== this.first.count || hash !== this.first.hash) {
      throw this.changed(`${index} items, hash ${hash}`);
    }
  }

  private changed(now: string): InputError {
    const was = this.completed();
    return new InputError(
      this.path,
      `changed while it was embedded (${was.count} items, hash ${was.hash}; now ${now}): run the command again`,
    );
  }

  private items(): Iterable<ManifestItem> | AsyncIterable<ManifestItem> {
    const source = this.source;
    if (Array.isArray(source)) return source as readonly ManifestItem[];
    const iterable = source as AsyncIterable<ManifestItem>;
    if ((iterable[Symbol.asyncIterator]() as unknown) === iterable) {
      throw new TypeError(
        'embedManifest: items must be an array or an AsyncIterable that can be iterated again (manifestFile(path)), not a generator',
      );
    }
    return iterable;
  }

  private completed(): { count: number; hash: string } {
    if (this.first === null) throw new Error('ManifestReads: the manifest has not been read yet');
    return this.first;
  }
}
