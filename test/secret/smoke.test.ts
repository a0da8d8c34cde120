import { describe, expect, it } from 'vitest'
import { ofType, pair, settle, texts } from './helpers.js'

describe('smoke', () => {
  it('exchanges messages', () => {
    const { a, b } = pair()
    expect(ofType(a.events, 'ready').length).toBe(1)
    expect(ofType(b.events, 'ready').length).toBe(1)
    settle(a, b)
    a.chat.send({ message: 'hi' })
    b.chat.send({ message: 'hello' })
    settle(a, b)
    console.log(a.events.map((e) => e.type), b.events.map((e) => e.type))
    expect(texts(b)).toEqual(['hi'])
    expect(texts(a)).toEqual(['hello'])
  })
})
