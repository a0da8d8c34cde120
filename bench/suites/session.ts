/**
 * Client CPU per request of the session layer, requests/s: from the request object to framed
 * bytes (serialize, msg_id and seq_no, a container with the acknowledgment owed for the previous
 * answer, encrypt, frame), and from the framed answer to the resolved result (deframe, decrypt,
 * check, parse, match the pending request, resolve), for `ping` and a 1 KiB `mtwire.echo`.
 * Side by side with what a user would pick instead, each doing that same work its own way:
 * - mtcute 0.30: `MtprotoSession` with `NodeCryptoProvider`, `IntermediatePacketCodec`, the
 *   tl-runtime writer/reader and what `SessionConnection._doFlush` / `_onRpcResult` do per
 *   request (its logging, timers and flood control left out);
 * - GramJS 2.26: `MTProtoState` + `MessagePacker` + `RequestState`, `AbridgedPacketCodec`, and
 *   what `MTProtoSender` does per request (`_sendLoop`, `_processMessage`, `_handleRPCResult`);
 *   async throughout, as GramJS is.
 * The server's half (reading the request, encrypting the answer) runs between the client's
 * halves and is not counted: a plain timing loop (rounds of round trips timed as the process's
 * CPU time, minus the server half's CPU per request measured alone; interleaved rounds, median),
 * not tinybench, because each request needs its own answer. gzip is off everywhere (a 1 KiB
 * random payload does not compress; mtcute and GramJS would try).
 */
import { createRequire } from 'node:module'
import { getHeapStatistics } from 'node:v8'
import { Long } from '@mtcute/core'
import { Bytes } from '@fuman/io'
import { NodeCryptoProvider } from '@mtcute/node/utils.js'
import { TlBinaryReader, TlBinaryWriter } from '@mtcute/tl-runtime'
import { __tlReaderMap, __tlWriterMap } from '@mtcute/core/utils.js'
// internal to @mtcute/core (not in its exports map): load the files themselves
import { MtprotoSession } from '../../node_modules/@mtcute/core/network/mtproto-session.js'
import { ServerSaltManager } from '../../node_modules/@mtcute/core/network/server-salt.js'
import { IntermediatePacketCodec } from '../../node_modules/@mtcute/core/network/transports/intermediate.js'
import { AuthKey as MtcuteAuthKey } from '../../node_modules/@mtcute/core/network/auth-key.js'
import { createAuthKey, createCrypto, createFraming, ClientSession, type AuthKey, type Crypto } from '../../src/index.js'
import { nodeProvider } from '../../src/node/provider.js'
import { rnd, type BenchCase, type BenchResult, type BenchSuite } from '../harness.js'

const require = createRequire(import.meta.url)
const quiet = { verbose() {}, warn() {}, debug() {}, info() {}, error() {}, prefix: '' }

const PAYLOAD = 1024
const SALT = 0x1122334455667788n
const ID_PONG = 0x347773c5
const ID_ECHO = 0x8a5fbec8
const ID_PAYLOAD = 0xdab7c255

type Op = 'ping' | 'echo-1k'
const OPS: Op[] = ['ping', 'echo-1k']

/** One client under test: `send` makes the framed request bytes, `recv` takes the framed answer. */
interface Client {
  impl: string
  peer: boolean
  /** Framing of the answers this client reads. */
  frame: 'intermediate' | 'abridged'
  send(op: Op, payload: Uint8Array): Uint8Array | Promise<Uint8Array>
  recv(framed: Uint8Array): void | Promise<void>
  /** Requests resolved so far (checked at the end: every request got its result). */
  resolved(): number
}

/**
 * The server's half, shared by every client: decrypt the request (x = 0), find the query, answer
 * `rpc_result req_msg_id result` in a bare message with a fresh odd msg_id, encrypt (x = 8), frame.
 */
class FakeServer {
  private seq = 0
  private last = 0n
  private readonly abridged = createFraming('abridged', { role: 'server' })
  private readonly intermediate = createFraming('intermediate', { role: 'server' })
  constructor(private readonly crypto: Crypto, private readonly key: AuthKey) {}

