/**
 * The Merkle–Damgård frame of the hashes off the hot path (SHA-512: 128-byte blocks and a
 * 128-bit big-endian length; MD5: 64-byte blocks and a 64-bit little-endian length). The hot
 * SHA-1/SHA-256 have their own allocation-free frame (md.ts).
 */

/** Runs `block` over `data` padded as the hash specifies ("append the bit 1, zeros, the length"). */
export function frame(
  data: Uint8Array,
  size: 64 | 128,
  littleEndian: boolean,
  block: (v: DataView, p: number) => void,
): void {
  const n = data.length
  const full = n - (n % size)
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength)
  for (let p = 0; p < full; p += size) block(v, p)
  // the rest, 0x80, zeros, then the bit length in the last 8 bytes (SHA-512's 16-byte length
  // field has zeros above them for any input below 2^61 bytes)
  const rem = n - full
  const tail = new Uint8Array(rem + 1 + size / 8 <= size ? size : 2 * size)
  tail.set(data.subarray(full))
  tail[rem] = 0x80
  const t = new DataView(tail.buffer)
  const hi = Math.floor(n / 0x20000000)
  const lo = (n * 8) >>> 0
  if (littleEndian) {
    t.setUint32(tail.length - 8, lo, true)
    t.setUint32(tail.length - 4, hi, true)
  } else {
    t.setUint32(tail.length - 8, hi)
    t.setUint32(tail.length - 4, lo)
  }
  for (let p = 0; p < tail.length; p += size) block(t, p)
  tail.fill(0)
}
