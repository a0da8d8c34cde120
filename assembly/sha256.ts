// SHA-256 (FIPS 180-4). State (8 words) at SHA_H, so a long input streams through the
// scratch region: sha256Init, sha256Blocks per chunk (whole 64-byte blocks), sha256Final.
// The 64 rounds are unrolled (written out by a generator, checked against FIPS 180 vectors in
// test/wasm): message schedule in 16 rolling locals; round constants as immediates (FIPS 180-4
// 4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64 primes); the
// sigma functions as nested rotations, e.g. Σ1(e) = rotr(e ^ rotr(e ^ rotr(e, 14), 5), 6), which
// need fewer register copies on two-operand x86 than three independent rotations.
import { DIGEST, SHA_H, SHA_PAD } from './layout'
import { mdPad } from './md'

export function sha256Init(): void {
  store<u32>(SHA_H, 0x6a09e667); store<u32>(SHA_H, 0xbb67ae85, 4)
  store<u32>(SHA_H, 0x3c6ef372, 8); store<u32>(SHA_H, 0xa54ff53a, 12)
  store<u32>(SHA_H, 0x510e527f, 16); store<u32>(SHA_H, 0x9b05688c, 20)
  store<u32>(SHA_H, 0x1f83d9ab, 24); store<u32>(SHA_H, 0x5be0cd19, 28)
}