  answer(framed: Uint8Array, frame: 'intermediate' | 'abridged'): Uint8Array {
    const dec = (frame === 'abridged' ? this.abridged : this.intermediate).receive(framed)
    const pk = dec.find((e) => e.type === 'packet')
    if (!pk || pk.type !== 'packet') throw new Error('no packet')
    const inner = this.crypto.decryptMessage(this.key, pk.data, 0)
    const dv = new DataView(inner.buffer, inner.byteOffset, inner.length)
    let q = 32
    let reqLo = dv.getUint32(16, true)
    let reqHi = dv.getUint32(20, true)
    if (dv.getUint32(32, true) === 0x73f1f8dc) {
      // the query: the container's message that is not msgs_ack
      const n = dv.getUint32(36, true)
      for (let i = 0, o = 40; i < n; i++) {
        const len = dv.getUint32(o + 12, true)
        if (dv.getUint32(o + 16, true) !== 0x62d6b459) {
          reqLo = dv.getUint32(o, true)
          reqHi = dv.getUint32(o + 4, true)
          q = o + 16
        }
        o += 16 + len
      }
    }
    const id = dv.getUint32(q, true)
    let result: Uint8Array
    if (id === 0x7abe77ec) {
      result = new Uint8Array(20)
      const r = new DataView(result.buffer)
      r.setUint32(0, ID_PONG, true)
      r.setUint32(4, reqLo, true)
      r.setUint32(8, reqHi, true)
      result.set(inner.subarray(q + 4, q + 12), 12)
    } else if (id === ID_ECHO) {
      const len = 4 + ((PAYLOAD + 4 + 3) & ~3)
      result = inner.slice(q, q + len)
      new DataView(result.buffer).setUint32(0, ID_PAYLOAD, true)
    } else throw new Error(`unexpected query ${id.toString(16)}`)
    const body = 12 + result.length
    const out = new Uint8Array(32 + body)
    const o = new DataView(out.buffer)
    out.set(inner.subarray(0, 16), 0) // salt, session_id
    let mid = (BigInt(Math.floor(Date.now() / 1000)) << 32n) | 1n
    if (mid <= this.last) mid = this.last + 4n
    this.last = mid
    o.setBigUint64(16, mid, true)
    o.setUint32(24, 2 * this.seq++ + 1, true)
    o.setUint32(28, body, true)
    o.setUint32(32, 0xf35c6d01, true)
    o.setUint32(36, reqLo, true)
    o.setUint32(40, reqHi, true)
    out.set(result, 44)
    const packet = this.crypto.encryptMessage(this.key, out, 8)
    return (frame === 'abridged' ? this.abridged : this.intermediate).frame(packet)
  }
}

/** mtwire's ClientSession with an intermediate framing. */
function ours(crypto: Crypto, keyBytes: Uint8Array, label: string): Client {
  const session = new ClientSession({
    crypto, authKey: createAuthKey(keyBytes), salt: SALT, timeOffset: 0,
    pingInterval: 0, futureSalts: 0, gzipMinSize: false,
  })
  const framing = createFraming('intermediate', { role: 'client' })
  let done = 0
  const ok = (): void => {
    done++
  }
  const payload: { _: string; payload: Uint8Array } = { _: 'mtwire.echo', payload: new Uint8Array(0) }
  let pingId = 0n
  return {
    impl: `mtwire ${label}`,
    peer: false,
    frame: 'intermediate',
    send(op, p) {
      if (op === 'ping') void session.invoke({ _: 'ping', ping_id: ++pingId }).then(ok)
      else {
        payload.payload = p
        void session.invoke(payload).then(ok)
      }
      const out = session.takeOutgoing()
      return framing.frame(out[0]) // the session's item as it is: no adapter
    },
    recv(framed) {
      for (const e of framing.receive(framed)) if (e.type === 'packet') session.receive(e.data)
      // the driver's timers (state checks of answered requests are cancelled, so rarely due)
      const d = session.nextDeadline()
      if (d !== undefined && d <= Date.now()) session.tick()
    },
    resolved: () => done,
  }
}

