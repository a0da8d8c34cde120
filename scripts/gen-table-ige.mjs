#!/usr/bin/env node
// Writes assembly/ige.ts: the table core's IGE loops with the 14 rounds written out (see the
// header it writes). Usage: node scripts/gen-table-ige.mjs [encOrder [decOrder]] > assembly/ige.ts
// With --block, writes assembly/aes-block.ts instead: the table core's one-block encryption for
// CTR, its 13 inner rounds written out the same way (node scripts/gen-table-ige.mjs --block > assembly/aes-block.ts).
// An order is 'col[k]:JORD:KORD' (input word j in JORD, its four lookups in KORD; k: the round
// key is XORed first) or 'row[k]:CORD:KORD' (output word c in CORD, its terms in KORD). The
// defaults are the fastest measured on x64 Node 20; every order computes the same bytes.
const E = [0, 1, 2, 3].map((k) => (x) => `f${k}(${x})`)
const N = [0, 1, 2, 3].map((k) => (w) => `n${k}(${w})`)
const hex = (n) => '0x' + n.toString(16)
function block(enc, order, ind) {
  const T = enc ? 'TE64' : 'TD64'
  const RK = 'RK_ENC'
  const rko = (r, c) => (enc ? 16 * r : 16 * (14 - r)) + 4 * c
  const src = (c, k) => enc ? (c + k) & 3 : (c - k + 4) & 3
  const toff = (k) => (k ? ` + ${hex(k * 0x800)}` : '')
  const L = []
  for (let c = 0; c < 4; c++) L.push(`const w${c} = load<u32>(p, ${4 * c}) ^ v${c} ^ load<u32>(0, ${RK}${rko(0, c) ? ' + ' + rko(0, c) : ''})`)
  for (let c = 0; c < 4; c++) {
    const t = [0, 1, 2, 3].map((k) => `load<u64>(${N[k]('w' + src(c, k))}, ${T}${toff(k)})`)
    L.push(`let x${c} = ${t.join(' ^ ')} ^ load<u64>(0, RK64${c ? ' + ' + 8 * c : ''})`)
  }
  L.push('let y0: u64, y1: u64, y2: u64, y3: u64')
  for (let r = 2; r < 14; r++) {
    const [i, o] = r & 1 ? ['y', 'x'] : ['x', 'y']
    const rk = (c) => `load<u64>(0, RK64 + ${32 * (r - 1) + 8 * c})`
    // order: 'row[k]:CORD:KORD' (output c in CORD, terms in KORD, k = round key first) or
    // 'col[k]:JORD:KORD' (input word j in JORD, its lookups in KORD)
    const [mode, o1 = '0123', o2 = '0123'] = order.split(':')
    const P1 = [...o1].map(Number), P2 = [...o2].map(Number)
    const kfirst = mode.endsWith('k')
    if (mode.startsWith('row')) {
      for (const c of P1) {
        const t = P2.map((k) => `load<u64>(${E[k](i + src(c, k))}, ${T}${toff(k)})`)
        L.push(kfirst ? `${o}${c} = ${rk(c)} ^ ${t.join(' ^ ')}` : `${o}${c} = ${t.join(' ^ ')} ^ ${rk(c)}`)
      }
    } else {
      const first = [true, true, true, true]
      for (const j of P1) for (const k of P2) {
        const c = enc ? (j - k + 4) & 3 : (j + k) & 3
        const t = `load<u64>(${E[k](i + j)}, ${T}${toff(k)})`
        if (first[c]) { L.push(kfirst ? `${o}${c} = ${rk(c)} ^ ${t}` : `${o}${c} = ${t} ^ ${rk(c)}`); first[c] = false }
        else L.push(`${o}${c} ^= ${t}`)
      }
    }
  }
  const boff = enc ? '' : ' + 1'
  for (let c = 0; c < 4; c++) {
    const t = [0, 1, 2, 3].map((k) => `(<u32>load<u8>(${E[k]('x' + src(c, k))}, SB8${boff})${k ? ' << ' + 8 * k : ''})`)
    L.push(`v${c} = (${t.join(' | ')}) ^ load<u32>(0, ${RK}${rko(14, c) ? ' + ' + rko(14, c) : ''}) ^ load<u32>(prevIn, ${4 * c})`)
  }
  return L.map((l) => ind + l).join('\n')
}
function fn(enc, order) {
  const name = enc ? 'tabIgeEncrypt' : 'tabIgeDecrypt'
  const outIV = enc ? 'IV' : 'IV + 16' // chaining value that is the previous output
  const inIV = enc ? 'IV + 16' : 'IV'
  return `export function ${name}(ptr: usize, len: usize): void {
  ${enc ? 'tabSpreadKeysEnc' : 'tabSpreadKeysDec'}()
  let prevIn = TMP_A
  let curIn = TMP_B
  memory.copy(prevIn, ${inIV}, 16)
  let v0 = load<u32>(${outIV}), v1 = load<u32>(${outIV}, 4), v2 = load<u32>(${outIV}, 8), v3 = load<u32>(${outIV}, 12)
  const end = ptr + len
  for (let p = ptr; p < end; p += 16) {
    store<u64>(curIn, load<u64>(p))
    store<u64>(curIn, load<u64>(p, 8), 8)
${block(enc, order, '    ')}
    store<u32>(p, v0)
    store<u32>(p, v1, 4)
    store<u32>(p, v2, 8)
    store<u32>(p, v3, 12)
    const t = prevIn
    prevIn = curIn
    curIn = t
  }
  store<u32>(${outIV}, v0)
  store<u32>(${outIV}, v1, 4)
  store<u32>(${outIV}, v2, 8)
  store<u32>(${outIV}, v3, 12)
  memory.copy(${inIV}, prevIn, 16)
  memory.fill(TMP_A, 0, 32)
  memory.fill(RK64, 0, 416)
}`
}
/** assembly/aes-block.ts: tabEncryptBlock on TE, rounds 1..13 taking input word j's four lookups in turn. */
function ctrBlock() {
  const L = []
  for (let r = 1; r < 14; r++) {
    const [i, o] = r & 1 ? ['x', 'y'] : ['y', 'x']
    const first = [true, true, true, true]
    for (let j = 0; j < 4; j++) {
      for (let k = 0; k < 4; k++) {
        const c = (j - k + 4) & 3
        const t = `load<u32>(b${k}(${i}${j}), TE${k ? ` + ${hex(k * 0x400)}` : ''})`
        if (first[c]) L.push(`  ${o}${c} = ${t} ^ load<u32>(rk, ${16 * r + 4 * c})`)
        else L.push(`  ${o}${c} ^= ${t}`)
        first[c] = false
      }
    }
  }
  return `// AES-256 encryption of one block with the table core's T-tables (TE, aes.ts), for CTR.
// Written by scripts/gen-table-ige.mjs --block (edit that, not this file): the 13 inner rounds
// are written out with round keys at constant offsets, each input word's four lookups in turn.
import { SBOX, TE } from './layout'

// Block state passed between tabEncryptBlock and CTR (wasm has no multi-value return in
// AssemblyScript). IGE keeps its state in locals instead: its chain is serial, and a global
// costs a store and a reload on it.
export let s0: u32 = 0
export let s1: u32 = 0
export let s2: u32 = 0
export let s3: u32 = 0

// Index of byte k of w (0 = least significant), pre-scaled by 4: ((w >>> 8k) & 0xff) << 2.
// @ts-ignore: decorator
@inline function b3(w: u32): usize { return <usize>((w >>> 22) & 0x3fc) }
// @ts-ignore: decorator
@inline function b2(w: u32): usize { return <usize>((w >>> 14) & 0x3fc) }
// @ts-ignore: decorator
@inline function b1(w: u32): usize { return <usize>((w >>> 6) & 0x3fc) }
// @ts-ignore: decorator
@inline function b0(w: u32): usize { return <usize>((w << 2) & 0x3fc) }

/** Encrypts (s0..s3) in place with the schedule at \`rk\`. */
// @ts-ignore: decorator
@inline export function tabEncryptBlock(rk: usize): void {
  let y0: u32, y1: u32, y2: u32, y3: u32
  let x0 = s0 ^ load<u32>(rk, 0)
  let x1 = s1 ^ load<u32>(rk, 4)
  let x2 = s2 ^ load<u32>(rk, 8)
  let x3 = s3 ^ load<u32>(rk, 12)
${L.join('\n')}
  s0 = last(SBOX, y0, y1, y2, y3) ^ load<u32>(rk, 224)
  s1 = last(SBOX, y1, y2, y3, y0) ^ load<u32>(rk, 228)
  s2 = last(SBOX, y2, y3, y0, y1) ^ load<u32>(rk, 232)
  s3 = last(SBOX, y3, y0, y1, y2) ^ load<u32>(rk, 236)
}

// Final round: byte r of the output from byte r of the r-th argument, through the S-box \`box\`.
// @ts-ignore: decorator
@inline function last(box: usize, a: u32, b: u32, c: u32, d: u32): u32 {
  return (
    <u32>load<u8>(box + (a & 0xff)) |
    (<u32>load<u8>(box + ((b >>> 8) & 0xff)) << 8) |
    (<u32>load<u8>(box + ((c >>> 16) & 0xff)) << 16) |
    (<u32>load<u8>(box + (d >>> 24)) << 24)
  )
}`
}

