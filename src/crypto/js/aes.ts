/**
 * AES-256 in pure TypeScript: word tables (T-tables), big-endian words, 14 rounds.
 *
 * NOT constant-time: table lookups are indexed by secret state, so cache timing can leak
 * key bits to an attacker who shares the CPU. The backend that uses this says `js/table`.
 *
 * The tables are computed at load time from the GF(2^8) definition rather than pasted in,
 * which keeps the source small and lets the tests check them against FIPS-197.
 */

export const SBOX = new Uint8Array(256)
export const INV_SBOX = new Uint8Array(256)
// Encryption tables: TE0[x] = (2s, s, s, 3s) big-endian, TE1..3 are byte rotations of it.
export const TE0 = new Int32Array(256)
export const TE1 = new Int32Array(256)
export const TE2 = new Int32Array(256)
export const TE3 = new Int32Array(256)
// Decryption tables: TD0[x] = (14si, 9si, 13si, 11si) with si = INV_SBOX[x].
export const TD0 = new Int32Array(256)
export const TD1 = new Int32Array(256)
export const TD2 = new Int32Array(256)
export const TD3 = new Int32Array(256)

const xtime = (b: number): number => ((b << 1) ^ (b & 0x80 ? 0x1b : 0)) & 0xff
function gmul(a: number, b: number): number {
  let r = 0
  for (; b; b >>= 1, a = xtime(a)) if (b & 1) r ^= a
  return r
}

;(function buildTables() {
  // Walk the multiplicative group with generator 3 to get inverses, then apply the affine map.
  const log = new Uint8Array(256)
  const exp = new Uint8Array(256)
  for (let i = 0, x = 1; i < 255; i++, x = x ^ xtime(x)) {
    exp[i] = x
    log[x] = i
  }
  for (let a = 0; a < 256; a++) {
    const inv = a === 0 ? 0 : exp[(255 - log[a]) % 255]
    let s = inv
    for (let k = 1; k < 5; k++) s ^= ((inv << k) | (inv >>> (8 - k))) & 0xff
    s ^= 0x63
    SBOX[a] = s
    INV_SBOX[s] = a
  }
  for (let x = 0; x < 256; x++) {
    const s = SBOX[x]
    const e = (xtime(s) << 24) | (s << 16) | (s << 8) | (xtime(s) ^ s)
    TE0[x] = e
    TE1[x] = (e >>> 8) | (e << 24)
    TE2[x] = (e >>> 16) | (e << 16)
    TE3[x] = (e >>> 24) | (e << 8)
    const si = INV_SBOX[x]
    const d = (gmul(si, 14) << 24) | (gmul(si, 9) << 16) | (gmul(si, 13) << 8) | gmul(si, 11)
    TD0[x] = d
    TD1[x] = (d >>> 8) | (d << 24)
    TD2[x] = (d >>> 16) | (d << 16)
    TD3[x] = (d >>> 24) | (d << 8)
  }
})()

/** Number of 32-bit round-key words of AES-256 (15 round keys x 4). */
export const ROUND_KEY_WORDS = 60

/** Expands a 32-byte key into 60 encryption round-key words. */
export function expandKeyEnc(key: Uint8Array, rk: Int32Array): void {
  for (let i = 0; i < 8; i++) {
    rk[i] = (key[4 * i] << 24) | (key[4 * i + 1] << 16) | (key[4 * i + 2] << 8) | key[4 * i + 3]
  }
  let rcon = 1
  for (let i = 8; i < 60; i++) {
    let t = rk[i - 1]
    if ((i & 7) === 0) {
      // RotWord, SubWord, Rcon
      t = ((SBOX[(t >>> 16) & 255] << 24) | (SBOX[(t >>> 8) & 255] << 16) | (SBOX[t & 255] << 8) | SBOX[t >>> 24]) ^ (rcon << 24)
      rcon = xtime(rcon)
    } else if ((i & 7) === 4) {
      t = (SBOX[t >>> 24] << 24) | (SBOX[(t >>> 16) & 255] << 16) | (SBOX[(t >>> 8) & 255] << 8) | SBOX[t & 255]
    }
    rk[i] = rk[i - 8] ^ t
  }
}