/** mtcute 0.30's per-request work, composed from its own parts (see the file header). */
async function mtcute(keyBytes: Uint8Array): Promise<Client> {
  const provider = new NodeCryptoProvider()
  await provider.initialize()
  // mtwire.tl's two methods in copies of mtcute's maps, written the way its generated code is
  const writers = Object.assign(Object.create(null), __tlWriterMap, {
    'mtwire.echo': (w: TlBinaryWriter, v: { payload: Uint8Array }) => {
      w.uint(ID_ECHO)
      w.bytes(v.payload)
    },
  })
  writers._staticSize = (__tlWriterMap as unknown as { _staticSize: object })._staticSize
  const readers = Object.assign(Object.create(null), __tlReaderMap, {
    [ID_PAYLOAD]: (r: TlBinaryReader) => ({ _: 'mtwire.payload', payload: r.bytes() }),
  })
  readers._results = (__tlReaderMap as unknown as { _results: object })._results
  const salts = new ServerSaltManager()
  salts.currentSalt = Long.fromString(SALT.toString())
  const session = new MtprotoSession(provider as never, quiet as never, readers, writers, salts)
  session._authKey.setup(keyBytes)
  session.updateTimeOffset(Math.floor(Date.now() / 1000) - Math.floor(performance.now() / 1000), true)
  const codec = new IntermediatePacketCodec()
  let done = 0
  let pingId = 0
  const RPC_RESULT = 0xf35c6d01
  const MSG_CONTAINER = 0x73f1f8dc
  const onRaw = (messageId: Long, _seq: number, message: TlBinaryReader): void => {
    // SessionConnection._handleRawMessage → _onRpcResult
    const objectId = message.uint()
    if (objectId !== RPC_RESULT) throw new Error('expected rpc_result')
    const reqMsgId = message.long()
    const msg = session.pendingMessages.get(reqMsgId) as { _: string; rpc: Rpc } | undefined
    if (!msg) throw new Error('no pending request')
    session.queuedAcks.push(messageId) // _sendAck
    const rpc = msg.rpc
    session.getStateSchedule.remove(rpc as never)
    const result = message.object()
    rpc.done = true
    rpc.promise.resolve(result)
    // _onMessageAcked: the query, then its container
    rpc.acked = true
    if (rpc.containerId && session.pendingMessages.has(rpc.containerId)) session.pendingMessages.delete(rpc.containerId)
    session.pendingMessages.delete(reqMsgId)
  }
  interface Rpc {
    method: string
    promise: { resolve(v: unknown): void }
    data: Uint8Array
    sent: boolean
    done: boolean
    acked: boolean
    msgId: Long | undefined
    seqNo: number
    containerId: Long | undefined
    getState: number
  }
  return {
    impl: '@mtcute/core MtprotoSession (node)',
    peer: true,
    frame: 'intermediate',
    send(op, p) {
      // sendRpc: serialize, pending entry with a Deferred
      const obj = op === 'ping' ? { _: 'mt_ping', pingId: Long.fromNumber(++pingId) } : { _: 'mtwire.echo', payload: p }
      const content = TlBinaryWriter.serializeObject(writers, obj)
      let resolve!: (v: unknown) => void
      const promise = new Promise((r) => (resolve = r))
      void promise.then(() => done++)
      const rpc: Rpc = { method: obj._, promise: { resolve }, data: content, sent: false, done: false, acked: false, msgId: undefined, seqNo: 0, containerId: undefined, getState: 0 }
      // _doFlush: acks first, then the query, in a container when there are several
      const acks = session.queuedAcks
      session.queuedAcks = []
      const ackRequest = acks.length ? TlBinaryWriter.serializeObject(writers, { _: 'mt_msgs_ack', msgIds: acks } as never) : null
      const count = (ackRequest ? 1 : 0) + 1
      const size = (ackRequest ? 16 + ackRequest.length : 0) + 16 + content.length + (count > 1 ? 24 : 0)
      const writer = TlBinaryWriter.alloc(writers, size)
      if (count > 1) {
        writer.pos += 16
        writer.uint(MSG_CONTAINER)
        writer.uint(count)
      }
      if (ackRequest) session.recentOutgoingMsgIds.add(session.writeMessage(writer, ackRequest))
      rpc.msgId = session.getMessageId()
      rpc.seqNo = session.getSeqNo()
      session.pendingMessages.set(rpc.msgId, { _: 'rpc', rpc } as never)
      rpc.getState = performance.now() + 1500
      session.getStateSchedule.insert(rpc as never)
      session.recentOutgoingMsgIds.add(rpc.msgId)
      writer.long(rpc.msgId)
      writer.uint(rpc.seqNo)
      writer.uint(content.length)
      writer.raw(content)
      rpc.sent = true
      if (count > 1) {
        const end = writer.pos
        const containerId = session.getMessageId()
        const seqNo = session.getSeqNo(false)
        writer.pos = 0
        writer.long(containerId)
        writer.uint(seqNo)
        writer.uint(end - 16)
        writer.pos = end
        session.recentOutgoingMsgIds.add(containerId)
        rpc.containerId = containerId
        session.pendingMessages.set(containerId, { _: 'container', msgIds: [rpc.msgId] } as never)
      }
      const enc = session.encryptMessage(writer.result())
      const into = Bytes.alloc(enc.length + 4)
      codec.encode(enc, into)
      return into.result()
    },
    recv(framed) {
      const frame = codec.decode(Bytes.from(framed), false)
      if (!frame) throw new Error('no frame')
      session.decryptMessage(frame, onRaw)
    },
    resolved: () => done,
  }
}

