/**
 * The received-message window: the last N msg_ids a session received, kept sorted, with each
 * one's seqno and status flags, in typed arrays (no object or BigInt per entry).
 *
 * core.telegram.org/mtproto/security_guidelines ("Message ID checks"): "store a list of the last
 * N received msg_ids; when a message arrives whose msg_id is lower than all of them, or equal to
 * one of them, ignore it; otherwise add it to the list and, if the list grows above N, drop the
 * lowest". The seqno lets the server check seq_no consistency (bad_msg 32/33), the flags answer
 * msgs_state_req (one status byte per id, service_messages_about_messages).
 *
 * Memory: the arrays start at 16 entries and double up to the limit, so an idle session costs
 * ~0.2 KiB and a busy one 13 bytes per id (13 KiB at the default 1024).
 */

/** Flags kept per received id. */
export const F_CONTENT = 1 // content-related (odd seqno): needs an acknowledgment
export const F_ACKED = 2 // we acknowledged it (msgs_ack or the answer)
export const F_RPC = 4 // an RPC query being processed or done
export const F_ANSWERED = 8 // a content-related answer was generated
export const F_CONTAINER = 16

/** `add()` results. */
export const ADDED = 0
export const DUPLICATE = 1
export const TOO_OLD = 2

export class IdWindow {
  private hi: Uint32Array
  private lo: Uint32Array
  private seq: Int32Array
  private fl: Uint8Array
  private head = 0
  private mask: number
  /** Ids held. */
  count = 0
  /** Index (physical) of the last add() or find() hit. */
  at = -1
  /** Whether ids were ever dropped for space (then "lower than all" means "forgotten"). */
  evicted = false

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1 || max > 1 << 20) throw new RangeError('window size must be an integer in 1..2^20')
    const cap = Math.min(16, 1 << Math.ceil(Math.log2(max)))
    this.hi = new Uint32Array(cap)
    this.lo = new Uint32Array(cap)
    this.seq = new Int32Array(cap)
    this.fl = new Uint8Array(cap)
    this.mask = cap - 1
  }

  /** Compares the id at logical index i with (hi, lo): < 0, 0, > 0. */
  private cmp(i: number, hi: number, lo: number): number {
    const p = (this.head + i) & this.mask
    const h = this.hi[p]
    return h !== hi ? h - hi : this.lo[p] - lo
  }

  /** Logical index of (hi, lo), or -(insertion point) - 1. */
  private search(hi: number, lo: number): number {
    let a = 0
    let b = this.count - 1
    // the common case: above everything held
    if (b < 0 || this.cmp(b, hi, lo) < 0) return -this.count - 1
    while (a <= b) {
      const m = (a + b) >> 1
      const c = this.cmp(m, hi, lo)
      if (c === 0) return m
      if (c < 0) a = m + 1
      else b = m - 1
    }
    return -a - 1
  }

  /** Physical slot of (hi, lo) if held, else -1 (and `at` = -1). */
  find(hi: number, lo: number): number {
    const i = this.search(hi, lo)
    this.at = i < 0 ? -1 : (this.head + i) & this.mask
    return this.at
  }

  /** Whether the window holds nothing at or below (hi, lo) after having dropped ids: it cannot tell. */
  forgotten(hi: number, lo: number): boolean {
    return this.evicted && this.count > 0 && this.cmp(0, hi, lo) > 0
  }

  /** Whether (hi, lo) is above every id held. */
  above(hi: number, lo: number): boolean {
    return this.count === 0 || this.cmp(this.count - 1, hi, lo) < 0
  }

  /**
   * Adds (hi, lo): ADDED (then `at` is its slot), DUPLICATE (`at` is the slot held), or TOO_OLD
   * when the window is full and the id is below all it holds.
   */
  add(hi: number, lo: number, seq: number, flags: number): number {
    let i = this.search(hi, lo)
    if (i >= 0) {
      this.at = (this.head + i) & this.mask
      return DUPLICATE
    }
    i = -i - 1
    if (this.count === this.max) {
      if (i === 0) return TOO_OLD
      this.head = (this.head + 1) & this.mask // drop the lowest
      this.count--
      this.evicted = true
      i--
    } else if (this.count === this.mask + 1) {
      this.grow()
    }
    // shift the entries after i up by one (usually none: ids mostly arrive in order)
    const m = this.mask
    for (let j = this.count; j > i; j--) {
      const to = (this.head + j) & m
      const from = (this.head + j - 1) & m
      this.hi[to] = this.hi[from]
      this.lo[to] = this.lo[from]
      this.seq[to] = this.seq[from]
      this.fl[to] = this.fl[from]
    }
    const p = (this.head + i) & m
    this.hi[p] = hi
    this.lo[p] = lo
    this.seq[p] = seq
    this.fl[p] = flags
    this.count++
    this.at = p
    return ADDED
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2
    const hi = new Uint32Array(cap)
    const lo = new Uint32Array(cap)
    const seq = new Int32Array(cap)
    const fl = new Uint8Array(cap)
    for (let j = 0; j < this.count; j++) {
      const p = (this.head + j) & this.mask
      hi[j] = this.hi[p]
      lo[j] = this.lo[p]
      seq[j] = this.seq[p]
      fl[j] = this.fl[p]
    }
    this.hi = hi
    this.lo = lo
    this.seq = seq
    this.fl = fl
    this.head = 0
    this.mask = cap - 1
  }

  flags(slot: number): number {
    return this.fl[slot]
  }

  setFlags(slot: number, add: number): void {
    this.fl[slot] |= add
  }

  /**
   * seq_no consistency for a new (hi, lo, seq) against its neighbours in msg_id order, before
   * adding it (service_messages_about_messages): 32 "msg_seqno too low (the server has already
   * received a message with a lower msg_id but with either a higher or an equal and odd
   * seqno)", 33 "too high (... a higher msg_id but with either a lower or an equal and odd
   * seqno)", else 0. The ids held are consistent among themselves, so the neighbours decide.
   */
  seqCheck(hi: number, lo: number, seq: number): number {
    const i = this.search(hi, lo)
    if (i >= 0) return 0 // a duplicate, handled as such
    const at = -i - 1
    if (at > 0) {
      const s = this.seq[(this.head + at - 1) & this.mask]
      if (s > seq || (s === seq && seq & 1)) return 32
    }
    if (at < this.count) {
      const s = this.seq[(this.head + at) & this.mask]
      if (s < seq || (s === seq && seq & 1)) return 33
    }
    return 0
  }

  /**
   * The msgs_state_info status byte for (hi, lo) as seen by the receiver
   * (service_messages_about_messages): 1 nothing known (lower than all held after some were
   * dropped: maybe forgotten), 2 not received (within the range held), 3 not received (higher
   * than all held), 4 received, plus +8 already acknowledged, +16 needs no acknowledgment, +32
   * RPC being processed or done, +64 content-related response generated.
   */
  status(hi: number, lo: number): number {
    const i = this.search(hi, lo)
    if (i >= 0) {
      const f = this.fl[(this.head + i) & this.mask]
      let s = 4
      if (f & F_ACKED) s |= 8
      if (!(f & F_CONTENT)) s |= 16
      if (f & F_RPC) s |= 32
      if (f & F_ANSWERED) s |= 64
      return s
    }
    const at = -i - 1
    if (at === this.count) return 3
    if (at === 0 && this.evicted) return 1
    return 2
  }

  /** Forgets everything (a new session). */
  clear(): void {
    this.head = 0
    this.count = 0
    this.evicted = false
    this.at = -1
  }
}
