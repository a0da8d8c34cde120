// Constant-time AES-256 by vector permutes (M. Hamburg, "Accelerating AES with Vector Permute
// Instructions", CHES 2009). Every S-box step is a 16-entry byte shuffle indexed by a nibble:
// no secret-dependent address or branch anywhere, key schedule included.
//
// Our arrangement (written for this project; only Hamburg's published tables are shared with
// OpenSSL's vpaes, and their meaning was checked exhaustively over all 256 bytes):
//   ipt(x)   = IPT_LO[x & 15] ^ IPT_HI[x >> 4]: a GF(2)-linear change of basis into the
//              tower field GF((2^4)^2) in which inversion takes 5 shuffles (INV, INVA).
//   SBO(inv(ipt x)) = S(x) ^ 0x63      SB1(..) = ipt(S x) ^ 0x5b      SB2(..) = ipt(2·S x) ^ 0x4e
//   with dipt in place of ipt and input offset 0xe8:
//   DSBO(inv(dipt x ^ 0xe8)) = S⁻¹(x)  DSBc(..) = dipt(c·S⁻¹ x) for c = 9, B, D, E.
// Encryption keeps the state in the ipt basis between rounds; MixColumns is done in that basis
// from S and 2·S with byte rotations inside columns; ShiftRows is folded into those rotations
// (see SRP below). The offsets
// (0x5b, 0x63, 0xe8) are folded into the stored round keys. Decryption is the equivalent inverse
// cipher in the dipt basis. Round keys come from the standard expansion with SubWord computed
// by the same shuffles, then changed into these bases.
import { CT_CONST, DIGEST, IV, KEY, RK_DEC, RK_ENC, SCRATCH, SLOT_CTR, SLOT_KS, SLOT_POS, W_TMP } from './layout'

export const INV = CT_CONST + 0x00
export const INVA = CT_CONST + 0x10
export const IPT_LO = CT_CONST + 0x20
export const IPT_HI = CT_CONST + 0x30
export const SBOU = CT_CONST + 0x40
export const SBOT = CT_CONST + 0x50
export const SB1U = CT_CONST + 0x60
export const SB1T = CT_CONST + 0x70
export const SB2U = CT_CONST + 0x80
export const SB2T = CT_CONST + 0x90
export const DIPT_LO = CT_CONST + 0xa0
export const DIPT_HI = CT_CONST + 0xb0
export const DSBOU = CT_CONST + 0xc0
export const DSBOT = CT_CONST + 0xd0
export const DSB9U = CT_CONST + 0xe0
export const DSB9T = CT_CONST + 0xf0
export const DSBDU = CT_CONST + 0x100
export const DSBDT = CT_CONST + 0x110
export const DSBBU = CT_CONST + 0x120
export const DSBBT = CT_CONST + 0x130
export const DSBEU = CT_CONST + 0x140
export const DSBET = CT_CONST + 0x150
const ROT1 = CT_CONST + 0x160 // out[4c + r] = in[4c + (r + 1) % 4]
const ROT2 = CT_CONST + 0x170
const SR = CT_CONST + 0x180 // ShiftRows: out[4c + r] = in[4((c + r) % 4) + r]
const ISR = CT_CONST + 0x190 // InvShiftRows
const BSWAP = CT_CONST + 0x1a0 // reverses 16 bytes (counter blocks)
// ShiftRows is not applied to the state each round. Instead the state t_r is kept with its
// bytes permuted, s_r = SR^r(t_r); MixColumns' rotations are conjugated accordingly,
// SR^-r ∘ ROT ∘ SR^r, which depends only on r mod 4 (as in vpaes), round keys are stored
// permuted by SR^-r, and one shuffle by SR^14 = SR^2 at the end restores the byte order.
// Decryption does the same with InvShiftRows. Saves 13 shuffles per block.
export const SRP = CT_CONST + 0x200 // SR^q, q = 0..3 (swizzle masks)
export const EROT1 = CT_CONST + 0x240 // SR^-q ∘ ROT1 ∘ SR^q, q = 0..3
export const EROT2 = CT_CONST + 0x280 // SR^-q ∘ ROT2 ∘ SR^q
export const DROT1 = CT_CONST + 0x2c0 // ISR^-q ∘ ROT1 ∘ ISR^q (ISR^q = SR^-q)
export const DROT2 = CT_CONST + 0x300 // ISR^-q ∘ ROT2 ∘ ISR^q
// DSBOU/DSBOT mapped into the dipt basis (dipt is GF(2)-linear: dipt(U[io] ^ T[jo]) = DU[io] ^ DT[jo]):
// IGE decryption computes the next block's first state straight from the last round's inversion
const DSBOUD = CT_CONST + 0x340
const DSBOTD = CT_CONST + 0x350
// key expansion, 4 words at a time (swizzle masks; 0x80 gives a zero byte)
const KX_ROT = CT_CONST + 0x360 // RotWord of word 3, in every word
const KX_W3 = CT_CONST + 0x370 // word 3, in every word
const KX_SH4 = CT_CONST + 0x380 // words shifted up by one (word 0 zero)
const KX_SH8 = CT_CONST + 0x390 // words shifted up by two
// SBOU/SBOT mapped into the ipt basis, for IGE encryption's chaining (as DSBOUD/DSBOTD)
const SBOUI = CT_CONST + 0x3a0
const SBOTI = CT_CONST + 0x3b0