/**
 * Expands a 32-byte key into 60 decryption round-key words for the equivalent inverse
 * cipher: round keys in reverse order, InvMixColumns applied to the inner ones.
 */
export function expandKeyDec(key: Uint8Array, dk: Int32Array): void {
  expandKeyEnc(key, dk)
  // reverse round-key order (4-word groups)
  for (let i = 0, j = 56; i < j; i += 4, j -= 4) {
    for (let k = 0; k < 4; k++) {
      const t = dk[i + k]
      dk[i + k] = dk[j + k]
      dk[j + k] = t
    }
  }
  for (let i = 4; i < 56; i++) {
    const w = dk[i]
    dk[i] = TD0[SBOX[w >>> 24]] ^ TD1[SBOX[(w >>> 16) & 255]] ^ TD2[SBOX[(w >>> 8) & 255]] ^ TD3[SBOX[w & 255]]
  }
}

/** Block state in and out of the round functions (4 big-endian words). */
export const blk = new Int32Array(4)

/** Encrypts the 4 words in `blk` in place with encryption round keys `rk`. */
export function encryptBlock(rk: Int32Array): void {
  let s0 = blk[0] ^ rk[0]
  let s1 = blk[1] ^ rk[1]
  let s2 = blk[2] ^ rk[2]
  let s3 = blk[3] ^ rk[3]
  let t0: number, t1: number, t2: number, t3: number
  let k = 4
  // 13 full rounds, two per iteration (the last pair stops after one)
  for (;;) {
    t0 = TE0[s0 >>> 24] ^ TE1[(s1 >>> 16) & 255] ^ TE2[(s2 >>> 8) & 255] ^ TE3[s3 & 255] ^ rk[k]
    t1 = TE0[s1 >>> 24] ^ TE1[(s2 >>> 16) & 255] ^ TE2[(s3 >>> 8) & 255] ^ TE3[s0 & 255] ^ rk[k + 1]
    t2 = TE0[s2 >>> 24] ^ TE1[(s3 >>> 16) & 255] ^ TE2[(s0 >>> 8) & 255] ^ TE3[s1 & 255] ^ rk[k + 2]
    t3 = TE0[s3 >>> 24] ^ TE1[(s0 >>> 16) & 255] ^ TE2[(s1 >>> 8) & 255] ^ TE3[s2 & 255] ^ rk[k + 3]
    k += 4
    if (k === 56) break
    s0 = TE0[t0 >>> 24] ^ TE1[(t1 >>> 16) & 255] ^ TE2[(t2 >>> 8) & 255] ^ TE3[t3 & 255] ^ rk[k]
    s1 = TE0[t1 >>> 24] ^ TE1[(t2 >>> 16) & 255] ^ TE2[(t3 >>> 8) & 255] ^ TE3[t0 & 255] ^ rk[k + 1]
    s2 = TE0[t2 >>> 24] ^ TE1[(t3 >>> 16) & 255] ^ TE2[(t0 >>> 8) & 255] ^ TE3[t1 & 255] ^ rk[k + 2]
    s3 = TE0[t3 >>> 24] ^ TE1[(t0 >>> 16) & 255] ^ TE2[(t1 >>> 8) & 255] ^ TE3[t2 & 255] ^ rk[k + 3]
    k += 4
  }
  blk[0] = ((SBOX[t0 >>> 24] << 24) | (SBOX[(t1 >>> 16) & 255] << 16) | (SBOX[(t2 >>> 8) & 255] << 8) | SBOX[t3 & 255]) ^ rk[56]
  blk[1] = ((SBOX[t1 >>> 24] << 24) | (SBOX[(t2 >>> 16) & 255] << 16) | (SBOX[(t3 >>> 8) & 255] << 8) | SBOX[t0 & 255]) ^ rk[57]
  blk[2] = ((SBOX[t2 >>> 24] << 24) | (SBOX[(t3 >>> 16) & 255] << 16) | (SBOX[(t0 >>> 8) & 255] << 8) | SBOX[t1 & 255]) ^ rk[58]
  blk[3] = ((SBOX[t3 >>> 24] << 24) | (SBOX[(t0 >>> 16) & 255] << 16) | (SBOX[(t1 >>> 8) & 255] << 8) | SBOX[t2 & 255]) ^ rk[59]
}

