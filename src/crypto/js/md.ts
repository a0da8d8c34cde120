import { writeU32BE } from '../../bytes.js'

/** A compression function: one 64-byte block at byte `p` of `v`'s buffer, into `H` (using `W`). */
export type BlockFn = (v: DataView<ArrayBufferLike>, p: number) => void

/**
 * The Merkle–Damgård frame shared by the allocation-free SHA-256 and SHA-1 of the pure-TS
 * backend (FIPS 180-4 padding, big-endian length). The working state lives in module scratch
 * and is zeroed after each digest: it holds auth-key bytes while the envelope hashes KDF inputs.
 */
export const W = new Int32Array(80)
export const H = new Int32Array(8)
const tail = new Uint8Array(128)

const tailView: DataView<ArrayBufferLike> = new DataView(tail.buffer)
/**
 * A DataView of the last buffer whose full blocks were hashed: DataView loads are the fastest
 * big-endian reads in V8, and caching the view keeps steady-state hashing allocation-free (the
 * envelope hashes its own scratch buffer; short inputs such as the KDF's 52 bytes never get here).
 */
let dvBuf: ArrayBufferLike = tail.buffer
let dv: DataView<ArrayBufferLike> = tailView
function view(b: Uint8Array): DataView<ArrayBufferLike> {
  if (b.buffer !== dvBuf) {
    dvBuf = b.buffer
    dv = new DataView(b.buffer)
  }
  return dv
}

/** Merkle–Damgård over `data` with the given block function; digest (iv.length words) to `out`. */
export function md(data: Uint8Array, out: Uint8Array, iv: Int32Array, block: BlockFn): void {
  H.set(iv)
  const n = data.length
  const full = n - (n & 63)
  if (full > 0) {
    const v = view(data)
    for (let p = data.byteOffset, e = p + full; p < e; p += 64) block(v, p)
  }
  const rem = n - full
  for (let i = 0; i < rem; i++) tail[i] = data[full + i]
  tail[rem] = 0x80
  const end = rem < 56 ? 64 : 128
  tail.fill(0, rem + 1, end - 8)
  writeU32BE(tail, end - 8, Math.floor(n / 0x20000000)) // bit length, big-endian 64-bit
  writeU32BE(tail, end - 4, (n * 8) >>> 0)
  block(tailView, 0)
  if (end === 128) block(tailView, 64)
  for (let i = 0; i < iv.length; i++) writeU32BE(out, 4 * i, H[i])
  H.fill(0)
  W.fill(0)
  tail.fill(0, 0, end)
}