/** GramJS 2.26's per-request work (MTProtoSender's loops), async as it is. */
async function gramjs(keyBytes: Uint8Array): Promise<Client> {
  const { MTProtoState } = require('telegram/network/MTProtoState')
  const { MessagePacker } = require('telegram/extensions/MessagePacker')
  const { RequestState } = require('telegram/network/RequestState')
  const { PendingState } = require('telegram/extensions/PendingState')
  const { BinaryReader } = require('telegram/extensions/BinaryReader')
  const { AbridgedPacketCodec } = require('telegram/network/connection/TCPAbridged')
  const { AuthKey } = require('telegram/crypto/AuthKey')
  const { Api } = require('telegram')
  const { readBigIntFromBuffer } = require('telegram/Helpers')
  const bigInt = require('big-integer')
  // GramJS gzips requests over 512 bytes when smaller; off here, as for the others
  const core = require('telegram/tl/core')
  core.GZIPPacked.gzipIfSmaller = async (_c: boolean, data: Buffer) => data
  const ak = new AuthKey()
  await ak.setKey(Buffer.from(keyBytes))
  const state = new MTProtoState(ak, quiet)
  state.salt = readBigIntFromBuffer(Buffer.from(new BigUint64Array([SALT]).buffer), true, true)
  const packer = new MessagePacker(state, quiet)
  const pending = new PendingState()
  const pendingAck = new Set<unknown>()
  const codec = new AbridgedPacketCodec({})
  let done = 0
  let pingId = 0
  // mtwire.echo the way GramJS's generated request classes work (getBytes / readResult)
  const echo = (payload: Uint8Array): unknown => ({
    CONSTRUCTOR_ID: ID_ECHO,
    className: 'mtwire.Echo',
    classType: 'request',
    getBytes() {
      const head = Buffer.alloc(8)
      head.writeUInt32LE(ID_ECHO, 0)
      head[4] = 254
      head.writeUIntLE(payload.length, 5, 3)
      return Buffer.concat([head, Buffer.from(payload)])
    },
    readResult(reader: { readInt(s: boolean): number; tgReadBytes(): Buffer }) {
      reader.readInt(false)
      return { payload: reader.tgReadBytes() }
    },
  })
  return {
    impl: 'telegram MTProtoState + MessagePacker (async)',
    peer: true,
    frame: 'abridged',
    async send(op, p) {
      const request = op === 'ping' ? new Api.Ping({ pingId: bigInt(++pingId) }) : echo(p)
      const st = new RequestState(request)
      packer.append(st)
      void st.promise.then(() => done++)
      // _sendLoop: acks owed, then the batch
      if (pendingAck.size) {
        packer.append(new RequestState(new Api.MsgsAck({ msgIds: Array(...pendingAck) })))
        pendingAck.clear()
      }
      const { batch, data } = await packer.get()
      const enc = await state.encryptMessageData(data)
      for (const s of batch) if (s.request.classType === 'request') pending.set(s.msgId, s)
      return codec.encodePacket(enc)
    },
    async recv(framed) {
      let at = 0
      const buf = Buffer.from(framed)
      const reader = { read: async (n: number) => buf.subarray(at, (at += n)) }
      const body = await codec.readPacket(reader)
      const message = await state.decryptMessageData(body)
      // _processMessage → _handleRPCResult
      pendingAck.add(message.msgId)
      message.obj = await message.obj
      const result = message.obj
      const s = pending.getAndDelete(result.reqMsgId)
      if (!s) throw new Error('no pending request')
      s.resolve(s.request.readResult(new BinaryReader(result.body)))
    },
    resolved: () => done,
  }
}

