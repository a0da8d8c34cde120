/**
 * Key visualization: the picture (and the bits behind it) two users compare to make sure no
 * one sat in the middle of their key exchange.
 *
 * Spec (core.telegram.org/api/end-to-end/pfs#key-visualization): "The key visualization on the
 * clients uses the first 128-bits of the SHA-1 of the original key created when the Secret Chat
 * was first established, followed by the first 160 bits of the SHA-256 of the key in use when
 * the secret chat was updated to layer 46 (coincides with the original key if chat was created
 * using layer 46)." It never changes on re-keying (DrKLO/Telegram#1118).
 *
 * The picture is a client convention, not in the spec: Telegram for Android
 * (IdenticonDrawable.java) draws the 288 bits as a 12×12 grid, row by row, two bits per cell
 * taken from the least significant end of each byte (cell i = (bits[i >> 2] >> (2i mod 8)) & 3),
 * in four colours.
 */
import type { Crypto } from '../crypto/types.js'
import { SecretChatError } from '../errors.js'

/** Telegram for Android's four cell colours, by cell value 0..3. */
export const VISUALIZATION_COLORS = ['#ffffff', '#d5e6f3', '#2d5775', '#2f99c9'] as const

/** Cells per side of the grid. */
export const VISUALIZATION_GRID = 12

/**
 * The 36 bytes (288 bits): SHA-1(initialKey)[0..16] ‖ SHA-256(layer46Key)[0..20]. Chats
 * created at layer 46 or later (every chat this library creates) use the initial key twice.
 */
export function keyVisualization(crypto: Pick<Crypto, 'sha1' | 'sha256'>, initialKey: Uint8Array, layer46Key: Uint8Array = initialKey): Uint8Array {
  if (initialKey.length !== 256 || layer46Key.length !== 256) throw new SecretChatError('E_SECRET_ARGUMENT', 'secret chat keys are 256 bytes')
  const out = new Uint8Array(36)
  const a = crypto.sha1(initialKey)
  const b = crypto.sha256(layer46Key)
  out.set(a.subarray(0, 16), 0)
  out.set(b.subarray(0, 20), 16)
  a.fill(0)
  b.fill(0)
  return out
}

function checkBits(bits: Uint8Array): void {
  if (!(bits instanceof Uint8Array) || bits.length !== 36) {
    throw new SecretChatError('E_SECRET_ARGUMENT', 'a key visualization is 36 bytes (288 bits)')
  }
}

/** The 144 cell values (0..3), row-major, as Telegram for Android reads them from the 288 bits. */
export function visualizationCells(bits: Uint8Array): Uint8Array {
  checkBits(bits)
  const cells = new Uint8Array(VISUALIZATION_GRID * VISUALIZATION_GRID)
  for (let i = 0; i < cells.length; i++) cells[i] = (bits[i >> 2] >> ((i * 2) & 7)) & 3
  return cells
}

/**
 * The grid as a standalone SVG document, `size` pixels square (default 144: 12 px per cell),
 * one `<rect>` per cell that is not the background colour.
 */
export function visualizationSvg(bits: Uint8Array, size = 144): string {
  if (!Number.isFinite(size) || size <= 0) throw new SecretChatError('E_SECRET_ARGUMENT', `size must be a positive number, got ${size}`)
  const cells = visualizationCells(bits)
  const n = VISUALIZATION_GRID
  const rects: string[] = [`<rect width="${n}" height="${n}" fill="${VISUALIZATION_COLORS[0]}"/>`]
  for (let i = 0; i < cells.length; i++) {
    if (cells[i] !== 0) rects.push(`<rect x="${i % n}" y="${Math.floor(i / n)}" width="1" height="1" fill="${VISUALIZATION_COLORS[cells[i]]}"/>`)
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${n} ${n}" shape-rendering="crispEdges">` +
    rects.join('') +
    '</svg>'
  )
}

/** The 288 bits as hex, in four lines of 9 bytes (for a text display or a log). */
export function visualizationHex(bits: Uint8Array): string {
  checkBits(bits)
  const lines: string[] = []
  for (let i = 0; i < 36; i += 9) {
    lines.push(Array.from(bits.subarray(i, i + 9), (b) => b.toString(16).padStart(2, '0')).join(' '))
  }
  return lines.join('\n')
}