if (process.argv.includes('--block')) {
  console.log(ctrBlock())
  process.exit(0)
}

const [eo = 'col:1230:1023', dor = 'col:3210:1023'] = process.argv.slice(2)
console.log(`// AES-256-IGE with the table core, in place over [ptr, ptr + len), len % 16 == 0.
// Chaining state at IV: c_prev (16 bytes) then m_prev (16 bytes), updated on return so that
// a long input can stream through the scratch region in chunks.
//   encrypt: c_i = E(m_i ^ c_{i-1}) ^ m_{i-1}      decrypt: m_i = D(c_i ^ m_{i-1}) ^ c_{i-1}
// The cipher is written out inside each loop (14 rounds, round keys at constant addresses) so
// that the chained value v0..v3 (the previous output) stays in locals from one block to the
// next: the serial chain then never waits on a store-to-load forward (globals and memory did).
// Rounds 2..13 run on the spread form (aes.ts: byte k times 8 in bits 16k+3.., u64 tables),
// whose byte indices cost 1-2 instructions instead of 2-3. The order of the table loads is
// what V8 then schedules (its register allocation varies by up to 25% with it): each direction
// takes one input word's four lookups at a time, in the order measured fastest on x64 Node 20
// (words 1, 2, 3, 0 for encryption, 3, 2, 1, 0 for decryption; bytes 1, 0, 2, 3 of each).
// The previous input block, overwritten in place, is kept in one of two 16-byte temporaries.
// Written by scripts/gen-table-ige.mjs (edit that, not this file).
import { f0, f1, f2, f3, n0, n1, n2, n3, tabSpreadKeysDec, tabSpreadKeysEnc } from './aes'
import { IV, RK64, RK_ENC, SB8, TD64, TE64, TMP } from './layout'

const TMP_A = TMP
const TMP_B = TMP + 16

${fn(true, eo)}

${fn(false, dor)}`)