/** Runs `n` requests of `op` on `c`, timing only the client's two halves. */
async function run(c: Client, server: FakeServer, op: Op, n: number, payload: Uint8Array): Promise<number> {
  let t = 0
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    const framed = await c.send(op, payload)
    const t1 = performance.now()
    const answer = server.answer(framed, c.frame)
    const t2 = performance.now()
    await c.recv(answer)
    t += performance.now() - t2 + (t1 - t0)
  }
  return t
}

/**
 * The same, timed as this process's CPU time (process.cpuUsage: user + system, all threads, so
 * other processes on a shared machine do not count, the client's GC and JIT threads do): a round
 * of `n` round trips minus `n` times the server half's CPU per request, measured once beforehand
 * on many replayed requests (`serverCost`).
 */
async function runCpu(c: Client, server: FakeServer, op: Op, n: number, payload: Uint8Array, perRequest: number): Promise<number> {
  const u0 = process.cpuUsage()
  for (let i = 0; i < n; i++) await c.recv(server.answer(await c.send(op, payload), c.frame))
  const u = process.cpuUsage(u0)
  return (u.user + u.system) / 1000 - n * perRequest
}

/** The server half's CPU per request for `c` (ms): requests recorded once, answered again and again. */
async function serverCost(c: Client, server: FakeServer, op: Op, payload: Uint8Array): Promise<number> {
  const recorded: Uint8Array[] = []
  for (let i = 0; i < 500; i++) {
    const framed = await c.send(op, payload)
    recorded.push(framed)
    await c.recv(server.answer(framed, c.frame))
  }
  const xs: number[] = []
  for (let r = 0; r < 7; r++) {
    const u0 = process.cpuUsage()
    for (let k = 0; k < 4; k++) for (const f of recorded) server.answer(f, c.frame)
    const u = process.cpuUsage(u0)
    xs.push((u.user + u.system) / 1000 / (4 * recorded.length))
  }
  return xs.sort((a, b) => a - b)[3]
}

/** performance.now() read twice per half: what it costs, subtracted. */
function timerCost(): number {
  const n = 100_000
  const t0 = performance.now()
  let x = 0
  for (let i = 0; i < n; i++) x += performance.now() - performance.now()
  return (performance.now() - t0) / n + x * 0
}