function put(at: usize, lo: u64, hi: u64): void {
  store<u64>(at, lo)
  store<u64>(at, hi, 8)
}

/** Writes the constants; called once at instantiation. */
export function ctInit(): void {
  // Hamburg's tables (as published with vpaes; little-endian qwords, byte 0 = index 0)
  put(INV, 0x0E05060F0D080180, 0x040703090A0B0C02)
  put(INVA, 0x01040A060F0B0780, 0x030D0E0C02050809)
  put(IPT_LO, 0xC2B2E8985A2A7000, 0xCABAE09052227808)
  put(IPT_HI, 0x4C01307D317C4D00, 0xCD80B1FCB0FDCC81)
  put(SBOU, 0xD0D26D176FBDC700, 0x15AABF7AC502A878)
  put(SBOT, 0xCFE474A55FBB6A00, 0x8E1E90D1412B35FA)
  put(SB1U, 0xB19BE18FCB503E00, 0xA5DF7A6E142AF544)
  put(SB1T, 0x3618D415FAE22300, 0x3BF7CCC10D2ED9EF)
  put(SB2U, 0xE27A93C60B712400, 0x5EB7E955BC982FCD)
  put(SB2T, 0x69EB88400AE12900, 0xC2A163C8AB82234A)
  put(DIPT_LO, 0x0F505B040B545F00, 0x154A411E114E451A)
  put(DIPT_HI, 0x86E383E660056500, 0x12771772F491F194)
  put(DSBOU, 0x1387EA537EF94000, 0xC7AA6DB9D4943E2D)
  put(DSBOT, 0x12D7560F93441D00, 0xCA4B8159D8C58E9C)
  put(DSB9U, 0x851C03539A86D600, 0xCAD51F504F994CC9)
  put(DSB9T, 0xC03B1789ECD74900, 0x725E2C9EB2FBA565)
  put(DSBDU, 0x7D57CCDFE6B1A200, 0xF56E9B13882A4439)
  put(DSBDT, 0x3CE2FAF724C6CB00, 0x2931180D15DEEFD3)
  put(DSBBU, 0xD022649296B44200, 0x602646F6B0F2D404)
  put(DSBBT, 0xC19498A6CD596700, 0xF3FF0C3E3255AA6B)
  put(DSBEU, 0x46F2929626D4D000, 0x2242600464B4F6B0)
  put(DSBET, 0x0C55A6CDFFAAC100, 0x9467F36B98593E32)
  // byte permutations (state byte 4c + r = column c, row r)
  put(ROT1, 0x0407060500030201, 0x0C0F0E0D080B0A09)
  put(ROT2, 0x0504070601000302, 0x0D0C0F0E09080B0A)
  put(SR, 0x030E09040F0A0500, 0x0B06010C07020D08)
  put(ISR, 0x0B0E0104070A0D00, 0x0306090C0F020508)
  put(BSWAP, 0x08090A0B0C0D0E0F, 0x0001020304050607)
  // Masks compose as swizzles: applying mask A, then mask B, is the single mask i -> A[B[i]].
  for (let i: usize = 0; i < 16; i++) store<u8>(SRP + i, <u8>i)
  for (let q: usize = 1; q < 4; q++) {
    for (let i: usize = 0; i < 16; i++) store<u8>(SRP + (q << 4) + i, load<u8>(SRP + ((q - 1) << 4) + <usize>load<u8>(SR + i)))
  }
  for (let q: usize = 0; q < 4; q++) {
    conj(EROT1 + (q << 4), SRP + (q << 4), ROT1, SRP + (((4 - q) & 3) << 4))
    conj(EROT2 + (q << 4), SRP + (q << 4), ROT2, SRP + (((4 - q) & 3) << 4))
    conj(DROT1 + (q << 4), SRP + (((4 - q) & 3) << 4), ROT1, SRP + (q << 4))
    conj(DROT2 + (q << 4), SRP + (((4 - q) & 3) << 4), ROT2, SRP + (q << 4))
  }
  v128.store(DSBOUD, lin(tb(DSBOU), DIPT_LO, DIPT_HI))
  v128.store(SBOUI, lin(tb(SBOU), IPT_LO, IPT_HI))
  v128.store(SBOTI, lin(tb(SBOT), IPT_LO, IPT_HI))
  put(KX_ROT, 0x0C0F0E0D0C0F0E0D, 0x0C0F0E0D0C0F0E0D)
  put(KX_W3, 0x0F0E0D0C0F0E0D0C, 0x0F0E0D0C0F0E0D0C)
  put(KX_SH4, 0x0302010080808080, 0x0B0A090807060504)
  put(KX_SH8, 0x8080808080808080, 0x0706050403020100)
  v128.store(DSBOTD, lin(tb(DSBOT), DIPT_LO, DIPT_HI))
}

