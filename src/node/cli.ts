/**
 * The `mtwire` command. Subcommands live in their own files and are loaded on demand.
 */
import { createCrypto } from './index.js'

type Command = { summary: string; run(args: string[]): Promise<number> }

const commands: Record<string, Command> = {
  info: {
    summary: 'print the crypto backend this machine picks',
    async run() {
      const c = await createCrypto()
      console.log(`backend: ${c.backend}\nnode: ${process.version} ${process.arch}`)
      return 0
    },
  },
  decode: {
    summary: 'print a TL object (hex or file) as indented text; --schema api.tl for API objects',
    run: async (args) => (await import('./cli-tl.js')).decodeCommand.run(args),
  },
  'gen-tl': {
    summary: 'generate TypeScript types, readers and writers from a .tl schema',
    run: async (args) => (await import('./cli-tl.js')).genTlCommand.run(args),
  },
  proxy: { summary: 'run an MTProxy relay (obfuscated2, dd, ee fake-TLS); --help for options', run: async (args) => (await import('./cli-proxy.js')).proxyCommand.run(args) },
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  const cmd = name === undefined ? undefined : commands[name]
  if (!cmd) {
    console.log('usage: mtwire <command> [args]\n')
    for (const [n, c] of Object.entries(commands)) console.log(`  ${n.padEnd(10)} ${c.summary}`)
    return name === undefined || name === '--help' || name === 'help' ? 0 : 2
  }
  return cmd.run(rest)
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  },
)
