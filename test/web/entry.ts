/**
 * Runs in headless Chromium (page and dedicated worker) against the BUILT browser bundle: the
 * web driver connects to a Node server over WebSocket, creates a permanent key, makes RPCs,
 * then connects again with PFS (temporary key bound) and from the exported state. Config comes
 * in the query string (`port`, `pem` in base64). Results: `{ name, ok, error? }[]`.
 */
import * as built from '../../dist/browser.mjs'

const mtwire = built as typeof import('../../src/index.js')

export type Outcome = { name: string; ok: boolean; error?: string; ms?: number }

export async function run(search: string): Promise<Outcome[]> {
  const q = new URLSearchParams(search)
  const url = `ws://127.0.0.1:${q.get('port')}/apiws`
  const pem = atob(q.get('pem') ?? '')
  const out: Outcome[] = []
  const step = async (name: string, f: () => Promise<void>): Promise<void> => {
    const t = performance.now()
    try {
      await f()
      out.push({ name, ok: true, ms: Math.round(performance.now() - t) })
    } catch (e) {
      out.push({ name, ok: false, error: e instanceof Error ? `${e.name} ${(e as { code?: string }).code ?? ''}: ${e.message}` : String(e) })
    }
  }
  const crypto = await mtwire.createCrypto()
  let state: ReturnType<import('../../src/session/runner.js').Client['exportState']>
  await step(`connect + handshake (${crypto.backend})`, async () => {
    const c = await mtwire.connect({ url, rsaKeys: [pem], crypto })
    const pong = (await c.invoke({ _: 'ping', ping_id: 42n })) as { ping_id: bigint }
    if (pong.ping_id !== 42n) throw new Error('wrong pong')
    const payload = crypto.randomBytes(1024)
    const answers = await Promise.all(Array.from({ length: 50 }, () => c.invoke<{ payload: Uint8Array }>({ _: 'mtwire.echo', payload })))
    for (const a of answers) if (a.payload.length !== 1024 || a.payload.some((b, i) => b !== payload[i])) throw new Error('echo differs')
    state = c.exportState()
    await c.close()
    if (c.status !== 'closed') throw new Error(`status ${c.status} after close`)
  })
  await step('again from exportState(): no handshake', async () => {
    const c = await mtwire.connect({ url, rsaKeys: [pem], crypto, state: JSON.parse(JSON.stringify(state)) })
    if (c.stats.handshakes.length !== 0) throw new Error('a handshake ran')
    await c.invoke({ _: 'ping', ping_id: 1n })
    await c.close()
  })
  await step('PFS: temporary key bound, RPCs under it', async () => {
    const c = await mtwire.connect({ url, rsaKeys: [pem], crypto, pfs: true })
    const temp = c.stats.handshakes.filter((h) => h.temporary)
    if (temp.length !== 1) throw new Error(`${temp.length} temporary keys`)
    if (c.link.session?.authKey.idLong === undefined) throw new Error('no session')
    await c.invoke({ _: 'mtwire.echo', payload: new Uint8Array(100) })
    await c.close()
  })
  await step('a wrong server key: HandshakeError E_FINGERPRINT', async () => {
    // Telegram's production key: not one this server has
    const other = mtwire.telegramPublicKey(crypto, 'production')
    try {
      await mtwire.connect({ url, rsaKeys: [other], crypto, reconnect: false })
    } catch (e) {
      if ((e as { code?: string }).code === 'E_FINGERPRINT') return
      throw e
    }
    throw new Error('connected with a key the server does not have')
  })
  return out
}