// dst = the mask of "apply a, then b, then c": i -> a[b[c[i]]]
function conj(dst: usize, a: usize, b: usize, c: usize): void {
  for (let i: usize = 0; i < 16; i++) {
    store<u8>(dst + i, load<u8>(a + <usize>load<u8>(b + <usize>load<u8>(c + i))))
  }
}

// @ts-ignore: decorator
@inline export function swz(t: v128, i: v128): v128 {
  // vpaes indices are < 16 or >= 128, where both swizzles give identical results (0 for >= 128)
  if (ASC_FEATURE_RELAXED_SIMD) return i8x16.relaxed_swizzle(t, i)
  return i8x16.swizzle(t, i)
}
// @ts-ignore: decorator
@inline export function tb(at: usize): v128 { return v128.load(at) }
// @ts-ignore: decorator
@inline export function lo4(x: v128): v128 { return v128.and(x, i8x16.splat(0x0f)) }
// @ts-ignore: decorator
@inline export function hi4(x: v128): v128 { return v128.and(i16x8.shr_u(x, 4), i8x16.splat(0x0f)) }
// @ts-ignore: decorator
@inline export function lin(x: v128, lo: usize, hi: usize): v128 { return v128.xor(swz(tb(lo), lo4(x)), swz(tb(hi), hi4(x))) }

// Tower-field inversion of the state z: from its nibbles i (high), k (low) and j = i ^ k, the
// two indices io and jo, after which any output table pair gives U[io] ^ T[jo]. Callers take
// both halves; their shared steps (k, i, j, a/k) are pure and merged by the optimizers.
// @ts-ignore: decorator
@inline function invIo(z: v128): v128 {
  const k = lo4(z)
  const i = hi4(z)
  const j = v128.xor(i, k)
  return v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), i), swz(tb(INVA), k))), j)
}
// @ts-ignore: decorator
@inline function invJo(z: v128): v128 {
  const k = lo4(z)
  const i = hi4(z)
  const j = v128.xor(i, k)
  return v128.xor(swz(tb(INV), v128.xor(swz(tb(INV), j), swz(tb(INVA), k))), i)
}

