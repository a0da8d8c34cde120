/**
 * SRP (src/auth/srp.ts) against the public vectors (checklist C rows 3–5):
 * grammers-crypto/src/two_factor_auth.rs check_calculations_1 (toy prime 47) and _2 (the real
 * prime), mtcute's PH2 for "qwe123" (packages/core/src/utils/crypto/password.test.ts), on every
 * big-number path; and a server computed from the spec's formulas on BigInt accepting our M1.
 */
import { describe, expect, it } from 'vitest'
import { checkPasswordSrp, srpM1, srpPasswordHash } from '../../src/auth/srp.js'
import { TELEGRAM_DH_PRIME } from '../../src/auth/dh.js'
import { createHash } from 'node:crypto'
import { big, bytes, hex, PATHS, refModPow, seededCrypto, unhex } from './helpers.js'

const crypto = seededCrypto(61)

describe.each(PATHS)('srpM1 on $name', ({ opts }) => {
  it("grammers' check_calculations_1 (p = 47, g = 3, a = 6, g_b = 5, x from password 07)", async () => {
    const x = await srpPasswordHash(crypto, Uint8Array.of(7), Uint8Array.of(1), Uint8Array.of(2))
    const p = new Uint8Array(256)
    p[255] = 47
    const { A, M1 } = srpM1(crypto, { p, g: 3, salt1: Uint8Array.of(1), salt2: Uint8Array.of(2), gB: Uint8Array.of(5), a: Uint8Array.of(6), x }, opts)
    expect(hex(M1)).toBe('9d83c46700b874e807c455e711241ede9eea62583b3847d7b77b7a32132036ce')
    expect(hex(A)).toBe('00'.repeat(255) + '18')
  })
  it("grammers' check_calculations_2 (the real prime, password \"234567\")", async () => {
    const salt1 = unhex('5f483c38bd0986e7cdc95ae138ef4f49b951c1f81c713fecdef3af692cec4b4716ac9b770a195ebe')
    const salt2 = unhex('b616fc6bbedf511119c5ed34629527f1')
    const x = await srpPasswordHash(crypto, unhex('323334353637'), salt1, salt2)
    const { A, M1 } = srpM1(crypto, {
      p: unhex('c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c3720fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f642477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b'),
      g: 3, salt1, salt2,
      gB: unhex('93f70ebd50f6426aca2568769599f91f24d01284cc51a449e62dcc1527dfe50126b2aa44238e4fb2331419ed4aebf1a0ae15e03abd18bfc52ca6baec564c13b5a1d2e357799897757bb736fdc2ceb1b56aacf19ab3548d6d922a522f0b51f40124c3bc9936aff3e1dcfbea39ac9ad2addc6af0ad30783278bbb84cab0ed8464b0ffeb2b0c93a39a5d97dba0105672ca5475373d8d23e54a6ac9bed9519e8bef4f00719f5ad56151be5537648df2f8e3e7265cb57fb94a054ce2a82b8cc664ad060e0d6c6df1879345440eb977fa0f2d36f31a253d8917732f133d40033a34b6152969b600d59cdabfea2ab2393ad659e56d66e13605b1f61e48e3cd65c0f58ac'),
      a: unhex('bf31574f34fce1e53891c59b7f62468a0ca682da8585df8de0a18873359755fbb1818878a9ee919bb1e94d20c5f0607e02a33176199bf3220256c9ea1a69f395a515d20539d88cda750a5252fb864f573f2b032f3b467d08b34fd9c89d1c5d06278e113e51d4e893c1c027455af4653f096607a4156d94fb8e1dc7cee5bfe32850982f941ae4414e83bf22df56270b43b7ccc44c26d40886464da8e344a8540795b8f69b8f508552a723cd6931e1d69204e8e9dc056f0a2a10a0d7951e355f3edef5a5e18a9091295a51eb9db10b8b0d30489c8d29bc0cd86e97781f5e30c5b6bfe7caf4aae81b282e653ac48aa1a8fde789722bc04f4320cd9f86849fe05ca4'),
      x,
    }, opts)
    expect(hex(M1)).toBe('4d7af412c5a2e7b15467376bd118b853604e687b31f51c4980c4d7c1876613e3')
    expect(hex(A)).toBe('0fa12bc655b1187a28296a69ae565d682782e0ceb05a089c0c41c1dce983dc7f4a53434ea78e065d9e1cb60e427b4468a4780609feba2f55654ee2efe0aeb72edafde2652e26ed5b4d4baad9d2a381806af63416bf6263df45a43d85be5401bc223ebfac09421caddd7e260bd6b86542133c048d6cd54b38d8e2ccdf6b550e875b1353a4acfe3292ffb56a0f58b2a39027c9bfdd91fd4c531d23c77d6e8f7d583eaeea316dedded69935296ce7ea34e9be6ef2fbd829eac4c9bd646dc1563e47f77b91431ca002cf79fc149d968272835c15ca1c6b2c5e03712a2e1b5d52f5e4faa1c16cb177fafd96a6aa5b4b3f4c649915644b63855cfb38561ff17fedfb8a')
  })
})

