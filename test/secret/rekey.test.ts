/**
 * Re-keying (core.telegram.org/api/end-to-end/pfs): the four steps, triggers by count and age,
 * concurrent requests and their tie-break, aborts, a message under the new key before the
 * commit, every failed check, and when old keys are erased.
 */
import { describe, expect, it } from 'vitest'
import type { SecretChatError } from '../../src/errors.js'
import type { SecretChatRequest } from '../../src/secret/chat.js'
import { decodeTl } from '../../src/tl/api.js'
import { secretCodec } from '../../src/tl/generated/secret.js'
import { forgeNext, keyRef, ofType, pair, type Party, route, settle, texts } from './helpers.js'
import { fingerprintRef, openE2e } from './reference.js'

const keyOf = (p: Party): Uint8Array => Uint8Array.from(Buffer.from(p.chat.exportState().key!.key, 'base64'))
const abortCode = (ev: { type: string }[]): string | undefined =>
  (ev.find((e) => e.type === 'aborted') as { error: SecretChatError } | undefined)?.error.code

/** The actions in a chat's service requests, decrypted with `key` as sent by `p`. */
function actions(p: Party, reqs: SecretChatRequest[], key: Uint8Array): { _: string; [k: string]: unknown }[] {
  return reqs.flatMap((r) => {
    if (r._ !== 'messages.sendEncryptedService') return []
    const body = openE2e(key, r.data, p.chat.originator ? 0 : 8, 2).body
    return [(decodeTl(secretCodec, body) as unknown as { message: { action: { _: string; [k: string]: unknown } } }).message.action]
  })
}

/** Alternating messages, settled after each. */
function chatter(a: Party, b: Party, n: number, now = 0): void {
  for (let i = 0; i < n; i++) {
    ;(i % 2 ? b : a).chat.send({ message: `${i % 2 ? 'b' : 'a'}${i}` })
    settle(a, b, now)
  }
}

