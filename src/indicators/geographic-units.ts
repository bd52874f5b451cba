/**
 * What Indicator 2 scores, under each reading of Dollar Street (protocols.md 4.2):
 * - 'vissl' (the released code): every (label, image) entry on its own, as vissl keys its metadata
 *   `"{label}/{_id}"` and scores each key (the de-duplication step is commented out there); a manifest
 *   item with several labels gives one unit per label, all sharing its image's scores;
 * - 'paper' ([P-FI] §3.2): one unit per image, a hit when any of its labels is.
 * An images list (vissl's `dollarstreet_in22k_cls_overlapped_images.npy`, or item ids) restricts
 * the entries scored: an entry is listed when the list holds its item's id, or a path whose last two
 * components are `{label}/{_id}` (vissl's key; `_id`, the household, is the item's cluster), with
 * any extension. Under 'paper' an image keeps its listed labels.
 */
import { clusterOf } from '../core/items.js';
import type { ManifestItem } from '../core/types.js';

export const GEOGRAPHIC_PROTOCOLS = ['vissl', 'paper'] as const;
export type GeographicProtocol = (typeof GEOGRAPHIC_PROTOCOLS)[number];
/** vissl's reading, as its released script scores Dollar Street. */
export const DEFAULT_GEOGRAPHIC_PROTOCOL: GeographicProtocol = 'vissl';

/** An images list as read from `file` (node/images-list.ts readImagesList): paths or item ids. */
export interface ImagesList {
  ids: readonly string[];
  file: string;
}

/** The units one reading scores. */
export interface ScoredUnits {
  /** One per scored unit: labels = its ground truth, cluster = its household, attrs of its image. */
  units: ManifestItem[];
  /** (units) index of the image (the input item, the logits row) of each unit. */
  imageOf: Int32Array;
  /** Images with no label: they give no entry under 'vissl'. */
  unlabelled: number;
  /** Present when an images list was given. */
  listed?: {
    /** List entries. */
    entries: number;
    /** List entries that name no item id and no (label, household) entry of the items. */
    unmatched: string[];
    /** (label, image) entries of the items that the list leaves out. */
    leftOut: number;
  };
}

/**
 * vissl's key of a listed path, `{label}/{stem}` from its last two components (generate_dollar_street_map:
 * `os.path.splitext(path.split("/")[-1])[0]` and `path.split("/")[-2]`); undefined without a folder.
 */
export function visslEntryKey(path: string): string | undefined {
  const parts = path.trim().split('/');
  if (parts.length < 2) return undefined;
  const name = parts.at(-1) as string;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  return `${parts.at(-2)}/${stem}`;
}

/** The unit of `labels` of `item`, keeping its attributes and household. */
function unitOf(item: ManifestItem, labels: string[], id: string): ManifestItem {
  return { ...item, id, labels, cluster: clusterOf(item) };
}

/**
 * The units a reading scores.
 * @param imagesList when given, only the entries it lists are scored
 */
export function scoredUnits(
  items: readonly ManifestItem[],
  protocol: GeographicProtocol,
  imagesList?: readonly string[],
): ScoredUnits {
  const ids = imagesList === undefined ? undefined : new Set(imagesList.map((s) => s.trim()));
  const keys =
    imagesList === undefined
      ? undefined
      : new Set(imagesList.map(visslEntryKey).filter((k): k is string => k !== undefined));
  const matchedIds = new Set<string>();
  const matchedKeys = new Set<string>();
  let leftOut = 0;
  const isListed = (item: ManifestItem, label: string): boolean => {
    if (ids === undefined || keys === undefined) return true;
    if (ids.has(item.id)) {
      matchedIds.add(item.id);
      return true;
    }
    const key = `${label}/${clusterOf(item)}`;
    if (keys.has(key)) {
      matchedKeys.add(key);
      return true;
    }
    leftOut++;
    return false;
  };
  const units: ManifestItem[] = [];
  const imageOf: number[] = [];
  let unlabelled = 0;
  items.forEach((item, i) => {
    const labels = [...new Set(item.labels)];
    if (labels.length === 0) {
      unlabelled++;
      if (ids?.has(item.id)) matchedIds.add(item.id);
      if (protocol === 'paper' && (ids === undefined || ids.has(item.id))) {
        units.push(item);
        imageOf.push(i);
      }
      return;
    }
    const listed = labels.filter((label) => isListed(item, label));
    if (protocol === 'vissl') {
      for (const label of listed) {
        units.push(unitOf(item, [label], `${label}/${item.id}`));
        imageOf.push(i);
      }
    } else if (listed.length > 0) {
      units.push(listed.length === labels.length ? item : unitOf(item, listed, item.id));
      imageOf.push(i);
    }
  });
  const out: ScoredUnits = { units, imageOf: Int32Array.from(imageOf), unlabelled };
  if (imagesList !== undefined) {
    const unmatched = imagesList.filter((s) => {
      const t = s.trim();
      const key = visslEntryKey(t);
      return !matchedIds.has(t) && (key === undefined || !matchedKeys.has(key));
    });
    out.listed = { entries: imagesList.length, unmatched, leftOut };
  }
  return out;
}
