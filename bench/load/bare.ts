/**
 * A lower bound for the load bench's client CPU per ping with our envelope: a hand-written ping
 * loop with no session, link, runner or transport layer. `node bare.mjs PORT N` (the server's
 * PEM on stdin; the load suite bundles it next to the pinger, .bench/load/bare.mjs).
 *
 * It makes a key with `connect()` (one handshake and one ping), closes that client, and then on a
 * socket of its own (intermediate framing, `onread` like our driver) sends each ping as one
 * encrypted message with `encryptMessageInto` and finds the pong after `decryptMessageInto`:
 * what a ping costs with the envelope, Node's socket and a promise, and nothing else. Timed as
 * the pingers are (steady.mjs), so the three figures compare: the floor (bench/load/floor.mjs,
 * no protocol), this, and our client (pinger.ts); our layers are the difference between the last
 * two. Not a client: it acknowledges nothing, takes the server's salt from bad_server_salt and
 * assumes a pong arrives in one read (true for this loop on loopback).
 */
import * as net from 'node:net'
import { MsgIdClock } from '../../src/auth/msgid.js'
import { readU32LE } from '../../src/bytes.js'
import { connect, createAuthKey, createCryptoSync } from '../../src/node/index.js'
import { ID_BAD_SERVER_SALT, ID_PING, ID_PONG } from '../../src/session/wire.js'
import { timedAfterWarmUp } from './steady.mjs'

const [portArg, nArg] = process.argv.slice(2)
const port = Number(portArg)
const n = Number(nArg)
const pem = await new Promise<string>((r) => {
  let s = ''
  process.stdin.on('data', (d) => (s += d)).on('end', () => r(s))
})
const crypto = createCryptoSync()
const first = await connect({ port, rsaKeys: [pem], crypto })
await first.invoke({ _: 'ping', ping_id: 0n })
const state = first.exportState()!.session
await first.close()
const key = createAuthKey(Buffer.from(state.authKey, 'base64'))

// salt ‖ session_id ‖ msg_id ‖ seq_no ‖ length ‖ ping#7abe77ec ping_id:long
const inner = new Uint8Array(44)
const view = new DataView(inner.buffer)
inner.set(Buffer.from(state.sessionId, 'base64'), 8)
const out = new Uint8Array(4 + 24 + inner.length + 1024)
const plain = new Uint8Array(65536)
const plainView = new DataView(plain.buffer)
const clock = new MsgIdClock()
let seq = 0
let want = -1
let answered: () => void = () => {}

const sock = net.connect({
  host: '127.0.0.1',
  port,
  onread: {
    buffer: new Uint8Array(65536),
    callback: (len: number, b: Uint8Array) => {
      for (let off = 0; off + 4 <= len; ) {
        const size = readU32LE(b, off)
        const packet = b.subarray(off + 4, off + 4 + size)
        off += 4 + size
        let m: number
        try {
          m = crypto.decryptMessageInto(key, packet, 8, plain)
        } catch {
          continue
        }
        const id = plainView.getUint32(32, true)
        if (id === ID_BAD_SERVER_SALT && m >= 60) {
          inner.set(plain.subarray(52, 60), 0) // new_server_salt: send the ping again with it
          send(want)
          continue
        }
        // the pong, alone or in a container (the first one comes with new_session_created)
        for (let i = 32; i + 20 <= m; i += 4) {
          if (plainView.getUint32(i, true) === ID_PONG && plainView.getUint32(i + 12, true) === want) {
            answered()
            break
          }
        }
      }
      return true
    },
  },
})
sock.setNoDelay(true)
await new Promise((r) => sock.once('connect', r))
sock.write(new Uint8Array([0xee, 0xee, 0xee, 0xee])) // intermediate

function send(i: number): void {
  clock.next(Date.now(), 0) // the session's msg_id clock: increasing, a client's parity
  view.setUint32(16, clock.lo, true)
  view.setUint32(20, clock.hi, true)
  view.setUint32(24, seq++ * 2 + 1, true)
  view.setUint32(28, 12, true)
  view.setUint32(32, ID_PING, true)
  view.setUint32(36, i, true)
  view.setUint32(40, 0, true)
  const len = crypto.encryptMessageInto(key, inner, 0, out.subarray(4))
  out[0] = len & 0xff
  out[1] = len >>> 8
  out[2] = out[3] = 0
  sock.write(out.subarray(0, 4 + len))
}
const ping = (i: number): Promise<void> =>
  new Promise((r) => {
    answered = r
    want = i
    send(i)
  })

const { cpuUs, wallUs } = await timedAfterWarmUp(n, ping)
sock.destroy()
console.log(JSON.stringify({ impl: 'bare envelope loop', n, cpuUsPerReq: (cpuUs.user + cpuUs.system) / n, userUsPerReq: cpuUs.user / n, systemUsPerReq: cpuUs.system / n, wallUsPerReq: wallUs / n }))
process.exit(0)