describe('re-keying', () => {
  it('after more than rekeyAfterMessages messages: a new key on both sides, old keys erased, visualization unchanged', () => {
    const { a, b, dh, key } = pair({ rekeyAfterMessages: 10 })
    settle(a, b)
    const viz = a.chat.visualization
    chatter(a, b, 12)
    const ra = ofType(a.events, 'rekeyed')
    const rb = ofType(b.events, 'rekeyed')
    expect(ra).toHaveLength(1)
    expect(rb).toEqual(ra)
    // the new key from the re-keying key pairs, computed independently (with concurrent requests there are three pairs:
    // both requests and the acceptance; the key is the winning request's with the acceptance's)
    const fresh = dh.pairs.slice(2)
    expect(fresh.length === 2 || fresh.length === 3).toBe(true)
    const candidates = fresh.flatMap((x, i) => fresh.slice(i + 1).map((y) => keyRef(x, y)))
    const newKey = candidates.find((c) => fingerprintRef(c) === ra[0].keyFingerprint)!
    expect(newKey).toBeDefined()
    expect(ra[0].keyFingerprint).toBe(fingerprintRef(newKey))
    expect(a.chat.keyFingerprint).toBe(fingerprintRef(newKey))
    expect(b.chat.keyFingerprint).toBe(fingerprintRef(newKey))
    expect(keyOf(a)).toEqual(newKey)
    chatter(a, b, 2)
    expect(ofType(a.events, 'keyDiscarded')).toEqual([{ type: 'keyDiscarded', keyFingerprint: fingerprintRef(key) }])
    expect(ofType(b.events, 'keyDiscarded')).toEqual([{ type: 'keyDiscarded', keyFingerprint: fingerprintRef(key) }])
    expect(a.chat.exportState().retained).toEqual([])
    expect(a.chat.visualization).toEqual(viz)
    expect(b.chat.visualization).toEqual(viz)
    expect(texts(b)).toHaveLength(7)
    expect(texts(a)).toHaveLength(7)
  })

  it('after rekeyAfterMs of use (a timer: nextDeadline / tick)', () => {
    const { a, b } = pair({ rekeyAfterMs: 60_000 })
    settle(a, b)
    expect(a.chat.nextDeadline()).toBe(60_000)
    expect(a.chat.tick(59_999)).toEqual([])
    expect(a.chat.takeOutgoing()).toEqual([])
    a.events.push(...a.chat.tick(60_000))
    const reqs = a.chat.takeOutgoing()
    expect(actions(a, reqs, keyOf(a)).map((x) => x._)).toEqual(['decryptedMessageActionRequestKey'])
    route(reqs, b, a)
    settle(a, b, 60_000)
    expect(ofType(a.events, 'rekeyed')).toHaveLength(1)
    expect(a.chat.nextDeadline()).toBeUndefined() // the new key has encrypted nothing yet
    a.chat.send({ message: 'x' })
    expect(a.chat.nextDeadline()).toBe(120_000) // its age counts from the switch
  })

  it('both request at once: the larger exchange_id (signed) wins, the smaller is dropped without AbortKey', () => {
    const { a, b } = pair()
    settle(a, b)
    const k = keyOf(a)
    expect(a.chat.startRekey()).toBe(true)
    expect(b.chat.startRekey()).toBe(true)
    const ra = a.chat.takeOutgoing()
    const rb = b.chat.takeOutgoing()
    const idA = actions(a, ra, k)[0].exchange_id as bigint
    const idB = actions(b, rb, k)[0].exchange_id as bigint
    const sent: string[] = []
    route(ra, b, a)
    route(rb, a, b)
    for (let i = 0; i < 10; i++) {
      for (const [p, q] of [[a, b], [b, a]] as const) {
        for (const u of p.inbox.splice(0)) p.events.push(...p.chat.receive(u, 0))
        const out = p.chat.takeOutgoing()
        try {
          sent.push(...actions(p, out, keyOf(p)).map((x) => x._))
        } catch {
          sent.push(...actions(p, out, k).map((x) => x._)) // sent before the switch, under the old key
        }
        route(out, q, p)
      }
    }
    const winner = idA > idB ? idA : idB
    expect(ofType(a.events, 'rekeyed').map((e) => e.exchangeId)).toEqual([winner])
    expect(ofType(b.events, 'rekeyed').map((e) => e.exchangeId)).toEqual([winner])
    const loser = idA > idB ? b : a
    expect(ofType(loser.events, 'rekeyAborted').map((e) => e.exchangeId)).toEqual([idA > idB ? idB : idA])
    expect(sent).not.toContain('decryptedMessageActionAbortKey')
    expect(sent.filter((x) => x === 'decryptedMessageActionAcceptKey')).toHaveLength(1)
    expect(a.chat.keyFingerprint).toBe(b.chat.keyFingerprint)
  })

  it('equal exchange_ids: both instances end silently', () => {
    const { a, b } = pair()
    settle(a, b)
    const k = keyOf(a)
    a.chat.startRekey()
    const id = actions(a, a.chat.takeOutgoing(), k)[0].exchange_id as bigint
    const gA = b.chat.exportState() && Uint8Array.from(Buffer.from(a.chat.exportState().rekey.s === 'requested' ? (a.chat.exportState().rekey as { pub: string }).pub : '', 'base64'))
    const ev = a.chat.receive(forgeNext(b, { _: 'decryptedMessageService', random_id: 3n, action: { _: 'decryptedMessageActionRequestKey', exchange_id: id, g_a: gA } }), 0)
    expect(ev).toEqual([{ type: 'rekeyAborted', exchangeId: id, error: undefined }])
    expect(a.chat.takeOutgoing()).toEqual([]) // no AcceptKey, no AbortKey
    expect(a.chat.startRekey()).toBe(true) // idle again
  })

  it('a smaller exchange_id from the peer while ours is pending is dropped silently', () => {
    const { a, b } = pair()
    settle(a, b)
    const k = keyOf(a)
    a.chat.startRekey()
    const mine = actions(a, a.chat.takeOutgoing(), k)[0]
    const ev = a.chat.receive(forgeNext(b, { _: 'decryptedMessageService', random_id: 3n, action: { _: 'decryptedMessageActionRequestKey', exchange_id: (mine.exchange_id as bigint) - 1n, g_a: mine.g_a as Uint8Array } }), 0)
    expect(ev).toEqual([])
    expect(a.chat.takeOutgoing()).toEqual([])
    expect(a.chat.exportState().rekey.s).toBe('requested')
  })

  it('AbortKey from the initiator drops the accepted key', () => {
    const { a, b } = pair()
    settle(a, b)
    const k = keyOf(a)
    a.chat.startRekey()
    const req = a.chat.takeOutgoing()
    const id = actions(a, req, k)[0].exchange_id as bigint
    route(req, b, a)
    for (const u of b.inbox.splice(0)) b.chat.receive(u, 0)
    expect(b.chat.exportState().rekey.s).toBe('accepted')
    b.chat.takeOutgoing() // the AcceptKey, never delivered
    // A aborts (allowed: it has not sent CommitKey); forged as A's next message
    const s = a.chat.exportState()
    const abort = forgeNext({ ...a, chat: { ...a.chat, originator: true, exportState: () => s } } as never, { _: 'decryptedMessageService', random_id: 4n, action: { _: 'decryptedMessageActionAbortKey', exchange_id: id } }, k)
    expect(b.chat.receive(abort, 0)).toEqual([{ type: 'rekeyAborted', exchangeId: id, error: undefined }])
    expect(b.chat.exportState().rekey.s).toBe('idle')
  })

  it('AbortKey from the peer ends our request; we may request again', () => {
    const { a, b } = pair()
    settle(a, b)
    const k = keyOf(a)
    a.chat.startRekey()
    const id = actions(a, a.chat.takeOutgoing(), k)[0].exchange_id as bigint
    const ev = a.chat.receive(forgeNext(b, { _: 'decryptedMessageService', random_id: 5n, action: { _: 'decryptedMessageActionAbortKey', exchange_id: id } }), 0)
    expect(ev).toEqual([{ type: 'rekeyAborted', exchangeId: id, error: undefined }])
    expect(a.chat.startRekey()).toBe(true)
  })

  it('a second request while one is accepted and unfinished is answered with AbortKey', () => {
    const { a, b } = pair()
    settle(a, b)
    const k = keyOf(a)
    a.chat.startRekey()
    const req = a.chat.takeOutgoing()
    const first = actions(a, req, k)[0]
    route(req, b, a)
    for (const u of b.inbox.splice(0)) b.chat.receive(u, 0)
    b.chat.takeOutgoing()
    const s = a.chat.exportState()
    const again = forgeNext({ ...a, chat: { ...a.chat, originator: true, exportState: () => s } } as never,
      { _: 'decryptedMessageService', random_id: 6n, action: { _: 'decryptedMessageActionRequestKey', exchange_id: 42n, g_a: first.g_a as Uint8Array } }, k)
    b.chat.receive(again, 0)
    expect(actions(b, b.chat.takeOutgoing(), k)).toEqual([{ _: 'decryptedMessageActionAbortKey', exchange_id: 42n }])
  })

  it('a message under the new key before CommitKey: the other side switches on it and fills the gap', () => {
    const { a, b, key } = pair()
    settle(a, b)
    a.chat.startRekey()
    route(a.chat.takeOutgoing(), b, a) // RequestKey
    for (const u of b.inbox.splice(0)) b.events.push(...b.chat.receive(u, 0))
    route(b.chat.takeOutgoing(), a, b) // AcceptKey
    for (const u of a.inbox.splice(0)) a.events.push(...a.chat.receive(u, 0))
    expect(ofType(a.events, 'rekeyed')).toHaveLength(1)
    const commit = a.chat.takeOutgoing() // CommitKey, under the old key: held back
    expect(commit).toHaveLength(1)
    a.chat.send({ message: 'under the new key' })
    route(a.chat.takeOutgoing(), b, a)
    for (const u of b.inbox.splice(0)) b.events.push(...b.chat.receive(u, 0))
    // B recognized the new key's fingerprint: it switched, holds the message and asks for the commit
    expect(b.events.slice(-2).map((e) => e.type)).toEqual(['rekeyed', 'gap'])
    expect(ofType(b.events, 'keyDiscarded')).toHaveLength(0) // the old key is kept until the gap is filled
    expect(b.chat.keyFingerprint).toBe(a.chat.keyFingerprint)
    expect(texts(b)).toEqual([])
    route(commit, b, a) // the commit arrives after all (or answers the resend request)
    settle(a, b)
    expect(texts(b)).toEqual(['under the new key'])
    expect(ofType(b.events, 'keyDiscarded')).toEqual([{ type: 'keyDiscarded', keyFingerprint: fingerprintRef(key) }])
    expect(ofType(b.events, 'rekeyed')).toHaveLength(1)
    chatter(a, b, 2)
    expect(ofType(a.events, 'keyDiscarded')).toEqual([{ type: 'keyDiscarded', keyFingerprint: fingerprintRef(key) }])
    expect(a.chat.status).toBe('ready')
    expect(b.chat.status).toBe('ready')
  })

  it('a CommitKey whose fingerprint differs from the accepted key aborts the chat (AcceptKey cannot be taken back)', () => {
    const { a, b } = pair()
    settle(a, b)
    const k = keyOf(a)
    a.chat.startRekey()
    const req = a.chat.takeOutgoing()
    const id = actions(a, req, k)[0].exchange_id as bigint
    route(req, b, a)
    for (const u of b.inbox.splice(0)) b.chat.receive(u, 0)
    b.chat.takeOutgoing()
    const s = a.chat.exportState()
    const commit = forgeNext({ ...a, chat: { ...a.chat, originator: true, exportState: () => s } } as never,
      { _: 'decryptedMessageService', random_id: 7n, action: { _: 'decryptedMessageActionCommitKey', exchange_id: id, key_fingerprint: 12345n } }, k)
    expect(abortCode(b.chat.receive(commit, 0))).toBe('E_SECRET_REKEY')
  })

  it('an AcceptKey whose fingerprint is wrong: AbortKey, and the exchange ends with E_SECRET_FINGERPRINT', () => {
    const { a, b, dh } = pair()
    settle(a, b)
    const k = keyOf(a)
    a.chat.startRekey()
    const id = actions(a, a.chat.takeOutgoing(), k)[0].exchange_id as bigint
    const ev = a.chat.receive(forgeNext(b, { _: 'decryptedMessageService', random_id: 8n, action: { _: 'decryptedMessageActionAcceptKey', exchange_id: id, g_b: dh.pairs[1].pub, key_fingerprint: 1n } }), 0)
    expect(ev.map((e) => e.type)).toEqual(['rekeyAborted'])
    expect((ev[0] as { error: SecretChatError }).error.code).toBe('E_SECRET_FINGERPRINT')
    expect(actions(a, a.chat.takeOutgoing(), k)).toEqual([{ _: 'decryptedMessageActionAbortKey', exchange_id: id }])
    expect(a.chat.keyFingerprint).toBe(fingerprintRef(k))
  })

  it('a RequestKey with a g_a outside the DH range aborts the chat', () => {
    const { a, b } = pair()
    settle(a, b)
    const gA = new Uint8Array(256)
    gA[255] = 2
    const ev = a.chat.receive(forgeNext(b, { _: 'decryptedMessageService', random_id: 8n, action: { _: 'decryptedMessageActionRequestKey', exchange_id: 5n, g_a: gA } }), 0)
    expect(abortCode(ev)).toBe('E_SECRET_DH')
  })
})
