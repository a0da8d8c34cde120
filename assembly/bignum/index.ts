// The big-number module's WASM ABI: a separate small module (src/crypto/bignum/wasm.ts loads
// it the first time a handshake needs it), so the crypto flavours stay as they are. All data
// moves through the exported memory at the addresses of layout.ts.
export { modExp, montMul, mpMulAdd, mpReduce, mpSetup, mpSubMod, mpWipe } from './montgomery'
export { isPrime32, pqAdvance, pqBatch, pqInit, pqRetrace } from './pq'