// @ts-ignore: decorator
@inline function out2(io: v128, jo: v128, u: usize, t: usize): v128 { return v128.xor(swz(tb(u), io), swz(tb(t), jo)) }

// Inversion, then the output map of the table pair (u, t).
// @ts-ignore: decorator
@inline function sub(z: v128, u: usize, t: usize): v128 { return out2(invIo(z), invJo(z), u, t) }

// One middle encryption round r (1..13, frame q = (r & 3) << 4; keys at rk): the state in the
// ipt basis, its bytes permuted by SR^r.
// @ts-ignore: decorator
@inline function eround(s: v128, rk: usize, q: usize): v128 {
  const io = invIo(s)
  const jo = invJo(s)
  return emix(out2(io, jo, SB1U, SB1T), out2(io, jo, SB2U, SB2T), rk, q)
}

// The 13 middle encryption rounds from the first state s (keys rk + 16 .. rk + 208).
// @ts-ignore: decorator
@inline function eRounds(s: v128, rk: usize): v128 {
  for (let r = 1; r < 14; r++) {
    rk += 16
    s = eround(s, rk, (<usize>r & 3) << 4)
  }
  return s
}

/** One encryption of block x (standard basis) with stored keys at rk. */
// @ts-ignore: decorator
@inline export function ctEncrypt(x: v128, rk: usize): v128 { return ctLast(eRounds(ctFirst(x, rk, true), rk), rk, true) }

// MixColumns and the round key from a = ipt(S) ^ c, a2 = ipt(2S) ^ c' (frame q):
// 2S ^ rot1(3S) ^ rot2(S) ^ rot3(S) = (a2 ^ t) ^ rot1(a2 ^ a ^ t) with t = rot2(a): two shuffles
// (MixColumns has rank 2 over GF(2)[rot]) and two shuffle+xor levels
// @ts-ignore: decorator
@inline function emix(a: v128, a2: v128, rk: usize, q: usize): v128 {
  const t = swz(a, tb(EROT2 + q))
  return v128.xor(v128.xor(v128.xor(a2, v128.load(rk)), t), swz(v128.xor(v128.xor(a2, a), t), tb(EROT1 + q)))
}

// One middle decryption round r (1..13): the state in the dipt basis, its bytes permuted by ISR^r.
// InvMixColumns: E·S ^ rot1(B·S) ^ rot2(D·S) ^ rot3(9·S). One block alone (IGE) is bound by this
// chain's latency: `tree` computes (E·S ^ rot2(D·S)) ^ rot1(B·S ^ rot2(9·S)), 2 shuffle + xor levels
// after the output tables. Interleaved blocks (the batch) are bound by throughput, where the Horner
// form E·S ^ rot1(B·S ^ rot1(D·S ^ rot1(9·S))), 3 levels but one mask and fewer live values, is
// faster (4 x 4 KiB: ~6% relaxed SIMD, ~10% baseline), and the tree is ~3% faster alone.
// @ts-ignore: decorator
@inline function dround(s: v128, rk: usize, q: usize, tree: bool): v128 {
  const io = invIo(s)
  const jo = invJo(s)
  const r1 = tb(DROT1 + q)
  if (tree) {
    const r2 = tb(DROT2 + q)
    const n = v128.xor(out2(io, jo, DSBBU, DSBBT), swz(out2(io, jo, DSB9U, DSB9T), r2))
    const e = v128.xor(v128.xor(out2(io, jo, DSBEU, DSBET), v128.load(rk)), swz(out2(io, jo, DSBDU, DSBDT), r2))
    return v128.xor(e, swz(n, r1))
  }
  let m = swz(out2(io, jo, DSB9U, DSB9T), r1)
  m = swz(v128.xor(out2(io, jo, DSBDU, DSBDT), m), r1)
  m = swz(v128.xor(out2(io, jo, DSBBU, DSBBT), m), r1)
  return v128.xor(v128.xor(out2(io, jo, DSBEU, DSBET), v128.load(rk)), m)
}

