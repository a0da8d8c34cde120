/**
 * Sequence numbers (core.telegram.org/api/end-to-end/seq_no): duplicates, gaps, holding and
 * replay, resend requests both ways, and every rule that aborts the chat, each with a test that
 * breaks exactly that rule.
 */
import { describe, expect, it } from 'vitest'
import type { SecretChatError } from '../../src/errors.js'
import type { SecretChatRequest } from '../../src/secret/chat.js'
import { decodeTl } from '../../src/tl/api.js'
import { secretCodec } from '../../src/tl/generated/secret.js'
import { CHAT_ID, forge, ofType, pair, type Party, route, settle, text, texts } from './helpers.js'
import { openE2e } from './reference.js'

const abortCode = (ev: { type: string }[]): string | undefined =>
  (ev.find((e) => e.type === 'aborted') as { error: SecretChatError } | undefined)?.error.code

/** Delivers what is in `p`'s inbox (all, or the given indexes in that order), keeping the rest. */
function deliver(p: Party, which?: number[]): void {
  const take = which ? which.map((i) => p.inbox[i]) : p.inbox.slice()
  p.inbox = which ? p.inbox.filter((_, i) => !which.includes(i)) : []
  for (const u of take) p.events.push(...p.chat.receive(u, 0))
}

/** The decrypted actions of a chat's service requests (2.0 blobs), in order. */
function actionsIn(reqs: SecretChatRequest[], key: Uint8Array, x: 0 | 8): { _: string; [k: string]: unknown }[] {
  return reqs.flatMap((r) => {
    if (r._ !== 'messages.sendEncryptedService') return []
    const m = (decodeTl(secretCodec, openE2e(key, r.data, x, 2).body) as unknown as { message: { action: { _: string; [k: string]: unknown } } }).message
    return [m.action]
  })
}

