/**
 * A `KeyStore` kept in a file, for `mtwire serve --state FILE`: permanent keys survive restarts;
 * temporary keys and their bindings stay in memory (api/pfs: temporary keys "are only stored in
 * the server RAM"). The file also keeps what the server derives client-visible values from, so
 * that a restarted server is the same server to its clients: the salt secret (salts stay valid),
 * the secret-chat relay's secret (user ids stay the same), and the RSA key when it generated one.
 *
 * Format: one JSON record per line after a header line, appended as keys come (the store is
 * synchronous, as the handshake needs; an append is one write, no fsync: a crash loses at most
 * the keys of its last moments, and a torn last line is ignored when the file is read). Opening
 * rewrites the file without deleted keys when it had any (a temporary file, then a rename). The
 * file holds secret keys: it is created readable by its owner only (0600). One process per file.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { MemoryKeyStore, type Binding, type KeyStore, type StoredKey } from '../auth/keystore.js'
import { fromBase64, toBase64 } from '../bytes.js'
import { MtwireError } from '../errors.js'

const HEADER = 'mtwire-keys 1'

type Record =
  | { secrets: { salt: string; relay: string } }
  | { rsa: string }
  | { put: { id: string; key: string; createdAt: number; dc?: number } }
  | { del: string }

function bad(path: string, line: number, why: string): never {
  throw new MtwireError('E_STATE_FILE', `${path}:${line}: ${why} (not a key store mtwire wrote, or damaged)`)
}

export class FileKeyStore implements KeyStore {
  /** Salts derive from it (`saltSecret` of the server). */
  readonly saltSecret: Uint8Array
  /** The secret-chat relay's secret (user ids and access hashes). */
  readonly relaySecret: Uint8Array
  private rsa: string | undefined
  private readonly mem = new MemoryKeyStore()
  private fd: number

  private constructor(readonly path: string, saltSecret: Uint8Array, relaySecret: Uint8Array, rsa: string | undefined, fd: number) {
    this.saltSecret = saltSecret
    this.relaySecret = relaySecret
    this.rsa = rsa
    this.fd = fd
  }

  /** Reads `path` (or creates it, with fresh secrets from `randomBytes`). */
  static open(path: string, randomBytes: (n: number) => Uint8Array): FileKeyStore {
    let salt: Uint8Array | undefined
    let relay: Uint8Array | undefined
    let rsa: string | undefined
    const keys = new Map<bigint, StoredKey>()
    let dirty = false
    if (existsSync(path)) {
      const lines = readFileSync(path, 'utf8').split('\n')
      if (lines[0] !== HEADER) bad(path, 1, `the first line is not "${HEADER}"`)
      const last = lines.length - 1
      for (let i = 1; i <= last; i++) {
        const l = lines[i]
        if (l === '') continue
        let r: Record
        try {
          r = JSON.parse(l) as Record
        } catch {
          // a torn last line (a crash in the middle of an append): that key is lost, the rest stands
          if (i === last) {
            dirty = true
            break
          }
          return bad(path, i + 1, 'a line that is not JSON')
        }
        if ('secrets' in r) {
          salt = fromBase64(r.secrets.salt) ?? bad(path, i + 1, 'bad salt secret')
          relay = fromBase64(r.secrets.relay) ?? bad(path, i + 1, 'bad relay secret')
        } else if ('rsa' in r) rsa = r.rsa
        else if ('put' in r) {
          const k = r.put
          const key = fromBase64(k.key)
          if (!key || key.length !== 256 || !/^-?\d+$/.test(k.id) || !Number.isInteger(k.createdAt)) bad(path, i + 1, 'a malformed key record')
          keys.set(BigInt(k.id), { id: BigInt(k.id), key, temporary: false, createdAt: k.createdAt, ...(k.dc !== undefined ? { dc: k.dc } : {}) })
        } else if ('del' in r) {
          keys.delete(BigInt(r.del))
          dirty = true
        } else bad(path, i + 1, 'an unknown record')
      }
      if (!salt || !relay) bad(path, 1, 'no secrets record')
    } else {
      salt = randomBytes(32)
      relay = randomBytes(32)
      dirty = true
    }
    if (dirty) rewrite(path, salt, relay, rsa, keys.values())
    const fd = openSync(path, 'a', 0o600)
    const store = new FileKeyStore(path, salt, relay, rsa, fd)
    for (const k of keys.values()) store.mem.put(k)
    return store
  }

  /** The RSA private key (PKCS#1 PEM) kept for the server, if any. */
  get rsaKeyPem(): string | undefined {
    return this.rsa
  }

  /** Keeps the server's generated RSA key, so that a restart keeps its public key too. */
  setRsaKeyPem(pem: string): void {
    this.rsa = pem
    this.append({ rsa: pem })
  }

  get size(): number {
    return this.mem.size
  }

  get(id: bigint, nowSec: number): StoredKey | undefined {
    return this.mem.get(id, nowSec)
  }

  has(id: bigint, nowSec: number): boolean {
    return this.mem.has(id, nowSec)
  }

  put(key: StoredKey): void {
    this.mem.put(key)
    if (!key.temporary) this.append({ put: { id: key.id.toString(), key: toBase64(key.key), createdAt: key.createdAt, ...(key.dc !== undefined ? { dc: key.dc } : {}) } })
  }

  delete(id: bigint): boolean {
    const k = this.mem.get(id, -Infinity)
    const had = this.mem.delete(id)
    if (had && k && !k.temporary) this.append({ del: id.toString() })
    return had
  }

  bind(binding: Binding): void {
    this.mem.bind(binding)
  }

  bindingOfTemp(tempId: bigint, nowSec: number): Binding | undefined {
    return this.mem.bindingOfTemp(tempId, nowSec)
  }

  bindingOfPerm(permId: bigint, nowSec: number): Binding | undefined {
    return this.mem.bindingOfPerm(permId, nowSec)
  }

  expire(nowSec: number): number {
    return this.mem.expire(nowSec)
  }

  /** Flushes to disk and closes the file; the store must not be used afterwards. */
  close(): void {
    if (this.fd < 0) return
    fsyncSync(this.fd)
    closeSync(this.fd)
    this.fd = -1
  }

  private append(r: Record): void {
    if (this.fd < 0) throw new MtwireError('E_STATE_FILE', `${this.path}: the key store was closed`)
    writeSync(this.fd, JSON.stringify(r) + '\n')
  }
}

/** Writes the whole store to a temporary file beside `path`, then renames it over `path`. */
function rewrite(path: string, salt: Uint8Array, relay: Uint8Array, rsa: string | undefined, keys: Iterable<StoredKey>): void {
  const lines = [HEADER, JSON.stringify({ secrets: { salt: toBase64(salt), relay: toBase64(relay) } })]
  if (rsa !== undefined) lines.push(JSON.stringify({ rsa }))
  for (const k of keys) lines.push(JSON.stringify({ put: { id: k.id.toString(), key: toBase64(k.key), createdAt: k.createdAt, ...(k.dc !== undefined ? { dc: k.dc } : {}) } }))
  const tmp = `${path}.${process.pid}.tmp`
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeSync(fd, lines.join('\n') + '\n')
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
}
