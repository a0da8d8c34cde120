/**
 * The decode budget (TlReaderOptions.maxObjects): bytes bound what a decode reads, not what it
 * becomes; the budget bounds the objects, vector elements and byte views it creates. Its
 * defaults are checked against real answers built with GramJS's TL for the full api.tl (layer
 * 198, `telegram/tl/apiTl.js`) and decoded with a codec compiled from the same schema.
 */
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { gzipSync } from 'fflate'
import { compileCodec, decodeTl, encodeTl, gzipPacked, mergeCodecs, mtprotoCodec, TlReader, TlWriter, TL_MAX_OBJECTS, TL_MAX_OBJECTS_UNTRUSTED, TL_UNTRUSTED, ID_GZIP_PACKED, ID_VECTOR, type TlReaderOptions } from '../../src/tl/index.js'

const require = createRequire(import.meta.url)
const apiTl = require('telegram/tl/apiTl.js') as string
const codec = mergeCodecs(mtprotoCodec, compileCodec(apiTl))

/** GramJS's generated classes and its big-integer longs. */
function gramjs() {
  require('telegram')
  const { Api } = require('telegram') as { Api: any }
  // GramJS's own long type, resolved from where GramJS is (not a dependency of ours)
  const big = createRequire(require.resolve('telegram'))('big-integer') as (v: number | string) => unknown
  return { Api, big }
}

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255))

/** A large messages.stickerSet: 200 stickers (an emoji set's maximum; sticker sets stop at 120), video thumbs, keywords. */
export function bigStickerSet(): Uint8Array {
  const { Api, big } = gramjs()
  const set = { id: big('1234567890123456789'), accessHash: big('-987654321987654321') }
  const emoji = ['😀', '👍', '🐱', '❤️', '🔥', '😂', '🎉', '🤔', '😢', '🙏']
  const documents = Array.from({ length: 200 }, (_, i) =>
    new Api.Document({
      id: big(`${5_000_000_000_000_000_000n + BigInt(i)}`),
      accessHash: big(`${-4_000_000_000_000_000_000n - BigInt(i * 7)}`),
      fileReference: bytes(29, i),
      date: 1_700_000_000 + i,
      mimeType: 'video/webm',
      size: big(200_000 + i * 13),
      thumbs: [new Api.PhotoPathSize({ type: 'j', bytes: bytes(300 + (i % 50), i) }), new Api.PhotoSize({ type: 'm', w: 128, h: 128, size: 4000 + i })],
      videoThumbs: [new Api.VideoSize({ type: 'v', w: 100, h: 100, size: 20000 + i, videoStartTs: 0.5 })],
      dcId: 2,
      attributes: [
        new Api.DocumentAttributeVideo({ duration: 3, w: 512, h: 512, supportsStreaming: true }),
        new Api.DocumentAttributeSticker({ alt: emoji[i % 10], stickerset: new Api.InputStickerSetID(set) }),
        new Api.DocumentAttributeFilename({ fileName: `sticker_${i}.webm` }),
      ],
    }),
  )
  return new Api.messages.StickerSet({
    set: new Api.StickerSet({
      official: true, emojis: true, installedDate: 1_700_000_000, ...set, title: 'A large emoji set', shortName: 'large_emoji_set',
      thumbs: [new Api.PhotoSize({ type: 's', w: 100, h: 100, size: 3000 })], thumbDcId: 2, thumbVersion: 1, count: 200, hash: 0x5eed,
    }),
    packs: emoji.map((e, k) => new Api.StickerPack({ emoticon: e, documents: documents.filter((_, i) => i % 10 === k).map((d) => d.id) })),
    keywords: documents.map((d, i) => new Api.StickerKeyword({ documentId: d.id, keyword: ['smile', 'happy', `kw${i}`, 'party', 'fun'] })),
    documents,
  }).getBytes()
}

