/**
 * .npy files for tests, written byte by byte from the format spec (numpy.lib.format: magic,
 * version, little-endian header length, header dict padded to 64 bytes), so that readers are checked
 * against the spec, not against themselves.
 */

/** An .npy v1.0 file: header dict padded with spaces to a multiple of 64 bytes, ending in '\n'. */
export function npy(descr: string, shape: number[], body: Uint8Array, fortran = false): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64);
  header += '\n';
  const pre = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(pre);
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}

/** float32 little-endian bytes. */
export function f32le(values: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}