describe('srpPasswordHash', () => {
  it("mtcute's PH2 of \"qwe123\"", async () => {
    const x = await srpPasswordHash(crypto, 'qwe123', unhex('9b3accc457c0d5288e8cff31eb21094048bc11902f6614dbb9afb839ee7641c37619537d8ebe749e'), unhex('6c619bb0786dc4ed1bf211d23f6e4065'))
    expect(hex(x)).toBe('750f1fe282965e63ce17b98427b35549fb864465211840f6a7c1f2fb657cc33b')
  })
})

/** The server's side, written from the spec with BigInt and node:crypto only. */
function serverVerify(p: bigint, g: number, salt1: Uint8Array, salt2: Uint8Array, v: bigint, b: bigint, gA: Uint8Array, gB: Uint8Array, M1: Uint8Array): boolean {
  const H = (...parts: Uint8Array[]) => new Uint8Array(createHash('sha256').update(Buffer.concat(parts)).digest())
  const pad = (n: bigint) => bytes(n, 256)
  const u = big(H(gA, gB))
  const sB = refModPow((big(gA) * refModPow(v, u, p)) % p, b, p)
  const kB = H(pad(sB))
  const hp = H(pad(p)), hg = H(pad(BigInt(g)))
  const M2 = H(hp.map((x, i) => x ^ hg[i]), H(salt1), H(salt2), gA, gB, kB)
  return hex(M2) === hex(M1)
}

describe.each(PATHS)('checkPasswordSrp on $name', ({ opts }) => {
  it('a server following the spec accepts our M1 for the right password and refuses it for a wrong one', async () => {
    const P = big(TELEGRAM_DH_PRIME)
    const salt1 = crypto.randomBytes(40), salt2 = crypto.randomBytes(16)
    const x = big(await srpPasswordHash(crypto, 'correct horse', salt1, salt2))
    const v = refModPow(3n, x, P)
    const H = (...parts: Uint8Array[]) => new Uint8Array(createHash('sha256').update(Buffer.concat(parts)).digest())
    const k = big(H(TELEGRAM_DH_PRIME, bytes(3n, 256)))
    const b = big(crypto.randomBytes(256))
    const gB = bytes((k * v + refModPow(3n, b, P)) % P, 256)
    const params = { salt1, salt2, g: 3, p: TELEGRAM_DH_PRIME, srpB: gB, srpId: 42n }
    const good = await checkPasswordSrp(crypto, params, 'correct horse', { bignum: opts })
    expect(good.srp_id).toBe(42n)
    expect(good.A.length).toBe(256)
    expect(serverVerify(P, 3, salt1, salt2, v, b, good.A, gB, good.M1)).toBe(true)
    const bad = await checkPasswordSrp(crypto, params, 'correct horse!', { bignum: opts })
    expect(serverVerify(P, 3, salt1, salt2, v, b, bad.A, gB, bad.M1)).toBe(false)
  })
})

describe('checkPasswordSrp checks its parameters', () => {
  const base = { salt1: Uint8Array.of(1), salt2: Uint8Array.of(2), g: 3, p: TELEGRAM_DH_PRIME, srpB: bytes(1n << 2000n, 256), srpId: 1n }
  const code = async (p: Partial<typeof base>) => {
    try {
      await checkPasswordSrp(crypto, { ...base, ...p }, 'pw')
    } catch (e) {
      return (e as { code: string }).code
    }
  }
  it('p not a safe prime, bad g, srp_B out of range', async () => {
    expect(await code({ p: bytes(big(TELEGRAM_DH_PRIME) + 12000036n, 256) })).toBe('E_DH_PRIME')
    expect(await code({ g: 9 })).toBe('E_DH_G')
    expect(await code({ srpB: bytes(1n, 256) })).toBe('E_DH_RANGE')
    expect(await code({ srpB: bytes(big(TELEGRAM_DH_PRIME) - 1n, 256) })).toBe('E_DH_RANGE')
    expect(await code({})).toBeUndefined()
  })
})