/** Decrypts the 4 words in `blk` in place with decryption round keys `dk` (see expandKeyDec). */
export function decryptBlock(dk: Int32Array): void {
  let s0 = blk[0] ^ dk[0]
  let s1 = blk[1] ^ dk[1]
  let s2 = blk[2] ^ dk[2]
  let s3 = blk[3] ^ dk[3]
  let t0: number, t1: number, t2: number, t3: number
  let k = 4
  for (;;) {
    t0 = TD0[s0 >>> 24] ^ TD1[(s3 >>> 16) & 255] ^ TD2[(s2 >>> 8) & 255] ^ TD3[s1 & 255] ^ dk[k]
    t1 = TD0[s1 >>> 24] ^ TD1[(s0 >>> 16) & 255] ^ TD2[(s3 >>> 8) & 255] ^ TD3[s2 & 255] ^ dk[k + 1]
    t2 = TD0[s2 >>> 24] ^ TD1[(s1 >>> 16) & 255] ^ TD2[(s0 >>> 8) & 255] ^ TD3[s3 & 255] ^ dk[k + 2]
    t3 = TD0[s3 >>> 24] ^ TD1[(s2 >>> 16) & 255] ^ TD2[(s1 >>> 8) & 255] ^ TD3[s0 & 255] ^ dk[k + 3]
    k += 4
    if (k === 56) break
    s0 = TD0[t0 >>> 24] ^ TD1[(t3 >>> 16) & 255] ^ TD2[(t2 >>> 8) & 255] ^ TD3[t1 & 255] ^ dk[k]
    s1 = TD0[t1 >>> 24] ^ TD1[(t0 >>> 16) & 255] ^ TD2[(t3 >>> 8) & 255] ^ TD3[t2 & 255] ^ dk[k + 1]
    s2 = TD0[t2 >>> 24] ^ TD1[(t1 >>> 16) & 255] ^ TD2[(t0 >>> 8) & 255] ^ TD3[t3 & 255] ^ dk[k + 2]
    s3 = TD0[t3 >>> 24] ^ TD1[(t2 >>> 16) & 255] ^ TD2[(t1 >>> 8) & 255] ^ TD3[t0 & 255] ^ dk[k + 3]
    k += 4
  }
  blk[0] = ((INV_SBOX[t0 >>> 24] << 24) | (INV_SBOX[(t3 >>> 16) & 255] << 16) | (INV_SBOX[(t2 >>> 8) & 255] << 8) | INV_SBOX[t1 & 255]) ^ dk[56]
  blk[1] = ((INV_SBOX[t1 >>> 24] << 24) | (INV_SBOX[(t0 >>> 16) & 255] << 16) | (INV_SBOX[(t3 >>> 8) & 255] << 8) | INV_SBOX[t2 & 255]) ^ dk[57]
  blk[2] = ((INV_SBOX[t2 >>> 24] << 24) | (INV_SBOX[(t1 >>> 16) & 255] << 16) | (INV_SBOX[(t0 >>> 8) & 255] << 8) | INV_SBOX[t3 & 255]) ^ dk[58]
  blk[3] = ((INV_SBOX[t3 >>> 24] << 24) | (INV_SBOX[(t2 >>> 16) & 255] << 16) | (INV_SBOX[(t1 >>> 8) & 255] << 8) | INV_SBOX[t0 & 255]) ^ dk[59]
}
