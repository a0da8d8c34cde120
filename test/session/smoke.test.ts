import { expect, it } from 'vitest'
import { pair, settle } from './helpers.js'

it('ping and echo round trip', async () => {
  const p = pair()
  const pong = p.client.invoke({ _: 'ping', ping_id: 42n })
  const echo = p.client.invoke({ _: 'mtwire.echo', payload: new Uint8Array([1, 2, 3]) })
  p.pump()
  await settle()
  expect(await pong).toMatchObject({ _: 'pong', ping_id: 42n })
  expect(await echo).toMatchObject({ _: 'mtwire.payload', payload: new Uint8Array([1, 2, 3]) })
  console.log(p.clientEvents, p.serverEvents)
})
