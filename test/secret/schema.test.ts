/**
 * The api-secret schema is api.tl layer 198 copied by definition: every declaration in
 * src/tl/schema/api-secret.tl must appear, character for character, in the layer-198 api.tl that
 * the `telegram` package ships (and whose layer it states), and the generated codec must
 * round-trip the objects a secret chat and the relay exchange.
 */
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { apiSecretCodec, APISECRET_LAYER } from '../../src/tl/generated/api-secret.js'
import { decodeTl, encodeTl } from '../../src/tl/api.js'

const require = createRequire(import.meta.url)

describe('api-secret schema', () => {
  it('every declaration is verbatim in telegram@2.26.22 tl/apiTl.js, layer 198', () => {
    const upstream = (require('telegram/tl/apiTl.js') as string).split('\n').map((l) => l.trim())
    const layer = readFileSync(require.resolve('telegram/tl/AllTLObjects.js'), 'utf8').match(/LAYER = (\d+)/)![1]
    expect(Number(layer)).toBe(198)
    expect(APISECRET_LAYER).toBe(198)
    const ours = readFileSync(new URL('../../src/tl/schema/api-secret.tl', import.meta.url), 'utf8')
      .split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('//') && !l.startsWith('---') && /#[0-9a-f]+ /.test(l))
    expect(ours.length).toBeGreaterThan(45)
    const set = new Set(upstream)
    for (const line of ours) {
      if (['boolFalse#bc799737 = Bool;', 'boolTrue#997275b5 = Bool;', 'true#3fedd339 = True;'].includes(line)) continue
      expect(set.has(line), line).toBe(true)
    }
  })

  it('round-trips what chats and the relay exchange', () => {
    const objects = [
      { _: 'messages.sendEncryptedFile', silent: true, peer: { _: 'inputEncryptedChat', chat_id: 5, access_hash: -7n }, random_id: 1n, data: new Uint8Array([1, 2, 3]), file: { _: 'inputEncryptedFileBigUploaded', id: 9n, parts: 3, key_fingerprint: -1 } },
      { _: 'updates', updates: [{ _: 'updateNewEncryptedMessage', qts: 4, message: { _: 'encryptedMessageService', random_id: 2n, chat_id: 5, date: 6, bytes: new Uint8Array(40) } }], users: [{ _: 'userEmpty', id: 3n }], chats: [], date: 7, seq: 0 },
      { _: 'updateShort', date: 1, update: { _: 'updateEncryption', date: 2, chat: { _: 'encryptedChatRequested', folder_id: 1, id: 5, access_hash: 6n, date: 7, admin_id: 8n, participant_id: 9n, g_a: new Uint8Array(256) } } },
      { _: 'updates.getDifference', pts: 1, date: 2, qts: 3, qts_limit: 10 },
      { _: 'upload.file', type: { _: 'storage.filePartial' }, mtime: 0, bytes: new Uint8Array(1024) },
    ]
    for (const o of objects) expect(decodeTl(apiSecretCodec, encodeTl(apiSecretCodec, o as never))).toEqual(o)
  })
})