/** Compresses `n` whole 64-byte blocks at `ptr` into the state (rounds unrolled, schedule in 16 locals). */
export function sha256Blocks(ptr: usize, n: usize): void {
  let h0 = load<u32>(SHA_H), h1 = load<u32>(SHA_H, 4), h2 = load<u32>(SHA_H, 8), h3 = load<u32>(SHA_H, 12)
  let h4 = load<u32>(SHA_H, 16), h5 = load<u32>(SHA_H, 20), h6 = load<u32>(SHA_H, 24), h7 = load<u32>(SHA_H, 28)
  for (let blk: usize = 0; blk < n; blk++, ptr += 64) {
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
    let w0 = bswap<u32>(load<u32>(ptr, 0)), w1 = bswap<u32>(load<u32>(ptr, 4)), w2 = bswap<u32>(load<u32>(ptr, 8)), w3 = bswap<u32>(load<u32>(ptr, 12)), w4 = bswap<u32>(load<u32>(ptr, 16)), w5 = bswap<u32>(load<u32>(ptr, 20)), w6 = bswap<u32>(load<u32>(ptr, 24)), w7 = bswap<u32>(load<u32>(ptr, 28)), w8 = bswap<u32>(load<u32>(ptr, 32)), w9 = bswap<u32>(load<u32>(ptr, 36)), w10 = bswap<u32>(load<u32>(ptr, 40)), w11 = bswap<u32>(load<u32>(ptr, 44)), w12 = bswap<u32>(load<u32>(ptr, 48)), w13 = bswap<u32>(load<u32>(ptr, 52)), w14 = bswap<u32>(load<u32>(ptr, 56)), w15 = bswap<u32>(load<u32>(ptr, 60))
    let t: u32
    t = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0x428a2f98 + w0
    d += t
    h = t + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + ((a & b) | (c & (a | b)))
    t = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0x71374491 + w1
    c += t
    g = t + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + ((h & a) | (b & (h | a)))
    t = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0xb5c0fbcf + w2
    b += t
    f = t + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + ((g & h) | (a & (g | h)))
    t = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0xe9b5dba5 + w3
    a += t
    e = t + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + ((f & g) | (h & (f | g)))
    t = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0x3956c25b + w4
    h += t
    d = t + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + ((e & f) | (g & (e | f)))
    t = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0x59f111f1 + w5
    g += t
    c = t + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + ((d & e) | (f & (d | e)))
    t = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0x923f82a4 + w6
    f += t
    b = t + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + ((c & d) | (e & (c | d)))
    t = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0xab1c5ed5 + w7
    e += t
    a = t + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + ((b & c) | (d & (b | c)))
    t = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0xd807aa98 + w8
    d += t
    h = t + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + ((a & b) | (c & (a | b)))
    t = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0x12835b01 + w9
    c += t
    g = t + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + ((h & a) | (b & (h | a)))
    t = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0x243185be + w10
    b += t
    f = t + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + ((g & h) | (a & (g | h)))
    t = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0x550c7dc3 + w11
    a += t
    e = t + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + ((f & g) | (h & (f | g)))
    t = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0x72be5d74 + w12
    h += t
    d = t + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + ((e & f) | (g & (e | f)))
    t = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0x80deb1fe + w13
    g += t
    c = t + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + ((d & e) | (f & (d | e)))
    t = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0x9bdc06a7 + w14
    f += t
    b = t + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + ((c & d) | (e & (c | d)))
    t = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0xc19bf174 + w15
    e += t
    a = t + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + ((b & c) | (d & (b | c)))
    w0 += (rotr<u32>(w1 ^ rotr<u32>(w1, 11), 7) ^ (w1 >>> 3)) + w9 + (rotr<u32>(w14 ^ rotr<u32>(w14, 2), 17) ^ (w14 >>> 10))
    t = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0xe49b69c1 + w0
    d += t
    h = t + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + ((a & b) | (c & (a | b)))
    w1 += (rotr<u32>(w2 ^ rotr<u32>(w2, 11), 7) ^ (w2 >>> 3)) + w10 + (rotr<u32>(w15 ^ rotr<u32>(w15, 2), 17) ^ (w15 >>> 10))
    t = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0xefbe4786 + w1
    c += t
    g = t + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + ((h & a) | (b & (h | a)))
    w2 += (rotr<u32>(w3 ^ rotr<u32>(w3, 11), 7) ^ (w3 >>> 3)) + w11 + (rotr<u32>(w0 ^ rotr<u32>(w0, 2), 17) ^ (w0 >>> 10))
    t = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0x0fc19dc6 + w2
    b += t
    f = t + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + ((g & h) | (a & (g | h)))
    w3 += (rotr<u32>(w4 ^ rotr<u32>(w4, 11), 7) ^ (w4 >>> 3)) + w12 + (rotr<u32>(w1 ^ rotr<u32>(w1, 2), 17) ^ (w1 >>> 10))
    t = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0x240ca1cc + w3
    a += t
    e = t + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + ((f & g) | (h & (f | g)))
    w4 += (rotr<u32>(w5 ^ rotr<u32>(w5, 11), 7) ^ (w5 >>> 3)) + w13 + (rotr<u32>(w2 ^ rotr<u32>(w2, 2), 17) ^ (w2 >>> 10))
    t = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0x2de92c6f + w4
    h += t
    d = t + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + ((e & f) | (g & (e | f)))
    w5 += (rotr<u32>(w6 ^ rotr<u32>(w6, 11), 7) ^ (w6 >>> 3)) + w14 + (rotr<u32>(w3 ^ rotr<u32>(w3, 2), 17) ^ (w3 >>> 10))
    t = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0x4a7484aa + w5
    g += t
    c = t + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + ((d & e) | (f & (d | e)))
    w6 += (rotr<u32>(w7 ^ rotr<u32>(w7, 11), 7) ^ (w7 >>> 3)) + w15 + (rotr<u32>(w4 ^ rotr<u32>(w4, 2), 17) ^ (w4 >>> 10))
    t = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0x5cb0a9dc + w6
    f += t
    b = t + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + ((c & d) | (e & (c | d)))
    w7 += (rotr<u32>(w8 ^ rotr<u32>(w8, 11), 7) ^ (w8 >>> 3)) + w0 + (rotr<u32>(w5 ^ rotr<u32>(w5, 2), 17) ^ (w5 >>> 10))
    t = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0x76f988da + w7
    e += t
    a = t + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + ((b & c) | (d & (b | c)))
    w8 += (rotr<u32>(w9 ^ rotr<u32>(w9, 11), 7) ^ (w9 >>> 3)) + w1 + (rotr<u32>(w6 ^ rotr<u32>(w6, 2), 17) ^ (w6 >>> 10))
    t = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0x983e5152 + w8
    d += t
    h = t + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + ((a & b) | (c & (a | b)))
    w9 += (rotr<u32>(w10 ^ rotr<u32>(w10, 11), 7) ^ (w10 >>> 3)) + w2 + (rotr<u32>(w7 ^ rotr<u32>(w7, 2), 17) ^ (w7 >>> 10))
    t = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0xa831c66d + w9
    c += t
    g = t + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + ((h & a) | (b & (h | a)))
    w10 += (rotr<u32>(w11 ^ rotr<u32>(w11, 11), 7) ^ (w11 >>> 3)) + w3 + (rotr<u32>(w8 ^ rotr<u32>(w8, 2), 17) ^ (w8 >>> 10))
    t = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0xb00327c8 + w10
    b += t
    f = t + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + ((g & h) | (a & (g | h)))
    w11 += (rotr<u32>(w12 ^ rotr<u32>(w12, 11), 7) ^ (w12 >>> 3)) + w4 + (rotr<u32>(w9 ^ rotr<u32>(w9, 2), 17) ^ (w9 >>> 10))
    t = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0xbf597fc7 + w11
    a += t
    e = t + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + ((f & g) | (h & (f | g)))
    w12 += (rotr<u32>(w13 ^ rotr<u32>(w13, 11), 7) ^ (w13 >>> 3)) + w5 + (rotr<u32>(w10 ^ rotr<u32>(w10, 2), 17) ^ (w10 >>> 10))
    t = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0xc6e00bf3 + w12
    h += t
    d = t + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + ((e & f) | (g & (e | f)))
    w13 += (rotr<u32>(w14 ^ rotr<u32>(w14, 11), 7) ^ (w14 >>> 3)) + w6 + (rotr<u32>(w11 ^ rotr<u32>(w11, 2), 17) ^ (w11 >>> 10))
    t = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0xd5a79147 + w13
    g += t
    c = t + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + ((d & e) | (f & (d | e)))
    w14 += (rotr<u32>(w15 ^ rotr<u32>(w15, 11), 7) ^ (w15 >>> 3)) + w7 + (rotr<u32>(w12 ^ rotr<u32>(w12, 2), 17) ^ (w12 >>> 10))
    t = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0x06ca6351 + w14
    f += t
    b = t + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + ((c & d) | (e & (c | d)))
    w15 += (rotr<u32>(w0 ^ rotr<u32>(w0, 11), 7) ^ (w0 >>> 3)) + w8 + (rotr<u32>(w13 ^ rotr<u32>(w13, 2), 17) ^ (w13 >>> 10))
    t = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0x14292967 + w15
    e += t
    a = t + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + ((b & c) | (d & (b | c)))
    w0 += (rotr<u32>(w1 ^ rotr<u32>(w1, 11), 7) ^ (w1 >>> 3)) + w9 + (rotr<u32>(w14 ^ rotr<u32>(w14, 2), 17) ^ (w14 >>> 10))
    t = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0x27b70a85 + w0
    d += t
    h = t + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + ((a & b) | (c & (a | b)))
    w1 += (rotr<u32>(w2 ^ rotr<u32>(w2, 11), 7) ^ (w2 >>> 3)) + w10 + (rotr<u32>(w15 ^ rotr<u32>(w15, 2), 17) ^ (w15 >>> 10))
    t = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0x2e1b2138 + w1
    c += t
    g = t + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + ((h & a) | (b & (h | a)))
    w2 += (rotr<u32>(w3 ^ rotr<u32>(w3, 11), 7) ^ (w3 >>> 3)) + w11 + (rotr<u32>(w0 ^ rotr<u32>(w0, 2), 17) ^ (w0 >>> 10))
    t = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0x4d2c6dfc + w2
    b += t
    f = t + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + ((g & h) | (a & (g | h)))
    w3 += (rotr<u32>(w4 ^ rotr<u32>(w4, 11), 7) ^ (w4 >>> 3)) + w12 + (rotr<u32>(w1 ^ rotr<u32>(w1, 2), 17) ^ (w1 >>> 10))
    t = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0x53380d13 + w3
    a += t
    e = t + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + ((f & g) | (h & (f | g)))
    w4 += (rotr<u32>(w5 ^ rotr<u32>(w5, 11), 7) ^ (w5 >>> 3)) + w13 + (rotr<u32>(w2 ^ rotr<u32>(w2, 2), 17) ^ (w2 >>> 10))
    t = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0x650a7354 + w4
    h += t
    d = t + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + ((e & f) | (g & (e | f)))
    w5 += (rotr<u32>(w6 ^ rotr<u32>(w6, 11), 7) ^ (w6 >>> 3)) + w14 + (rotr<u32>(w3 ^ rotr<u32>(w3, 2), 17) ^ (w3 >>> 10))
    t = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0x766a0abb + w5
    g += t
    c = t + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + ((d & e) | (f & (d | e)))
    w6 += (rotr<u32>(w7 ^ rotr<u32>(w7, 11), 7) ^ (w7 >>> 3)) + w15 + (rotr<u32>(w4 ^ rotr<u32>(w4, 2), 17) ^ (w4 >>> 10))
    t = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0x81c2c92e + w6
    f += t
    b = t + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + ((c & d) | (e & (c | d)))
    w7 += (rotr<u32>(w8 ^ rotr<u32>(w8, 11), 7) ^ (w8 >>> 3)) + w0 + (rotr<u32>(w5 ^ rotr<u32>(w5, 2), 17) ^ (w5 >>> 10))
    t = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0x92722c85 + w7
    e += t
    a = t + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + ((b & c) | (d & (b | c)))
    w8 += (rotr<u32>(w9 ^ rotr<u32>(w9, 11), 7) ^ (w9 >>> 3)) + w1 + (rotr<u32>(w6 ^ rotr<u32>(w6, 2), 17) ^ (w6 >>> 10))
    t = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0xa2bfe8a1 + w8
    d += t
    h = t + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + ((a & b) | (c & (a | b)))
    w9 += (rotr<u32>(w10 ^ rotr<u32>(w10, 11), 7) ^ (w10 >>> 3)) + w2 + (rotr<u32>(w7 ^ rotr<u32>(w7, 2), 17) ^ (w7 >>> 10))
    t = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0xa81a664b + w9
    c += t
    g = t + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + ((h & a) | (b & (h | a)))
    w10 += (rotr<u32>(w11 ^ rotr<u32>(w11, 11), 7) ^ (w11 >>> 3)) + w3 + (rotr<u32>(w8 ^ rotr<u32>(w8, 2), 17) ^ (w8 >>> 10))
    t = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0xc24b8b70 + w10
    b += t
    f = t + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + ((g & h) | (a & (g | h)))
    w11 += (rotr<u32>(w12 ^ rotr<u32>(w12, 11), 7) ^ (w12 >>> 3)) + w4 + (rotr<u32>(w9 ^ rotr<u32>(w9, 2), 17) ^ (w9 >>> 10))
    t = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0xc76c51a3 + w11
    a += t
    e = t + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + ((f & g) | (h & (f | g)))
    w12 += (rotr<u32>(w13 ^ rotr<u32>(w13, 11), 7) ^ (w13 >>> 3)) + w5 + (rotr<u32>(w10 ^ rotr<u32>(w10, 2), 17) ^ (w10 >>> 10))
    t = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0xd192e819 + w12
    h += t
    d = t + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + ((e & f) | (g & (e | f)))
    w13 += (rotr<u32>(w14 ^ rotr<u32>(w14, 11), 7) ^ (w14 >>> 3)) + w6 + (rotr<u32>(w11 ^ rotr<u32>(w11, 2), 17) ^ (w11 >>> 10))
    t = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0xd6990624 + w13
    g += t
    c = t + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + ((d & e) | (f & (d | e)))
    w14 += (rotr<u32>(w15 ^ rotr<u32>(w15, 11), 7) ^ (w15 >>> 3)) + w7 + (rotr<u32>(w12 ^ rotr<u32>(w12, 2), 17) ^ (w12 >>> 10))
    t = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0xf40e3585 + w14
    f += t
    b = t + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + ((c & d) | (e & (c | d)))
    w15 += (rotr<u32>(w0 ^ rotr<u32>(w0, 11), 7) ^ (w0 >>> 3)) + w8 + (rotr<u32>(w13 ^ rotr<u32>(w13, 2), 17) ^ (w13 >>> 10))
    t = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0x106aa070 + w15
    e += t
    a = t + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + ((b & c) | (d & (b | c)))
    w0 += (rotr<u32>(w1 ^ rotr<u32>(w1, 11), 7) ^ (w1 >>> 3)) + w9 + (rotr<u32>(w14 ^ rotr<u32>(w14, 2), 17) ^ (w14 >>> 10))
    t = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0x19a4c116 + w0
    d += t
    h = t + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + ((a & b) | (c & (a | b)))
    w1 += (rotr<u32>(w2 ^ rotr<u32>(w2, 11), 7) ^ (w2 >>> 3)) + w10 + (rotr<u32>(w15 ^ rotr<u32>(w15, 2), 17) ^ (w15 >>> 10))
    t = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0x1e376c08 + w1
    c += t
    g = t + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + ((h & a) | (b & (h | a)))
    w2 += (rotr<u32>(w3 ^ rotr<u32>(w3, 11), 7) ^ (w3 >>> 3)) + w11 + (rotr<u32>(w0 ^ rotr<u32>(w0, 2), 17) ^ (w0 >>> 10))
    t = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0x2748774c + w2
    b += t
    f = t + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + ((g & h) | (a & (g | h)))
    w3 += (rotr<u32>(w4 ^ rotr<u32>(w4, 11), 7) ^ (w4 >>> 3)) + w12 + (rotr<u32>(w1 ^ rotr<u32>(w1, 2), 17) ^ (w1 >>> 10))
    t = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0x34b0bcb5 + w3
    a += t
    e = t + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + ((f & g) | (h & (f | g)))
    w4 += (rotr<u32>(w5 ^ rotr<u32>(w5, 11), 7) ^ (w5 >>> 3)) + w13 + (rotr<u32>(w2 ^ rotr<u32>(w2, 2), 17) ^ (w2 >>> 10))
    t = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0x391c0cb3 + w4
    h += t
    d = t + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + ((e & f) | (g & (e | f)))
    w5 += (rotr<u32>(w6 ^ rotr<u32>(w6, 11), 7) ^ (w6 >>> 3)) + w14 + (rotr<u32>(w3 ^ rotr<u32>(w3, 2), 17) ^ (w3 >>> 10))
    t = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0x4ed8aa4a + w5
    g += t
    c = t + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + ((d & e) | (f & (d | e)))
    w6 += (rotr<u32>(w7 ^ rotr<u32>(w7, 11), 7) ^ (w7 >>> 3)) + w15 + (rotr<u32>(w4 ^ rotr<u32>(w4, 2), 17) ^ (w4 >>> 10))
    t = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0x5b9cca4f + w6
    f += t
    b = t + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + ((c & d) | (e & (c | d)))
    w7 += (rotr<u32>(w8 ^ rotr<u32>(w8, 11), 7) ^ (w8 >>> 3)) + w0 + (rotr<u32>(w5 ^ rotr<u32>(w5, 2), 17) ^ (w5 >>> 10))
    t = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0x682e6ff3 + w7
    e += t
    a = t + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + ((b & c) | (d & (b | c)))
    w8 += (rotr<u32>(w9 ^ rotr<u32>(w9, 11), 7) ^ (w9 >>> 3)) + w1 + (rotr<u32>(w6 ^ rotr<u32>(w6, 2), 17) ^ (w6 >>> 10))
    t = h + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + 0x748f82ee + w8
    d += t
    h = t + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 9), 11), 2) + ((a & b) | (c & (a | b)))
    w9 += (rotr<u32>(w10 ^ rotr<u32>(w10, 11), 7) ^ (w10 >>> 3)) + w2 + (rotr<u32>(w7 ^ rotr<u32>(w7, 2), 17) ^ (w7 >>> 10))
    t = g + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 14), 5), 6) + (f ^ (d & (e ^ f))) + 0x78a5636f + w9
    c += t
    g = t + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 9), 11), 2) + ((h & a) | (b & (h | a)))
    w10 += (rotr<u32>(w11 ^ rotr<u32>(w11, 11), 7) ^ (w11 >>> 3)) + w3 + (rotr<u32>(w8 ^ rotr<u32>(w8, 2), 17) ^ (w8 >>> 10))
    t = f + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 14), 5), 6) + (e ^ (c & (d ^ e))) + 0x84c87814 + w10
    b += t
    f = t + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 9), 11), 2) + ((g & h) | (a & (g | h)))
    w11 += (rotr<u32>(w12 ^ rotr<u32>(w12, 11), 7) ^ (w12 >>> 3)) + w4 + (rotr<u32>(w9 ^ rotr<u32>(w9, 2), 17) ^ (w9 >>> 10))
    t = e + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 14), 5), 6) + (d ^ (b & (c ^ d))) + 0x8cc70208 + w11
    a += t
    e = t + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 9), 11), 2) + ((f & g) | (h & (f | g)))
    w12 += (rotr<u32>(w13 ^ rotr<u32>(w13, 11), 7) ^ (w13 >>> 3)) + w5 + (rotr<u32>(w10 ^ rotr<u32>(w10, 2), 17) ^ (w10 >>> 10))
    t = d + rotr<u32>(a ^ rotr<u32>(a ^ rotr<u32>(a, 14), 5), 6) + (c ^ (a & (b ^ c))) + 0x90befffa + w12
    h += t
    d = t + rotr<u32>(e ^ rotr<u32>(e ^ rotr<u32>(e, 9), 11), 2) + ((e & f) | (g & (e | f)))
    w13 += (rotr<u32>(w14 ^ rotr<u32>(w14, 11), 7) ^ (w14 >>> 3)) + w6 + (rotr<u32>(w11 ^ rotr<u32>(w11, 2), 17) ^ (w11 >>> 10))
    t = c + rotr<u32>(h ^ rotr<u32>(h ^ rotr<u32>(h, 14), 5), 6) + (b ^ (h & (a ^ b))) + 0xa4506ceb + w13
    g += t
    c = t + rotr<u32>(d ^ rotr<u32>(d ^ rotr<u32>(d, 9), 11), 2) + ((d & e) | (f & (d | e)))
    w14 += (rotr<u32>(w15 ^ rotr<u32>(w15, 11), 7) ^ (w15 >>> 3)) + w7 + (rotr<u32>(w12 ^ rotr<u32>(w12, 2), 17) ^ (w12 >>> 10))
    t = b + rotr<u32>(g ^ rotr<u32>(g ^ rotr<u32>(g, 14), 5), 6) + (a ^ (g & (h ^ a))) + 0xbef9a3f7 + w14
    f += t
    b = t + rotr<u32>(c ^ rotr<u32>(c ^ rotr<u32>(c, 9), 11), 2) + ((c & d) | (e & (c | d)))
    w15 += (rotr<u32>(w0 ^ rotr<u32>(w0, 11), 7) ^ (w0 >>> 3)) + w8 + (rotr<u32>(w13 ^ rotr<u32>(w13, 2), 17) ^ (w13 >>> 10))
    t = a + rotr<u32>(f ^ rotr<u32>(f ^ rotr<u32>(f, 14), 5), 6) + (h ^ (f & (g ^ h))) + 0xc67178f2 + w15
    e += t
    a = t + rotr<u32>(b ^ rotr<u32>(b ^ rotr<u32>(b, 9), 11), 2) + ((b & c) | (d & (b | c)))
    h0 += a; h1 += b; h2 += c; h3 += d; h4 += e; h5 += f; h6 += g; h7 += h
  }
  store<u32>(SHA_H, h0); store<u32>(SHA_H, h1, 4); store<u32>(SHA_H, h2, 8); store<u32>(SHA_H, h3, 12)
  store<u32>(SHA_H, h4, 16); store<u32>(SHA_H, h5, 20); store<u32>(SHA_H, h6, 24); store<u32>(SHA_H, h7, 28)
}

/**
 * Hashes the last `len` bytes at `ptr` (any length), pads with the total message length
 * `total` (bytes, including everything passed to sha256Blocks) and writes the digest at DIGEST.
 */
export function sha256Final(ptr: usize, len: usize, total: u64): void {
  const full = len >>> 6
  sha256Blocks(ptr, full)
  sha256Blocks(SHA_PAD, mdPad(ptr + (full << 6), len & 63, total))
  for (let i: usize = 0; i < 32; i += 4) store<u32>(DIGEST + i, bswap<u32>(load<u32>(SHA_H + i)))
  memory.fill(SHA_PAD, 0, 128)
  memory.fill(SHA_H, 0, 32)
}

/** One-shot SHA-256 of [ptr, ptr + len) into DIGEST. */
export function sha256(ptr: usize, len: usize): void {
  sha256Init()
  sha256Final(ptr, len, <u64>len)
}
