/**
 * A binary min-heap of timed items that know their own place in it (`heapIx`), so that an
 * item is moved or removed in O(log n) when its time changes or it is done: the heap holds
 * exactly the items that wait for something, never stale entries that would grow with traffic.
 */
export interface Timed {
  /** When the item is due (ms); Infinity: not in the heap. */
  heapAt: number
  /** Index in the heap, -1 when not in it. */
  heapIx: number
}

export class TimerHeap<T extends Timed> {
  private items: T[] = []

  get size(): number {
    return this.items.length
  }

  /** The earliest time held, or Infinity. */
  peek(): number {
    return this.items.length ? this.items[0].heapAt : Infinity
  }

  /** The earliest item (call only when size > 0). */
  first(): T {
    return this.items[0]
  }

  /** Puts `item` at `time` (moves it if held; removes it for Infinity). */
  set(item: T, time: number): void {
    if (time === Infinity) return this.remove(item)
    if (item.heapIx < 0) {
      item.heapAt = time
      item.heapIx = this.items.length
      this.items.push(item)
      this.up(item.heapIx)
      return
    }
    const old = item.heapAt
    item.heapAt = time
    if (time < old) this.up(item.heapIx)
    else this.down(item.heapIx)
  }

  remove(item: T): void {
    const i = item.heapIx
    if (i < 0) return
    const items = this.items
    const last = items.pop()!
    item.heapIx = -1
    item.heapAt = Infinity
    if (last === item) return
    items[i] = last
    last.heapIx = i
    this.up(i)
    this.down(last.heapIx)
  }

  private up(i: number): void {
    const items = this.items
    const x = items[i]
    while (i > 0) {
      const p = (i - 1) >> 1
      const y = items[p]
      if (y.heapAt <= x.heapAt) break
      items[i] = y
      y.heapIx = i
      i = p
    }
    items[i] = x
    x.heapIx = i
  }

  private down(i: number): void {
    const items = this.items
    const n = items.length
    const x = items[i]
    for (;;) {
      let c = 2 * i + 1
      if (c >= n) break
      if (c + 1 < n && items[c + 1].heapAt < items[c].heapAt) c++
      const y = items[c]
      if (y.heapAt >= x.heapAt) break
      items[i] = y
      y.heapIx = i
      i = c
    }
    items[i] = x
    x.heapIx = i
  }

  clear(): void {
    for (const x of this.items) {
      x.heapIx = -1
      x.heapAt = Infinity
    }
    this.items.length = 0
  }
}
