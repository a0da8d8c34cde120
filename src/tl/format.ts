/**
 * Readable, indented text for any decoded TL value (what `mtwire decode` prints):
 *
 *   resPQ {
 *     nonce: int128 3e0549828cca27e9 66b301a48fece2fc
 *     pq: bytes(8) 17ed48941a08f981
 *     server_public_key_fingerprints: [ 14101943622620965665n ]
 *   }
 */
export function formatTl(value: unknown, indent = '  '): string {
  return fmt(value, '', indent, 0)
}

const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

function fmt(v: unknown, pad: string, ind: string, depth: number): string {
  if (depth > 200) return '…'
  if (v === undefined) return 'undefined'
  if (v === null) return 'null'
  if (typeof v === 'bigint') return `${v}n`
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (v instanceof Uint8Array) {
    // groups of 8 bytes, 32 bytes a line
    const h = toHex(v).replace(/(.{16})(?!$)/g, '$1 ')
    const lines = h.match(/.{1,68}/g) ?? ['']
    const label = `bytes(${v.length})`
    return lines.length <= 1 ? `${label} ${h}`.trimEnd() : `${label}\n${lines.map((l) => pad + ind + l.trim()).join('\n')}`
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]'
    const inner = v.map((x) => fmt(x, pad + ind, ind, depth + 1))
    if (inner.every((s) => !s.includes('\n')) && inner.join(', ').length < 80) return `[ ${inner.join(', ')} ]`
    return `[\n${inner.map((s) => pad + ind + s).join('\n')}\n${pad}]`
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>
    const keys = Object.keys(o).filter((k) => k !== '_' && o[k] !== undefined)
    const name = typeof o._ === 'string' ? o._ : 'object'
    if (keys.length === 0) return name
    return `${name} {\n${keys.map((k) => `${pad + ind}${k}: ${fmt(o[k], pad + ind, ind, depth + 1)}`).join('\n')}\n${pad}}`
  }
  return String(v)
}