// The 13 middle decryption rounds from the first state s (keys rk + 16 .. rk + 208).
// @ts-ignore: decorator
@inline function dRounds(s: v128, rk: usize): v128 {
  for (let r = 1; r < 14; r++) {
    rk += 16
    s = dround(s, rk, (<usize>r & 3) << 4, true)
  }
  return s
}

/** One decryption of block x with the stored decryption keys at rk. */
// @ts-ignore: decorator
@inline export function ctDecrypt(x: v128, rk: usize): v128 { return ctLast(dRounds(ctFirst(x, rk, false), rk), rk, false) }

// The block cipher in steps, for code that interleaves independent blocks (mtproto.ts's batch):
// ctFirst with the stored keys at rk, ctRound for r = 1..13 (keys at rk + 16r, frame
// q = (r & 3) << 4), then ctLast. `enc` is a constant: encryption or decryption keys and bases.
// @ts-ignore: decorator
@inline export function ctFirst(x: v128, rk: usize, enc: bool): v128 {
  return v128.xor(lin(x, enc ? IPT_LO : DIPT_LO, enc ? IPT_HI : DIPT_HI), v128.load(rk))
}
// @ts-ignore: decorator
@inline export function ctRound(s: v128, rk: usize, q: usize, enc: bool): v128 { return enc ? eround(s, rk, q) : dround(s, rk, q, false) }
// @ts-ignore: decorator
@inline export function ctLast(s: v128, rk: usize, enc: bool): v128 {
  // the state's bytes are permuted by SR^14 = SR^2 (ISR^14 = SR^2 too); the stored last key is plain
  return v128.xor(swz(sub(s, enc ? SBOU : DSBOU, enc ? SBOT : DSBOT), tb(SRP + 32)), v128.load(rk, 224))
}

// @ts-ignore: decorator
@inline function sbox(x: v128): v128 {
  return v128.xor(sub(lin(x, IPT_LO, IPT_HI), SBOU, SBOT), i8x16.splat(0x63))
}

// @ts-ignore: decorator
@inline function xt(v: v128): v128 {
  return v128.xor(i8x16.add(v, v), v128.and(i8x16.lt_s(v, i64x2.splat(0)), i8x16.splat(0x1b)))
}

function invMix(v: v128): v128 {
  const v2 = xt(v)
  const v4 = xt(v2)
  const v8 = xt(v4)
  const n9 = v128.xor(v8, v)
  const nb = v128.xor(n9, v2)
  const nd = v128.xor(n9, v4)
  const ne = v128.xor(v8, v128.xor(v4, v2))
  let m = v128.xor(nd, swz(n9, tb(ROT1)))
  m = v128.xor(nb, swz(m, tb(ROT1)))
  return v128.xor(ne, swz(m, tb(ROT1)))
}

/**
 * Expands the key at KEY. Encryption keys go to `enc` (if non-zero), decryption keys to
 * RK_DEC (if `dec`). Stored forms: enc ipt(k0), ipt(k_r) ^ 0x5b, k14 ^ 0x63;
 * dec dipt(k14) ^ 0xe8, dipt(InvMix(k_{14-r})) ^ 0xe8, k0.
 */
