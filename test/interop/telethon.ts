/**
 * Telethon (Debian's `python3-telethon`, run by Debian's python3) as a test client: the probe
 * that decides whether its suites run, and a runner for test/interop/telethon_client.py.
 *
 * Where Telethon is missing its suites are skipped, saying so; CI installs it and sets
 * MTWIRE_REQUIRE_TELETHON=1, which turns the skip into a failure. MTWIRE_PYTHON picks another
 * interpreter (default /usr/bin/python3, Debian's, where the package installs).
 */
import { spawn, spawnSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'

const python = process.env.MTWIRE_PYTHON ?? '/usr/bin/python3'
const driver = fileURLToPath(new URL('./telethon_client.py', import.meta.url))
const probe = spawnSync(python, ['-c', 'import telethon, sys; sys.stdout.write(telethon.__version__)'], { encoding: 'utf8' })
/** Telethon's version, or undefined where it cannot be imported (the suites are then skipped). */
export const telethonVersion = probe.status === 0 ? probe.stdout : undefined
if (!telethonVersion && process.env.MTWIRE_REQUIRE_TELETHON) throw new Error(`MTWIRE_REQUIRE_TELETHON is set but ${python} cannot import telethon: ${probe.stderr ?? probe.error}`)
if (!telethonVersion) console.warn(`Telethon suites skipped: ${python} cannot import telethon (Debian: apt-get install python3-telethon)`)

export type TelethonTransport = 'full' | 'abridged' | 'intermediate' | 'obfuscated2' | 'http' | 'MTProxy plain' | 'MTProxy dd'

/** One line the driver printed. */
export interface TelethonLine {
  step: string
  [k: string]: unknown
}

/**
 * Runs the driver against 127.0.0.1:`port` (the server, or the proxy for MTProxy transports)
 * with the server's public key `pem`. When it asks (`cut?`), calls `onCut` (which may arm a
 * relay) and lets it go on. Resolves with its lines, its exit code and its stderr; killed after 40 s.
 */
export function runTelethon(o: { port: number; pem: string; transport: TelethonTransport; secret?: string; onCut?: () => void }): Promise<{ lines: TelethonLine[]; code: number | null; stderr: string }> {
  const args = ['-B', driver, '127.0.0.1', String(o.port), o.pem, o.transport, ...(o.secret ? [o.secret] : [])]
  const child = spawn(python, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  const lines: TelethonLine[] = []
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  createInterface({ input: child.stdout }).on('line', (l) => {
    const line = JSON.parse(l) as TelethonLine
    lines.push(line)
    if (line.step === 'cut?') {
      o.onCut?.()
      child.stdin.write('\n')
    }
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 40_000)
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ lines, code, stderr })
    }),
  )
}

/**
 * Checks a run that went through every step: the pings answered (the fourth after the `cut?`
 * step), help.getNearestDc answered by the server, help.getConfig refused with its RPC error,
 * and the driver's exit code 0.
 */
export function expectCompleteRun({ lines, code, stderr }: Awaited<ReturnType<typeof runTelethon>>): void {
  const steps = ['connected', 'ping', 'ping', 'ping', 'nearestDc', 'getConfig', 'cut?', 'ping after cut', 'done']
  expect(lines.map((l) => l.step), `${JSON.stringify(lines)}\n${stderr}`).toEqual(steps)
  expect(code).toBe(0)
  expect(lines.filter((l) => l.step.startsWith('ping')).map((l) => l.pingId)).toEqual([1, 2, 3, 4])
  expect(lines.find((l) => l.step === 'nearestDc')).toMatchObject({ thisDc: 2, nearestDc: 2 })
  expect(lines.find((l) => l.step === 'getConfig')).toMatchObject({ error: 'BadRequestError', code: 400, message: 'INPUT_METHOD_INVALID_c4f9186b' })
}
