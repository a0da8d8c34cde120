/**
 * TL encode and decode against the TL runtimes a user would pick instead:
 * - GramJS (`telegram`): its generated classes (`getBytes()`) and `BinaryReader.tgReadObject()`.
 *   A msg_container is what its MessagePacker / MessageContainer.fromReader do: per message a
 *   16-byte header (msg_id, seqno, length) and the body's `getBytes()`, joined with
 *   Buffer.concat; reading replays MessageContainer.fromReader synchronously (its own
 *   version is async).
 * - mtcute (`@mtcute/tl-runtime` with @mtcute/core's generated reader/writer maps):
 *   `TlBinaryWriter.serializeObject` (a size-counting pass, then one exact allocation) and
 *   `TlBinaryReader.object()`. mtcute has no msg_container constructor; its session writes
 *   one by hand the same way: count every body, allocate once, write headers and bodies.
 * - mtwire: `encodeTl` / `decodeTl` with the committed mtproto codec merged with one compiled
 *   from the api.tl GramJS ships (what `mtwire gen-tl` generates, evaluated in place).
 *
 * Workloads: a msg_container of 100 small messages (msgs_ack, pong, new_session_created and
 * an API object with strings, rotating), and one large API object: messages.stickerSet with
 * 120 stickers (documents with thumbnails and attributes, packs, keywords), 47616 bytes; and an
 * rpc_error whose message is 64 KiB of ASCII, beside TextEncoder.encodeInto of the text alone. Only
 * constructors whose ids are the same in GramJS's layer and mtcute's are used, so all three
 * read the very same bytes: the peers' objects are made by decoding mtwire's encoding, and
 * every peer's own encoding is checked to be byte-identical before anything is timed.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { TlBinaryReader, TlBinaryWriter, TlSerializationCounter } from '@mtcute/tl-runtime'
import type { BenchCase, BenchSuite } from '../harness.js'
import { compileCodec, decodeTl, encodeTl, encodeTlInto, mergeCodecs, mtprotoCodec } from '../../src/tl/index.js'

const require = createRequire(import.meta.url)

function container(): { _: string; messages: { _: string; msg_id: bigint; seqno: number; body: { _: string; [k: string]: unknown } }[] } {
  const bodies = [
    (i: number) => ({ _: 'msgs_ack', msg_ids: [7_300_000_000_000_000_000n + BigInt(i), 7_300_000_000_000_000_004n + BigInt(i), 7_300_000_000_000_000_008n] }),
    (i: number) => ({ _: 'pong', msg_id: 7_300_000_000_000_001_000n + BigInt(i), ping_id: BigInt(i * 977) }),
    (i: number) => ({ _: 'new_session_created', first_msg_id: 7_300_000_000_000_002_000n + BigInt(i), unique_id: -123456789012345n * BigInt(i), server_salt: 0x1122334455667788n }),
    (i: number) => ({ _: 'help.countryCode', country_code: String(i), prefixes: ['7400', '7700'], patterns: ['XXXX XXXXXX'] }),
  ]
  return {
    _: 'msg_container',
    messages: Array.from({ length: 100 }, (_, i) => ({ _: 'message', msg_id: 7_300_000_000_000_000_000n + BigInt(4 * i), seqno: 2 * i + 1, body: bodies[i % 4](i) })),
  }
}

function stickerSet() {
  const b = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255)
  const set = { id: 1_234_567_890_123_456_789n, access_hash: -987_654_321_987_654_321n }
  const documents = Array.from({ length: 120 }, (_, i) => ({
    _: 'document',
    id: 5_000_000_000_000_000_000n + BigInt(i),
    access_hash: -4_000_000_000_000_000_000n - BigInt(i * 7),
    file_reference: b(29, i),
    date: 1_700_000_000 + i,
    mime_type: i % 3 ? 'image/webp' : 'application/x-tgsticker',
    size: BigInt(20_000 + i * 13),
    thumbs: [
      { _: 'photoStrippedSize', type: 'i', bytes: b(150 + (i % 40), i) },
      { _: 'photoSize', type: 'm', w: 128, h: 128, size: 4000 + i },
    ],
    video_thumbs: undefined,
    dc_id: 2,
    attributes: [
      { _: 'documentAttributeImageSize', w: 512, h: 512 },
      { _: 'documentAttributeSticker', mask: false, alt: ['😀', '👍', '🐱', '❤️'][i % 4], stickerset: { _: 'inputStickerSetID', ...set }, mask_coords: undefined },
      { _: 'documentAttributeFilename', file_name: `sticker_${i}.webp` },
    ],
  }))
  return {
    _: 'messages.stickerSet',
    set: {
      _: 'stickerSet', archived: false, official: true, masks: false, emojis: false, text_color: false, channel_emoji_status: false, creator: false,
      installed_date: 1_700_000_000, ...set, title: 'Benchmark Stickers', short_name: 'bench_stickers',
      thumbs: [{ _: 'photoSize', type: 's', w: 100, h: 100, size: 3000 }], thumb_dc_id: 2, thumb_version: 1, thumb_document_id: undefined, count: 120, hash: 0x5eed,
    },
    packs: ['😀', '👍', '🐱', '❤️'].map((e, k) => ({ _: 'stickerPack', emoticon: e, documents: documents.filter((_, i) => i % 4 === k).map((d) => d.id) })),
    keywords: documents.slice(0, 40).map((d, i) => ({ _: 'stickerKeyword', document_id: d.id, keyword: ['smile', 'happy', `kw${i}`] })),
    documents,
  }
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])
function check(impl: string, what: string, got: Uint8Array, want: Uint8Array): void {
  if (!same(got, want)) throw new Error(`${impl} ${what}: its encoding differs from mtwire's (${got.length} vs ${want.length} bytes)`)
}

const suite: BenchSuite = {
  name: 'tl',
  async cases() {
    const codec = mergeCodecs(mtprotoCodec, compileCodec(require('telegram/tl/apiTl.js') as string))
    const cont = container()
    const big = stickerSet()
    const contBytes = encodeTl(codec, cont)
    const bigBytes = encodeTl(codec, big)

    // --- GramJS
    const { BinaryReader } = require('telegram/extensions') as any
    const gReadContainer = (bytes: Uint8Array) => {
      const r = new BinaryReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length))
      if (r.readInt(false) !== 0x73f1f8dc) throw new Error('not a container')
      const n = r.readInt()
      const messages = []
      for (let i = 0; i < n; i++) {
        const msgId = r.readLong()
        const seqNo = r.readInt()
        const length = r.readInt()
        const before = r.tellPosition()
        const obj = r.tgReadObject()
        r.setPosition(before + length)
        messages.push({ msgId, seqNo, obj })
      }
      return messages
    }
    const gMessages = gReadContainer(contBytes)
    const gWriteContainer = () => {
      const parts: Buffer[] = [Buffer.alloc(8)]
      parts[0].writeUInt32LE(0x73f1f8dc, 0)
      parts[0].writeInt32LE(gMessages.length, 4)
      for (const m of gMessages) {
        const body: Buffer = m.obj.getBytes()
        const head = Buffer.alloc(16)
        head.writeBigInt64LE(BigInt(m.msgId.toString()), 0)
        head.writeInt32LE(m.seqNo, 8)
        head.writeInt32LE(body.length, 12)
        parts.push(head, body)
      }
      return Buffer.concat(parts)
    }
    const gBig = new BinaryReader(Buffer.from(bigBytes)).tgReadObject()
    check('GramJS', 'msg_container', gWriteContainer(), contBytes)
    check('GramJS', 'messages.stickerSet', gBig.getBytes(), bigBytes)

    // --- mtcute (its maps are not in the package's exports: load the files)
    const core = dirname(require.resolve('@mtcute/core'))
    const { __tlReaderMap: rmap } = await import(pathToFileURL(join(core, 'tl/binary/reader.js')).href)
    const { __tlWriterMap: wmap } = await import(pathToFileURL(join(core, 'tl/binary/writer.js')).href)
    const mReadContainer = (bytes: Uint8Array) => {
      const r = new TlBinaryReader(rmap, bytes)
      if (r.uint() !== 0x73f1f8dc) throw new Error('not a container')
      const n = r.uint()
      const messages = []
      for (let i = 0; i < n; i++) {
        const msgId = r.long()
        const seqNo = r.int()
        const length = r.uint()
        const end = r.pos + length
        const obj = r.object()
        if (r.pos !== end) throw new Error('length mismatch')
        messages.push({ msgId, seqNo, obj })
      }
      return messages
    }
    const mMessages = mReadContainer(contBytes)
    const mWriteContainer = () => {
      const sizes = mMessages.map((m) => TlSerializationCounter.countNeededBytes(wmap, m.obj as { _: string }))
      let total = 8
      for (const s of sizes) total += 16 + s
      const w = TlBinaryWriter.alloc(wmap, total)
      w.uint(0x73f1f8dc)
      w.uint(mMessages.length)
      for (let i = 0; i < mMessages.length; i++) {
        w.long(mMessages[i].msgId)
        w.int(mMessages[i].seqNo)
        w.uint(sizes[i])
        w.object(mMessages[i].obj as { _: string })
      }
      return w.result()
    }
    const mBig = new TlBinaryReader(rmap, bigBytes).object() as { _: string }
    check('mtcute', 'msg_container', mWriteContainer(), contBytes)
    check('mtcute', 'messages.stickerSet', TlBinaryWriter.serializeObject(wmap, mBig), bigBytes)

    // --- a 64 KiB ASCII string (rpc_error's error_message), against TextEncoder.encodeInto of it alone (the floor)
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(1457).slice(0, 65536)
    const longObj = { _: 'rpc_error', error_code: 400, error_message: text }
    const longBytes = encodeTl(codec, longObj)
    const mLong = { _: 'mt_rpc_error', errorCode: 400, errorMessage: text }
    check('mtcute', 'rpc_error with 64 KiB', TlBinaryWriter.serializeObject(wmap, mLong), longBytes)
    const te = new TextEncoder()
    const teOut = new Uint8Array(65536 + 8)
    const longOut = new Uint8Array(longBytes.length)

    // --- mtwire's own round trip
    check('mtwire', 'msg_container', encodeTl(codec, decodeTl(codec, contBytes)), contBytes)
    check('mtwire', 'messages.stickerSet', encodeTl(codec, decodeTl(codec, bigBytes)), bigBytes)

    const G = 'telegram (GramJS)'
    const M = '@mtcute/tl-runtime'
    const cs = contBytes.length
    const bs = bigBytes.length
    const ls = longBytes.length
    return [
      // into a caller's buffer, as encodeInto writes: the string's cost; encodeTl adds a fresh 64 KiB result
      { impl: 'mtwire encodeTlInto', op: 'tl-encode-string64k', size: ls, fn: () => encodeTlInto(codec, longObj, longOut) },
      { impl: 'mtwire', op: 'tl-encode-string64k', size: ls, fn: () => encodeTl(codec, longObj) },
      { impl: 'TextEncoder.encodeInto alone', peer: true, op: 'tl-encode-string64k', size: ls, fn: () => te.encodeInto(text, teOut) },
      { impl: M, peer: true, op: 'tl-encode-string64k', size: ls, fn: () => TlBinaryWriter.serializeObject(wmap, mLong) },
      { impl: 'mtwire', op: 'tl-encode-container100', size: cs, fn: () => encodeTl(codec, cont) },
      { impl: G, peer: true, op: 'tl-encode-container100', size: cs, fn: gWriteContainer },
      { impl: M, peer: true, op: 'tl-encode-container100', size: cs, fn: mWriteContainer },
      { impl: 'mtwire', op: 'tl-decode-container100', size: cs, fn: () => decodeTl(codec, contBytes) },
      { impl: G, peer: true, op: 'tl-decode-container100', size: cs, fn: () => gReadContainer(contBytes) },
      { impl: M, peer: true, op: 'tl-decode-container100', size: cs, fn: () => mReadContainer(contBytes) },
      { impl: 'mtwire', op: 'tl-encode-stickerset', size: bs, fn: () => encodeTl(codec, big) },
      { impl: G, peer: true, op: 'tl-encode-stickerset', size: bs, fn: () => gBig.getBytes() },
      { impl: M, peer: true, op: 'tl-encode-stickerset', size: bs, fn: () => TlBinaryWriter.serializeObject(wmap, mBig) },
      { impl: 'mtwire', op: 'tl-decode-stickerset', size: bs, fn: () => decodeTl(codec, bigBytes) },
      { impl: G, peer: true, op: 'tl-decode-stickerset', size: bs, fn: () => new BinaryReader(Buffer.from(bigBytes.buffer, bigBytes.byteOffset, bigBytes.length)).tgReadObject() },
      { impl: M, peer: true, op: 'tl-decode-stickerset', size: bs, fn: () => new TlBinaryReader(rmap, bigBytes).object() },
    ]
  },
}

export default suite
