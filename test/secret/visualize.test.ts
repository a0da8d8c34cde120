/**
 * Key visualization: the 288 bits (pfs#key-visualization) against SHA-1/SHA-256 from
 * node:crypto, and the 12×12 grid read as Telegram for Android reads it (IdenticonDrawable.java:
 * `(data[bitOffset / 8] >> (bitOffset % 8)) & 0x3` on Java's signed bytes, row by row).
 */
import { describe, expect, it } from 'vitest'
import { createHash, randomBytes } from 'node:crypto'
import {
  keyVisualization, VISUALIZATION_COLORS, visualizationCells, visualizationHex, visualizationSvg,
} from '../../src/secret/visualize.js'
import { crypto } from './helpers.js'
import { visualizationRef } from './reference.js'

describe('key visualization', () => {
  it('is SHA-1(initial key)[0..16] ‖ SHA-256(key at layer 46)[0..20]', () => {
    const key = Uint8Array.from({ length: 256 }, (_, i) => i)
    // computed here: sha1(0..255)[0..16] ‖ sha256(0..255)[0..20]
    const expected = Buffer.concat([
      createHash('sha1').update(key).digest().subarray(0, 16),
      createHash('sha256').update(key).digest().subarray(0, 20),
    ])
    expect(Buffer.from(keyVisualization(crypto(), key))).toEqual(expected)
    for (let i = 0; i < 20; i++) {
      const a = new Uint8Array(randomBytes(256)), b = new Uint8Array(randomBytes(256))
      expect(Buffer.from(keyVisualization(crypto(), a, b))).toEqual(visualizationRef(a, b))
    }
  })

  it('cells as the Android client reads them (two bits per cell from the low end of each byte, Java signed bytes)', () => {
    for (let t = 0; t < 20; t++) {
      const bits = new Uint8Array(randomBytes(36))
      const cells = visualizationCells(bits)
      expect(cells.length).toBe(144)
      for (let i = 0, bitPointer = 0; i < 144; i++, bitPointer += 2) {
        const javaByte = (bits[Math.trunc(bitPointer / 8)] << 24) >> 24
        expect(cells[i]).toBe(Math.abs((javaByte >> bitPointer % 8) & 0x3) % 4)
      }
    }
    const bits = new Uint8Array(36)
    bits[0] = 0b11_10_01_00 // cells 0..3 = 0, 1, 2, 3
    expect(Array.from(visualizationCells(bits).subarray(0, 5))).toEqual([0, 1, 2, 3, 0])
  })

  it('renders a 12×12 SVG grid in the four colours', () => {
    const bits = new Uint8Array(randomBytes(36))
    const cells = visualizationCells(bits)
    const svg = visualizationSvg(bits, 240)
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 12 12"')).toBe(true)
    expect(svg.endsWith('</svg>')).toBe(true)
    const rects = [...svg.matchAll(/<rect x="(\d+)" y="(\d+)" width="1" height="1" fill="(#[0-9a-f]{6})"\/>/g)]
    const painted = new Map(rects.map((m) => [Number(m[2]) * 12 + Number(m[1]), m[3]]))
    for (let i = 0; i < 144; i++) expect(painted.get(i) ?? VISUALIZATION_COLORS[0]).toBe(VISUALIZATION_COLORS[cells[i]])
    expect(rects.length).toBe(cells.filter((c) => c !== 0).length)
    expect(svg).toContain('<rect width="12" height="12" fill="#ffffff"/>')
  })

  it('hex in four lines of nine bytes; wrong sizes are typed errors', () => {
    const bits = Uint8Array.from({ length: 36 }, (_, i) => i)
    expect(visualizationHex(bits).split('\n')).toEqual([
      '00 01 02 03 04 05 06 07 08', '09 0a 0b 0c 0d 0e 0f 10 11', '12 13 14 15 16 17 18 19 1a', '1b 1c 1d 1e 1f 20 21 22 23',
    ])
    expect(() => visualizationCells(new Uint8Array(35))).toThrow(expect.objectContaining({ code: 'E_SECRET_ARGUMENT' }))
    expect(() => visualizationSvg(bits, 0)).toThrow(expect.objectContaining({ code: 'E_SECRET_ARGUMENT' }))
    expect(() => keyVisualization(crypto(), new Uint8Array(255))).toThrow(expect.objectContaining({ code: 'E_SECRET_ARGUMENT' }))
  })
})
