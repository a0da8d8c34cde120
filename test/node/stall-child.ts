/**
 * A server in a process of its own (bundled and run with --expose-gc by limits.test.ts), so that
 * its memory is measured without the clients': prints `{ port, pem }`, then answers each
 * `mem` line on stdin with its memory after a full GC.
 */
import { createInterface } from 'node:readline'
import { createCryptoSync, createServer } from '../../src/node/index.js'

const crypto = createCryptoSync()
const server = createServer({ crypto, limits: { highWaterBytes: 128 << 10, maxBufferedBytes: 1 << 20, stallTimeoutMs: 500, sessionLingerMs: 200 } })
const { port } = await server.listen(0, '127.0.0.1')
const { publicKeyToPem } = await import('../../src/auth/rsa.js')
console.log(JSON.stringify({ port, pem: publicKeyToPem(server.rsaKeys[0]) }))
createInterface({ input: process.stdin }).on('line', (l) => {
  if (l !== 'mem') return
  // full collections a moment apart: array buffers' backing stores are released after a sweep
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
  gc()
  setTimeout(() => {
    gc()
    const m = process.memoryUsage()
    console.log(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, ...server.stats() }))
  }, 100)
})
process.stdin.on('end', () => void server.close().then(() => process.exit(0)))