function expand(enc: usize, dec: bool): void {
  // standard AES-256 expansion on little-endian words (byte 0 of a word in the low bits)
  // w[i] = w[i-8] ^ f(w[i-1]) four words at a time: a prefix xor of the words 8 back, then the
  // S-boxed word (all 16 bytes go through the constant-time S-box; one word is kept, broadcast)
  const w = W_TMP
  let a = v128.load(KEY)
  let b = v128.load(KEY, 16)
  v128.store(w, a)
  v128.store(w, b, 16)
  let rcon: u32 = 1
  for (let o: usize = 32; ; o += 32) {
    a = v128.xor(a, swz(a, tb(KX_SH4)))
    a = v128.xor(v128.xor(a, swz(a, tb(KX_SH8))), v128.xor(swz(sbox(b), tb(KX_ROT)), i32x4.splat(rcon)))
    v128.store(w + o, a)
    if (o == 224) break
    rcon <<= 1
    b = v128.xor(b, swz(b, tb(KX_SH4)))
    b = v128.xor(v128.xor(b, swz(b, tb(KX_SH8))), swz(sbox(a), tb(KX_W3)))
    v128.store(w + o, b, 16)
  }
  if (enc) {
    v128.store(enc, lin(v128.load(w), IPT_LO, IPT_HI))
    for (let r: usize = 1; r < 14; r++) {
      const k = swz(v128.load(w + (r << 4)), tb(SRP + (((4 - r) & 3) << 4))) // SR^-r
      v128.store(enc + (r << 4), v128.xor(lin(k, IPT_LO, IPT_HI), i8x16.splat(0x5b)))
    }
    v128.store(enc + 224, v128.xor(v128.load(w + 224), i8x16.splat(0x63)))
  }
  if (dec) {
    v128.store(RK_DEC, v128.xor(lin(v128.load(w + 224), DIPT_LO, DIPT_HI), i8x16.splat(<i8>0xe8)))
    for (let r: usize = 1; r < 14; r++) {
      const k = swz(invMix(v128.load(w + ((14 - r) << 4))), tb(SRP + ((r & 3) << 4))) // ISR^-r = SR^r
      v128.store(RK_DEC + (r << 4), v128.xor(lin(k, DIPT_LO, DIPT_HI), i8x16.splat(<i8>0xe8)))
    }
    v128.store(RK_DEC + 224, v128.load(w))
  }
  memory.fill(w, 0, 240)
}

export function ctExpandEnc(): void { expand(RK_ENC, false) }
export function ctExpandDec(): void { expand(0, true) }

/**
 * IGE encryption, c_i = E(m_i ^ c_{i-1}) ^ m_{i-1}, and decryption, m_i = D(c_i ^ m_{i-1}) ^ c_{i-1}:
 * one loop (two compiled copies, `enc` is a constant), y_i = F(x_i ^ a) ^ b, then a = y_i,
 * b = x_i, with (a, b) = (c, m) for encryption and (m, c) for decryption. The chain from one
 * block's last inversion to the next block's first is kept short: F's first step is linear (the
 * input basis ipt / dipt, then a key), so the next first state is
 * SR^2(U'[io] ^ T'[jo]) ^ basis(x_{i+1} ^ b) ^ (basis(k14) ^ rk0), with the output tables mapped
 * into the input basis (SBOUI/SBOTI, DSBOUD/DSBOTD) and everything but the first term computed
 * off the chain; y_i itself comes from the same io, jo through the plain output tables.
 */
// @ts-ignore: decorator
@inline function ige(ptr: usize, len: usize, enc: bool): void {
  if (len == 0) return
  const rk = enc ? RK_ENC : RK_DEC
  const bLo = enc ? IPT_LO : DIPT_LO
  const bHi = enc ? IPT_HI : DIPT_HI
  const ivA: usize = enc ? 0 : 16
  let a = v128.load(IV + ivA)
  let b = v128.load(IV + (16 - ivA))
  const k14 = v128.load(rk, 224)
  v128.store(W_TMP, v128.xor(lin(k14, bLo, bHi), v128.load(rk)), 16) // basis(k14) ^ rk0
  const end = ptr + len
  let s = v128.xor(lin(v128.xor(v128.load(ptr), a), bLo, bHi), v128.load(rk))
  for (let p = ptr; p < end; p += 16) {
    const x = v128.load(p)
    const xn = v128.load(select<usize>(p + 16, p, p + 16 < end)) // the next block (any block after the last)
    // through memory, so that V8 computes it here, in the shadow of the rounds, not after them
    v128.store(W_TMP, v128.xor(lin(v128.xor(xn, b), bLo, bHi), v128.load(W_TMP, 16)))
    const t = enc ? eRounds(s, rk) : dRounds(s, rk)
    const io = invIo(t)
    const jo = invJo(t)
    s = v128.xor(swz(out2(io, jo, enc ? SBOUI : DSBOUD, enc ? SBOTI : DSBOTD), tb(SRP + 32)), v128.load(W_TMP))
    a = v128.xor(v128.xor(swz(out2(io, jo, enc ? SBOU : DSBOU, enc ? SBOT : DSBOT), tb(SRP + 32)), k14), b)
    v128.store(p, a)
    b = x
  }
  v128.store(IV + ivA, a)
  v128.store(IV + (16 - ivA), b)
  memory.fill(W_TMP, 0, 32)
}

