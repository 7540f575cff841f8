// The update check's background process: started detached by the init hook (src/cli/hooks/update-check.ts) when the
// check is due, it asks the npm registry for the latest version and writes it to the version file, while the command
// that started it carries on and exits. What to check comes in CLOWDOPS_VERSION_CHECK (JSON, nothing secret); the npm
// token is read from the npm configuration inside src/adapters/latest-version.ts, so it is on no command line.
// It prints nothing and fails silently: a failed check is simply tried again when it is next due.
// CommonJS, like all of bin/ (bin/package.json).
'use strict'

const { join } = process.getBuiltinModule('node:path')
const { pathToFileURL } = process.getBuiltinModule('node:url')

async function main() {
  const { VersionCheck, refreshLatestVersion } = await import(pathToFileURL(join(__dirname, '..', 'dist', 'src', 'adapters', 'latest-version.js')).href)
  await refreshLatestVersion(VersionCheck.parse(JSON.parse(process.env.CLOWDOPS_VERSION_CHECK ?? '')))
}

main().catch(() => {
  process.exitCode = 1
})