/** contacts.getContacts for 10 000 contacts: every user with a photo, a status, names, a username, a phone and a colour. */
export function bigContacts(n = 10_000): Uint8Array {
  const { Api, big } = gramjs()
  const users = Array.from({ length: n }, (_, i) =>
    new Api.User({
      contact: true, mutualContact: i % 2 === 0, premium: i % 7 === 0,
      id: big(1_000_000_000 + i), accessHash: big(`${-1234567890123n * BigInt(i + 1)}`),
      firstName: `First${i}`, lastName: i % 3 ? `Last${i}` : undefined, username: i % 2 ? `user_${i}` : undefined, phone: `7900${String(i).padStart(7, '0')}`,
      photo: new Api.UserProfilePhoto({ photoId: big(`${9_000_000_000_000n + BigInt(i)}`), strippedThumb: bytes(120, i), dcId: 2, hasVideo: i % 5 === 0 }),
      status: new Api.UserStatusOffline({ wasOnline: 1_700_000_000 - i }),
      usernames: i % 4 === 0 ? [new Api.Username({ username: `u${i}`, active: true, editable: true }), new Api.Username({ username: `alias${i}`, active: true })] : undefined,
      emojiStatus: i % 7 === 0 ? new Api.EmojiStatus({ documentId: big(`${5_000_000_000_000_000_000n + BigInt(i)}`) }) : undefined,
      color: i % 3 === 0 ? new Api.PeerColor({ color: i % 7, backgroundEmojiId: big(`${5_100_000_000_000_000_000n + BigInt(i)}`) }) : undefined,
      langCode: 'en',
    }),
  )
  return new Api.contacts.Contacts({
    contacts: users.map((u) => new Api.Contact({ userId: u.id, mutual: u.mutualContact ?? false })),
    savedCount: 0,
    users,
  }).getBytes()
}

/** One boxed value of any kind (decodeTl refuses a bare Vector at the top: E_TL_NOT_OBJECT). */
const decodeAny = (data: Uint8Array, options?: TlReaderOptions): unknown => new TlReader(codec, data, options).object()

/** Objects, vector elements and views one decode of `data` creates. */
function objectCount(data: Uint8Array): number {
  const r = new TlReader(codec, data, { maxObjects: 1 << 30 })
  r.object()
  expect(r.pos).toBe(data.length)
  return r.objectCount
}

