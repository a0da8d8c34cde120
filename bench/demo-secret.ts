/**
 * Secret chats over a connected `Client`, as an embedder wires them (the main job uses this;
 * test/client/secret.test.ts too): each `SecretChat` (sans-IO) gets the server's pushed updates
 * for its chat id, its API requests are made in order (one invokeAfterMsg chain per chat:
 * end-to-end/seq_no#preventing-gaps) and their results fed back, its timers run. Encrypted
 * files go up in 512 KiB parts (upload.saveFilePart) and come down with upload.getFile.
 *
 * It takes the library as an argument, so the main job runs it against the built package and
 * the tests against the sources.
 */
import type * as Lib from '../src/node/index.js'
import type { Client } from '../src/session/runner.js'
import type { SecretChat, SecretChatEvent, SecretDhConfig } from '../src/secret/index.js'
import type { TypeEncryptedFile, TypeInputUser, TypeUpdate } from '../src/tl/generated/api-secret.js'

type Library = typeof Lib

export interface ChatEvent {
  peer: SecretPeer
  chat: SecretChat
  event: SecretChatEvent
}

/** One user's secret chats over its client. Chats the peer requests are accepted. */
export class SecretPeer {
  readonly chats = new Map<number, SecretChat>()
  /** Errors of requests the chats made (they should not happen). */
  readonly failures: unknown[] = []
  private dh: SecretDhConfig | undefined
  private dhVersion = 0
  private timers = new Map<SecretChat, ReturnType<typeof setTimeout>>()
  /** Updates for a chat id not known yet (its requestEncryption result is on the way). */
  private early = new Map<number, TypeUpdate[]>()
  private maxQts = 0
  private ackedQts = 0
  private readonly waiting = new Map<SecretChat, { resolve: (c: SecretChat) => void; reject: (e: Error) => void }>()

  constructor(
    private readonly lib: Library,
    readonly client: Client,
    readonly name: string,
    private readonly onEvent: (e: ChatEvent) => void = () => {},
  ) {
    client.on('update', (e) => this.updates(e.body))
  }

  /** messages.getDhConfig (p and g cached; every call brings fresh server randomness). */
  async dhConfig(): Promise<SecretDhConfig> {
    const r = await this.client.invoke<{ _: string; g?: number; p?: Uint8Array; version?: number; random: Uint8Array }>({
      _: 'messages.getDhConfig', version: this.dhVersion, random_length: 256,
    } as never)
    if (r._ === 'messages.dhConfig') {
      this.dh = { g: r.g!, p: r.p! }
      this.dhVersion = r.version!
    }
    if (this.dh === undefined) throw new Error('dhConfigNotModified before any dhConfig')
    return { ...this.dh, random: r.random }
  }

  /** Requests a chat with `user`; resolves once the peer accepted and the key is ready. */
  async request(user: TypeInputUser): Promise<SecretChat> {
    const dhConfig = await this.dhConfig()
    const chat = this.lib.SecretChat.request({ crypto: this.client.link.crypto, dhConfig, userId: user, now: Date.now() })
    const ready = new Promise<SecretChat>((resolve, reject) => this.waiting.set(chat, { resolve, reject }))
    this.pump(chat)
    return ready
  }

  /** Sends `bytes` as an encrypted file (512 KiB parts) with a text. */
  async sendFile(chat: SecretChat, bytes: Uint8Array, name: string): Promise<void> {
    const lib = this.lib
    const crypto = this.client.link.crypto
    const enc = new lib.FileEncryptor(crypto)
    const fileId = new DataView(crypto.randomBytes(8).buffer).getBigInt64(0, true)
    const parts: Uint8Array[] = []
    const uploads: Promise<unknown>[] = []
    for (let off = 0, part = 0; off < bytes.length || part === 0; off += lib.FILE_PART_SIZE, part++) {
      const chunk = bytes.subarray(off, Math.min(bytes.length, off + lib.FILE_PART_SIZE))
      const ct = off + lib.FILE_PART_SIZE >= bytes.length ? enc.final(chunk) : enc.update(chunk)
      parts.push(ct)
      uploads.push(this.client.invoke({ _: 'upload.saveFilePart', file_id: fileId, file_part: part, bytes: ct } as never))
    }
    await Promise.all(uploads)
    // inputEncryptedFileUploaded.md5_checksum: of the encrypted bytes, hex
    const md5 = [...crypto.md5(concat(parts))].map((b) => b.toString(16).padStart(2, '0')).join('')
    chat.send({
      message: name,
      media: {
        _: 'decryptedMessageMediaDocument', thumb: new Uint8Array(0), thumb_w: 0, thumb_h: 0, mime_type: 'application/octet-stream',
        size: BigInt(bytes.length), key: enc.key, iv: enc.iv, attributes: [{ _: 'documentAttributeFilename', file_name: name }], caption: '',
      },
      file: { _: 'inputEncryptedFileUploaded', id: fileId, parts: parts.length, md5_checksum: md5, key_fingerprint: enc.fingerprint },
    })
    enc.dispose()
    this.pump(chat)
  }

