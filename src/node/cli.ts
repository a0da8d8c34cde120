/**
 * The `mtwire` command. Each subcommand is a `Command` (cli-args.ts) in its own file, loaded on
 * demand: `mtwire <command> --help` prints its usage, a usage error exits 2.
 */
import { type Command, packageVersion, runCommand } from './cli-args.js'

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  info: { summary: 'print the crypto backend this machine picks', load: async () => infoCommand },
  decode: { summary: 'print a TL object (hex or file) as indented text', load: async () => (await import('./cli-tl.js')).decodeCommand },
  'gen-tl': { summary: 'generate TypeScript types, readers and writers from a .tl schema', load: async () => (await import('./cli-tl.js')).genTlCommand },
  serve: { summary: 'run a test server: every transport on one port, handshakes, sessions, secret chats', load: async () => (await import('./cli-serve.js')).serveCommand },
  keygen: { summary: 'generate an RSA key for a server (PKCS#1 PEM)', load: async () => (await import('./cli-serve.js')).keygenCommand },
  // more subcommands, one line each (branch client: `connect`, branch proxy: `proxy`):
  connect: { summary: 'connect to a server, create a key (--pfs: and a bound temporary one), ping it, print timings', load: async () => (await import('./cli-connect.js')).connectCommand },
  proxy: { summary: 'run an MTProxy relay (obfuscated2, dd, ee fake-TLS); --print-links for tg:// links', load: async () => (await import('./cli-proxy.js')).proxyCommand },
}

const infoCommand: Command = {
  summary: 'Prints the crypto backend this machine picks, and the Node version and architecture.',
  usage: 'mtwire info',
  options: [],
  args: { min: 0, max: 0 },
  async run() {
    const { createCrypto } = await import('./index.js')
    const c = await createCrypto()
    console.log(`backend: ${c.backend}\nnode: ${process.version} ${process.arch}`)
    return 0
  },
}

function usage(): string {
  const w = Math.max(...Object.keys(commands).map((n) => n.length))
  return [
    'usage: mtwire <command> [args]   (mtwire <command> --help for its usage)',
    '',
    ...Object.entries(commands).map(([n, c]) => `  ${n.padEnd(w)}  ${c.summary}`),
    '',
    '  --version  print the version',
  ].join('\n')
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(usage())
    return 0
  }
  if (name === '--version' || name === '-v') {
    console.log(packageVersion())
    return 0
  }
  const entry = name === undefined ? undefined : commands[name]
  if (!entry) {
    console.error(`${name === undefined ? 'mtwire: missing command' : `mtwire: unknown command '${name}'`}\n\n${usage()}`)
    return 2
  }
  return runCommand(name!, await entry.load(), rest)
}

main(process.argv.slice(2)).then(
  (code) => {
    // commands that keep running (serve) exit themselves
    if (code >= 0) process.exit(code)
  },
  (e: unknown) => {
    console.error(`mtwire: ${e instanceof Error ? e.message : String(e)}`)
    process.exit(1)
  },
)
