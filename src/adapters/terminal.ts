// The terminal: a hidden prompt for secrets, stdin read whole, and the browser opener. Heavy modules load on first use.
import { spawn } from 'node:child_process'
import { InterruptedError } from '../core/errors.js'
import { Secret } from '../core/secret.js'

/** A masked prompt on the terminal; Ctrl-C is exit 130, as everywhere else. */
export async function askSecret(message: string): Promise<Secret> {
  const { default: password } = await import('@inquirer/password')
  try {
    return new Secret(await password({ message, mask: '*' }, { output: process.stderr }))
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') throw new InterruptedError()
    throw error
  }
}

/** A yes/no question on the terminal (default no); Ctrl-C is exit 130. */
export async function askConfirm(message: string): Promise<boolean> {
  const { default: confirm } = await import('@inquirer/confirm')
  try {
    return await confirm({ message, default: false }, { output: process.stderr })
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') throw new InterruptedError()
    throw error
  }
}

/** A visible one-line answer (a code, an email to confirm with); Ctrl-C is exit 130. */
export async function askText(message: string): Promise<string> {
  const { default: input } = await import('@inquirer/input')
  try {
    return await input({ message }, { output: process.stderr })
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') throw new InterruptedError()
    throw error
  }
}

export async function readStdin(): Promise<Secret> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return new Secret(Buffer.concat(chunks).toString('utf8').trim())
}

/** Best effort: a machine with no browser still shows the URL to open by hand. */
export function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]]
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true })
    child.on('error', () => undefined)
    child.unref()
  } catch {
    // no opener: the URL is on screen
  }
}
