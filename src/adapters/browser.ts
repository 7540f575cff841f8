// Opening a page in the person's browser: `$BROWSER` when set (as gh and Debian's sensible-browser honour it), else the
// system's opener (open on macOS, start on Windows, xdg-open elsewhere). The page's address is its only argument: never
// a secret (the sign-in's PKCE verifier stays in this process).
import { constants } from 'node:fs'
import { access } from 'node:fs/promises'
import { delimiter, isAbsolute, join } from 'node:path'
import type { Browser } from '../core/ports.js'

interface OpenCommand {
  command: string
  args: string[]
}

/**
 * `$BROWSER` is a command with optional arguments; `%s` stands for the address, or it goes last. Split on whitespace
 * without a shell, so nothing in the address or the variable is ever interpreted.
 */
export function openCommand(url: string, env: Readonly<Record<string, string | undefined>>, platform: string): OpenCommand {
  const words = (env.BROWSER ?? '').trim().split(/\s+/).filter(Boolean)
  const [command, ...rest] = words
  if (command) {
    const args = rest.some((word) => word.includes('%s')) ? rest.map((word) => word.replaceAll('%s', url)) : [...rest, url]
    return { command, args }
  }
  if (platform === 'darwin') return { command: 'open', args: [url] }
  // cmd's start reads & as a command separator; ^ escapes it. The empty title keeps start from taking the URL as one.
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url.replace(/&/g, '^&')] }
  return { command: 'xdg-open', args: [url] }
}

/** The executable a command name resolves to on PATH (or the path itself), or undefined when there is none. */
async function resolveCommand(command: string, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  const executable = async (path: string) =>
    access(path, constants.X_OK).then(
      () => true,
      () => false,
    )
  if (isAbsolute(command) || command.includes('/')) return (await executable(command)) ? command : undefined
  for (const directory of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(directory, command)
    if (await executable(candidate)) return candidate
  }
  return undefined
}

export function systemBrowser(env: Readonly<Record<string, string | undefined>>): Browser {
  return {
    /** Best effort: a machine with no browser still shows the URL to open by hand. */
    open(url) {
      const { command, args } = openCommand(url, env, process.platform)
      // Loaded here, not at start-up: every command would pay for node:child_process otherwise (see update-check.ts).
      const { spawn } = process.getBuiltinModule('node:child_process') as typeof import('node:child_process')
      try {
        const child = spawn(command, args, { stdio: 'ignore', detached: true, env: { ...env } })
        child.on('error', () => undefined)
        child.unref()
      } catch {
        // no opener: the URL is on screen
      }
    },
    async opener() {
      const { command } = openCommand('about:blank', env, process.platform)
      // Windows' cmd is always there; its start opens the default browser.
      if (process.platform === 'win32' && command === 'cmd') return 'cmd /c start'
      return resolveCommand(command, env)
    },
  }
}
