/**
 * Message identifiers (core.telegram.org/mtproto/description#message-identifier-msg-id): the
 * clock that issues them, and conversions between the bigint the API shows and the two uint32
 * halves the wire and the hot path use.
 *
 * "A (time-dependent) 64-bit number used uniquely to identify a message within a session.
 * Client message identifiers are divisible by 4, server message identifiers modulo 4 yield 1 if
 * the message is a response to a client message, and 3 otherwise. Client message identifiers
 * must increase monotonically (within a single session), the same as server message
 * identifiers, and must approximately equal unixtime*2^32."
 */

const scratch = /* @__PURE__ */ new DataView(/* @__PURE__ */ new ArrayBuffer(8))

/** A msg_id from its halves (one BigInt allocation). */
export function idOf(hi: number, lo: number): bigint {
  scratch.setUint32(0, lo, true)
  scratch.setUint32(4, hi, true)
  return scratch.getBigInt64(0, true)
}

/**
 * A number standing for a msg_id in the session's maps: the low 32 bits and the seconds modulo
 * 2^21 (24 days), exact in a double and unique among the ids a session keeps (minutes old).
 * Lookups check the halves too. Never 0 for an issued id (its low half is never 0).
 */
export function keyOf(hi: number, lo: number): number {
  return (hi & 0x1fffff) * 4294967296 + lo
}

/** The high and low uint32 halves of a msg_id, written to `out[0]`, `out[1]`. */
export function halvesOf(id: bigint, out: number[] | Uint32Array): void {
  scratch.setBigInt64(0, id, true)
  out[0] = scratch.getUint32(4, true)
  out[1] = scratch.getUint32(0, true)
}

/** Unix time in milliseconds that a msg_id stands for. */
export function msOfId(id: bigint): number {
  scratch.setBigInt64(0, id, true)
  return scratch.getUint32(4, true) * 1000 + (scratch.getUint32(0, true) / 4294967296) * 1000
}

/** What a msg_id's two lowest bits say: 0 client, 1 server response, 3 other server message. */
export const CLIENT = 0
export const RESPONSE = 1
export const SERVER = 3

/**
 * Issues strictly increasing msg_ids from a clock reading plus the offset to the peer's clock.
 * The low 32 bits carry the fraction of the second ("must have a non-zero fractional part": a
 * zero low half is what tdlib#1367 saw rejected), the two lowest bits the parity. The last id
 * issued is the floor for the next; `correct()` moves the offset and lowers that floor to the
 * highest id the peer has accepted, so that a clock corrected backwards is followed at once
 * (without it a client keeps producing the rejected too-high ids: grammers#335, TLSharp#405).
 */
export class MsgIdClock {
  /** The peer's clock minus ours, in milliseconds. */
  offset = 0
  /** Whether the offset is known (from the handshake, a bad_msg 16/17 or an authenticated message). */
  synced = false
  /** Halves of the last id issued. */
  hi = 0
  lo = 0
  /** Halves of the highest own id the peer is known to have accepted (acked or answered). */
  private accHi = 0
  private accLo = 0

  /** The peer's time for our clock reading `now` (ms). */
  peerTime(now: number): number {
    return now + this.offset
  }

  /**
   * The next id for a message sent at `now` with the given low bits (CLIENT, RESPONSE or
   * SERVER); its halves are left in `hi` / `lo`.
   */
  next(now: number, parity: number): void {
    const t = now + this.offset
    let hi = Math.floor(t / 1000)
    // the fraction of the second in the low half, two lowest bits for the parity
    let lo = (Math.floor((t - hi * 1000) * 4294967.296) & ~3) >>> 0
    if (lo === 0) lo = 4
    lo = (lo | parity) >>> 0
    if (hi < this.hi || (hi === this.hi && lo <= this.lo)) {
      // not above the last one: the smallest id above it with this parity
      hi = this.hi
      lo = ((this.lo & ~3) | parity) >>> 0
      if (lo <= this.lo) {
        lo = (lo + 4) >>> 0
        if (lo < 4) hi++ // carried out of the low half
      }
    }
    this.hi = hi
    this.lo = lo
  }

  /** Records that the peer accepted our message `hi:lo` (it acknowledged or answered it). */
  accepted(hi: number, lo: number): void {
    if (hi > this.accHi || (hi === this.accHi && lo > this.accLo)) {
      this.accHi = hi
      this.accLo = lo
    }
  }

  /**
   * Sets the offset so that our clock reading `now` corresponds to `peerMs` (the time in a
   * peer's msg_id, or the handshake's server_time), and lets the next id follow the corrected
   * clock: the floor drops to the highest id the peer accepted (one more than 30 s ahead of the
   * peer's clock cannot have been accepted: a bogus saved value, ignored).
   */
  correct(peerMs: number, now: number): void {
    this.offset = Math.round(peerMs - now)
    this.synced = true
    if (this.accHi * 1000 > peerMs + 30_000) this.accHi = this.accLo = 0
    this.hi = this.accHi
    this.lo = this.accLo
  }

  /** State for export (see ClientSession.exportState). */
  save(): ClockState {
    return { offset: this.offset, synced: this.synced, hi: this.hi, lo: this.lo, accHi: this.accHi, accLo: this.accLo }
  }

  /** Continues from saved state: ids go on above the saved last one. */
  restore(s: ClockState): void {
    this.offset = s.offset
    this.synced = s.synced
    this.hi = s.hi >>> 0
    this.lo = s.lo >>> 0
    this.accHi = s.accHi >>> 0
    this.accLo = s.accLo >>> 0
  }
}

export interface ClockState {
  offset: number
  synced: boolean
  /** Halves of the last id issued. */
  hi: number
  lo: number
  /** Halves of the highest own id the peer accepted. */
  accHi: number
  accLo: number
}
