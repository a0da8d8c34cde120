/**
 * The 2FA password check (core.telegram.org/api/srp) for
 * passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow: the password hash
 * (PH2, PBKDF2 through WebCrypto where present) and SRP's g_a and M1 for inputCheckPasswordSRP.
 * Every modular operation on secrets (g^a, g^x, k·v, g_b − k·v, a + u·x, t^(a + u·x)) runs on the
 * constant-time paths (node:crypto's modexp, the WASM Montgomery core); only without WebAssembly
 * do they fall back to BigInt (not constant-time).
 */
import type { Crypto } from '../crypto/types.js'
import { concat, utf8 } from '../bytes.js'
import { fromBigInt, leftPad, modMul, modPow, modSub, mulAdd, stripLeadingZeros, toBigInt, type BignumOptions } from '../crypto/bignum/index.js'
import type { PrimeOptions } from '../crypto/bignum/prime.js'
import { checkDhConfig, checkDhPublic, DH_BYTES } from './dh.js'
import { fail } from './errors.js'

/** The algorithm's parameters as account.password carries them (current_algo, srp_B, srp_id). */
export interface SrpParams {
  /** passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow fields. */
  readonly salt1: Uint8Array
  readonly salt2: Uint8Array
  readonly g: number
  readonly p: Uint8Array
  /** account.password's srp_B (the server's g_b) and srp_id. */
  readonly srpB: Uint8Array
  readonly srpId: bigint
}

/** inputCheckPasswordSRP#d27ff082 srp_id:long A:bytes M1:bytes, for auth.checkPassword and friends. */
export interface InputCheckPasswordSRP {
  readonly _: 'inputCheckPasswordSRP'
  readonly srp_id: bigint
  readonly A: Uint8Array
  readonly M1: Uint8Array
}

const H = (crypto: Crypto, ...parts: Uint8Array[]): Uint8Array => crypto.sha256(concat(...parts))
/** SH(data, salt) := H(salt | data | salt) */
const SH = (crypto: Crypto, data: Uint8Array, salt: Uint8Array): Uint8Array => H(crypto, salt, data, salt)
/** "the numbers must be used in big-endian form, padded to 2048 bits" */
const pad = (b: Uint8Array): Uint8Array => {
  const r = leftPad(b, DH_BYTES)
  if (!r) fail('E_SRP', 'a number does not fit 2048 bits')
  return r
}

/**
 * x := PH2(password, salt1, salt2) := SH(pbkdf2(sha512, PH1(password, salt1, salt2), salt1, 100000), salt2),
 * PH1(password, salt1, salt2) := SH(SH(password, salt1), salt2).
 */
export async function srpPasswordHash(crypto: Crypto, password: string | Uint8Array, salt1: Uint8Array, salt2: Uint8Array): Promise<Uint8Array> {
  const pw = typeof password === 'string' ? utf8(password) : password
  const ph1 = SH(crypto, SH(crypto, pw, salt1), salt2)
  const k = await crypto.pbkdf2Sha512(ph1, salt1, 100_000)
  return SH(crypto, k, salt2)
}

export interface SrpMathInput {
  readonly p: Uint8Array
  readonly g: number
  readonly salt1: Uint8Array
  readonly salt2: Uint8Array
  /** The server's srp_B. */
  readonly gB: Uint8Array
  /** The client's secret exponent (2048 bits, or any length in tests). */
  readonly a: Uint8Array
  /** PH2 of the password. */
  readonly x: Uint8Array
}

/**
 * The SRP arithmetic for a given a and x (pure: the recorded vectors replay through it):
 * g_a := pow(g, a) mod p; k := H(p | g); u := H(g_a | g_b); v := pow(g, x) mod p;
 * k_v := (k * v) mod p; t := (g_b - k_v) mod p; s_a := pow(t, a + u * x) mod p; k_a := H(s_a);
 * M1 := H(H(p) xor H(g) | H(salt1) | H(salt2) | g_a | g_b | k_a). No parameter checks here:
 * `checkPasswordSrp` makes them.
 */
export function srpM1(crypto: Crypto, input: SrpMathInput, opts?: BignumOptions): { A: Uint8Array; M1: Uint8Array } {
  const p = stripLeadingZeros(input.p)
  const pP = pad(p)
  const gP = pad(fromBigInt(BigInt(input.g)))
  const gB = pad(input.gB)
  const secret = { ...opts, secret: true }
  const g = reduce(fromBigInt(BigInt(input.g)), p)
  const gA = pad(modPow(g, input.a, p, secret))
  const k = H(crypto, pP, gP)
  const u = H(crypto, gA, gB)
  const v = modPow(g, input.x, p, secret)
  // k and g_b are public: reduced on BigInt (k < 2^256 < p already for a real prime)
  const kv = modMul(reduce(k, p), v, p, opts)
  const t = modSub(reduce(input.gB, p), kv, p, opts)
  const exp = mulAdd(u, input.x, input.a, Math.max(input.a.length, 64) + 1, opts)
  const sA = pad(modPow(t, exp, p, secret))
  const kA = H(crypto, sA)
  const hp = H(crypto, pP)
  const hg = H(crypto, gP)
  for (let i = 0; i < 32; i++) hp[i] ^= hg[i]
  const M1 = H(crypto, hp, H(crypto, input.salt1), H(crypto, input.salt2), gA, gB, kA)
  for (const b of [v, kv, t, exp, sA, kA]) b.fill(0)
  return { A: gA, M1 }
}

/** A public number b mod m, as m's length in bytes. */
function reduce(b: Uint8Array, m: Uint8Array): Uint8Array {
  return fromBigInt(toBigInt(b) % toBigInt(m), m.length)
}

export interface CheckPasswordOptions {
  bignum?: BignumOptions
  prime?: PrimeOptions
  /** The secret exponent a (256 bytes); default from `crypto`'s RNG. For tests. */
  a?: Uint8Array
}

/**
 * Builds inputCheckPasswordSRP for `password`. Checks the parameters first, as the spec asks of
 * the client ("p is a safe 2048-bit prime … g generates a cyclic subgroup of prime order
 * (p-1)/2", shared with the auth-key check and its cache) and srp_B's range; `E_SRP`,
 * `E_DH_PRIME`, `E_DH_G` or `E_DH_RANGE` otherwise.
 */
export async function checkPasswordSrp(crypto: Crypto, params: SrpParams, password: string | Uint8Array, opts: CheckPasswordOptions = {}): Promise<InputCheckPasswordSRP> {
  if (!params || !(params.p instanceof Uint8Array) || !(params.srpB instanceof Uint8Array)) fail('E_OPTION', 'params must hold p, g, salt1, salt2, srpB and srpId')
  checkDhConfig(params.p, params.g, { ...opts.bignum, ...opts.prime })
  checkDhPublic(params.srpB, params.p, 'srp_B')
  const x = await srpPasswordHash(crypto, password, params.salt1, params.salt2)
  const a = opts.a ?? crypto.randomBytes(DH_BYTES)
  try {
    const { A, M1 } = srpM1(crypto, { p: params.p, g: params.g, salt1: params.salt1, salt2: params.salt2, gB: params.srpB, a, x }, opts.bignum)
    checkDhPublic(A, params.p, 'g_a')
    return { _: 'inputCheckPasswordSRP', srp_id: params.srpId, A, M1 }
  } finally {
    x.fill(0)
    if (!opts.a) a.fill(0)
  }
}