async function clients(): Promise<{ list: Client[]; servers: Map<Client, FakeServer> }> {
  const keyBytes = rnd(256)
  const list: Client[] = []
  const servers = new Map<Client, FakeServer>()
  const relaxed = await createCrypto({ native: nodeProvider })
  const baseline = await createCrypto({ native: nodeProvider, simd: 'baseline' })
  list.push(ours(relaxed, keyBytes, `${relaxed.backend} +node:crypto`))
  if (baseline.backend !== relaxed.backend) list.push(ours(baseline, keyBytes, `${baseline.backend} +node:crypto`))
  list.push(await mtcute(keyBytes), await gramjs(keyBytes))
  const sc = await createCrypto()
  for (const c of list) servers.set(c, new FakeServer(sc, createAuthKey(keyBytes)))
  return { list, servers }
}

/**
 * Requests/s of each client for each op: many short rounds, the clients' order rotating each
 * round, the median of the rounds (a noisy neighbour then slows every client alike). Timed as
 * this process's CPU time by default (`runCpu`); `MTWIRE_BENCH_WALL=1` times each half with
 * performance.now() instead (`run`), which a loaded machine makes noisy.
 */
export async function measureSession(quick: boolean, cpuTime = process.env.MTWIRE_BENCH_WALL !== '1'): Promise<Omit<BenchResult, 'suite'>[]> {
  const { list, servers } = await clients()
  const payload = rnd(PAYLOAD)
  const rounds = quick ? 10 : 30
  const per = cpuTime ? 1500 : 500
  // a full GC before each round (untimed; the bench runs with --expose-gc): each round starts
  // with an empty young generation, so the collections it pays for are its own
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
  const warm = quick ? 1500 : 4000
  const timer = 2 * timerCost()
  const res: Omit<BenchResult, 'suite'>[] = []
  const sent = new Map<Client, number>(list.map((c) => [c, 0]))
  // GramJS is ~20x slower: fewer requests per round keep its rounds as short as the others'
  const count = (c: Client): number => (c.frame === 'abridged' ? per >> 3 : per)
  for (const op of OPS) {
    // warm-up: JIT tiers, caches (GramJS needs the longest)
    const cost = new Map<Client, number>()
    for (const c of list) {
      await run(c, servers.get(c)!, op, warm, payload)
      sent.set(c, sent.get(c)! + warm)
      if (cpuTime) {
        cost.set(c, await serverCost(c, servers.get(c)!, op, payload))
        sent.set(c, sent.get(c)! + 500)
      }
    }
    const hz = new Map<Client, number[]>(list.map((c) => [c, []]))
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < list.length; i++) {
        const c = list[(i + r) % list.length]
        const n = count(c)
        gc()
        const ms = cpuTime ? await runCpu(c, servers.get(c)!, op, n, payload, cost.get(c)!) : (await run(c, servers.get(c)!, op, n, payload)) - n * timer
        sent.set(c, sent.get(c)! + n)
        hz.get(c)!.push((n * 1000) / Math.max(1e-9, ms))
      }
    }
    for (const c of list) {
      const xs = hz.get(c)!.sort((a, b) => a - b)
      const med = xs[xs.length >> 1]
      const mad = xs.map((x) => Math.abs(x - med)).sort((a, b) => a - b)[xs.length >> 1]
      res.push({ impl: c.impl, peer: c.peer, op, size: op === 'ping' ? 0 : PAYLOAD, opsPerSec: med, bytesPerSec: 0, samples: xs.length * count(c), rme: (100 * mad) / med })
    }
  }
  // every request got its answer
  await new Promise((r) => setTimeout(r, 5))
  for (const c of list) if (c.resolved() !== sent.get(c)) throw new Error(`${c.impl}: ${c.resolved()} of ${sent.get(c)} requests resolved`)
  return res
}

/**
 * JS heap bytes allocated per steady-state request by each client (both halves), measured as
 * heap growth over round trips without a GC in between, minus the fake server's share
 * (measured alone on the same packets). Needs --expose-gc.
 */