describe('seq_no: checking out_seq_no', () => {
  it('drops a repeated message without looking at its content', () => {
    const { a, b, key } = pair()
    settle(a, b)
    b.chat.send({ message: 'once' })
    route(b.chat.takeOutgoing(), a, b)
    const u = a.inbox[0]
    deliver(a)
    expect(a.chat.receive(u, 0)).toEqual([]) // the same bytes again (a replay)
    // a different message with the same out_seq_no, whose content (a resend demand nobody could meet) is never read
    const same = forge(key, 'b', 3, 2, { _: 'decryptedMessageService', random_id: 9n, action: { _: 'decryptedMessageActionResend', start_seq_no: 1, end_seq_no: 999 } })
    expect(a.chat.receive(same, 0)).toEqual([])
    expect(a.chat.status).toBe('ready')
    expect(texts(a)).toEqual(['once'])
  })

  it('holds messages after a gap, asks once per hole with wire numbers, and replays in order when filled', () => {
    const { a, b, key } = pair()
    settle(a, b)
    for (const t of ['m1', 'm2', 'm3', 'm4']) b.chat.send({ message: t })
    route(b.chat.takeOutgoing(), a, b)
    const lost = a.inbox.splice(1, 1) // m2 never arrives
    void lost
    deliver(a, [0])
    deliver(a, [0]) // m3: hole at raw 2
    expect(ofType(a.events, 'gap')).toEqual([{ type: 'gap', from: 2, to: 2 }])
    deliver(a) // m4: same hole, no new request
    expect(ofType(a.events, 'gap')).toHaveLength(1)
    expect(texts(a)).toEqual(['m1'])
    const reqs = a.chat.takeOutgoing()
    // "start_seq_no by adding 2 to the out_seq_no of the last message before the hole and the end_seq_no by
    // subtracting 2 from the out_seq_no of the received message": B's wire numbers are even (2·raw)
    expect(actionsIn(reqs, key, 0)).toEqual([{ _: 'decryptedMessageActionResend', start_seq_no: 4, end_seq_no: 4 }])
    route(reqs, b, a)
    deliver(b)
    expect(ofType(b.events, 'resent')).toEqual([{ type: 'resent', from: 2, to: 2 }])
    const again = b.chat.takeOutgoing()
    expect(again).toHaveLength(1)
    expect((again[0] as { data: Uint8Array }).data).toEqual(lost[0].message.bytes) // the same blob
    expect((again[0] as { random_id: bigint }).random_id).not.toBe(lost[0].message.random_id) // a fresh outer random_id
    route(again, a, b)
    deliver(a)
    expect(texts(a)).toEqual(['m1', 'm2', 'm3', 'm4'])
    expect(a.chat.nextDeadline()).toBe(7 * 24 * 3600 * 1000) // no gap left: no resend timer, only re-keying by age
  })

  it('two holes at once: one request for each, both filled', () => {
    const { a, b } = pair()
    settle(a, b)
    for (let i = 1; i <= 6; i++) b.chat.send({ message: `m${i}` })
    route(b.chat.takeOutgoing(), a, b)
    const [m1, , m3, , m5, m6] = a.inbox
    a.inbox = [m1, m3, m5, m6] // m2 and m4 lost
    deliver(a)
    expect(ofType(a.events, 'gap')).toEqual([{ type: 'gap', from: 2, to: 2 }, { type: 'gap', from: 4, to: 4 }])
    settle(a, b)
    expect(texts(a)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6'])
  })

  it('asks again for what is still missing after resendTimeoutMs (the request itself was lost)', () => {
    const { a, b } = pair({ resendTimeoutMs: 5000 })
    settle(a, b)
    b.chat.send({ message: 'm1' })
    b.chat.send({ message: 'm2' })
    route(b.chat.takeOutgoing(), a, b)
    a.inbox.shift()
    for (const u of a.inbox.splice(0)) a.events.push(...a.chat.receive(u, 1000))
    expect(a.chat.takeOutgoing()).toHaveLength(1) // the Resend, lost
    expect(a.chat.nextDeadline()).toBe(6000)
    expect(a.chat.tick(5999)).toEqual([])
    expect(a.chat.takeOutgoing()).toHaveLength(0)
    a.events.push(...a.chat.tick(6000))
    route(a.chat.takeOutgoing(), b, a)
    settle(a, b, 6000)
    expect(texts(a)).toEqual(['m1', 'm2'])
    expect(ofType(a.events, 'gap')).toHaveLength(1) // a retry is not a new gap
  })

  it('a chat holding more than maxHeld messages, or a jump further than that, aborts', () => {
    const { a, b, key } = pair({ maxHeld: 3 })
    settle(a, b)
    for (let i = 1; i <= 6; i++) b.chat.send({ message: `m${i}` })
    route(b.chat.takeOutgoing(), a, b)
    a.inbox.shift()
    deliver(a)
    expect(abortCode(a.events)).toBe('E_SECRET_QUEUE_FULL')
    const p = pair({ maxHeld: 3 })
    settle(p.a, p.b)
    const ev = p.a.chat.receive(forge(p.key, 'b', 3, 2 + 2 * 10, text('far ahead')), 0)
    expect(abortCode(ev)).toBe('E_SECRET_QUEUE_FULL')
    void key
  })
})

describe('seq_no: resend requests from the peer', () => {
  it('a resend request is interpreted at once even when it is itself held behind a gap, and only once', () => {
    const { a, b } = pair()
    settle(a, b)
    // B -> A: b1 is lost; A -> B: a1 is lost. Then B receives a2, so B's resend request (b3) reaches A behind A's gap.
    b.chat.send({ message: 'b1' })
    a.chat.send({ message: 'a1' })
    a.chat.send({ message: 'a2' })
    route(b.chat.takeOutgoing(), a, b)
    route(a.chat.takeOutgoing(), b, a)
    a.inbox.shift()
    b.inbox.shift()
    deliver(b) // a2: gap, B asks for a1
    route(b.chat.takeOutgoing(), a, b)
    deliver(a) // B's Resend, held behind A's own gap (b1 missing): answered at once
    expect(ofType(a.events, 'resent')).toEqual([{ type: 'resent', from: 1, to: 1 }]) // a1 (raw 1; raw 0 was the NotifyLayer)
    settle(a, b)
    expect(texts(a)).toEqual(['b1'])
    expect(texts(b)).toEqual(['a1', 'a2'])
    expect(ofType(a.events, 'resent')).toHaveLength(1) // not again when it was replayed from the queue
  })

  it.each([
    ['beyond our last message', 3, 99],
    ['with the wrong parity', 2, 2],
    ['backwards', 5, 3],
  ])('a request for messages we cannot send (%s) aborts the chat', (_, start, end) => {
    const { a, b, key } = pair()
    settle(a, b)
    const ev = a.chat.receive(forge(key, 'b', 3, 2, { _: 'decryptedMessageService', random_id: 9n, action: { _: 'decryptedMessageActionResend', start_seq_no: start, end_seq_no: end } }), 0)
    expect(abortCode(ev)).toBe('E_SECRET_RESEND')
    expect(a.chat.takeOutgoing()).toContainEqual({ _: 'messages.discardEncryption', chat_id: CHAT_ID })
  })

  it('a request for messages the peer already confirmed (no longer kept) aborts', () => {
    const { a, b, key } = pair()
    settle(a, b)
    a.chat.send({ message: 'a1' })
    settle(a, b)
    b.chat.send({ message: 'confirms' })
    settle(a, b) // B's in_seq_no says it has A's first two messages: A drops them from its history
    const ev = a.chat.receive(forge(key, 'b', 5, 4, { _: 'decryptedMessageService', random_id: 9n, action: { _: 'decryptedMessageActionResend', start_seq_no: 1, end_seq_no: 3 } }), 0)
    expect(abortCode(ev)).toBe('E_SECRET_RESEND')
  })
})

describe('seq_no: parity and in_seq_no', () => {
  // after settle: B's next message has out_seq_no 2 (raw 1, even: B is not the initiator), in_seq_no 3 (raw 1, odd)
  it.each([
    ['out_seq_no odd', 3, 3],
    ['in_seq_no even', 2, 2],
    ['both swapped (a mirrored message)', 2, 3],
    ['negative out_seq_no', 3, -2],
    ['negative in_seq_no', -1, 2],
  ])('%s aborts the chat at once', (_, inSeq, outSeq) => {
    const { a, b, key } = pair()
    settle(a, b)
    const ev = a.chat.receive(forge(key, 'b', inSeq, outSeq, text('x')), 0)
    expect(ev.map((e) => e.type)).toEqual(['aborted'])
    expect(abortCode(ev)).toBe('E_SECRET_SEQ_PARITY')
  })

  it('in_seq_no beyond our last message + 1 aborts', () => {
    const { a, b, key } = pair()
    settle(a, b) // A sent one message (raw 0): in_seq_no may be at most 2·1 + 1
    expect(a.chat.receive(forge(key, 'b', 3, 2, text('ok')), 0).map((e) => e.type)).toEqual(['message'])
    expect(abortCode(a.chat.receive(forge(key, 'b', 5, 4, text('too far')), 0))).toBe('E_SECRET_IN_SEQ')
  })

  it('in_seq_no going down aborts', () => {
    const { a, b, key } = pair()
    settle(a, b)
    a.chat.send({ message: 'a1' })
    expect(a.chat.receive(forge(key, 'b', 5, 2, text('saw two')), 0).map((e) => e.type)).toEqual(['message'])
    expect(abortCode(a.chat.receive(forge(key, 'b', 3, 4, text('saw one')), 0))).toBe('E_SECRET_IN_SEQ')
  })

  it("reports where a message goes among ours (its in_seq_no)", () => {
    const { a, b } = pair()
    settle(a, b)
    a.chat.send({ message: 'a1' })
    a.chat.send({ message: 'a2' })
    b.chat.send({ message: 'b1 (had seen only the NotifyLayer)' })
    settle(a, b)
    b.chat.send({ message: 'b2' })
    settle(a, b)
    expect(ofType(a.events, 'message').map((m) => [m.seq, m.after])).toEqual([[1, 1], [2, 3]])
  })
})

describe('seq_no: deleting unacknowledged messages', () => {
  it('a deleted message the peer never got arrives as a self-deleting service message in its place', () => {
    const { a, b } = pair()
    settle(a, b)
    const id = a.chat.send({ message: 'regret' })
    a.chat.takeOutgoing() // not delivered (yet)
    a.chat.deleteMessages([id])
    settle(a, b) // the DeleteMessages action opens a gap at B, which asks for the original
    expect(texts(b)).toEqual([])
    const acts = ofType(b.events, 'action').map((e) => [e.randomId === id, e.action])
    expect(acts).toEqual([
      [true, { _: 'decryptedMessageActionDeleteMessages', random_ids: [id] }],
      [false, { _: 'decryptedMessageActionDeleteMessages', random_ids: [id] }],
    ])
  })
})

describe('seq_no: deleting a message not even handed out yet', () => {
  it('the self-deleting message replaces it in the outgoing requests', () => {
    const { a, b } = pair()
    settle(a, b)
    const id = a.chat.send({ message: 'never sent' })
    a.chat.deleteMessages([id])
    settle(a, b)
    expect(texts(b)).toEqual([])
    expect(ofType(b.events, 'action').map((e) => e.action._)).toEqual(['decryptedMessageActionDeleteMessages', 'decryptedMessageActionDeleteMessages'])
    expect(ofType(b.events, 'gap')).toEqual([])
  })
})
