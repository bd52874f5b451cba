/**
 * Hashes for cache keys and seeds: SHA-256 from @noble/hashes (pure JavaScript, so the core runs in
 * a browser as in Node; the same digests as node:crypto).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** JSON with object keys sorted at every level, so equal values always serialise the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
      const obj = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(obj)
          .sort()
          .map((k) => [k, obj[k]]),
      );
    }
    return v;
  });
}

/** SHA-256 of a string's UTF-8 bytes. */
export function sha256Bytes(text: string): Uint8Array {
  return sha256(utf8ToBytes(text));
}

/** SHA-256 hex digest of a string's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256Bytes(text));
}

/** Short SHA-256 hex of a value's canonical JSON; used in cache keys. */
export function stableHash(value: unknown, length = 16): string {
  return sha256Hex(canonicalJson(value)).slice(0, length);
}
