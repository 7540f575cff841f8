// Preloaded into a spawned CLI (node --require) to report its peak resident memory in KiB, written at exit to the file
// named by CLOWDOPS_TEST_PEAK_FILE. It only observes. On Linux it is VmHWM, the high-water mark of this process's own
// memory since exec: ru_maxrss (process.resourceUsage) also counts the parent's memory at fork, so a test that holds
// a big input would see its own size in the child's figure.
'use strict'
const { readFileSync, writeFileSync } = process.getBuiltinModule('node:fs')

function peakKiB() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (hwm) return Number(hwm[1])
  } catch {
    // no procfs (macOS, where children are started with posix_spawn and ru_maxrss is their own)
  }
  return process.resourceUsage().maxRSS
}

const file = process.env.CLOWDOPS_TEST_PEAK_FILE
if (file) process.on('exit', () => writeFileSync(file, String(peakKiB())))
