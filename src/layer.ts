/**
 * The one shape every sans-IO layer shares (DESIGN.md, "One shape for every sans-IO layer"):
 * framings, transports, the HTTP and WebSocket codecs, the handshake, sessions, secret chats.
 * A driver drives them all alike: bytes (or packets) in with `receive(input, now)`, things to
 * send down with `takeOutgoing()`, timers with `nextDeadline()` / `tick(now)`.
 *
 * What a layer hands down is typed: a transport's `takeOutgoing()` gives bytes for the socket,
 * but the auth and session layers give `TransportItem`s, because a quick-ACK request flag, a
 * quick-ACK answer and a transport error code (−404) are the framing's business, not bytes of
 * the packet. A transport's `send()` takes exactly those items, so the layers plug together
 * with no adapter:
 *
 *     for (const o of conn.takeOutgoing()) transport.send(o)   // session → transport
 *     for (const b of transport.takeOutgoing()) socket.write(b) // transport → socket
 */

export interface Layer<In, Out, Event, Item = Uint8Array> {
  /** Decoded input; anything wrong with what the peer sent is an event too (in order), never a throw. */
  receive(input: In, now: number): Event[]
  /** Queues something to send (it comes out of `takeOutgoing()`). */
  send(output: Out): void
  /** What is ready for the layer below (for a transport: bytes to write, in order). */
  takeOutgoing(): Item[]
  /** When the driver must call `tick(now)` next; undefined when no timer runs. */
  nextDeadline(): number | undefined
  /** Runs the timers due at `now`. */
  tick(now: number): Event[]
}

/**
 * What a layer above a transport hands it, item by item (the auth and session layers'
 * `takeOutgoing()` items). A bare `Uint8Array` is a packet too.
 */
export type TransportItem =
  /** An MTProto packet. `quickAck` (client): set the framing's quick-ACK request flag. */
  | { readonly type: 'packet'; readonly data: Uint8Array; readonly quickAck?: boolean }
  /** (server) The answer to a client's quick-ACK request, `token` as the client computes it (MSB set). */
  | { readonly type: 'quickAck'; readonly token: number }
  /** (server) A transport error code (404, 429, 444): −status as a packet, or the HTTP status. The driver closes after it. */
  | { readonly type: 'transportError'; readonly status: number }

const EMPTY_LIST: readonly never[] = /* @__PURE__ */ Object.freeze([])

/**
 * One shared, frozen empty array for a call that has nothing to return (most calls on a busy
 * connection): no allocation. The caller reads it; pushing into it throws.
 */
export function none<T>(): T[] {
  return EMPTY_LIST as unknown as T[]
}

/**
 * The half of a `Layer` that every layer without timers shares (the transports, framings and
 * the HTTP and WebSocket codecs): the queue `takeOutgoing()` hands over, the array itself (no
 * copy; an empty queue gives a fresh empty array), and no deadline.
 */
export abstract class UntimedLayer<Event, Item = Uint8Array> {
  protected out: Item[] = []

  /** What is ready for the layer below, in order. */
  takeOutgoing(): Item[] {
    const o = this.out
    if (o.length === 0) return []
    this.out = []
    return o
  }

  /** No timer: the layer waits for input only. */
  nextDeadline(): number | undefined {
    return undefined
  }

  tick(_now: number): Event[] {
    return []
  }
}
