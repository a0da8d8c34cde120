/**
 * SHA-512 (FIPS 180-4, section 6.4) on 32-bit halves: every 64-bit word is a (hi, lo) pair of
 * int32s, sums carry through a double (exact below 2^53). Off the hot path (the Crypto object's
 * sha512(), the PBKDF2 of 2FA passwords runs on WebCrypto); hand-written rather than imported so
 * that a browser bundle does not carry a general-purpose hash library for it.
 */
import { frame } from './frame.js'

/**
 * K (section 4.2.3: "the first sixty-four bits of the fractional parts of the cube roots of the
 * first eighty prime numbers") and H(0) (section 5.3.5: the same of the square roots of the first
 * eight primes), as hi, lo pairs: computed exactly with BigInt integer roots on first use rather
 * than written out (1.3 KB of digits that do not compress), and checked against FIPS 180-4's
 * first and last constants.
 */
const K = new Int32Array(160)
const IV = new Int32Array(16)
let ready = false

/** floor(n^(1/k)) for k = 2, 3 (Newton's method from above). */
function iroot(n: bigint, k: bigint): bigint {
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / Number(k)) + 1)
  for (;;) {
    const y = ((k - 1n) * x + n / x ** (k - 1n)) / k
    if (y >= x) return x
    x = y
  }
}

function constants(): void {
  const put = (to: Int32Array, i: number, v: bigint) => {
    to[2 * i] = Number((v >> 32n) & 0xffffffffn)
    to[2 * i + 1] = Number(v & 0xffffffffn)
  }
  const mask = (1n << 64n) - 1n
  for (let p = 2, i = 0; i < 80; p++) {
    let prime = true
    for (let d = 2; d * d <= p; d++) if (p % d === 0) prime = false
    if (!prime) continue
    put(K, i, iroot(BigInt(p) << 192n, 3n) & mask)
    if (i < 8) put(IV, i, iroot(BigInt(p) << 128n, 2n) & mask)
    i++
  }
  if (K[0] !== 0x428a2f98 || K[1] !== (0xd728ae22 | 0) || K[158] !== 0x6c44198c || K[159] !== 0x4a475817 || IV[15] !== 0x137e2179) {
    throw new Error('SHA-512 constants came out wrong') // unreachable with a correct BigInt
  }
  ready = true
}

const W = new Int32Array(160)
const S = new Int32Array(16)
const TWO32 = 0x100000000

function block(v: DataView, p: number): void {
  for (let i = 0; i < 32; i++) W[i] = v.getInt32(p + 4 * i)
  for (let i = 32; i < 160; i += 2) {
    // σ0(W[t-15]) = ROTR^1 ^ ROTR^8 ^ SHR^7;  σ1(W[t-2]) = ROTR^19 ^ ROTR^61 ^ SHR^6
    let h = W[i - 30], l = W[i - 29]
    const s0h = ((h >>> 1) | (l << 31)) ^ ((h >>> 8) | (l << 24)) ^ (h >>> 7)
    const s0l = ((l >>> 1) | (h << 31)) ^ ((l >>> 8) | (h << 24)) ^ ((l >>> 7) | (h << 25))
    h = W[i - 4]
    l = W[i - 3]
    const s1h = ((h >>> 19) | (l << 13)) ^ ((l >>> 29) | (h << 3)) ^ (h >>> 6)
    const s1l = ((l >>> 19) | (h << 13)) ^ ((h >>> 29) | (l << 3)) ^ ((l >>> 6) | (h << 26))
    // W[t] = σ1 + W[t-7] + σ0 + W[t-16]
    const lo = (s0l >>> 0) + (s1l >>> 0) + (W[i - 13] >>> 0) + (W[i - 31] >>> 0)
    W[i] = s0h + s1h + W[i - 14] + W[i - 32] + Math.floor(lo / TWO32)
    W[i + 1] = lo
  }
  let ah = S[0], al = S[1], bh = S[2], bl = S[3], ch = S[4], cl = S[5], dh = S[6], dl = S[7]
  let eh = S[8], el = S[9], fh = S[10], fl = S[11], gh = S[12], gl = S[13], hh = S[14], hl = S[15]
  for (let i = 0; i < 160; i += 2) {
    // T1 = h + Σ1(e) + Ch(e, f, g) + K[t] + W[t];  Σ1 = ROTR^14 ^ ROTR^18 ^ ROTR^41
    const s1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23))
    const s1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23))
    const t1x = (hl >>> 0) + (s1l >>> 0) + (((el & fl) ^ (~el & gl)) >>> 0) + (K[i + 1] >>> 0) + (W[i + 1] >>> 0)
    const t1h = hh + s1h + ((eh & fh) ^ (~eh & gh)) + K[i] + W[i] + Math.floor(t1x / TWO32)
    const t1l = t1x >>> 0
    // T2 = Σ0(a) + Maj(a, b, c);  Σ0 = ROTR^28 ^ ROTR^34 ^ ROTR^39
    const s0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25))
    const s0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25))
    const t2x = (s0l >>> 0) + (((al & bl) ^ (al & cl) ^ (bl & cl)) >>> 0)
    const t2h = s0h + ((ah & bh) ^ (ah & ch) ^ (bh & ch)) + Math.floor(t2x / TWO32)
    hh = gh; hl = gl; gh = fh; gl = fl; fh = eh; fl = el
    const ex = (dl >>> 0) + t1l
    eh = (dh + t1h + Math.floor(ex / TWO32)) | 0
    el = ex | 0
    dh = ch; dl = cl; ch = bh; cl = bl; bh = ah; bl = al
    const ax = t1l + (t2x >>> 0)
    ah = (t1h + t2h + Math.floor(ax / TWO32)) | 0
    al = ax | 0
  }
  const regs = [ah, al, bh, bl, ch, cl, dh, dl, eh, el, fh, fl, gh, gl, hh, hl]
  for (let i = 0; i < 16; i += 2) {
    const x = (S[i + 1] >>> 0) + (regs[i + 1] >>> 0)
    S[i] = S[i] + regs[i] + Math.floor(x / TWO32)
    S[i + 1] = x
  }
}

export function sha512(data: Uint8Array): Uint8Array {
  if (!ready) constants()
  S.set(IV)
  frame(data, 128, false, block)
  const out = new Uint8Array(64)
  const v = new DataView(out.buffer)
  for (let i = 0; i < 16; i++) v.setInt32(4 * i, S[i])
  S.fill(0)
  W.fill(0)
  return out
}