  /** Downloads and decrypts the file of a received message (the decryptor checks its size and fingerprint). */
  async download(file: TypeEncryptedFile, media: { key: Uint8Array; iv: Uint8Array; size: bigint }): Promise<Uint8Array> {
    if (file._ !== 'encryptedFile') throw new Error(`no file: ${JSON.stringify(file, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`)
    const lib = this.lib
    const dec = new lib.FileDecryptor(this.client.link.crypto, { key: media.key, iv: media.iv, size: media.size, fingerprint: file.key_fingerprint, encryptedSize: file.size })
    const out: Uint8Array[] = []
    for (let off = 0; off < Number(file.size); off += lib.FILE_PART_SIZE) {
      const r = await this.client.invoke<{ bytes: Uint8Array }>({
        _: 'upload.getFile', location: { _: 'inputEncryptedFileLocation', id: file.id, access_hash: file.access_hash }, offset: BigInt(off), limit: lib.FILE_PART_SIZE,
      } as never)
      out.push(dec.update(r.bytes).slice())
    }
    dec.final()
    return concat(out)
  }

  /** Queues a text message. */
  send(chat: SecretChat, message: string): void {
    chat.send({ message })
    this.pump(chat)
  }

  /** Acknowledges the update queue (messages.receivedQueue), so the server can drop what we have. */
  async ackQueue(): Promise<void> {
    if (this.maxQts <= this.ackedQts) return
    this.ackedQts = this.maxQts
    await this.client.invoke({ _: 'messages.receivedQueue', max_qts: this.maxQts } as never)
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
  }

  private updates(body: unknown): void {
    const b = body as { _: string; update?: TypeUpdate; updates?: TypeUpdate[] }
    const list = b._ === 'updateShort' ? [b.update!] : b._ === 'updates' ? b.updates! : []
    for (const u of list) this.update(u)
  }

  private update(u: TypeUpdate): void {
    const now = Date.now()
    if (u._ === 'updateEncryption' && u.chat._ === 'encryptedChatRequested' && !this.chats.has(u.chat.id)) {
      // the peer asks for a chat: our user says yes
      const requested = u.chat
      void this.dhConfig().then((dhConfig) => {
        const chat = this.lib.SecretChat.accept({ crypto: this.client.link.crypto, dhConfig, chat: requested, now: Date.now() })
        this.register(chat)
        this.emit(chat, chat.takeEvents())
        this.pump(chat)
      }, (e) => this.failures.push(e))
      return
    }
    const id = u._ === 'updateEncryption' ? u.chat.id : u._ === 'updateNewEncryptedMessage' ? u.message.chat_id : 'chat_id' in u ? (u as { chat_id: number }).chat_id : undefined
    if (u._ === 'updateNewEncryptedMessage') this.maxQts = Math.max(this.maxQts, u.qts)
    if (id === undefined) return
    const chat = this.chats.get(id)
    if (chat === undefined) {
      const list = this.early.get(id) ?? []
      if (list.length < 1000) list.push(u)
      this.early.set(id, list)
      return
    }
    this.emit(chat, chat.receive(u as never, now))
    this.pump(chat)
  }

  private register(chat: SecretChat): void {
    this.chats.set(chat.id, chat)
    const early = this.early.get(chat.id)
    if (early === undefined) return
    this.early.delete(chat.id)
    for (const u of early) this.emit(chat, chat.receive(u as never, Date.now()))
  }

  /** Makes the chat's requests in order; results of request/acceptEncryption go back to it. */
  private pump(chat: SecretChat): void {
    for (const req of chat.takeOutgoing()) {
      const p = this.client.invoke(req as never, { chain: `secret-${chat.id}` })
      if (req._ === 'messages.requestEncryption' || req._ === 'messages.acceptEncryption') {
        p.then(
          (result) => {
            this.emit(chat, chat.receive(result as never, Date.now()))
            // the initiator learns its chat id here; updates that came first are replayed
            if (!this.chats.has(chat.id)) this.register(chat)
            this.pump(chat)
          },
          (e) => this.failures.push(e),
        )
      } else p.catch((e) => this.failures.push(e))
    }
    this.schedule(chat)
  }

  private schedule(chat: SecretChat): void {
    clearTimeout(this.timers.get(chat))
    const d = chat.nextDeadline()
    if (d === undefined) return
    this.timers.set(chat, setTimeout(() => {
      this.emit(chat, chat.tick(Date.now()))
      this.pump(chat)
    }, Math.max(0, d - Date.now())))
  }

  private emit(chat: SecretChat, events: SecretChatEvent[]): void {
    for (const event of events) {
      const w = this.waiting.get(chat)
      if (w !== undefined && event.type === 'ready') w.resolve(chat)
      if (w !== undefined && (event.type === 'aborted' || event.type === 'discarded')) w.reject(new Error(`secret chat ${event.type}`))
      if (event.type === 'ready' || event.type === 'aborted' || event.type === 'discarded') this.waiting.delete(chat)
      this.onEvent({ peer: this, chat, event })
    }
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}
