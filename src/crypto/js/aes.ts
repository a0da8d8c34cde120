/**
 * AES-256 in pure TypeScript: word tables (T-tables), big-endian words, 14 rounds.
 *
 * NOT constant-time: table lookups are indexed by secret state, so cache timing can leak
 * key bits to an attacker who shares the CPU. The backend that uses this says `js/table`.
 *
 * The tables are computed at load time from the GF(2^8) definition rather than pasted in,
 * which keeps the source small and lets the tests check them against FIPS-197.
 */
import { readI32BE } from '../../bytes.js'

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
export function expandKeyEnc(key: Uint8Array, rk: number[]): void {
  for (let i = 0; i < 8; i++) {
    rk[i] = readI32BE(key, 4 * i)
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
export function expandKeyDec(key: Uint8Array, dk: number[]): void {
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

/**
 * Each direction's round tables in one array: [T0 | T1 | T2 | T3 | S-box], 256 entries each.
 * One base pointer (aliased to a local in the block functions) leaves V8 more registers for the
 * state than four separate tables; measured ~1.2x faster on x64 Node 20.
 *
 * Plain arrays (small integers), not Int32Array, as are the round keys and the block state: once
 * any ArrayBuffer in the process has been detached (a WebAssembly memory grew — ours with many
 * CTR streams, or any other module's —, a buffer was transferred, a web stream handed one on),
 * V8 adds a detached-buffer check to every typed-array access in optimized code for the rest of
 * the process, and typed-array AES ran ~45% slower (99 -> 54 MB/s IGE at 4 KiB, x64 Node 20).
 * Plain arrays ran 64-67 MB/s either way; in a process that never detached a buffer the typed
 * arrays are faster, but that is not a state a library can count on.
 */
const te = new Int32Array(1280)
const td = new Int32Array(1280)
te.set(TE0, 0), te.set(TE1, 256), te.set(TE2, 512), te.set(TE3, 768), te.set(SBOX, 1024)
td.set(TD0, 0), td.set(TD1, 256), td.set(TD2, 512), td.set(TD3, 768), td.set(INV_SBOX, 1024)
export const TE: number[] = Array.from(te)
export const TD: number[] = Array.from(td)

/** Block state in and out of the round functions (4 big-endian words). */
export const blk: number[] = [0, 0, 0, 0]

// The 13 full rounds are unrolled (each state word a fresh const, final round with the S-box
// section): ~1.2x faster in V8 than a loop of two rounds per pass. The text is mechanical:
// round r reads the previous round's words and round key words 4r..4r+3.
/** Encrypts the 4 words in `blk` in place with encryption round keys `k`. */
export function encryptBlock(k: number[]): void {
  const t = TE
  const s0 = blk[0] ^ k[0], s1 = blk[1] ^ k[1], s2 = blk[2] ^ k[2], s3 = blk[3] ^ k[3]
  const r1_0 = t[s0 >>> 24] ^ t[256 | ((s1 >>> 16) & 255)] ^ t[512 | ((s2 >>> 8) & 255)] ^ t[768 | (s3 & 255)] ^ k[4]
  const r1_1 = t[s1 >>> 24] ^ t[256 | ((s2 >>> 16) & 255)] ^ t[512 | ((s3 >>> 8) & 255)] ^ t[768 | (s0 & 255)] ^ k[5]
  const r1_2 = t[s2 >>> 24] ^ t[256 | ((s3 >>> 16) & 255)] ^ t[512 | ((s0 >>> 8) & 255)] ^ t[768 | (s1 & 255)] ^ k[6]
  const r1_3 = t[s3 >>> 24] ^ t[256 | ((s0 >>> 16) & 255)] ^ t[512 | ((s1 >>> 8) & 255)] ^ t[768 | (s2 & 255)] ^ k[7]
  const r2_0 = t[r1_0 >>> 24] ^ t[256 | ((r1_1 >>> 16) & 255)] ^ t[512 | ((r1_2 >>> 8) & 255)] ^ t[768 | (r1_3 & 255)] ^ k[8]
  const r2_1 = t[r1_1 >>> 24] ^ t[256 | ((r1_2 >>> 16) & 255)] ^ t[512 | ((r1_3 >>> 8) & 255)] ^ t[768 | (r1_0 & 255)] ^ k[9]
  const r2_2 = t[r1_2 >>> 24] ^ t[256 | ((r1_3 >>> 16) & 255)] ^ t[512 | ((r1_0 >>> 8) & 255)] ^ t[768 | (r1_1 & 255)] ^ k[10]
  const r2_3 = t[r1_3 >>> 24] ^ t[256 | ((r1_0 >>> 16) & 255)] ^ t[512 | ((r1_1 >>> 8) & 255)] ^ t[768 | (r1_2 & 255)] ^ k[11]
  const r3_0 = t[r2_0 >>> 24] ^ t[256 | ((r2_1 >>> 16) & 255)] ^ t[512 | ((r2_2 >>> 8) & 255)] ^ t[768 | (r2_3 & 255)] ^ k[12]
  const r3_1 = t[r2_1 >>> 24] ^ t[256 | ((r2_2 >>> 16) & 255)] ^ t[512 | ((r2_3 >>> 8) & 255)] ^ t[768 | (r2_0 & 255)] ^ k[13]
  const r3_2 = t[r2_2 >>> 24] ^ t[256 | ((r2_3 >>> 16) & 255)] ^ t[512 | ((r2_0 >>> 8) & 255)] ^ t[768 | (r2_1 & 255)] ^ k[14]
  const r3_3 = t[r2_3 >>> 24] ^ t[256 | ((r2_0 >>> 16) & 255)] ^ t[512 | ((r2_1 >>> 8) & 255)] ^ t[768 | (r2_2 & 255)] ^ k[15]
  const r4_0 = t[r3_0 >>> 24] ^ t[256 | ((r3_1 >>> 16) & 255)] ^ t[512 | ((r3_2 >>> 8) & 255)] ^ t[768 | (r3_3 & 255)] ^ k[16]
  const r4_1 = t[r3_1 >>> 24] ^ t[256 | ((r3_2 >>> 16) & 255)] ^ t[512 | ((r3_3 >>> 8) & 255)] ^ t[768 | (r3_0 & 255)] ^ k[17]
  const r4_2 = t[r3_2 >>> 24] ^ t[256 | ((r3_3 >>> 16) & 255)] ^ t[512 | ((r3_0 >>> 8) & 255)] ^ t[768 | (r3_1 & 255)] ^ k[18]
  const r4_3 = t[r3_3 >>> 24] ^ t[256 | ((r3_0 >>> 16) & 255)] ^ t[512 | ((r3_1 >>> 8) & 255)] ^ t[768 | (r3_2 & 255)] ^ k[19]
  const r5_0 = t[r4_0 >>> 24] ^ t[256 | ((r4_1 >>> 16) & 255)] ^ t[512 | ((r4_2 >>> 8) & 255)] ^ t[768 | (r4_3 & 255)] ^ k[20]
  const r5_1 = t[r4_1 >>> 24] ^ t[256 | ((r4_2 >>> 16) & 255)] ^ t[512 | ((r4_3 >>> 8) & 255)] ^ t[768 | (r4_0 & 255)] ^ k[21]
  const r5_2 = t[r4_2 >>> 24] ^ t[256 | ((r4_3 >>> 16) & 255)] ^ t[512 | ((r4_0 >>> 8) & 255)] ^ t[768 | (r4_1 & 255)] ^ k[22]
  const r5_3 = t[r4_3 >>> 24] ^ t[256 | ((r4_0 >>> 16) & 255)] ^ t[512 | ((r4_1 >>> 8) & 255)] ^ t[768 | (r4_2 & 255)] ^ k[23]
  const r6_0 = t[r5_0 >>> 24] ^ t[256 | ((r5_1 >>> 16) & 255)] ^ t[512 | ((r5_2 >>> 8) & 255)] ^ t[768 | (r5_3 & 255)] ^ k[24]
  const r6_1 = t[r5_1 >>> 24] ^ t[256 | ((r5_2 >>> 16) & 255)] ^ t[512 | ((r5_3 >>> 8) & 255)] ^ t[768 | (r5_0 & 255)] ^ k[25]
  const r6_2 = t[r5_2 >>> 24] ^ t[256 | ((r5_3 >>> 16) & 255)] ^ t[512 | ((r5_0 >>> 8) & 255)] ^ t[768 | (r5_1 & 255)] ^ k[26]
  const r6_3 = t[r5_3 >>> 24] ^ t[256 | ((r5_0 >>> 16) & 255)] ^ t[512 | ((r5_1 >>> 8) & 255)] ^ t[768 | (r5_2 & 255)] ^ k[27]
  const r7_0 = t[r6_0 >>> 24] ^ t[256 | ((r6_1 >>> 16) & 255)] ^ t[512 | ((r6_2 >>> 8) & 255)] ^ t[768 | (r6_3 & 255)] ^ k[28]
  const r7_1 = t[r6_1 >>> 24] ^ t[256 | ((r6_2 >>> 16) & 255)] ^ t[512 | ((r6_3 >>> 8) & 255)] ^ t[768 | (r6_0 & 255)] ^ k[29]
  const r7_2 = t[r6_2 >>> 24] ^ t[256 | ((r6_3 >>> 16) & 255)] ^ t[512 | ((r6_0 >>> 8) & 255)] ^ t[768 | (r6_1 & 255)] ^ k[30]
  const r7_3 = t[r6_3 >>> 24] ^ t[256 | ((r6_0 >>> 16) & 255)] ^ t[512 | ((r6_1 >>> 8) & 255)] ^ t[768 | (r6_2 & 255)] ^ k[31]
  const r8_0 = t[r7_0 >>> 24] ^ t[256 | ((r7_1 >>> 16) & 255)] ^ t[512 | ((r7_2 >>> 8) & 255)] ^ t[768 | (r7_3 & 255)] ^ k[32]
  const r8_1 = t[r7_1 >>> 24] ^ t[256 | ((r7_2 >>> 16) & 255)] ^ t[512 | ((r7_3 >>> 8) & 255)] ^ t[768 | (r7_0 & 255)] ^ k[33]
  const r8_2 = t[r7_2 >>> 24] ^ t[256 | ((r7_3 >>> 16) & 255)] ^ t[512 | ((r7_0 >>> 8) & 255)] ^ t[768 | (r7_1 & 255)] ^ k[34]
  const r8_3 = t[r7_3 >>> 24] ^ t[256 | ((r7_0 >>> 16) & 255)] ^ t[512 | ((r7_1 >>> 8) & 255)] ^ t[768 | (r7_2 & 255)] ^ k[35]
  const r9_0 = t[r8_0 >>> 24] ^ t[256 | ((r8_1 >>> 16) & 255)] ^ t[512 | ((r8_2 >>> 8) & 255)] ^ t[768 | (r8_3 & 255)] ^ k[36]
  const r9_1 = t[r8_1 >>> 24] ^ t[256 | ((r8_2 >>> 16) & 255)] ^ t[512 | ((r8_3 >>> 8) & 255)] ^ t[768 | (r8_0 & 255)] ^ k[37]
  const r9_2 = t[r8_2 >>> 24] ^ t[256 | ((r8_3 >>> 16) & 255)] ^ t[512 | ((r8_0 >>> 8) & 255)] ^ t[768 | (r8_1 & 255)] ^ k[38]
  const r9_3 = t[r8_3 >>> 24] ^ t[256 | ((r8_0 >>> 16) & 255)] ^ t[512 | ((r8_1 >>> 8) & 255)] ^ t[768 | (r8_2 & 255)] ^ k[39]
  const r10_0 = t[r9_0 >>> 24] ^ t[256 | ((r9_1 >>> 16) & 255)] ^ t[512 | ((r9_2 >>> 8) & 255)] ^ t[768 | (r9_3 & 255)] ^ k[40]
  const r10_1 = t[r9_1 >>> 24] ^ t[256 | ((r9_2 >>> 16) & 255)] ^ t[512 | ((r9_3 >>> 8) & 255)] ^ t[768 | (r9_0 & 255)] ^ k[41]
  const r10_2 = t[r9_2 >>> 24] ^ t[256 | ((r9_3 >>> 16) & 255)] ^ t[512 | ((r9_0 >>> 8) & 255)] ^ t[768 | (r9_1 & 255)] ^ k[42]
  const r10_3 = t[r9_3 >>> 24] ^ t[256 | ((r9_0 >>> 16) & 255)] ^ t[512 | ((r9_1 >>> 8) & 255)] ^ t[768 | (r9_2 & 255)] ^ k[43]
  const r11_0 = t[r10_0 >>> 24] ^ t[256 | ((r10_1 >>> 16) & 255)] ^ t[512 | ((r10_2 >>> 8) & 255)] ^ t[768 | (r10_3 & 255)] ^ k[44]
  const r11_1 = t[r10_1 >>> 24] ^ t[256 | ((r10_2 >>> 16) & 255)] ^ t[512 | ((r10_3 >>> 8) & 255)] ^ t[768 | (r10_0 & 255)] ^ k[45]
  const r11_2 = t[r10_2 >>> 24] ^ t[256 | ((r10_3 >>> 16) & 255)] ^ t[512 | ((r10_0 >>> 8) & 255)] ^ t[768 | (r10_1 & 255)] ^ k[46]
  const r11_3 = t[r10_3 >>> 24] ^ t[256 | ((r10_0 >>> 16) & 255)] ^ t[512 | ((r10_1 >>> 8) & 255)] ^ t[768 | (r10_2 & 255)] ^ k[47]
  const r12_0 = t[r11_0 >>> 24] ^ t[256 | ((r11_1 >>> 16) & 255)] ^ t[512 | ((r11_2 >>> 8) & 255)] ^ t[768 | (r11_3 & 255)] ^ k[48]
  const r12_1 = t[r11_1 >>> 24] ^ t[256 | ((r11_2 >>> 16) & 255)] ^ t[512 | ((r11_3 >>> 8) & 255)] ^ t[768 | (r11_0 & 255)] ^ k[49]
  const r12_2 = t[r11_2 >>> 24] ^ t[256 | ((r11_3 >>> 16) & 255)] ^ t[512 | ((r11_0 >>> 8) & 255)] ^ t[768 | (r11_1 & 255)] ^ k[50]
  const r12_3 = t[r11_3 >>> 24] ^ t[256 | ((r11_0 >>> 16) & 255)] ^ t[512 | ((r11_1 >>> 8) & 255)] ^ t[768 | (r11_2 & 255)] ^ k[51]
  const r13_0 = t[r12_0 >>> 24] ^ t[256 | ((r12_1 >>> 16) & 255)] ^ t[512 | ((r12_2 >>> 8) & 255)] ^ t[768 | (r12_3 & 255)] ^ k[52]
  const r13_1 = t[r12_1 >>> 24] ^ t[256 | ((r12_2 >>> 16) & 255)] ^ t[512 | ((r12_3 >>> 8) & 255)] ^ t[768 | (r12_0 & 255)] ^ k[53]
  const r13_2 = t[r12_2 >>> 24] ^ t[256 | ((r12_3 >>> 16) & 255)] ^ t[512 | ((r12_0 >>> 8) & 255)] ^ t[768 | (r12_1 & 255)] ^ k[54]
  const r13_3 = t[r12_3 >>> 24] ^ t[256 | ((r12_0 >>> 16) & 255)] ^ t[512 | ((r12_1 >>> 8) & 255)] ^ t[768 | (r12_2 & 255)] ^ k[55]
  blk[0] = ((t[1024 | (r13_0 >>> 24)] << 24) | (t[1024 | ((r13_1 >>> 16) & 255)] << 16) | (t[1024 | ((r13_2 >>> 8) & 255)] << 8) | t[1024 | (r13_3 & 255)]) ^ k[56]
  blk[1] = ((t[1024 | (r13_1 >>> 24)] << 24) | (t[1024 | ((r13_2 >>> 16) & 255)] << 16) | (t[1024 | ((r13_3 >>> 8) & 255)] << 8) | t[1024 | (r13_0 & 255)]) ^ k[57]
  blk[2] = ((t[1024 | (r13_2 >>> 24)] << 24) | (t[1024 | ((r13_3 >>> 16) & 255)] << 16) | (t[1024 | ((r13_0 >>> 8) & 255)] << 8) | t[1024 | (r13_1 & 255)]) ^ k[58]
  blk[3] = ((t[1024 | (r13_3 >>> 24)] << 24) | (t[1024 | ((r13_0 >>> 16) & 255)] << 16) | (t[1024 | ((r13_1 >>> 8) & 255)] << 8) | t[1024 | (r13_2 & 255)]) ^ k[59]
}

/** Decrypts the 4 words in `blk` in place with decryption round keys `k` (see expandKeyDec); the inverse cipher takes columns in the opposite rotation (InvShiftRows). */
export function decryptBlock(k: number[]): void {
  const t = TD
  const s0 = blk[0] ^ k[0], s1 = blk[1] ^ k[1], s2 = blk[2] ^ k[2], s3 = blk[3] ^ k[3]
  const r1_0 = t[s0 >>> 24] ^ t[256 | ((s3 >>> 16) & 255)] ^ t[512 | ((s2 >>> 8) & 255)] ^ t[768 | (s1 & 255)] ^ k[4]
  const r1_1 = t[s1 >>> 24] ^ t[256 | ((s0 >>> 16) & 255)] ^ t[512 | ((s3 >>> 8) & 255)] ^ t[768 | (s2 & 255)] ^ k[5]
  const r1_2 = t[s2 >>> 24] ^ t[256 | ((s1 >>> 16) & 255)] ^ t[512 | ((s0 >>> 8) & 255)] ^ t[768 | (s3 & 255)] ^ k[6]
  const r1_3 = t[s3 >>> 24] ^ t[256 | ((s2 >>> 16) & 255)] ^ t[512 | ((s1 >>> 8) & 255)] ^ t[768 | (s0 & 255)] ^ k[7]
  const r2_0 = t[r1_0 >>> 24] ^ t[256 | ((r1_3 >>> 16) & 255)] ^ t[512 | ((r1_2 >>> 8) & 255)] ^ t[768 | (r1_1 & 255)] ^ k[8]
  const r2_1 = t[r1_1 >>> 24] ^ t[256 | ((r1_0 >>> 16) & 255)] ^ t[512 | ((r1_3 >>> 8) & 255)] ^ t[768 | (r1_2 & 255)] ^ k[9]
  const r2_2 = t[r1_2 >>> 24] ^ t[256 | ((r1_1 >>> 16) & 255)] ^ t[512 | ((r1_0 >>> 8) & 255)] ^ t[768 | (r1_3 & 255)] ^ k[10]
  const r2_3 = t[r1_3 >>> 24] ^ t[256 | ((r1_2 >>> 16) & 255)] ^ t[512 | ((r1_1 >>> 8) & 255)] ^ t[768 | (r1_0 & 255)] ^ k[11]
  const r3_0 = t[r2_0 >>> 24] ^ t[256 | ((r2_3 >>> 16) & 255)] ^ t[512 | ((r2_2 >>> 8) & 255)] ^ t[768 | (r2_1 & 255)] ^ k[12]
  const r3_1 = t[r2_1 >>> 24] ^ t[256 | ((r2_0 >>> 16) & 255)] ^ t[512 | ((r2_3 >>> 8) & 255)] ^ t[768 | (r2_2 & 255)] ^ k[13]
  const r3_2 = t[r2_2 >>> 24] ^ t[256 | ((r2_1 >>> 16) & 255)] ^ t[512 | ((r2_0 >>> 8) & 255)] ^ t[768 | (r2_3 & 255)] ^ k[14]
  const r3_3 = t[r2_3 >>> 24] ^ t[256 | ((r2_2 >>> 16) & 255)] ^ t[512 | ((r2_1 >>> 8) & 255)] ^ t[768 | (r2_0 & 255)] ^ k[15]
  const r4_0 = t[r3_0 >>> 24] ^ t[256 | ((r3_3 >>> 16) & 255)] ^ t[512 | ((r3_2 >>> 8) & 255)] ^ t[768 | (r3_1 & 255)] ^ k[16]
  const r4_1 = t[r3_1 >>> 24] ^ t[256 | ((r3_0 >>> 16) & 255)] ^ t[512 | ((r3_3 >>> 8) & 255)] ^ t[768 | (r3_2 & 255)] ^ k[17]
  const r4_2 = t[r3_2 >>> 24] ^ t[256 | ((r3_1 >>> 16) & 255)] ^ t[512 | ((r3_0 >>> 8) & 255)] ^ t[768 | (r3_3 & 255)] ^ k[18]
  const r4_3 = t[r3_3 >>> 24] ^ t[256 | ((r3_2 >>> 16) & 255)] ^ t[512 | ((r3_1 >>> 8) & 255)] ^ t[768 | (r3_0 & 255)] ^ k[19]
  const r5_0 = t[r4_0 >>> 24] ^ t[256 | ((r4_3 >>> 16) & 255)] ^ t[512 | ((r4_2 >>> 8) & 255)] ^ t[768 | (r4_1 & 255)] ^ k[20]
  const r5_1 = t[r4_1 >>> 24] ^ t[256 | ((r4_0 >>> 16) & 255)] ^ t[512 | ((r4_3 >>> 8) & 255)] ^ t[768 | (r4_2 & 255)] ^ k[21]
  const r5_2 = t[r4_2 >>> 24] ^ t[256 | ((r4_1 >>> 16) & 255)] ^ t[512 | ((r4_0 >>> 8) & 255)] ^ t[768 | (r4_3 & 255)] ^ k[22]
  const r5_3 = t[r4_3 >>> 24] ^ t[256 | ((r4_2 >>> 16) & 255)] ^ t[512 | ((r4_1 >>> 8) & 255)] ^ t[768 | (r4_0 & 255)] ^ k[23]
  const r6_0 = t[r5_0 >>> 24] ^ t[256 | ((r5_3 >>> 16) & 255)] ^ t[512 | ((r5_2 >>> 8) & 255)] ^ t[768 | (r5_1 & 255)] ^ k[24]
  const r6_1 = t[r5_1 >>> 24] ^ t[256 | ((r5_0 >>> 16) & 255)] ^ t[512 | ((r5_3 >>> 8) & 255)] ^ t[768 | (r5_2 & 255)] ^ k[25]
  const r6_2 = t[r5_2 >>> 24] ^ t[256 | ((r5_1 >>> 16) & 255)] ^ t[512 | ((r5_0 >>> 8) & 255)] ^ t[768 | (r5_3 & 255)] ^ k[26]
  const r6_3 = t[r5_3 >>> 24] ^ t[256 | ((r5_2 >>> 16) & 255)] ^ t[512 | ((r5_1 >>> 8) & 255)] ^ t[768 | (r5_0 & 255)] ^ k[27]
  const r7_0 = t[r6_0 >>> 24] ^ t[256 | ((r6_3 >>> 16) & 255)] ^ t[512 | ((r6_2 >>> 8) & 255)] ^ t[768 | (r6_1 & 255)] ^ k[28]
  const r7_1 = t[r6_1 >>> 24] ^ t[256 | ((r6_0 >>> 16) & 255)] ^ t[512 | ((r6_3 >>> 8) & 255)] ^ t[768 | (r6_2 & 255)] ^ k[29]
  const r7_2 = t[r6_2 >>> 24] ^ t[256 | ((r6_1 >>> 16) & 255)] ^ t[512 | ((r6_0 >>> 8) & 255)] ^ t[768 | (r6_3 & 255)] ^ k[30]
  const r7_3 = t[r6_3 >>> 24] ^ t[256 | ((r6_2 >>> 16) & 255)] ^ t[512 | ((r6_1 >>> 8) & 255)] ^ t[768 | (r6_0 & 255)] ^ k[31]
  const r8_0 = t[r7_0 >>> 24] ^ t[256 | ((r7_3 >>> 16) & 255)] ^ t[512 | ((r7_2 >>> 8) & 255)] ^ t[768 | (r7_1 & 255)] ^ k[32]
  const r8_1 = t[r7_1 >>> 24] ^ t[256 | ((r7_0 >>> 16) & 255)] ^ t[512 | ((r7_3 >>> 8) & 255)] ^ t[768 | (r7_2 & 255)] ^ k[33]
  const r8_2 = t[r7_2 >>> 24] ^ t[256 | ((r7_1 >>> 16) & 255)] ^ t[512 | ((r7_0 >>> 8) & 255)] ^ t[768 | (r7_3 & 255)] ^ k[34]
  const r8_3 = t[r7_3 >>> 24] ^ t[256 | ((r7_2 >>> 16) & 255)] ^ t[512 | ((r7_1 >>> 8) & 255)] ^ t[768 | (r7_0 & 255)] ^ k[35]
  const r9_0 = t[r8_0 >>> 24] ^ t[256 | ((r8_3 >>> 16) & 255)] ^ t[512 | ((r8_2 >>> 8) & 255)] ^ t[768 | (r8_1 & 255)] ^ k[36]
  const r9_1 = t[r8_1 >>> 24] ^ t[256 | ((r8_0 >>> 16) & 255)] ^ t[512 | ((r8_3 >>> 8) & 255)] ^ t[768 | (r8_2 & 255)] ^ k[37]
  const r9_2 = t[r8_2 >>> 24] ^ t[256 | ((r8_1 >>> 16) & 255)] ^ t[512 | ((r8_0 >>> 8) & 255)] ^ t[768 | (r8_3 & 255)] ^ k[38]
  const r9_3 = t[r8_3 >>> 24] ^ t[256 | ((r8_2 >>> 16) & 255)] ^ t[512 | ((r8_1 >>> 8) & 255)] ^ t[768 | (r8_0 & 255)] ^ k[39]
  const r10_0 = t[r9_0 >>> 24] ^ t[256 | ((r9_3 >>> 16) & 255)] ^ t[512 | ((r9_2 >>> 8) & 255)] ^ t[768 | (r9_1 & 255)] ^ k[40]
  const r10_1 = t[r9_1 >>> 24] ^ t[256 | ((r9_0 >>> 16) & 255)] ^ t[512 | ((r9_3 >>> 8) & 255)] ^ t[768 | (r9_2 & 255)] ^ k[41]
  const r10_2 = t[r9_2 >>> 24] ^ t[256 | ((r9_1 >>> 16) & 255)] ^ t[512 | ((r9_0 >>> 8) & 255)] ^ t[768 | (r9_3 & 255)] ^ k[42]
  const r10_3 = t[r9_3 >>> 24] ^ t[256 | ((r9_2 >>> 16) & 255)] ^ t[512 | ((r9_1 >>> 8) & 255)] ^ t[768 | (r9_0 & 255)] ^ k[43]
  const r11_0 = t[r10_0 >>> 24] ^ t[256 | ((r10_3 >>> 16) & 255)] ^ t[512 | ((r10_2 >>> 8) & 255)] ^ t[768 | (r10_1 & 255)] ^ k[44]
  const r11_1 = t[r10_1 >>> 24] ^ t[256 | ((r10_0 >>> 16) & 255)] ^ t[512 | ((r10_3 >>> 8) & 255)] ^ t[768 | (r10_2 & 255)] ^ k[45]
  const r11_2 = t[r10_2 >>> 24] ^ t[256 | ((r10_1 >>> 16) & 255)] ^ t[512 | ((r10_0 >>> 8) & 255)] ^ t[768 | (r10_3 & 255)] ^ k[46]
  const r11_3 = t[r10_3 >>> 24] ^ t[256 | ((r10_2 >>> 16) & 255)] ^ t[512 | ((r10_1 >>> 8) & 255)] ^ t[768 | (r10_0 & 255)] ^ k[47]
  const r12_0 = t[r11_0 >>> 24] ^ t[256 | ((r11_3 >>> 16) & 255)] ^ t[512 | ((r11_2 >>> 8) & 255)] ^ t[768 | (r11_1 & 255)] ^ k[48]
  const r12_1 = t[r11_1 >>> 24] ^ t[256 | ((r11_0 >>> 16) & 255)] ^ t[512 | ((r11_3 >>> 8) & 255)] ^ t[768 | (r11_2 & 255)] ^ k[49]
  const r12_2 = t[r11_2 >>> 24] ^ t[256 | ((r11_1 >>> 16) & 255)] ^ t[512 | ((r11_0 >>> 8) & 255)] ^ t[768 | (r11_3 & 255)] ^ k[50]
  const r12_3 = t[r11_3 >>> 24] ^ t[256 | ((r11_2 >>> 16) & 255)] ^ t[512 | ((r11_1 >>> 8) & 255)] ^ t[768 | (r11_0 & 255)] ^ k[51]
  const r13_0 = t[r12_0 >>> 24] ^ t[256 | ((r12_3 >>> 16) & 255)] ^ t[512 | ((r12_2 >>> 8) & 255)] ^ t[768 | (r12_1 & 255)] ^ k[52]
  const r13_1 = t[r12_1 >>> 24] ^ t[256 | ((r12_0 >>> 16) & 255)] ^ t[512 | ((r12_3 >>> 8) & 255)] ^ t[768 | (r12_2 & 255)] ^ k[53]
  const r13_2 = t[r12_2 >>> 24] ^ t[256 | ((r12_1 >>> 16) & 255)] ^ t[512 | ((r12_0 >>> 8) & 255)] ^ t[768 | (r12_3 & 255)] ^ k[54]
  const r13_3 = t[r12_3 >>> 24] ^ t[256 | ((r12_2 >>> 16) & 255)] ^ t[512 | ((r12_1 >>> 8) & 255)] ^ t[768 | (r12_0 & 255)] ^ k[55]
  blk[0] = ((t[1024 | (r13_0 >>> 24)] << 24) | (t[1024 | ((r13_3 >>> 16) & 255)] << 16) | (t[1024 | ((r13_2 >>> 8) & 255)] << 8) | t[1024 | (r13_1 & 255)]) ^ k[56]
  blk[1] = ((t[1024 | (r13_1 >>> 24)] << 24) | (t[1024 | ((r13_0 >>> 16) & 255)] << 16) | (t[1024 | ((r13_3 >>> 8) & 255)] << 8) | t[1024 | (r13_2 & 255)]) ^ k[57]
  blk[2] = ((t[1024 | (r13_2 >>> 24)] << 24) | (t[1024 | ((r13_1 >>> 16) & 255)] << 16) | (t[1024 | ((r13_0 >>> 8) & 255)] << 8) | t[1024 | (r13_3 & 255)]) ^ k[58]
  blk[3] = ((t[1024 | (r13_3 >>> 24)] << 24) | (t[1024 | ((r13_2 >>> 16) & 255)] << 16) | (t[1024 | ((r13_1 >>> 8) & 255)] << 8) | t[1024 | (r13_0 & 255)]) ^ k[59]
}