describe('decode budget', () => {
  it('the default is at least 4x the largest real answers (a 200-sticker set, 10 000 contacts)', () => {
    const sets = bigStickerSet()
    const contacts = bigContacts()
    const counts = { stickerSet: objectCount(sets), contacts: objectCount(contacts) }
    expect(counts.contacts * 4).toBeLessThanOrEqual(TL_MAX_OBJECTS)
    expect(counts.stickerSet * 4).toBeLessThanOrEqual(TL_MAX_OBJECTS)
    expect((decodeTl(codec, contacts) as unknown as { users: unknown[] }).users.length).toBe(10_000)
    expect((decodeTl(codec, sets) as unknown as { documents: unknown[] }).documents.length).toBe(200)
    // an untrusted peer's budget still takes a large sticker set (a client's request is far smaller)
    expect(counts.stickerSet * 4).toBeLessThanOrEqual(TL_MAX_OBJECTS_UNTRUSTED)
    console.log(`decode budget: messages.stickerSet ${sets.length} B, ${counts.stickerSet} objects; contacts.contacts (10 000) ${contacts.length} B, ${counts.contacts} objects`)
  }, 60_000)

  /** gzip_packed of `raw`. */
  const packed = (raw: Uint8Array): Uint8Array => {
    const w = new TlWriter(null)
    w.int(ID_GZIP_PACKED)
    w.bytes(gzipSync(raw))
    return w.toBytes()
  }
  const heap = (): number => {
    const m = process.memoryUsage()
    return m.heapUsed + m.arrayBuffers
  }

  it('16 KiB of gzip holding millions of small constructors is refused by its count, before the array', () => {
    // a Vector<InputPeer> of 4M inputPeerEmpty (4 bytes each): 16 MiB inflated, ~16 KiB packed
    const n = 4 << 20
    const raw = new Uint8Array(8 + 4 * n)
    const dv = new DataView(raw.buffer)
    dv.setUint32(0, ID_VECTOR, true)
    dv.setUint32(4, n, true)
    for (let i = 0; i < n; i++) dv.setUint32(8 + 4 * i, codec.ids.inputPeerEmpty, true)
    const bomb = packed(raw)
    expect(bomb.length).toBeLessThan(32 << 10)
    expect(() => decodeAny(bomb, { maxGzipSize: 32 << 20 })).toThrow(expect.objectContaining({ code: 'E_TL_BUDGET' }))
  })

  it('a vector under the budget whose objects and views exceed it stops at the budget, in bounded memory', () => {
    // 300 000 photoPathSize (12 bytes, 3 units each: the element, the object, its view): 3.6 MB
    // inflated from a few KiB, 900 000 units; the default budget stops it at 2^19
    const n = 300_000
    const w = new TlWriter(null, 8 + 12 * n)
    w.int(ID_VECTOR)
    w.int(n)
    for (let i = 0; i < n; i++) {
      w.int(codec.ids.photoPathSize)
      w.string('')
      w.bytes(new Uint8Array(0))
    }
    const bomb = packed(w.toBytes())
    expect(bomb.length).toBeLessThan(64 << 10)
    const before = heap()
    let err: unknown
    try {
      decodeAny(bomb)
    } catch (e) {
      err = e
    }
    expect(err).toMatchObject({ code: 'E_TL_BUDGET' })
    expect(heap() - before).toBeLessThan(96 << 20)
    // with a budget that fits, it decodes: the budget is the only thing that stopped it
    expect(decodeAny(bomb, { maxObjects: 3 * n + 1 })).toHaveLength(n)
  })

  it('charges objects one by one too: a long run of objects fails at the budget, not after', () => {
    // rpc_result holding a Vector<InputPeer> counted element by element is refused by its count;
    // this is a vector of objects each holding views: the views are charged as well
    const w = new TlWriter(null)
    w.int(ID_VECTOR)
    w.int(1000)
    for (let i = 0; i < 1000; i++) {
      w.int(codec.ids.photoPathSize)
      w.string('j')
      w.bytes(new Uint8Array(0))
    }
    const data = w.toBytes()
    expect(objectCount(data)).toBe(3000) // 1000 elements, 1000 objects, 1000 views
    expect(() => decodeAny(data, { maxObjects: 2999 })).toThrow(expect.objectContaining({ code: 'E_TL_BUDGET' }))
    expect(decodeAny(data, { maxObjects: 3000 })).toHaveLength(1000)
  })

  it('TL_UNTRUSTED: an untrusted peer\'s gzip inflates to 1 MiB at most, and its objects to 2^16', () => {
    expect(TL_UNTRUSTED).toEqual({ maxObjects: TL_MAX_OBJECTS_UNTRUSTED, maxGzipSize: 1 << 20 })
    expect(Object.isFrozen(TL_UNTRUSTED)).toBe(true)
    // 2 MiB of zeros in a ~2 KiB gzip_packed: refused after 1 MiB (the default would inflate it)
    const w = new TlWriter(null)
    w.int(ID_GZIP_PACKED)
    w.bytes(gzipSync(new Uint8Array(2 << 20)))
    const bomb = w.toBytes()
    expect(bomb.length).toBeLessThan(4096)
    expect(() => decodeTl(codec, bomb, TL_UNTRUSTED)).toThrow(expect.objectContaining({ code: 'E_TL_GZIP_TOO_LARGE' }))
    // what a client sends passes: a gzip_packed request of a thousand contacts to import
    const req = encodeTl(codec, {
      _: 'contacts.importContacts',
      contacts: Array.from({ length: 1000 }, (_, i) => ({ _: 'inputPhoneContact', client_id: BigInt(i), phone: `7900${i}`, first_name: `F${i}`, last_name: '' })),
    })
    expect((decodeTl(codec, gzipPacked(req), TL_UNTRUSTED) as unknown as { contacts: unknown[] }).contacts).toHaveLength(1000)
  })
})
