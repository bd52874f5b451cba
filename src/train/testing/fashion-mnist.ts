import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Fashion-MNIST class names in label order. */
export const FASHION_CLASSES = [
  't-shirt',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'ankle-boot',
];

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * Reads the first `limit` images of an IDX pair (train or t10k) as 28×28 RGB in [0, 1]
 * (gray replicated), NHWC.
 */
export function readFashionMnist(
  split: 'train' | 't10k',
  limit: number,
): { pixels: Float32Array; labels: number[] } {
  const img = gunzipSync(readFileSync(`${FASHION_DIR}/${split}-images-idx3-ubyte.gz`));
  const lab = gunzipSync(readFileSync(`${FASHION_DIR}/${split}-labels-idx1-ubyte.gz`));
  if (img.readUInt32BE(0) !== 2051 || lab.readUInt32BE(0) !== 2049)
    throw new Error('not an IDX image/label file pair');
  const n = Math.min(limit, img.readUInt32BE(4));
  const pixels = new Float32Array(n * 28 * 28 * 3);
  for (let i = 0; i < n * 784; i++) {
    const v = (img[16 + i] as number) / 255;
    pixels[3 * i] = v;
    pixels[3 * i + 1] = v;
    pixels[3 * i + 2] = v;
  }
  return { pixels, labels: Array.from(lab.subarray(8, 8 + n)) };
}