export async function measureSessionAllocations(n = 400): Promise<{ impl: string; op: Op; bytes: number }[]> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('run node with --expose-gc')
  const { PerformanceObserver } = await import('node:perf_hooks')
  const gcs: number[] = []
  const obs = new PerformanceObserver((l) => {
    for (const e of l.getEntries()) gcs.push(e.startTime)
  })
  obs.observe({ entryTypes: ['gc'] })
  const { list, servers } = await clients()
  const payload = rnd(PAYLOAD)
  const used = (): number => getHeapStatistics().used_heap_size + process.memoryUsage().arrayBuffers
  const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 5))
  const out: { impl: string; op: Op; bytes: number }[] = []
  /** Heap growth per call of `f`, median of clean trials (no GC during the trial). */
  const per = async (f: (k: number) => Promise<void>, k: number): Promise<number> => {
    const xs: number[] = []
    for (let attempt = 0; xs.length < 5 && attempt < 40; attempt++) {
      gc()
      await flush()
      const t0 = performance.now()
      const h0 = used()
      await f(k)
      const h1 = used()
      const t1 = performance.now()
      await flush()
      if (!gcs.some((t) => t >= t0 && t <= t1)) xs.push((h1 - h0) / k)
    }
    return xs.length ? xs.sort((a, b) => a - b)[xs.length >> 1] : NaN
  }
  for (const op of OPS) {
    for (const c of list) {
      const srv = servers.get(c)!
      await run(c, srv, op, 2000, payload)
      // the server's share: answering recorded requests alone
      const recorded: Uint8Array[] = []
      for (let i = 0; i < n; i++) {
        const framed = await c.send(op, payload)
        recorded.push(framed)
        await c.recv(srv.answer(framed, c.frame))
      }
      // GramJS allocates ~20x more: fewer round trips per trial, so that one fits between collections
      const k = c.frame === 'abridged' ? n >> 3 : n
      const both = await per(async (k) => {
        for (let i = 0; i < k; i++) await c.recv(srv.answer(await c.send(op, payload), c.frame))
      }, k)
      const server = await per(async (k) => {
        for (let i = 0; i < k; i++) srv.answer(recorded[i % recorded.length], c.frame)
      }, k)
      out.push({ impl: c.impl, op, bytes: Math.max(0, Math.round(both - server)) })
    }
  }
  obs.disconnect()
  return out
}

/**
 * The ceiling: the envelope alone, per request, at the sizes the session sends and receives
 * (request packet in a container with one ack; bare rpc_result answer): encrypt one, decrypt the
 * other. A session cannot beat its peer by more than its envelope does.
 */
async function envelopeCases(): Promise<BenchCase[]> {
  const keyBytes = rnd(256)
  const key = createAuthKey(keyBytes)
  const provider = new NodeCryptoProvider()
  await provider.initialize()
  const mk = new MtcuteAuthKey(provider as never, quiet as never, {} as never)
  mk.setup(keyBytes)
  const salt = { low: 0x55667788, high: 0x11223344, unsigned: false } as never
  const session = { low: 0x05060708, high: 0x01020304, unsigned: false } as never
  const inner = (size: number): Uint8Array => {
    const m = rnd(size)
    const dv = new DataView(m.buffer)
    dv.setUint32(8, 0x05060708, true)
    dv.setUint32(12, 0x01020304, true)
    dv.setUint32(28, size - 32, true)
    return m
  }
  const cases: BenchCase[] = []
  const ourCryptos = [await createCrypto({ native: nodeProvider }), await createCrypto({ native: nodeProvider, simd: 'baseline' })]
  for (const [op, up, down] of [['envelope, ping-sized', 104, 64], ['envelope, echo-1k-sized', 1124, 1076]] as const) {
    const req = inner(up)
    const ans = inner(down)
    const packet = ourCryptos[0].encryptMessage(key, ans, 8)
    const out = new Uint8Array(up + 1100)
    const back = new Uint8Array(packet.length)
    for (const c of ourCryptos) {
      cases.push({ impl: `mtwire ${c.backend} +node:crypto`, op, size: 0, fn: () => (c.encryptMessageInto(key, req, 0, out), c.decryptMessageInto(key, packet, 8, back)) })
    }
    const msg = req.subarray(16)
    cases.push({ impl: '@mtcute/core AuthKey (node)', peer: true, op, size: 0, fn: () => (mk.encryptMessage(msg, salt, session), mk.decryptMessage(packet, session, () => {})) })
  }
  return cases
}