export function ctIgeEncrypt(ptr: usize, len: usize): void { ige(ptr, len, true) }
export function ctIgeDecrypt(ptr: usize, len: usize): void { ige(ptr, len, false) }

/** One-call IGE over SCRATCH[0, len): schedule from KEY, chaining from IV, then key material zeroed. */
export function ctIgeEncryptOnce(len: usize): void {
  expand(RK_ENC, false)
  ctIgeEncrypt(SCRATCH, len)
  memory.fill(KEY, 0, DIGEST + 64 - KEY)
}
export function ctIgeDecryptOnce(len: usize): void {
  expand(0, true)
  ctIgeDecrypt(SCRATCH, len)
  memory.fill(KEY, 0, DIGEST + 64 - KEY)
}

/** CTR slot init from KEY and IV: stored encryption keys, counter, empty keystream buffer. */
export function ctCtrInit(slot: usize): void {
  expand(slot, false)
  memory.copy(slot + SLOT_CTR, IV, 16)
  store<u32>(slot + SLOT_POS, 64)
}

// counter + n as a block (the counter is big-endian; we add on a byte-reversed copy)
// @ts-ignore: decorator
@inline function ctrBlock(hi: u64, lo: u64): v128 {
  return swz(i64x2.replace_lane(i64x2.splat(lo), 1, hi), tb(BSWAP))
}

/** Four counter blocks encrypted side by side (independent chains keep the core busy). */
function ctrFill4(slot: usize, dst: usize, src: usize): void {
  let hi = bswap<u64>(load<u64>(slot + SLOT_CTR))
  let lo = bswap<u64>(load<u64>(slot + SLOT_CTR, 8))
  const b0 = ctrBlock(hi, lo)
  lo += 1; hi += <u64>(lo == 0)
  const b1 = ctrBlock(hi, lo)
  lo += 1; hi += <u64>(lo == 0)
  const b2 = ctrBlock(hi, lo)
  lo += 1; hi += <u64>(lo == 0)
  const b3 = ctrBlock(hi, lo)
  lo += 1; hi += <u64>(lo == 0)
  store<u64>(slot + SLOT_CTR, bswap<u64>(hi))
  store<u64>(slot + SLOT_CTR, bswap<u64>(lo), 8)
  v128.store(dst, v128.xor(v128.load(src), ctEncrypt(b0, slot)))
  v128.store(dst, v128.xor(v128.load(src, 16), ctEncrypt(b1, slot)), 16)
  v128.store(dst, v128.xor(v128.load(src, 32), ctEncrypt(b2, slot)), 32)
  v128.store(dst, v128.xor(v128.load(src, 48), ctEncrypt(b3, slot)), 48)
}

export function ctCtrProcess(slot: usize, ptr: usize, len: usize): void {
  let pos = <usize>load<u32>(slot + SLOT_POS)
  const ks = slot + SLOT_KS
  const end = ptr + len
  let p = ptr
  while (p < end && pos < 64) {
    store<u8>(p, load<u8>(p) ^ load<u8>(ks + pos))
    p++
    pos++
  }
  while (end - p >= 64) {
    ctrFill4(slot, p, p)
    p += 64
  }
  if (p < end) {
    memory.fill(ks, 0, 64)
    ctrFill4(slot, ks, ks)
    pos = 0
    while (p < end) {
      store<u8>(p, load<u8>(p) ^ load<u8>(ks + pos))
      p++
      pos++
    }
  }
  store<u32>(slot + SLOT_POS, <u32>pos)
}
