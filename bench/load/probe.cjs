// Preloaded (`node -r`) into the `mtwire serve` process the load bench starts, so that the
// server's own memory and CPU can be read from outside: on an IPC message `mem` it collects
// garbage (the process runs with --expose-gc) twice, a moment apart (array buffers' backing
// stores go after a sweep), and answers with process.memoryUsage() and process.cpuUsage().
// The IPC channel is unref'd: it does not keep the server alive; SIGTERM still stops it.
'use strict'
if (process.send) {
  process.on('message', (m) => {
    // a heap snapshot, to see what a connection holds (compare two with a script of your own)
    if (typeof m === 'string' && m.startsWith('snapshot:')) {
      require('node:v8').writeHeapSnapshot(m.slice(9))
      return process.send({ snapshot: m.slice(9) })
    }
    if (m !== 'mem') return
    const gc = globalThis.gc || (() => {})
    gc()
    setTimeout(() => {
      gc()
      process.send({ mem: process.memoryUsage(), cpu: process.cpuUsage() })
    }, 200)
  })
  process.channel.unref()
}