/**
 * Memory a server keeps: heap per idle session (one connection, one ping answered and
 * acknowledged), and the heap of one busy session after 10^4 and 10^5 round trips (it must stay
 * flat: nothing grows with traffic). Heap after a full GC. Needs --expose-gc.
 */
export async function measureServerMemory(): Promise<string[]> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('run node with --expose-gc')
  const { SessionServer } = await import('../../src/session/server.js')
  const crypto = await createCrypto({ native: nodeProvider })
  const heap = (): number => {
    gc()
    gc()
    return getHeapStatistics().used_heap_size + process.memoryUsage().arrayBuffers
  }
  const out: string[] = []
  // idle sessions: everything the server holds (keys, sessions, connections), the clients dropped
  const h0 = heap()
  const keys = new Map<bigint, ReturnType<typeof createAuthKey>>()
  let clients: ClientSession[] = []
  for (let i = 0; i < 200; i++) {
    const k = createAuthKey(rnd(256))
    keys.set(k.idLong, k)
    clients.push(new ClientSession({ crypto, authKey: k, timeOffset: 0, pingInterval: 0, futureSalts: 0, stateRequestAfter: 0 }))
  }
  const server = new SessionServer({ crypto, keys })
  const conns: ReturnType<typeof server.connection>[] = []
  const roundTrip = (c: ClientSession, conn: ReturnType<typeof server.connection>, n: number): void => {
    for (let i = 0; i < n; i++) {
      void c.invoke({ _: 'ping', ping_id: BigInt(i) })
      for (let k = 0; k < 4; k++) {
        for (const o of c.takeOutgoing()) if (o.type === 'packet') conn.receive(o.data)
        for (const o of conn.takeOutgoing()) if (o.type === 'packet') c.receive(o.data)
      }
    }
  }
  for (const c of clients) {
    const conn = server.connection()
    conns.push(conn)
    roundTrip(c, conn, 2) // new_session_created and the salt settled, acknowledged
    c.close()
    for (const o of c.takeOutgoing()) if (o.type === 'packet') conn.receive(o.data) // the last acks
  }
  const busy = clients[0]
  clients = []
  await new Promise((r) => setTimeout(r, 10)) // promise jobs still holding the clients run
  const h1 = heap()
  out.push(`server heap per idle connection + session + key (after a round trip, acknowledged): ${Math.round((h1 - h0) / 200)} B`)
  // one busy session: flat
  const c = new ClientSession({ crypto, authKey: keys.get(busy.authKey.idLong)!, sessionId: 1n, timeOffset: 0, pingInterval: 0, futureSalts: 0, stateRequestAfter: 0 })
  const conn = conns[0]
  roundTrip(c, conn, 10_000)
  const a = heap()
  roundTrip(c, conn, 90_000)
  const b = heap()
  out.push(`heap of a client and server pair after 10^4 round trips, then after 10^5: ${Math.round(a / 1024)} KiB, ${Math.round(b / 1024)} KiB (${b - a >= 0 ? '+' : ''}${Math.round((b - a) / 1024)} KiB)`)
  return out
}

const suite: BenchSuite = {
  name: 'session',
  async cases() {
    return envelopeCases()
  },
  async extra({ quick }) {
    return measureSession(quick)
  },
  async notes() {
    return [
      ...(await measureSessionAllocations()).map((a) => `heap bytes per steady-state request (client, both halves), ${a.impl}, ${a.op}: ${a.bytes}`),
      ...(await measureServerMemory()),
    ]
  },
}
export default suite
