/** CRC-32 (IEEE 802.3 polynomial, reflected, as zlib and Telegram's Full transport and TL ids). */
const TABLE = new Int32Array(256)
for (let n = 0; n < 256; n++) {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  TABLE[n] = c
}

/** CRC-32 of `data`; pass the previous result as `crc` to continue over several chunks. */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc
  for (let i = 0, n = data.length; i < n; i++) c = TABLE[(c ^ data[i]) & 255] ^ (c >>> 8)
  return ~c >>> 0
}
